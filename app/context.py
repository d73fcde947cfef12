"""State shared by CLI commands: global options → settings → services.

Decision: the seam for tests is :attr:`CliState.make_services`, the factory every command
builds its components with (default: :class:`app.wiring.Services`). A test hands the CLI
its own state — ``CliRunner().invoke(cli, args, obj=CliState(make_services=Fake))`` — and
the global options are applied to a copy of it; nothing is monkeypatched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.settings import EffectiveSettings, Settings
    from app.wiring import Services

ServicesFactory = Callable[["Settings"], "Services"]


def real_services(settings: Settings) -> Services:
    from app.wiring import Services

    return Services(settings)


@dataclass
class CliState:
    index: Path | None = None
    qdrant_url: str | None = None
    config: Path | None = None
    profile: str | None = None
    make_services: ServicesFactory = real_services
    _effective: EffectiveSettings | None = field(default=None, repr=False)

    def overrides(self) -> dict[str, Any]:
        index: dict[str, Any] = {}
        if self.index is not None:
            index["dir"] = self.index
            index["qdrant_url"] = None
        if self.qdrant_url is not None:
            index["qdrant_url"] = self.qdrant_url
        return {"index": index} if index else {}

    def effective(self) -> EffectiveSettings:
        """The settings with where each value came from (read once, on first use)."""
        if self._effective is None:
            from app.settings import explain_settings

            self._effective = explain_settings(
                overrides=self.overrides(), config_file=self.config, profile=self.profile
            )
        return self._effective

    def settings(self) -> Settings:
        return self.effective().settings

    def services(self, settings: Settings | None = None) -> Services:
        """The components for ``settings`` (default: this state's), built by
        :attr:`make_services`; use as a context manager so the index is released."""
        return self.make_services(settings if settings is not None else self.settings())
