"""State shared by CLI commands: global options → settings → services, built once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from legal.errors import LuatqaError

if TYPE_CHECKING:
    from app.settings import Settings


@dataclass
class CliState:
    index: Path | None = None
    qdrant_url: str | None = None
    config: Path | None = None
    profile: str | None = None
    _settings: Any = field(default=None, repr=False)
    _services: Any = field(default=None, repr=False)

    def overrides(self) -> dict[str, Any]:
        index: dict[str, Any] = {}
        if self.index is not None:
            index["dir"] = self.index
            index["qdrant_url"] = None
        if self.qdrant_url is not None:
            index["qdrant_url"] = self.qdrant_url
        return {"index": index} if index else {}

    def settings(self) -> Settings:
        if self._settings is None:
            from app.settings import load_settings

            self._settings = load_settings(
                overrides=self.overrides(), config_file=self.config, profile=self.profile
            )
        return self._settings


def fail(exc: LuatqaError) -> typer.Exit:
    """Print a project error plainly and return the Exit to raise."""
    typer.secho(f"Lỗi: {exc}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=2)
