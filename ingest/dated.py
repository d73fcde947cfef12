"""Validity and guidance onto a document's index records (called by the chunker).

Every chunk and article record gets its document's ``effective_from`` (or its own staggered
date, "Khoản 3 Điều 29 … có hiệu lực từ …"), its amendment date and act (from the clause's
footnotes, :func:`ingest.validity.amendment_dates`) and, for a decree or circular, the statute
provisions it details (:mod:`ingest.guidance`). The document record gets the relations
(repeals, replacements) and the statute it details.

``effective_to``/``replaced_by`` are not known from the document alone: they come from a newer
act in the index, and :mod:`ingest.validity_sync` sets them after every ingest.

Kept out of the document version (:func:`ingest.chunking.document_version` hashes the parsed
text only): a better validity reading refreshes payloads, it never re-embeds.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from ingest.guidance import Guidance, read_guidance
from ingest.validity import VALIDITY_VERSION, amendment_dates, read_validity
from legal.address import LegalAddress
from legal.document import AmendmentNote, Document
from legal.registry import LawRegistry
from legal.validity import Dates, Validity
from retrieval.records import ArticleRecord, ChunkRecord, DocumentRecord

if TYPE_CHECKING:  # ingest.chunking imports this module
    from ingest.chunking import DocumentChunks

R = TypeVar("R", ChunkRecord, ArticleRecord)


def _notes_at(doc: Document, address: LegalAddress) -> tuple[AmendmentNote, ...]:
    """The amendment footnotes of the article, clause and points at ``address``."""
    art = doc.article(str(address.article))
    if art is None:
        return ()
    notes = list(art.footnotes)
    clause = art.clause(address.clause) if address.clause else None
    if clause is not None:
        notes += [*clause.footnotes, *(n for p in clause.points for n in p.footnotes)]
    elif address.clause is None:
        notes += [n for c in art.clauses for n in c.footnotes]
    return tuple(notes)


class Dater:
    """The validity fields of each record of one document."""

    def __init__(self, doc: Document, registry: LawRegistry | None = None) -> None:
        self.doc = doc
        self.validity: Validity = read_validity(doc)
        self.guidance: Guidance = read_guidance(doc, registry)

    def dates(self, address: LegalAddress) -> Dates:
        start = self.validity.provision_from(address) or self.validity.effective_from
        return amendment_dates(_notes_at(self.doc, address), Dates(start))

    def _guides(self, address: LegalAddress) -> tuple[str, ...]:
        return tuple(a.canonical for a in self.guidance.of(str(address.article)))

    def provision(self, record: R) -> R:
        """A chunk or article record with its dates and the statute provisions it details."""
        d = self.dates(record.address)
        return replace(
            record,
            effective_from=d.effective_from,
            amended_from=d.amended_from,
            amended_by=d.amended_by,
            guides=self._guides(record.address),
        )

    def chunk(self, record: ChunkRecord) -> ChunkRecord:
        return self.provision(record)

    def article(self, record: ArticleRecord) -> ArticleRecord:
        return self.provision(record)

    def document(self, record: DocumentRecord) -> DocumentRecord:
        v = self.validity
        return replace(
            record,
            date=record.date or v.signed,
            effective_from=v.effective_from,
            relations=v.relations,
            relative_to=v.relative_to,
            guides_document=self.guidance.document,
            validity_version=VALIDITY_VERSION,
        )


def dated(chunks: DocumentChunks, doc: Document) -> DocumentChunks:
    """``chunks`` with the validity and guidance fields of their document."""
    dater = Dater(doc)
    return replace(
        chunks,
        chunks=tuple(replace(c, record=dater.chunk(c.record)) for c in chunks.chunks),
        articles=tuple(replace(a, record=dater.article(a.record)) for a in chunks.articles),
        document=replace(chunks.document, record=dater.document(chunks.document.record)),
    )
