"""The ``luatqa`` command line: a thin layer over the services in :mod:`app.wiring`.

Every command that touches the index takes ``--index DIR`` (embedded store folder) or
``--qdrant-url URL`` (a Qdrant server); both are global options, accepted before the command
or after it (:func:`hoist_global_options`). Errors derived from
:class:`legal.errors.LuatqaError` are printed once, by :mod:`app.boundary`, with exit code 2
for bad input and 1 for a failure; anything else is a bug and shows a traceback (exit 1).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from app.boundary import BoundaryGroup
from app.context import CliState

EPILOG = (
    "Exit codes: 0 done; 1 failed (the index or the model server failed, or a bug); "
    "2 bad input (usage, an unreadable file, bad settings, an empty question)."
)

cli = typer.Typer(
    name="luatqa",
    help="Cited answers from Vietnamese law: parse, ingest, search, ask, eval.",
    epilog=EPILOG,
    cls=BoundaryGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # usage errors print "Error: ..." like app.boundary does
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
    # a test (or a host) may hand its own state, e.g. CliState(make_services=Fake)
    base = ctx.obj if isinstance(ctx.obj, CliState) else CliState()
    ctx.obj = replace(
        base, index=index, qdrant_url=qdrant_url, config=config, profile=profile, _effective=None
    )


def _register() -> None:
    from app.commands import (
        ask,
        auth,
        config,
        demo,
        finetune,
        ingest,
        llm,
        mcp,
        parse,
        search,
        ui,
    )
    from app.commands import eval as eval_cmd

    parse.register(cli)
    ingest.register(cli)
    search.register(cli)
    ui.register(cli)
    eval_cmd.register(cli)
    ask.register(cli)
    finetune.register(cli)
    llm.register(cli)
    demo.register(cli)
    config.register(cli)
    mcp.register(cli)
    auth.register(cli)


GLOBAL_OPTIONS = ("--index", "--qdrant-url", "--config", "--profile")


def _own_options(argv: list[str]) -> set[str]:
    """The option names the command named in ``argv`` declares itself (``finetune train``
    has its own ``--config``: that one must stay with the command)."""
    import typer.main

    command: Any = typer.main.get_command(cli)
    found = False
    for word in argv:
        if word.startswith("-"):
            continue
        sub = getattr(command, "commands", {}).get(word)
        if sub is None:
            break
        command, found = sub, True
    if not found:
        return set()
    return {opt for p in getattr(command, "params", []) for opt in getattr(p, "opts", [])}


def hoist_global_options(argv: list[str]) -> list[str]:
    """Let the global options stand anywhere: ``luatqa ingest FILE --index DIR`` works like
    ``luatqa --index DIR ingest FILE`` (click only reads them before the command) — except an
    option the command declares itself (``finetune train --config``)."""
    own = _own_options(argv)
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS and (name not in own or not rest):
            step = 1 if "=" in arg else 2
            front.extend(argv[i : i + step])
            i += step
            continue
        rest.append(arg)
        i += 1
    return front + rest


def main(argv: list[str] | None = None) -> None:
    _register()
    cli(args=hoist_global_options(list(sys.argv[1:] if argv is None else argv)))


if __name__ == "__main__":  # pragma: no cover
    main()
