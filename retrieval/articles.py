"""The one reader of the index's records: an article with its clauses, the documents, the
articles of a document, every chunk.

"Fetch an article with its clauses" used to be written three times (the retriever, the UI's
corpus browser, the fine-tuning data builder), each with its own payload fallbacks. It is
written once here, over :mod:`retrieval.records`; the retriever (cited provisions, lookups,
glossaries), ``finetune.builder.StoreProvisions`` and the UI's corpus browser read through it.

:class:`StoredArticle` holds what the UI's article view shows (address, title, document
label, hierarchy, text, clauses, source, pages, notes) and the records the retriever needs
(clause chunks with their point ids, for passages). Decision: when the article record is
missing (a crash between writing a new version's chunks and its article records), the
article is still read from its chunks — they carry the same article-level fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from legal.address import LegalAddress
from retrieval.records import (
    ArticleFields,
    ArticleRecord,
    ChunkRecord,
    DocumentRecord,
    Kind,
    record_from_payload,
)
from retrieval.store.base import Filter, StoredPoint, VectorStore
from retrieval.types import Passage, PassageRole


@dataclass(frozen=True)
class StoredArticle:
    """An Điều as the index holds it: its article record (None if missing) and its clause
    chunks in legal order."""

    address: LegalAddress  # article level
    record: ArticleRecord | None
    chunks: tuple[ChunkRecord, ...]

    @property
    def head(self) -> ArticleFields:
        """The record the article-level fields are read from."""
        if self.record is not None:
            return self.record
        return self.chunks[0]

    @property
    def title(self) -> str:
        return self.head.article_title

    @property
    def doc_label(self) -> str:
        return self.head.doc_label or self.address.doc

    @property
    def doc_short(self) -> str | None:
        return self.head.doc_short

    @property
    def hierarchy(self) -> str:
        return self.head.hierarchy

    @property
    def source(self) -> str | None:
        return self.head.source

    @property
    def text(self) -> str:
        """The whole article: its record's text, else its clauses joined."""
        if self.record is not None:
            return self.record.text
        return "\n".join(c.text for c in self.chunks)

    @property
    def pages(self) -> tuple[int | None, int | None]:
        if self.record is not None:
            return self.record.pages
        return (self.head.page, None)

    @property
    def amendment_notes(self) -> tuple[str, ...]:
        return self.head.amendment_notes

    @property
    def references(self) -> tuple[str, ...]:
        """Every canonical address the article or one of its clauses refers to, once."""
        seen: dict[str, None] = {}
        for rec in (*((self.record,) if self.record else ()), *self.chunks):
            for ref in rec.references:
                seen.setdefault(ref, None)
        return tuple(seen)

    def clauses(self, within: LegalAddress | None = None) -> tuple[ChunkRecord, ...]:
        """The chunks overlapping ``within`` (all when None, or when none overlaps it)."""
        if within is None:
            return self.chunks
        picked = tuple(c for c in self.chunks if c.address.overlaps(within))
        return picked or self.chunks

    def passages(
        self,
        within: LegalAddress | None = None,
        *,
        score: float = 0.0,
        role: PassageRole = PassageRole.HIT,
        doc_label: str | None = None,
        doc_short: str | None = None,
    ) -> list[Passage]:
        """:meth:`clauses` as passages, in legal order."""
        return [
            c.passage(score=score, role=role, doc_label=doc_label, doc_short=doc_short)
            for c in self.clauses(within)
        ]


class ArticleReader:
    """Reads records from a :class:`VectorStore` (embedded or server)."""

    def __init__(self, store: VectorStore) -> None:
        self.store = store

    def _records(self, flt: Filter) -> Iterator[ArticleRecord | ChunkRecord | DocumentRecord]:
        for point in self.store.scroll(flt):
            yield _record(point)

    def article(self, address: LegalAddress) -> StoredArticle | None:
        """The article holding ``address`` with its clauses; None when the index holds
        neither its record nor any of its chunks."""
        if address.article is None:
            return None
        art = address.article_address()
        flt = Filter(
            kinds=(Kind.CHUNK, Kind.ARTICLE), doc_ids=(art.doc,), articles=(str(art.article),)
        )
        record: ArticleRecord | None = None
        chunks: list[ChunkRecord] = []
        for rec in self._records(flt):
            if isinstance(rec, ChunkRecord):
                chunks.append(rec)
            elif isinstance(rec, ArticleRecord) and record is None:
                record = rec
        if record is None and not chunks:
            return None
        chunks.sort(key=lambda c: (c.address.sort_key(), c.part))
        return StoredArticle(art, record, tuple(chunks))

    def articles(self, doc_id: str | None = None) -> list[ArticleRecord]:
        """The article records of one document (all documents when None), unordered."""
        flt = Filter(kinds=(Kind.ARTICLE,), doc_ids=(doc_id,) if doc_id else ())
        return [r for r in self._records(flt) if isinstance(r, ArticleRecord)]

    def documents(self) -> list[DocumentRecord]:
        """The document records (the commit markers of the ingests), unordered."""
        found = self._records(Filter(kinds=(Kind.DOCUMENT,)))
        return [r for r in found if isinstance(r, DocumentRecord)]

    def chunks(self) -> Iterator[ChunkRecord]:
        """Every chunk of the index."""
        for rec in self._records(Filter(kinds=(Kind.CHUNK,))):
            if isinstance(rec, ChunkRecord):
                yield rec


def _record(point: StoredPoint) -> ArticleRecord | ChunkRecord | DocumentRecord:
    return record_from_payload(point.payload, point.id)
