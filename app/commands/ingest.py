"""``luatqa ingest PATH... [--batch-size N] [--force] [--json]``: parse statutes and index
them (embedded index folder via ``--index``, or a Qdrant server via ``--qdrant-url``).

Unchanged documents are skipped (same parsed content = same version); changed ones replace
their old points. An index built before validity existed (issue 11) is brought up to date by
this same command: the validity fields are set on its points, nothing is re-embedded. Bad
files are reported at the end and make the exit code 2 (bad input, see :mod:`app.boundary`);
the other files are still ingested."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.boundary import EXIT_BAD_INPUT
from app.context import CliState
from app.progress import progress_bars

if TYPE_CHECKING:
    from ingest.pipeline import IngestReport


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
    state: CliState = ctx.obj
    with state.services() as services:
        pipeline = services.pipeline  # opens the index: its errors come before any bar
        if batch_size:
            pipeline.batch_size = batch_size
        with progress_bars(progress) as bars:
            report = pipeline.ingest_paths(paths, force=force, progress=bars)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        Console().print(summary_table(report))
        for line in validity_lines(report):
            typer.echo(line)
    for f in report.failed:  # the same form as every other error (app.boundary)
        typer.secho(f"Error: {f.error}", err=True, fg=typer.colors.RED)
    if report.failed:  # the files' own errors, printed above: bad input
        raise typer.Exit(code=EXIT_BAD_INPUT)


def summary_table(report: IngestReport) -> Table:
    """The report as the table ``luatqa ingest`` prints: a row a document, then the totals."""
    table = Table(title="luatqa ingest")
    for col in ("document", "status", "articles", "clauses", "chunks", "removed", "seconds"):
        table.add_column(col, justify="left" if col in ("document", "status") else "right")
    for d in report.documents:
        table.add_row(
            f"{d.doc_id} ({d.title})" if d.title and d.title != d.doc_id else d.doc_id,
            d.status,
            str(d.articles),
            str(d.clauses),
            str(d.chunks),
            str(d.removed),
            f"{d.seconds:.1f}",
        )
    t = report.totals()
    table.add_row(
        f"total: {t['documents']} documents, {t['files']} files",
        f"{t['failed']} failed",
        str(t["articles"]),
        str(t["clauses"]),
        str(t["chunks"]),
        "",
        f"{report.seconds:.1f}",
        style="bold",
    )
    return table


def validity_lines(report: IngestReport) -> list[str]:
    """What ingest did to validity: an index built before validity existed gets it on this
    same command (payloads set in place, nothing re-embedded), and older acts replaced by a
    newer one just ingested get their end date."""
    out = []
    refreshed = [d.doc_id for d in report.documents if d.refreshed]
    if refreshed:
        out.append(
            f"validity metadata refreshed for {len(refreshed)} unchanged document(s), without "
            f"re-embedding: {', '.join(refreshed)}"
        )
    if report.validity_updated:
        out.append(
            "no longer in force / replaced, updated in place: " + ", ".join(report.validity_updated)
        )
    return out


def register(cli: typer.Typer) -> None:
    cli.command("ingest")(ingest_command)
