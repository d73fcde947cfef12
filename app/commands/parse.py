"""``luatqa parse FILE [--json] [--article N]``: read a statute and show its structure.

Without ``--json``: a readable summary (metadata, chapters with their article ranges, counts,
warnings); ``--article N`` prints that article's Khoản/Điểm tree. With ``--json``:
``Document.to_dict()`` (a list of them for an ALQAC law.json holding several laws).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from legal.document import Article, Document
from legal.errors import InputError


def _summary(doc: Document, seconds: float) -> str:
    m = doc.meta
    clauses = sum(len(a.clauses) for a in doc.articles)
    points = sum(len(a.points) + sum(len(c.points) for c in a.clauses) for a in doc.articles)
    notes = sum(
        len(a.footnotes)
        + sum(len(c.footnotes) + sum(len(p.footnotes) for p in c.points) for c in a.clauses)
        for a in doc.articles
    )
    refs = sum(
        len(a.references)
        + sum(len(c.references) + sum(len(p.references) for p in c.points) for c in a.clauses)
        for a in doc.articles
    )
    out = [
        f"{m.title}  [{m.doc_type.value}]",
        f"  id: {m.doc_id}   số hiệu: {m.number or '-'}   ban hành: {m.issuer or '-'}"
        f"   ngày: {m.date or '-'}",
        f"  source: {m.source or '-'}" + (f"   pages: {doc.pages}" if doc.pages else ""),
        f"  {len(doc.chapters)} chương, {len(doc.articles)} điều, {clauses} khoản, "
        f"{points} điểm, {notes} footnotes, {refs} cross-references   ({seconds:.2f} s)",
    ]
    for ch in doc.chapters:
        arts = [a.number for a in doc.articles if a.chapter == ch.number]
        span = f"Điều {arts[0]}–{arts[-1]}" if arts else "no articles"
        out.append(f"  Chương {ch.number}. {ch.title}  ({span})")
    for w in doc.warnings:
        out.append(f"  ! {w}")
    return "\n".join(out)


def _indent(text: str, prefix: str) -> str:
    return prefix + text.replace("\n", "\n" + prefix)


def _article_tree(doc: Document, art: Article, *, with_doc: bool = False) -> str:
    where = f" (Chương {art.chapter})" if art.chapter else ""
    pages = f", p. {art.page_start}–{art.page_end}" if art.page_start else ""
    out = [f"[{doc.meta.title} – {doc.doc_id}]"] if with_doc else []
    out.append(f"Điều {art.number}. {art.title}{where}{pages}")
    if not art.clauses and not art.points:
        out.append(_indent(art.text, "  "))
    elif art.lead_in:
        out.append(_indent(art.lead_in, "  "))
    for p in art.points:
        out.append(_indent(p.text, "    "))
    for c in art.clauses:
        if c.points:
            out.append(_indent(c.lead_in or c.text, "  "))
            for p in c.points:
                out.append(_indent(p.text, "    "))
            rest = c.text.split(c.points[-1].text, 1)[-1].strip()
            if rest:  # paragraphs after the last point belong to the clause
                out.append(_indent(rest, "  "))
        else:
            out.append(_indent(c.text, "  "))
        for r in c.references:
            out.append(f"    → {r.target.canonical}")
    for n in art.footnotes:
        out.append(f"  [{n.marker}] {n.text}")
    return "\n".join(out)


def validity_json(doc: Document) -> dict[str, Any]:
    """What ``doc`` says of its validity and which statute provisions it details (issue 11;
    ``docs/validity.md``), for ``parse --json``."""
    from ingest.guidance import read_guidance
    from ingest.validity import read_validity

    v, g = read_validity(doc), read_guidance(doc)
    return {
        "signed": v.signed,
        "effective_from": v.effective_from,
        "relative_to": v.relative_to,
        "basis": v.basis,
        "provisions": [
            {"address": p.address.canonical, "effective_from": p.effective_from}
            for p in v.provisions
        ],
        "relations": [r.to_dict() for r in v.relations],
        "guides_document": g.document,
        "guides": {n: [a.canonical for a in addrs] for n, addrs in g.by_article.items()},
    }


def register(cli: typer.Typer) -> None:
    @cli.command("parse")
    def parse(
        file: Annotated[Path, typer.Argument(help="A statute: .pdf, .txt/.md, .docx or law.json.")],
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the parsed document(s) as JSON.")
        ] = False,
        article: Annotated[
            str | None, typer.Option("--article", help="Show one article's Khoản/Điểm tree.")
        ] = None,
    ) -> None:
        """Parse a statute and show its structure (Chương, Điều, Khoản, Điểm)."""
        from ingest.load import load_documents

        start = time.perf_counter()
        docs = load_documents(file)
        seconds = time.perf_counter() - start
        if as_json:
            data = [{**d.to_dict(), "validity": validity_json(d)} for d in docs]
            typer.echo(
                json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=1)
            )
            return
        blocks: list[str] = []
        for doc in docs:
            if article is None:
                blocks.append(_summary(doc, seconds))
            elif (art := doc.article(article)) is not None:
                blocks.append(_article_tree(doc, art, with_doc=len(docs) > 1))
        if blocks:
            typer.echo("\n\n".join(blocks))
        if article is not None and not any(d.article(article) for d in docs):
            raise InputError(
                f"no Điều {article} in the document",
                path=file,
                hint="`luatqa parse FILE` lists the chapters and their articles",
            )
