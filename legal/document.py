"""The parsed statute: metadata and the Phần/Chương/Mục/Điều/Khoản/Điểm tree.

Frozen dataclasses. Every ``text`` is the provision's text *as shown to a reader*: the
document's original wording (NFC), hard line breaks unwrapped, footnote markers and page
furniture removed. Index-side normalisation (tone placement, segmentation) is applied later
and never stored here.

* ``Article.text``  – the whole body of the Điều (lead-in, all Khoản and Điểm), no heading.
* ``Clause.text``   – the whole Khoản, with its number ("2. …") and its Điểm.
* ``Point.text``    – the Điểm, with its letter ("a) …").
* ``Clause.lead_in`` / ``Article.lead_in`` – the sentence before the first Điểm / Khoản.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from legal.address import LegalAddress


class DocType(StrEnum):
    HIEN_PHAP = "Hiến pháp"
    BO_LUAT = "Bộ luật"
    LUAT = "Luật"
    PHAP_LENH = "Pháp lệnh"
    NGHI_QUYET = "Nghị quyết"
    NGHI_DINH = "Nghị định"
    QUYET_DINH = "Quyết định"
    THONG_TU = "Thông tư"
    THONG_TU_LIEN_TICH = "Thông tư liên tịch"
    VAN_BAN_HOP_NHAT = "Văn bản hợp nhất"
    OTHER = "Khác"

    @classmethod
    def from_number(cls, number: str) -> DocType:
        """The type a số hiệu implies by its suffix ("44/VBHN-VPQH", "15/2020/NĐ-CP",
        "10/2020/TT-BLĐTBXH"); OTHER when the suffix does not tell (a "/QH14" number may be a
        Luật, a Bộ luật or a Nghị quyết)."""
        suffix = number.rsplit("/", 1)[-1].upper()
        if "VBHN" in suffix:
            return cls.VAN_BAN_HOP_NHAT
        for prefix, member in (
            ("NĐ-", cls.NGHI_DINH),
            ("TTLT", cls.THONG_TU_LIEN_TICH),
            ("TT", cls.THONG_TU),
            ("NQ", cls.NGHI_QUYET),
            ("QĐ", cls.QUYET_DINH),
        ):
            if suffix.startswith(prefix):
                return member
        return cls.OTHER

    @classmethod
    def from_text(cls, text: str) -> DocType:
        t = text.strip().lower()
        for member in sorted(cls, key=lambda m: -len(m.value)):
            if t.startswith(member.value.lower()):
                return member
        return cls.OTHER


class DivisionKind(StrEnum):
    PART = "Phần"
    CHAPTER = "Chương"
    SECTION = "Mục"
    SUBSECTION = "Tiểu mục"


@dataclass(frozen=True)
class Division:
    """A Phần, Chương, Mục or Tiểu mục heading. ``number`` keeps the document's own
    numbering (roman for Chương: "I", "XVII"; arabic for Mục: "1"; words for Phần)."""

    kind: DivisionKind
    number: str
    title: str
    parent: str | None = None  # "Chương II" for a Mục, "Phần thứ nhất" for a Chương

    @property
    def label(self) -> str:
        return f"{self.kind.value} {self.number}"


@dataclass(frozen=True)
class AmendmentNote:
    """A footnote of a consolidated text (văn bản hợp nhất) or an amending act."""

    marker: str  # the footnote marker as printed, e.g. "12"
    text: str  # the footnote's full text
    action: str | None = None  # "sửa đổi, bổ sung", "bổ sung", "bãi bỏ", ...
    by_document: str | None = None  # "43/2024/QH15"
    by_address: LegalAddress | None = None  # "khoản 4 Điều 1" of that document
    effective: str | None = None  # ISO date when the note gives one


@dataclass(frozen=True)
class CrossReference:
    """A link written inside a provision: "theo quy định tại khoản 2 Điều 35 của Bộ luật này"."""

    text: str  # the words as written
    target: LegalAddress  # resolved: "Bộ luật này" → the document's own id
    external: bool = False  # True when the target is another document


@dataclass(frozen=True)
class Point:
    letter: str
    text: str
    footnotes: tuple[AmendmentNote, ...] = ()
    references: tuple[CrossReference, ...] = ()


@dataclass(frozen=True)
class Clause:
    number: str
    text: str
    lead_in: str = ""
    points: tuple[Point, ...] = ()
    footnotes: tuple[AmendmentNote, ...] = ()
    references: tuple[CrossReference, ...] = ()


@dataclass(frozen=True)
class Article:
    number: str
    title: str
    text: str
    lead_in: str = ""
    clauses: tuple[Clause, ...] = ()
    points: tuple[Point, ...] = ()  # Điểm directly under the Điều (no Khoản), rare
    part: str | None = None  # "Phần thứ nhất"
    chapter: str | None = None  # chapter number as printed, "I"
    section: str | None = None  # "1" (Mục)
    subsection: str | None = None
    page_start: int | None = None
    page_end: int | None = None
    footnotes: tuple[AmendmentNote, ...] = ()
    references: tuple[CrossReference, ...] = ()

    def clause(self, number: str) -> Clause | None:
        return next((c for c in self.clauses if c.number == number), None)


@dataclass(frozen=True)
class Appendix:
    """A "PHỤ LỤC" after a decree's or circular's articles (a list of jobs, a form): kept
    apart from the articles, never read as their clauses."""

    number: str  # "I", "1", or "" for a single appendix
    title: str  # the line after the heading
    text: str


@dataclass(frozen=True)
class DocumentMeta:
    doc_id: str  # the id used in legal addresses: number when known, else the name
    number: str | None  # số hiệu, "45/2019/QH14", "44/VBHN-VPQH"
    doc_type: DocType
    title: str  # "Bộ luật Lao động"
    issuer: str | None = None  # "Quốc hội"
    date: str | None = None  # ISO "2019-11-20" (ngày ban hành / ký)
    source: str | None = None  # file it was read from
    year: int | None = None


@dataclass(frozen=True)
class Document:
    meta: DocumentMeta
    articles: tuple[Article, ...]
    divisions: tuple[Division, ...] = ()
    pages: int | None = None
    warnings: tuple[str, ...] = field(default=())
    appendices: tuple[Appendix, ...] = ()

    @property
    def doc_id(self) -> str:
        return self.meta.doc_id

    @property
    def chapters(self) -> tuple[Division, ...]:
        return tuple(d for d in self.divisions if d.kind is DivisionKind.CHAPTER)

    def article(self, number: str) -> Article | None:
        return next((a for a in self.articles if a.number == number), None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape printed by ``luatqa parse --json``. ``appendices`` is there only
        when the document has some: this dict is also what the index's document version
        hashes, and a key added to every document would re-index every index."""
        m = self.meta
        out = {
            "id": m.doc_id,
            "number": m.number,
            "type": m.doc_type.value,
            "title": m.title,
            "issuer": m.issuer,
            "date": m.date,
            "year": m.year,
            "source": m.source,
            "pages": self.pages,
            "parts": [_division(d) for d in self.divisions if d.kind is DivisionKind.PART],
            "chapters": [_division(d) for d in self.chapters],
            "sections": [
                _division(d)
                for d in self.divisions
                if d.kind in (DivisionKind.SECTION, DivisionKind.SUBSECTION)
            ],
            "articles": [_article(a) for a in self.articles],
            "warnings": list(self.warnings),
        }
        if self.appendices:
            out["appendices"] = [asdict(a) for a in self.appendices]
        return out


def _division(d: Division) -> dict[str, Any]:
    return {"kind": d.kind.value, "number": d.number, "title": d.title, "parent": d.parent}


def _notes(notes: tuple[AmendmentNote, ...]) -> list[dict[str, Any]]:
    out = []
    for n in notes:
        item = asdict(n)
        item["by_address"] = n.by_address.canonical if n.by_address else None
        out.append(item)
    return out


def _refs(refs: tuple[CrossReference, ...]) -> list[dict[str, Any]]:
    return [{"text": r.text, "target": r.target.canonical, "external": r.external} for r in refs]


def _annotations(part: Point | Clause | Article) -> dict[str, Any]:
    """The footnotes and cross-references of a point, clause or article."""
    return {"footnotes": _notes(part.footnotes), "references": _refs(part.references)}


def _point(p: Point) -> dict[str, Any]:
    return {"letter": p.letter, "text": p.text, **_annotations(p)}


def _clause(c: Clause) -> dict[str, Any]:
    return {
        "number": c.number,
        "text": c.text,
        "lead_in": c.lead_in,
        "points": [_point(p) for p in c.points],
        **_annotations(c),
    }


def _article(a: Article) -> dict[str, Any]:
    return {
        "number": a.number,
        "title": a.title,
        "part": a.part,
        "chapter": a.chapter,
        "section": a.section,
        "subsection": a.subsection,
        "pages": [a.page_start, a.page_end],
        "text": a.text,
        "lead_in": a.lead_in,
        "clauses": [_clause(c) for c in a.clauses],
        "points": [_point(p) for p in a.points],
        **_annotations(a),
    }
