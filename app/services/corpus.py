"""Browsing the loaded law: documents, chapters, articles and an article's full text.

:class:`CorpusService` sorts and groups what a :class:`CorpusSource` gives; the real source
is :class:`app.services.store_corpus.StoreCorpus` over the index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from app.services.validity_view import ValidityView
from legal.address import LegalAddress


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    number: str | None
    doc_type: str
    title: str
    date: str | None
    label: str  # "Bộ luật Lao động 2019"
    short: str | None = None  # "BLLĐ 2019"
    articles: int = 0
    source: str | None = None
    chapters: tuple[str, ...] = ()  # "Chương VII. THỜI GIỜ LÀM VIỆC, THỜI GIỜ NGHỈ NGƠI"


@dataclass(frozen=True)
class ArticleInfo:
    doc_id: str
    number: str
    title: str
    chapter: str | None = None  # "Chương VII – Thời giờ làm việc…" when known
    hierarchy: str = ""


@dataclass(frozen=True)
class ClauseText:
    address: LegalAddress
    text: str


@dataclass(frozen=True)
class ArticleView:
    address: LegalAddress
    title: str
    doc_label: str
    hierarchy: str  # "Chương VII › Mục 1"
    text: str  # the whole article
    clauses: tuple[ClauseText, ...] = ()
    source: str | None = None
    pages: tuple[int | None, int | None] = (None, None)
    amendment_notes: tuple[str, ...] = ()
    # badge, history, "Văn bản hướng dẫn" and the link back (app.services.validity_view)
    validity: ValidityView = field(default_factory=ValidityView)

    @property
    def page_label(self) -> str:
        start, end = self.pages
        if start is None:
            return ""
        return f"trang {start}" if end in (None, start) else f"trang {start}–{end}"


class CorpusSource(Protocol):
    def documents(self) -> list[DocumentInfo]: ...

    def articles(self, doc_id: str) -> list[ArticleInfo]: ...

    def article(self, address: LegalAddress) -> ArticleView | None: ...


class CorpusService:
    def __init__(self, source: CorpusSource) -> None:
        self._source = source

    def documents(self) -> list[DocumentInfo]:
        return sorted(self._source.documents(), key=lambda d: (d.title, d.doc_id))

    def articles(self, doc_id: str) -> list[ArticleInfo]:
        return sorted(
            self._source.articles(doc_id), key=lambda a: LegalAddress(doc_id, a.number).sort_key()
        )

    def chapters(self, doc_id: str) -> list[str]:
        """Chapter headings in document order: the document's own list ("Chương VII. THỜI
        GIỜ LÀM VIỆC…") when recorded, else the chapters its articles name."""
        doc = next((d for d in self._source.documents() if d.doc_id == doc_id), None)
        if doc is not None and doc.chapters:
            return list(doc.chapters)
        seen: dict[str, None] = {}
        for art in self.articles(doc_id):
            if art.chapter:
                seen.setdefault(art.chapter, None)
        return list(seen)

    def articles_in_chapter(self, doc_id: str, heading: str) -> list[ArticleInfo]:
        """Articles under a chapter heading as returned by :meth:`chapters`."""
        key = chapter_key(heading)
        return [a for a in self.articles(doc_id) if a.chapter and chapter_key(a.chapter) == key]

    def article(self, address: LegalAddress) -> ArticleView | None:
        return self._source.article(address.article_address())


def chapter_key(heading: str) -> str:
    """'Chương VII. THỜI GIỜ…' and 'Chương VII' → 'Chương VII'."""
    head = heading.split(".", 1)[0].split("–", 1)[0].strip()
    return " ".join(head.split()[:2])
