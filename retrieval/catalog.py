"""What the retriever knows about the index as a whole, read once per ingest: the indexed
documents, the law registry extended with them, the query analyzer, the glossary articles
("Giải thích từ ngữ") and the statute lexicon of query understanding.

Decision: a :class:`Catalog` is an immutable snapshot. ``Retriever.refresh()`` builds a new
one and swaps it in with one assignment; a search takes the snapshot once and uses it to the
end. UI sessions share one retriever, so the old way (clearing the dicts and refilling them
in place) let a search running during an ingest see no documents, or half of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from legal.address import LegalAddress
from legal.document import DocType, DocumentMeta
from legal.registry import LawRegistry
from legal.textnorm import fold
from retrieval.articles import ArticleReader
from retrieval.lexicon import Lexicon
from retrieval.query import QueryAnalyzer
from retrieval.records import ChunkRecord, DocumentRecord
from retrieval.scenario import QueryUnderstanding


@dataclass(frozen=True)
class Catalog:
    documents: Mapping[str, DocumentRecord]  # doc_id → its document record
    registry: LawRegistry
    analyzer: QueryAnalyzer
    understanding: QueryUnderstanding
    glossaries: Mapping[str, tuple[str, ...]]  # doc_id → its glossary article numbers
    # folded article heading → the (doc_id, article) it heads
    headed: Mapping[str, tuple[tuple[str, str], ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    # the glossary articles' chunks, read on first use (a plain dict: concurrent first uses
    # both read the same records, and either result may stay)
    _glossary_chunks: dict[tuple[str, str], tuple[ChunkRecord, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def load(cls, reader: ArticleReader, base: LawRegistry) -> Catalog:
        docs = {d.doc_id: d for d in reader.documents()}
        registry = base.with_documents([_meta(d) for d in docs.values()])
        headings: list[str] = []
        glossary: list[str] = []
        glossaries: dict[str, list[str]] = {}
        headed: dict[str, list[tuple[str, str]]] = {}
        for art in reader.articles():
            headings.append(art.article_title)
            key = " ".join(fold(art.article_title).split())
            headed.setdefault(key, []).append((art.doc_id, art.article))
            if "giai thich tu ngu" in fold(art.article_title):
                glossaries.setdefault(art.doc_id, []).append(art.article)
                glossary.extend(art.text.splitlines())
        return cls(
            documents=MappingProxyType(docs),
            registry=registry,
            analyzer=QueryAnalyzer(registry, docs.keys()),
            understanding=QueryUnderstanding(Lexicon.from_statutes(headings, glossary)),
            glossaries=MappingProxyType({d: tuple(a) for d, a in glossaries.items()}),
            headed=MappingProxyType({h: tuple(a) for h, a in headed.items()}),
        )

    def labels(self, doc_id: str) -> tuple[str, str | None]:
        """How a reader names the document: its label and its short label."""
        rec = self.documents.get(doc_id)
        label = (rec.doc_label if rec else "") or self.registry.label(doc_id)
        short = (rec.doc_short if rec else None) or self.registry.short(doc_id)
        return label, short or None

    def glossary_chunks(
        self, reader: ArticleReader, scope: Sequence[str]
    ) -> list[tuple[str, str, tuple[ChunkRecord, ...]]]:
        """(doc, article, chunks) of the glossary articles of ``scope`` (all when empty)."""
        out = []
        for doc in [d for d in (scope or self.glossaries) if d in self.glossaries]:
            for art in self.glossaries[doc]:
                key = (doc, art)
                chunks = self._glossary_chunks.get(key)
                if chunks is None:
                    stored = reader.article(LegalAddress(doc, art))
                    chunks = stored.chunks if stored else ()
                    self._glossary_chunks[key] = chunks
                out.append((doc, art, chunks))
        return out


def _meta(d: DocumentRecord) -> DocumentMeta:
    return DocumentMeta(
        doc_id=d.doc_id,
        number=d.number,
        doc_type=DocType.from_text(d.doc_type or d.title),
        title=d.title or d.doc_id,
        year=d.year,
    )
