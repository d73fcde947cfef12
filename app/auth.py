"""Passwords for the web UI's login: hashed with scrypt, compared in constant time.

Decision: the UI asks for one shared password when no identity provider is configured
(``auth.password_hash``, usually from a secret file: :mod:`app.settings` reads
``/run/secrets/LUATQA_AUTH__PASSWORD_HASH``); only its hash is ever configured, made with
``luatqa auth hash-password``. scrypt is in the standard library (no new dependency) and
memory-hard; the parameters are stored with the hash, so they can be raised later.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from legal.errors import ConfigError

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1  # ~16 MiB and ~50 ms per check on one core


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt:N:r:p:SALT_HEX:HASH_HEX``."""
    if not password:
        raise ConfigError("the password is empty", hint="choose a password")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"{SCHEME}:{N}:{R}:{P}:{salt.hex()}:{digest.hex()}"


def check_hash(stored: str) -> None:
    """Refuse a configured value that is not one of our hashes (a plain password, say)."""
    parts = stored.strip().split(":")
    ok = len(parts) == 6 and parts[0] == SCHEME and all(p.isdigit() for p in parts[1:4])
    try:
        ok = ok and bool(bytes.fromhex(parts[4])) and len(bytes.fromhex(parts[5])) == 32
    except ValueError:
        ok = False
    if not ok:
        raise ConfigError(
            "auth.password_hash is not a password hash",
            hint="make one with `luatqa auth hash-password` and put the hash (never the "
            "password) in the secret",
        )


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (made by :func:`hash_password`)."""
    check_hash(stored)
    _, n, r, p, salt, expected = stored.strip().split(":")
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
        dklen=32, maxmem=256 * 1024 * 1024,
    )  # fmt: skip
    return hmac.compare_digest(digest.hex(), expected)
