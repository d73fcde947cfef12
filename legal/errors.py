"""The project's one base exception and its stage-specific children.

Every error a user can trigger says *where* it happened (file, stage) and *how to fix it*.
The CLI and the UI print ``str(error)``; nothing else is needed to understand it.
"""

from __future__ import annotations

from pathlib import Path


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


class LuatqaError(Exception):
    """Base of every error the project raises on purpose."""

    stage: str = "luatqa"

    def __init__(self, message: str, *, path: str | Path | None = None, hint: str | None = None):
        self.message = message
        # control characters in a hostile file name would drive the terminal or break a
        # line of the log: shown escaped
        self.path = _printable(str(path)) if path is not None else None
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = f"[{self.stage}] " + (f"{self.path}: " if self.path else "")
        text = where + self.message
        if self.hint:
            text += f"\n  → {self.hint}"
        return text


class InputError(LuatqaError):
    """A document the user gave us cannot be read or understood."""

    stage = "ingest"


class QuestionError(LuatqaError):
    """A question the user asked cannot be answered as asked (empty, missing choices)."""

    stage = "question"


class ConfigError(LuatqaError):
    """Settings are missing or contradict each other."""

    stage = "config"


class StoreError(LuatqaError):
    """The vector index (embedded Qdrant or a server) failed or is unusable."""

    stage = "index"


class GoldError(LuatqaError):
    """A gold question file for the eval harness is malformed."""

    stage = "eval"


class CitationError(LuatqaError):
    """A citation string cannot be parsed or resolved."""

    stage = "citation"


class GenerationError(LuatqaError):
    """The answer model (vLLM) failed or is unreachable."""

    stage = "generation"
