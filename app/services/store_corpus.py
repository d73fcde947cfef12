"""The corpus as the index stores it: :class:`StoreCorpus` adapts the records that
:class:`retrieval.articles.ArticleReader` reads back (the one reader of the index's
document, article and chunk records, shared with the retriever and fine-tuning) to the
UI's views. No payload key is read here: the record types own the stored shape.
"""

from __future__ import annotations

from app.services.corpus import ArticleInfo, ArticleView, ClauseText, DocumentInfo
from app.services.validity_view import validity_view
from legal.address import LegalAddress
from retrieval.articles import ArticleReader
from retrieval.store.base import VectorStore


class StoreCorpus:
    """:class:`CorpusSource` over the index, read through :class:`ArticleReader`."""

    def __init__(self, store: VectorStore) -> None:
        self._store = store
        self._reader = ArticleReader(store)

    def documents(self) -> list[DocumentInfo]:
        return [
            DocumentInfo(
                doc_id=d.doc_id,
                number=d.number,
                doc_type=d.doc_type,
                title=d.title or d.doc_id,
                date=d.date,
                label=d.doc_label or d.title or d.doc_id,
                short=d.doc_short,
                articles=d.articles,
                source=d.source,
                chapters=d.chapters,
            )
            for d in self._reader.documents()
        ]

    def articles(self, doc_id: str) -> list[ArticleInfo]:
        return [
            ArticleInfo(
                doc_id=doc_id,
                number=a.article,
                title=a.article_title,
                chapter=a.chapter,  # "Chương VII", as the chunker labels it
                hierarchy=a.hierarchy,
            )
            for a in self._reader.articles(doc_id)
        ]

    def article(self, address: LegalAddress) -> ArticleView | None:
        art = self._reader.article(address)
        if art is None:
            return None
        return ArticleView(
            address=art.address,
            title=art.title,
            doc_label=art.doc_label,
            hierarchy=art.hierarchy,
            text=art.text,
            clauses=tuple(ClauseText(c.address, c.text) for c in art.chunks),
            source=art.source,
            pages=art.pages,
            amendment_notes=art.amendment_notes,
            validity=validity_view(self._store, art, self._reader.documents()),
        )
