"""The records that cross the store boundary: the one declared shape of a point's payload.

Like haystack's ``Document`` (a dataclass whose ``to_dict``/``from_dict`` is the only shape
that crosses its store boundary), every point luatqa writes is one of three records, and
every reader reads it back through them — no module reads payload keys of its own:

* :class:`ChunkRecord` (``Kind.CHUNK``): a Khoản, an Điều without Khoản, or a group of Điểm
  of a long Khoản; the only points with vectors, so the only ones a search returns;
* :class:`ArticleRecord` (``Kind.ARTICLE``): one per Điều — full text, title, pages, notes;
* :class:`DocumentRecord` (``Kind.DOCUMENT``): one per document — metadata, counts, versions;
  written last, it is the commit marker of an ingest (:mod:`ingest.pipeline`).

Decisions:

* **Payload version 1, unchanged on disk.** ``to_payload`` writes exactly the keys the
  chunker wrote before these records existed (including the duplicate ``title`` of article
  records and the ``part`` key, an int on chunks and the Phần label on articles), so indexes
  built before keep working without a re-ingest, and ``CHUNKER_VERSION`` is not bumped. A
  change of the stored shape must bump :data:`PAYLOAD_VERSION` *and* ``CHUNKER_VERSION``
  (which re-indexes every document on the next ingest).
* ``from_payload`` takes defaults for optional keys (hand-written test payloads leave them
  out) and no fallbacks to keys nothing writes (``page_start``, ``n_articles``, ``notes``
  are gone). ``kind``, ``doc_id`` and (for chunks and articles) ``address`` are required: a
  point without them is not a luatqa record and raises :class:`StoreError`.
* ``Kind`` is a ``StrEnum``: its members *are* the stored strings, usable in filters as is.
* ``id`` is the point id, carried by the record (as haystack's ``Document.id``) but not
  stored in the payload.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from legal.address import LegalAddress
from legal.errors import CitationError, StoreError
from retrieval.record_validity import DocumentValidity, ProvisionValidity
from retrieval.types import Passage, PassageRole

PAYLOAD_VERSION = 1


class Kind(StrEnum):
    CHUNK = "chunk"
    ARTICLE = "article"
    DOCUMENT = "document"


@dataclass(frozen=True, kw_only=True)
class DocFields:
    """What every record says about its document."""

    doc_id: str
    doc_type: str = ""  # "Bộ luật", "Luật", … (``DocType`` value)
    doc_version: str = ""
    doc_label: str = ""  # "Bộ luật Lao động 2019"
    doc_short: str | None = None  # "BLLĐ 2019"
    source: str | None = None  # the file the document was ingested from
    id: str = ""  # the point id (not stored in the payload)

    def _doc_payload(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "doc_type": self.doc_type,
            "doc_version": self.doc_version,
            "doc_label": self.doc_label,
            "doc_short": self.doc_short,
            "source": self.source,
        }

    @staticmethod
    def _doc_fields(p: Mapping[str, Any], id: str) -> dict[str, Any]:
        return {
            "doc_id": str(p["doc_id"]),
            "doc_type": str(p.get("doc_type") or ""),
            "doc_version": str(p.get("doc_version") or ""),
            "doc_label": str(p.get("doc_label") or ""),
            "doc_short": _opt_str(p.get("doc_short")),
            "source": _opt_str(p.get("source")),
            "id": id,
        }


@dataclass(frozen=True, kw_only=True)
class ArticleFields(DocFields, ProvisionValidity):
    """What chunk and article records say about their Điều (validity and guidance fields:
    :mod:`retrieval.record_validity`)."""

    address: LegalAddress
    text: str
    article_title: str = ""
    hierarchy: str = ""  # "Phần thứ nhất › Chương VII › Mục 1"
    chapter: str | None = None  # "Chương VII"
    page: int | None = None  # the page the Điều starts on
    amendment_notes: tuple[str, ...] = ()
    references: tuple[str, ...] = ()  # canonical addresses

    @property
    def article(self) -> str:
        return str(self.address.article)

    @property
    def article_key(self) -> tuple[str, str]:
        return (self.doc_id, self.article)

    def _article_payload(self) -> dict[str, Any]:
        return {
            **self._doc_payload(),
            "address": self.address.canonical,
            "article": self.address.article,
            "article_title": self.article_title,
            "hierarchy": self.hierarchy,
            "chapter": self.chapter,
            "page": self.page,
            "text": self.text,
            "amendment_notes": list(self.amendment_notes),
            "references": list(self.references),
            **self._provision_payload(),
        }

    @classmethod
    def _article_fields(cls, p: Mapping[str, Any], id: str) -> dict[str, Any]:
        try:
            address = LegalAddress.parse(str(p.get("address") or ""))
        except CitationError as exc:
            raise _not_a_record(p, id, "no canonical address") from exc
        if address.article is None:
            raise _not_a_record(p, id, "no canonical address of an article or below")
        return {
            **cls._doc_fields(p, id),
            "address": address,
            "text": str(p.get("text") or ""),
            "article_title": str(p.get("article_title") or ""),
            "hierarchy": str(p.get("hierarchy") or ""),
            "chapter": _opt_str(p.get("chapter")),
            "page": _int(p.get("page")),
            "amendment_notes": _strs(p.get("amendment_notes")),
            "references": _strs(p.get("references")),
            **cls._provision_fields(p),
        }

    def passage(
        self,
        *,
        score: float = 0.0,
        role: PassageRole = PassageRole.HIT,
        doc_label: str | None = None,
        doc_short: str | None = None,
    ) -> Passage:
        """The quotable :class:`Passage`; ``doc_label``/``doc_short`` name the document when
        the record does not (its own labels win)."""
        return Passage(
            address=self.address,
            text=self.text,
            article_title=self.article_title,
            doc_label=self.doc_label or doc_label or self.doc_id,
            doc_short=self.doc_short or doc_short,
            hierarchy=self.hierarchy,
            score=score,
            role=role,
            page=self.page,
            source=self.source,
            amendment_notes=self.amendment_notes,
            chunk_id=self.id or None,
            validity=self.dates,
            guides=self.guide_addresses,
        )


@dataclass(frozen=True, kw_only=True)
class ChunkRecord(ArticleFields):
    """A Khoản (or an Điều without Khoản, or Điểm ``points`` of a long Khoản, ``part`` 1…)."""

    points: tuple[str, ...] = ()
    part: int = 0
    kind: ClassVar[Kind] = Kind.CHUNK

    def to_payload(self) -> dict[str, Any]:
        return {
            **self._article_payload(),
            "kind": Kind.CHUNK.value,
            "clause": self.address.clause,
            "point": self.address.point,
            "points": list(self.points),
            "part": self.part,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], id: str = "") -> ChunkRecord:
        _expect(payload, Kind.CHUNK, id)
        return cls(
            **cls._article_fields(payload, id),
            points=_strs(payload.get("points")),
            part=_int(payload.get("part")) or 0,
        )


@dataclass(frozen=True, kw_only=True)
class ArticleRecord(ArticleFields):
    """One Điều: its whole text and what is said of it as a whole."""

    part: str | None = None  # the Phần label ("Phần thứ nhất"), as the parser read it
    section: str | None = None  # the Mục
    pages: tuple[int | None, int | None] = (None, None)
    clauses: int = 0  # how many Khoản
    kind: ClassVar[Kind] = Kind.ARTICLE

    def to_payload(self) -> dict[str, Any]:
        return {
            **self._article_payload(),
            "kind": Kind.ARTICLE.value,
            "title": self.article_title,
            "part": self.part,
            "section": self.section,
            "pages": list(self.pages),
            "clauses": self.clauses,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], id: str = "") -> ArticleRecord:
        _expect(payload, Kind.ARTICLE, id)
        pages = [*list(payload.get("pages") or ())[:2], None, None]
        return cls(
            **cls._article_fields(payload, id),
            part=_opt_str(payload.get("part")),
            section=_opt_str(payload.get("section")),
            pages=(_int(pages[0]), _int(pages[1])),
            clauses=_int(payload.get("clauses")) or 0,
        )


@dataclass(frozen=True, kw_only=True)
class DocumentRecord(DocFields, DocumentValidity):
    """One document: its metadata, its counts, the versions that made its vectors, and its
    validity (:class:`retrieval.record_validity.DocumentValidity`)."""

    title: str = ""
    number: str | None = None  # số hiệu, "45/2019/QH14"
    issuer: str | None = None
    date: str | None = None  # ISO date
    year: int | None = None
    pages: int | None = None
    articles: int = 0
    clauses: int = 0
    chunks: int = 0
    chapters: tuple[str, ...] = ()  # "Chương VII. THỜI GIỜ LÀM VIỆC, THỜI GIỜ NGHỈ NGƠI"
    warnings: tuple[str, ...] = ()
    ingested_at: str = ""
    # set by the ingest pipeline: a version indexed by another embedder is re-indexed; None
    # on records written before these fields existed (they count as current)
    embedder: str | None = None
    sparse: str | None = None
    kind: ClassVar[Kind] = Kind.DOCUMENT

    @property
    def address(self) -> LegalAddress:
        return LegalAddress(self.doc_id)

    def to_payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            **self._doc_payload(),
            "kind": Kind.DOCUMENT.value,
            "address": self.doc_id,
            "number": self.number,
            "title": self.title,
            "issuer": self.issuer,
            "date": self.date,
            "year": self.year,
            "pages": self.pages,
            "articles": self.articles,
            "clauses": self.clauses,
            "chunks": self.chunks,
            "chapters": list(self.chapters),
            "warnings": list(self.warnings),
            "ingested_at": self.ingested_at,
            **self._document_validity_payload(),
        }
        for key in ("embedder", "sparse"):  # absent until the pipeline sets them
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], id: str = "") -> DocumentRecord:
        _expect(payload, Kind.DOCUMENT, id)
        p = payload
        return cls(
            **cls._doc_fields(p, id),
            title=str(p.get("title") or ""),
            number=_opt_str(p.get("number")),
            issuer=_opt_str(p.get("issuer")),
            date=_opt_str(p.get("date")),
            year=_int(p.get("year")),
            pages=_int(p.get("pages")),
            articles=_int(p.get("articles")) or 0,
            clauses=_int(p.get("clauses")) or 0,
            chunks=_int(p.get("chunks")) or 0,
            chapters=_strs(p.get("chapters")),
            warnings=_strs(p.get("warnings")),
            ingested_at=str(p.get("ingested_at") or ""),
            embedder=_opt_str(p.get("embedder")),
            sparse=_opt_str(p.get("sparse")),
            **cls._document_validity_fields(p),
        )


Record = ChunkRecord | ArticleRecord | DocumentRecord
_BY_KIND: dict[str, type[ChunkRecord] | type[ArticleRecord] | type[DocumentRecord]] = {
    Kind.CHUNK: ChunkRecord,
    Kind.ARTICLE: ArticleRecord,
    Kind.DOCUMENT: DocumentRecord,
}


def record_from_payload(payload: Mapping[str, Any], id: str = "") -> Record:
    """The record a stored payload holds, whatever its kind."""
    cls = _BY_KIND.get(str(payload.get("kind")))
    if cls is None:
        raise _not_a_record(payload, id, f"unknown kind {payload.get('kind')!r}")
    return cls.from_payload(payload, id)


def chunk_key(payload: Mapping[str, Any]) -> tuple[str, str] | None:
    """(doc_id, article) of a chunk payload, None for any other record: the fast path of a
    search, which groups ~100 hits by article and builds the records of the ~30 it shows
    (``from_payload`` costs ~10 µs a point)."""
    if payload.get("kind") != Kind.CHUNK.value:
        return None
    return (str(payload["doc_id"]), str(payload["article"]))


# ---- helpers ----------------------------------------------------------------------------


def _expect(payload: Mapping[str, Any], kind: Kind, id: str) -> None:
    if payload.get("kind") != kind.value:
        raise _not_a_record(payload, id, f"kind {payload.get('kind')!r}, expected {kind.value!r}")
    if not payload.get("doc_id"):
        raise _not_a_record(payload, id, "no doc_id")


def _not_a_record(payload: Mapping[str, Any], id: str, why: str) -> StoreError:
    return StoreError(
        f"point {id or '?'} is not a luatqa {payload.get('kind') or ''} record ({why})",
        hint="the index was written by another program or a damaged ingest: run "
        "`luatqa ingest --force` on its documents, or use a fresh --index folder",
    )


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _strs(values: Sequence[Any] | None) -> tuple[str, ...]:
    return tuple(str(v) for v in values or ())


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
