"""``luatqa auth hash-password``: the hash for ``auth.password_hash`` (app/auth.py).

The password is read from the terminal without echo (twice), or from standard input when
it is not a terminal (``printf %s "$PW" | luatqa auth hash-password``); only the hash is
printed, to be stored as a secret (docs/deployment.md)."""

from __future__ import annotations

import sys

import typer

from legal.errors import ConfigError

app = typer.Typer(
    help="The web UI's login: make the password hash the settings take.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("hash-password")
def hash_password_command() -> None:
    """Print the scrypt hash of a password for auth.password_hash (the password is not stored)."""
    from app.auth import hash_password

    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.read().rstrip("\r\n")
    if not password:
        raise ConfigError("the password is empty", hint="give a password")
    typer.echo(hash_password(password))


def register(cli: typer.Typer) -> None:
    cli.add_typer(app, name="auth")
