"""The corpus as the index stores it: :class:`StoreCorpus` reads document, article and chunk
records back from the store (see :mod:`retrieval.store.base`).

Moved verbatim out of the former ``app/services.py``: the typed store records of issue 10
part 1 will replace the payload reading here (and its fallbacks) with one article reader.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from app.services.corpus import ArticleInfo, ArticleView, ClauseText, DocumentInfo
from legal.address import LegalAddress


class StoreCorpus:
    """:class:`CorpusSource` over the index's payloads (document, article and chunk records,
    see :mod:`retrieval.store.base`)."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def _scroll(self, **kw: Any) -> Iterator[Any]:
        from retrieval.store.base import Filter

        return iter(self._store.scroll(Filter(**kw)))

    def documents(self) -> list[DocumentInfo]:
        out = []
        for pt in self._scroll(kinds=("document",)):
            p = pt.payload
            doc_id = str(p.get("doc_id"))
            out.append(
                DocumentInfo(
                    doc_id=doc_id,
                    number=p.get("number"),
                    doc_type=str(p.get("doc_type") or ""),
                    title=str(p.get("title") or doc_id),
                    date=p.get("date"),
                    label=str(p.get("doc_label") or p.get("title") or doc_id),
                    short=p.get("doc_short"),
                    articles=int(p.get("articles") or p.get("n_articles") or 0),
                    source=p.get("source"),
                    chapters=tuple(_chapter_heading(c) for c in p.get("chapters") or ()),
                )
            )
        return out

    def articles(self, doc_id: str) -> list[ArticleInfo]:
        out = []
        for pt in self._scroll(kinds=("article",), doc_ids=(doc_id,)):
            p = pt.payload
            out.append(
                ArticleInfo(
                    doc_id=doc_id,
                    number=str(p.get("article")),
                    title=str(p.get("article_title") or p.get("title") or ""),
                    chapter=_chapter_of(p),
                    hierarchy=str(p.get("hierarchy") or ""),
                )
            )
        return out

    def article(self, address: LegalAddress) -> ArticleView | None:
        records = list(
            self._scroll(
                kinds=("article",), doc_ids=(address.doc,), articles=(str(address.article),)
            )
        )
        chunks = list(
            self._scroll(kinds=("chunk",), doc_ids=(address.doc,), articles=(str(address.article),))
        )
        if not records and not chunks:
            return None
        clauses = sorted(
            (
                ClauseText(LegalAddress.parse(c.payload["address"]), c.payload["text"])
                for c in chunks
            ),
            key=lambda c: c.address.sort_key(),
        )
        p = records[0].payload if records else chunks[0].payload
        first = chunks[0].payload if chunks else p
        pages = p.get("pages") or [p.get("page_start", p.get("page")), p.get("page_end")]
        notes = tuple(str(n) for n in p.get("amendment_notes") or p.get("notes") or ())
        text = p.get("text") if records else "\n".join(c.text for c in clauses)
        return ArticleView(
            address=address.article_address(),
            title=str(p.get("article_title") or p.get("title") or ""),
            doc_label=str(p.get("doc_label") or first.get("doc_label") or address.doc),
            hierarchy=str(p.get("hierarchy") or first.get("hierarchy") or ""),
            text=str(text or ""),
            clauses=tuple(clauses),
            source=p.get("source") or first.get("source"),
            pages=(_int(pages[0]), _int(pages[1] if len(pages) > 1 else None)),
            amendment_notes=notes,
        )


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _chapter_heading(chapter: Any) -> str:
    if isinstance(chapter, Mapping):  # {"number": "VII", "title": "..."}
        return f"Chương {chapter.get('number')}. {chapter.get('title') or ''}".strip(" .")
    return str(chapter)


def _chapter_of(payload: Mapping[str, Any]) -> str | None:
    hierarchy = str(payload.get("hierarchy") or "")
    for part in hierarchy.split("›"):
        if part.strip().startswith("Chương"):
            return part.strip()
    chapter = payload.get("chapter")
    return f"Chương {chapter}" if chapter else None
