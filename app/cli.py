"""The ``luatqa`` command line: a thin layer over the services in :mod:`app.wiring`.

Every command that touches the index takes ``--index DIR`` (embedded store folder) or
``--qdrant-url URL`` (a Qdrant server); both are global options, placed before the command
or after it. Errors derived from :class:`legal.errors.LuatqaError` are printed plainly with a
non-zero exit; anything else is a bug and shows a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from app.context import CliState
from legal.errors import LuatqaError

cli = typer.Typer(
    name="luatqa",
    help="Cited answers from Vietnamese law: parse, ingest, search, ask, eval.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@cli.callback()
def _global(
    ctx: typer.Context,
    index: Annotated[
        Path | None, typer.Option("--index", help="Embedded index folder (qdrant-edge).")
    ] = None,
    qdrant_url: Annotated[
        str | None, typer.Option("--qdrant-url", help="Qdrant server URL (instead of --index).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="Settings YAML (overrides profile).")
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", help="Settings profile: profiles/NAME.yaml.")
    ] = None,
) -> None:
    ctx.obj = CliState(index=index, qdrant_url=qdrant_url, config=config, profile=profile)


def _register() -> None:
    from app.commands import ask, finetune, ingest, parse, search, ui
    from app.commands import eval as eval_cmd

    parse.register(cli)
    ingest.register(cli)
    search.register(cli)
    ui.register(cli)
    eval_cmd.register(cli)
    ask.register(cli)
    finetune.register(cli)


def main(argv: list[str] | None = None) -> None:
    _register()
    try:
        cli(args=argv, standalone_mode=True)
    except LuatqaError as exc:  # pragma: no cover - typer usually exits before
        typer.echo(f"Lỗi / error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
