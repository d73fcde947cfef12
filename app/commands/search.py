"""``luatqa search QUERY [-k N] [--law L]... [--type T]... [--json]``: the retriever's results
(citations in the query fetched first, hybrid dense + sparse hits grouped by article,
cross-referenced provisions as context, the decree/circular provisions detailing the top hits
as guidance), each with its legal address, article title, score, text and currency warnings;
``--as-of YYYY-MM-DD`` searches only what was in force that day."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.commands.asof import AsOf, checked_as_of, stale_notice
from app.context import CliState
from legal.errors import InputError, StoreError
from legal.validity import today_iso, vn_date

if TYPE_CHECKING:
    from retrieval.retriever import Retriever as HybridRetriever
    from retrieval.types import Passage, Provision


def resolve_laws(retriever: HybridRetriever, laws: list[str], option: str = "--law") -> list[str]:
    """``--law`` values (number, abbreviation or name) → document ids in the index; ``option``
    names the argument in the error (the MCP tool's is ``laws``)."""
    docs: list[str] = []
    indexed = set(retriever.documents())
    for law in laws:
        ids = [d for d in retriever.registry.resolve_all(law) if d in indexed]
        if law in indexed:
            ids = [law]
        if not ids:
            known = ", ".join(sorted(indexed)) or "(none)"
            raise InputError(
                f"{option} {law!r} names no document in the index",
                hint=f"indexed documents: {known}",
            )
        docs.extend(d for d in ids if d not in docs)
    return docs


def _item(prov: Provision, passage: Passage, on: str) -> dict[str, Any]:
    v = passage.validity
    return {
        "id": passage.chunk_id,
        "score": passage.score,
        "role": passage.role.value,
        "article": prov.address.canonical,
        "address": passage.address.canonical,
        "citation": passage.display_citation(),
        "article_title": passage.article_title,
        "text": passage.text,
        "effective_from": v.effective_from,
        "effective_to": v.effective_to,
        "replaced_by": v.replaced_by,
        "currency": v.currency(on).value,
        "warnings": list(passage.currency_warnings(on)),
        "guides": [a.canonical for a in passage.guides],
    }


def search_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="The question or keywords.")],
    k: Annotated[int, typer.Option("-k", "--top-k", min=1, help="Number of articles.")] = 5,
    law: Annotated[
        list[str] | None,
        typer.Option("--law", help="Only this law (number, abbreviation or name); repeatable."),
    ] = None,
    doc_type: Annotated[
        list[str] | None,
        typer.Option("--type", help="Only this document type, e.g. 'Luật'; repeatable."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print passages as JSON.")] = False,
    as_of: AsOf = None,
) -> None:
    """Search the index: the provisions that answer the query, best first."""
    state: CliState = ctx.obj
    day = checked_as_of(as_of)
    on = day or today_iso()
    with state.services() as services:
        if services.store.count() == 0:
            where = state.settings().index.qdrant_url or state.settings().index.dir
            raise StoreError(
                f"the index at {where} is empty", hint="run `luatqa ingest PATH` first"
            )
        retriever = services.retriever
        docs = resolve_laws(retriever, list(law or []))
        result = retriever.search(query, k=k, docs=docs, doc_types=list(doc_type or []), as_of=day)
        notice = stale_notice(retriever)
    if notice:
        typer.echo(notice, err=True)
    if as_json:
        out = [_item(prov, p, on) for prov in result.provisions for p in prov.passages]
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not result.provisions:
        typer.echo("No hits.")
    if result.detected_documents:
        typer.echo(f"(law named in the question: {', '.join(result.detected_documents)})")
    if day:
        typer.echo(f"(in force on {vn_date(day)} only)")
    for i, prov in enumerate(result.provisions, 1):
        tag = "" if prov.role.value == "hit" else f" [{prov.role.value}]"
        typer.secho(
            f"{i}. {prov.address.display(prov.doc_label)}{tag}  ({prov.score:.4f})", bold=True
        )
        typer.echo(f"   {prov.article_title}")
        for p in prov.passages:
            typer.echo(f"   · {p.address.provision_label()}: {p.text}")
            for warning in p.currency_warnings(on):
                typer.secho(f"     ⚠ {warning}", fg=typer.colors.YELLOW)
        typer.echo("")
    t = result.timings_ms
    typer.echo(f"({t.get('total_ms', 0):.0f} ms)", err=True)


def register(cli: typer.Typer) -> None:
    cli.command("search")(search_command)
