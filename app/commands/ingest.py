"""``luatqa ingest PATH... [--batch-size N] [--force] [--json]``: parse statutes and index
them (embedded index folder via ``--index``, or a Qdrant server via ``--qdrant-url``).

Unchanged documents are skipped (same parsed content = same version); changed ones replace
their old points. Bad files are reported at the end and make the exit code 2 (bad input, see
:mod:`app.boundary`); the other files are still ingested."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from app.boundary import EXIT_BAD_INPUT
from app.context import CliState


def ingest_command(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Statute files or folders.")],
    batch_size: Annotated[
        int | None, typer.Option("--batch-size", min=1, help="Chunks embedded per batch.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Re-index documents even when unchanged.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Parse statutes (PDF, txt, docx, ALQAC law.json; files or folders) and index them.

    Unchanged documents are skipped; changed ones replace their old version. Bad files are
    listed at the end and make the exit code 2; the other files are still ingested."""
    from ingest.pipeline import summary_table

    state: CliState = ctx.obj
    with state.services() as services:
        pipeline = services.pipeline
        if batch_size:
            pipeline.batch_size = batch_size
        report = pipeline.ingest_paths(paths, force=force, show_progress=progress)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        Console().print(summary_table(report))
    for f in report.failed:  # the same form as every other error (app.boundary)
        typer.secho(f"Error: {f.error}", err=True, fg=typer.colors.RED)
    if report.failed:  # the files' own errors, printed above: bad input
        raise typer.Exit(code=EXIT_BAD_INPUT)


def register(cli: typer.Typer) -> None:
    cli.command("ingest")(ingest_command)
