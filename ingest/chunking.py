"""Document → index records: clause-level chunks plus payload-only article/document records.

* One chunk per Khoản. An Điều without Khoản is one chunk (its Điểm, if any, included).
* A Khoản longer than ``max_words`` is split into groups of Điểm, each group keeping the
  Khoản's lead-in so it reads (and embeds) on its own.
* Every chunk carries its full :class:`LegalAddress`, article title, hierarchy
  (Phần › Chương › Mục), document label and short label, page, source, amendment notes and
  cross-reference targets. The payload ``text`` is the original wording (for display and
  quotes); ``embed_text`` is prefixed with its context::

      Bộ luật Lao động 2019 › Chương VII › Điều 105. Thời giờ làm việc bình thường › Khoản 2: …

* One ``kind="article"`` record per Điều (full text, title, hierarchy, pages, notes) and one
  ``kind="document"`` record per document (metadata, counts, version, source). They have no
  vectors, so searches never return them.

Every record is written through :mod:`retrieval.records` (``ChunkRecord``, ``ArticleRecord``,
``DocumentRecord``): their ``to_payload`` is the stored shape, which the retriever, the UI and
fine-tuning read back with ``from_payload``.

Point ids are ``uuid5(kind | canonical address | doc_version | part)``: deterministic, and
different for every version of a document (that is what makes re-ingest crash-safe, see
:mod:`ingest.pipeline`).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from ingest.dated import dated
from legal.address import SEP, LegalAddress
from legal.document import (
    AmendmentNote,
    Article,
    Clause,
    CrossReference,
    DocType,
    Document,
    Point,
)
from retrieval.records import ArticleRecord, ChunkRecord, DocumentRecord, Kind, Record

# Bump when the chunk layout or payload changes: every document then gets a new version and
# is re-indexed on the next ingest.
CHUNKER_VERSION = "1"
ID_NAMESPACE = uuid.UUID("6f1c1f2e-3b8a-5d4e-9a57-4c7f0e2d9b10")


@dataclass(frozen=True)
class ChunkingConfig:
    max_words: int = 350  # a Khoản longer than this is split by groups of Điểm


R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class IndexRecord(Generic[R]):
    """One point to write: a record of :mod:`retrieval.records` and, for chunks, the text to
    embed (None for payload-only records)."""

    record: R
    embed_text: str | None = None

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def kind(self) -> Kind:
        return self.record.kind

    @property
    def address(self) -> LegalAddress:
        return self.record.address

    @property
    def payload(self) -> dict[str, Any]:
        return self.record.to_payload()


@dataclass(frozen=True)
class DocumentChunks:
    doc_id: str
    version: str
    chunks: tuple[IndexRecord[ChunkRecord], ...]
    articles: tuple[IndexRecord[ArticleRecord], ...]
    document: IndexRecord[DocumentRecord]
    n_clauses: int

    @property
    def records(self) -> tuple[IndexRecord[Any], ...]:
        """Chunks, then article records, then the document record (the commit marker)."""
        return (*self.chunks, *self.articles, self.document)


_CITED_BY_NUMBER = (
    DocType.NGHI_DINH,
    DocType.THONG_TU,
    DocType.THONG_TU_LIEN_TICH,
    DocType.QUYET_DINH,
)
Labeler = Callable[[Document], tuple[str, str | None]]


def registry_labeler(doc: Document) -> tuple[str, str | None]:
    """('Bộ luật Lao động 2019', 'BLLĐ 2019') from the law registry, falling back to the
    document's own title and year; a decree or circular by type and number ('Thông tư
    10/2020/TT-BLĐTBXH': its title is a sentence lawyers never cite it by)."""
    from legal.registry import default_registry

    reg = default_registry().with_documents([doc.meta])
    label = reg.label(doc.doc_id)
    meta = doc.meta
    entry = reg.entry(doc.doc_id)
    curated = entry is not None and not entry.key.startswith("doc:")  # in registry.yaml
    if meta.number and meta.doc_type in _CITED_BY_NUMBER and not curated:
        return f"{meta.doc_type.value} {meta.number}", None
    elif label == doc.doc_id and meta.title:
        label = f"{meta.title} {meta.year}" if meta.year else meta.title
    short = reg.short(doc.doc_id)
    return label, (short if short not in (label, doc.doc_id) else None)


def document_version(doc: Document, config: ChunkingConfig | None = None) -> str:
    """Hash of the parsed content (not of the file: a moved or re-saved file with the same
    law is the same version) and of the chunking settings."""
    data = doc.to_dict()
    data.pop("source", None)
    data.pop("warnings", None)
    cfg = config or ChunkingConfig()
    blob = json.dumps(
        {"doc": data, "chunker": CHUNKER_VERSION, "max_words": cfg.max_words},
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def point_id(kind: Kind, address: LegalAddress | str, version: str, part: int = 0) -> str:
    canonical = address if isinstance(address, str) else address.canonical
    return str(uuid.uuid5(ID_NAMESPACE, f"{kind}|{canonical}|{version}|{part}"))


def _words(text: str) -> int:
    return len(text.split())


def _label(prefix: str, value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    return value if value.lower().startswith(prefix.lower()) else f"{prefix} {value}"


def hierarchy_of(article: Article) -> str:
    parts = [
        _label("Phần", article.part),
        _label("Chương", article.chapter),
        _label("Mục", article.section),
        _label("Tiểu mục", article.subsection),
    ]
    return SEP.join(p for p in parts if p)


def _notes(*groups: Iterable[AmendmentNote]) -> list[str]:
    seen: dict[str, None] = {}
    for group in groups:
        for n in group:
            seen.setdefault(n.text, None)
    return list(seen)


def _refs(*groups: Iterable[CrossReference]) -> list[str]:
    seen: dict[str, None] = {}
    for group in groups:
        for r in group:
            seen.setdefault(r.target.canonical, None)
    return list(seen)


def _point_groups(points: tuple[Point, ...], lead_in: str, max_words: int) -> list[list[Point]]:
    """Consecutive Điểm packed so that lead-in + group stays under ``max_words`` (a single
    Điểm over the limit forms its own group)."""
    budget = max(1, max_words - _words(lead_in))
    groups: list[list[Point]] = []
    cur: list[Point] = []
    size = 0
    for p in points:
        n = _words(p.text)
        if cur and size + n > budget:
            groups.append(cur)
            cur, size = [], 0
        cur.append(p)
        size += n
    if cur:
        groups.append(cur)
    return groups


class Chunker:
    def __init__(self, config: ChunkingConfig | None = None, labeler: Labeler | None = None):
        self.config = config or ChunkingConfig()
        self._labeler = labeler or registry_labeler

    def version(self, doc: Document) -> str:
        return document_version(doc, self.config)

    def chunk(self, doc: Document, *, version: str | None = None) -> DocumentChunks:
        version = version or self.version(doc)
        doc_label, doc_short = self._labeler(doc)
        builder = _DocumentBuilder(doc, version, doc_label, doc_short, self.config.max_words)
        for art in doc.articles:
            builder.add_article(art)
        return dated(builder.finish(), doc)


@dataclass(frozen=True)
class _ArticleContext:
    fields: dict[str, Any]  # the article-level fields of its chunk and article records
    context: str  # "Bộ luật Lao động 2019 › Chương VII › Điều 105. Thời giờ làm việc …"


class _DocumentBuilder:
    """The records of one document, article by article (one builder per ``chunk`` call)."""

    def __init__(
        self, doc: Document, version: str, doc_label: str, doc_short: str | None, max_words: int
    ) -> None:
        self.doc = doc
        self.version = version
        self.max_words = max_words
        self.doc_fields: dict[str, Any] = {
            "doc_id": doc.doc_id,
            "doc_type": doc.meta.doc_type.value,
            "doc_version": version,
            "doc_label": doc_label,
            "doc_short": doc_short,
            "source": doc.meta.source,
        }
        self.chunks: list[IndexRecord[ChunkRecord]] = []
        self.articles: list[IndexRecord[ArticleRecord]] = []
        self.n_clauses = 0
        self._used: set[str] = set()

    def _unique(self, kind: Kind, addr: LegalAddress, part: int) -> str:
        # a parser slip (two Khoản "2" in one Điều) must not silently merge points
        pid = point_id(kind, addr, self.version, part)
        bump = 0
        while pid in self._used:
            bump += 1
            pid = point_id(kind, addr, self.version, part + 1000 * bump)
        self._used.add(pid)
        return pid

    def add_article(self, art: Article) -> None:
        hierarchy = hierarchy_of(art)
        art_addr = LegalAddress(self.doc.doc_id, art.number)
        heading = f"Điều {art.number}. {art.title}".rstrip(". ") if art.title else ""
        heading = heading or f"Điều {art.number}"
        doc_label = self.doc_fields["doc_label"]
        ctx = _ArticleContext(
            fields={
                **self.doc_fields,
                "article_title": art.title,
                "hierarchy": hierarchy,
                "chapter": _label("Chương", art.chapter),
                "page": art.page_start,
            },
            context=SEP.join(x for x in (doc_label, hierarchy, heading) if x),
        )
        if art.clauses:
            for clause in art.clauses:
                self.n_clauses += 1
                addr = LegalAddress(self.doc.doc_id, art.number, clause.number)
                self._clause_chunks(ctx, art, clause, addr)
        else:
            notes = _notes(art.footnotes, *(p.footnotes for p in art.points))
            refs = _refs(art.references, *(p.references for p in art.points))
            if art.points and _words(art.text) > self.max_words:
                groups = _point_groups(art.points, art.lead_in, self.max_words)
                for i, group in enumerate(groups):
                    text = "\n".join([art.lead_in, *(p.text for p in group)]).strip()
                    self._chunk(ctx, art_addr, text, notes, refs, i + 1, group)
            else:
                self._chunk(ctx, art_addr, art.text, notes, refs)
        self.articles.append(IndexRecord(self._article_record(ctx, art, art_addr)))

    def _chunk(
        self,
        ctx: _ArticleContext,
        addr: LegalAddress,
        text: str,
        notes: list[str],
        refs: list[str],
        part: int = 0,
        points: Sequence[Point] = (),
    ) -> None:
        letters = tuple(p.letter for p in points)
        where = f"Khoản {addr.clause}" if addr.clause else ""
        if letters:
            span = letters[0] if len(letters) == 1 else f"{letters[0]}–{letters[-1]}"
            where = f"{where} (điểm {span})".strip()
        head = f"{ctx.context}{SEP}{where}" if where else ctx.context
        record = ChunkRecord(
            **ctx.fields,
            id=self._unique(Kind.CHUNK, addr, part),
            address=addr,
            text=text,
            points=letters,
            part=part,
            amendment_notes=tuple(notes),
            references=tuple(refs),
        )
        self.chunks.append(IndexRecord(record, f"{head}: {text}"))

    def _clause_chunks(
        self, ctx: _ArticleContext, art: Article, clause: Clause, addr: LegalAddress
    ) -> None:
        notes = _notes(art.footnotes, clause.footnotes, *(p.footnotes for p in clause.points))
        refs = _refs(clause.references, *(p.references for p in clause.points))
        if clause.points and _words(clause.text) > self.max_words:
            lead = clause.lead_in or clause.text.split("\n", 1)[0]
            groups = _point_groups(clause.points, lead, self.max_words)
            if len(groups) > 1:
                for i, group in enumerate(groups):
                    text = "\n".join([lead, *(p.text for p in group)]).strip()
                    group_notes = _notes(
                        art.footnotes, clause.footnotes, *(p.footnotes for p in group)
                    )
                    group_refs = _refs(clause.references, *(p.references for p in group))
                    self._chunk(ctx, addr, text, group_notes, group_refs, i + 1, group)
                return
        self._chunk(ctx, addr, clause.text, notes, refs)

    def _article_record(
        self, ctx: _ArticleContext, art: Article, addr: LegalAddress
    ) -> ArticleRecord:
        notes = _notes(
            art.footnotes,
            *(c.footnotes for c in art.clauses),
            *(p.footnotes for c in art.clauses for p in c.points),
            *(p.footnotes for p in art.points),
        )
        refs = _refs(
            art.references,
            *(c.references for c in art.clauses),
            *(p.references for c in art.clauses for p in c.points),
        )
        return ArticleRecord(
            **ctx.fields,
            id=self._unique(Kind.ARTICLE, addr, 0),
            address=addr,
            text=art.text,
            part=art.part,
            section=art.section,
            pages=(art.page_start, art.page_end),
            clauses=len(art.clauses),
            amendment_notes=tuple(notes),
            references=tuple(refs),
        )

    def finish(self) -> DocumentChunks:
        doc, meta = self.doc, self.doc.meta
        document = DocumentRecord(
            **self.doc_fields,
            id=point_id(Kind.DOCUMENT, LegalAddress(doc.doc_id), self.version),
            number=meta.number,
            title=meta.title,
            issuer=meta.issuer,
            date=meta.date,
            year=meta.year,
            pages=doc.pages,
            articles=len(doc.articles),
            clauses=self.n_clauses,
            chunks=len(self.chunks),
            chapters=tuple(f"{d.label}. {d.title}".rstrip(". ") for d in doc.chapters),
            warnings=tuple(doc.warnings),
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        return DocumentChunks(
            doc.doc_id,
            self.version,
            tuple(self.chunks),
            tuple(self.articles),
            IndexRecord(document),
            self.n_clauses,
        )
