"""The settings sections about who gets in and what is kept, and secrets read from files.

Decisions:

* ``auth``: the web UI asks who you are when ``auth.required`` is on (the ``prod`` profile
  turns it on; ``make run`` on 127.0.0.1 leaves it off). Streamlit's own OIDC login is used
  when an identity provider is configured (an ``[auth]`` table in ``.streamlit/secrets.toml``,
  Streamlit's format); otherwise one shared password whose *hash* is configured
  (``auth.password_hash``, made by ``luatqa auth hash-password``). Required but neither
  configured: the UI refuses everyone and says what to set (it never falls open).
* ``privacy``: client questions are confidential. The question log (``questions.jsonl``
  in ``data_dir``) is off unless turned on; answer feedback (``feedback.jsonl``, which holds
  the question and the answer) can be turned off, and the UI then hides its form. Nothing
  else about a question is written anywhere.
* Secrets from files: a file in ``LUATQA_SECRETS_DIR`` (default ``/run/secrets``, where
  Docker Compose mounts its secrets) named after the variable, such as
  ``LUATQA_LLM__API_KEY``, sets that secret (:data:`SECRET_KEYS` only), below the
  environment in precedence. So API keys and the password hash never sit in the compose
  file or a process's environment listing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SECRET_KEYS = ("index.qdrant_api_key", "llm.api_key", "auth.password_hash")
DEFAULT_SECRETS_DIR = Path("/run/secrets")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AuthSettings(_Section):
    """Who may use the web UI."""

    required: bool = Field(
        default=False,
        description="Ask for a login before the UI shows anything (on in the prod profile).",
    )
    password_hash: str | None = Field(
        default=None,
        description="scrypt hash of the shared password (`luatqa auth hash-password`); used "
        "when no OIDC provider is configured in .streamlit/secrets.toml [auth].",
    )
    max_attempts: int = Field(
        default=5, description="Wrong passwords a browser session may try before it is locked."
    )


class PrivacySettings(_Section):
    """What the UI keeps of the lawyers' questions (in data_dir only)."""

    question_log: bool = Field(
        default=False,
        description="Append each question (time, question, answer mode, cited provisions) "
        "to <data_dir>/questions.jsonl. Off by default: questions are confidential.",
    )
    feedback: bool = Field(
        default=True,
        description="Keep answer feedback (question, answer, verdict) in "
        "<data_dir>/feedback.jsonl; off hides the feedback form.",
    )


def secret_files(directory: Path | None = None) -> tuple[dict[str, Any], str]:
    """The secrets set by files (nested like the settings) and the folder they came from."""
    folder = Path(os.environ.get("LUATQA_SECRETS_DIR") or directory or DEFAULT_SECRETS_DIR)
    data: dict[str, Any] = {}
    for key in SECRET_KEYS:
        section, name = key.split(".")
        path = folder / f"LUATQA_{section.upper()}__{name.upper()}"
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError:
            continue  # absent (or unreadable): the other sources decide
        if value:
            data.setdefault(section, {})[name] = value
    return data, str(folder)
