"""What the provision viewer shows of validity and of the implementation chain (issue 11).

* the **badge** (Còn hiệu lực / Hết hiệu lực / Chưa có hiệu lực / Chưa rõ hiệu lực) on the
  chosen date;
* the **history** of the article, in date order: signed, in force from, clauses amended
  (from their footnotes), replaced / no longer in force, and what the document itself repeals
  or replaces — with "— chưa nạp" when that act is not in the index;
* **Văn bản hướng dẫn**: the decree/circular articles detailing this article, and for a
  guiding article the statute provisions it details (the link back).

Everything is read through the typed records (:mod:`retrieval.records`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from legal.address import LegalAddress
from legal.registry import norm_number
from legal.validity import Currency, Dates, today_iso, vn_date
from retrieval.articles import ArticleReader, StoredArticle
from retrieval.guidance import GuidanceIndex
from retrieval.record_validity import guide_key
from retrieval.records import DocumentRecord
from retrieval.store.base import VectorStore


@dataclass(frozen=True)
class GuideLink:
    """A provision on the other side of the implementation chain."""

    address: LegalAddress
    label: str  # "Điều 3 Thông tư 10/2020/TT-BLĐTBXH — Nội dung chủ yếu của hợp đồng lao động"
    text: str = ""  # the linked provision's text, shown under the link


@dataclass(frozen=True)
class ValidityView:
    dates: Dates = field(default_factory=Dates)
    history: tuple[str, ...] = ()
    guided_by: tuple[GuideLink, ...] = ()  # "Văn bản hướng dẫn" of this article
    guides: tuple[GuideLink, ...] = ()  # the statute provisions this article details

    def badge(self, on: str | None = None) -> Currency:
        return self.dates.currency(on or today_iso())


def _article_dates(art: StoredArticle) -> Dates:
    if art.record is not None:
        return art.record.dates
    return art.chunks[0].dates if art.chunks else Dates()


def history(art: StoredArticle, doc: DocumentRecord | None, indexed: set[str]) -> list[str]:
    """The article's history lines, oldest first (see the module docstring)."""
    dates = _article_dates(art)
    lines: list[tuple[str, str]] = []
    if doc is not None and doc.date:
        lines.append((doc.date, f"{vn_date(doc.date)}: văn bản được ký / thông qua"))
    if dates.effective_from:
        lines.append((dates.effective_from, f"{vn_date(dates.effective_from)}: có hiệu lực"))
    for c in art.chunks:
        if c.amended_from or c.amended_by:
            when = c.amended_from or ""
            by = f" bởi {c.amended_by}" if c.amended_by else ""
            what = c.address.provision_label()
            lines.append((when, f"{vn_date(when) or '?'}: {what} được sửa đổi{by}"))
    if dates.effective_to:
        by = f" (thay thế bởi {dates.replaced_by})" if dates.replaced_by else ""
        lines.append((dates.effective_to, f"{vn_date(dates.effective_to)}: hết hiệu lực{by}"))
    for r in doc.relations if doc is not None else ():
        verb = "thay thế" if r.kind.value == "replaces" else "làm hết hiệu lực"
        loaded = "" if norm_number(r.number) in indexed else " — chưa nạp"
        when = r.effective or ""
        lines.append((when, f"{vn_date(when) or '?'}: văn bản này {verb} {r.label()}{loaded}"))
    return [text for _, text in sorted(dict.fromkeys(lines), key=lambda x: x[0])]


def _link(address: LegalAddress, doc_label: str, title: str, text: str = "") -> GuideLink:
    head = address.display(doc_label)
    return GuideLink(address, f"{head} — {title}" if title else head, text)


def _statute_text(reader: ArticleReader, address: LegalAddress) -> str:
    """The text of a statute provision a circular details (the clause, else the article)."""
    art = reader.article(address)
    if art is None:
        return ""
    held = [c.text for c in art.chunks if address.contains(c.address) or c.address == address]
    return "\n".join(held) or art.text


def validity_view(
    store: VectorStore, art: StoredArticle, docs: list[DocumentRecord]
) -> ValidityView:
    """The validity badge's dates, the history and both sides of the implementation chain
    of one article (``docs``: the index's document records)."""
    doc = next((d for d in docs if d.doc_id == art.address.doc), None)
    indexed = {norm_number(k) for d in docs for k in (d.number, d.doc_id) if k}
    labels = {d.doc_id: d.doc_label or d.title or d.doc_id for d in docs}
    key = guide_key(art.address)
    guided_by = tuple(
        _link(
            r.address, r.doc_label or labels.get(r.address.doc, r.doc_id), r.article_title, r.text
        )
        for r in sorted(
            GuidanceIndex.load(store).of([key]).get(key, []), key=lambda r: r.address.sort_key()
        )
    )
    guides: list[GuideLink] = []
    if art.record is not None:
        reader = ArticleReader(store)
        for address in art.record.guide_addresses:
            text = _statute_text(reader, address)
            guides.append(_link(address, labels.get(address.doc, address.doc), "", text))
    return ValidityView(
        _article_dates(art), tuple(history(art, doc, indexed)), guided_by, tuple(guides)
    )
