"""The implementation chain: which statute provisions a decree's or circular's articles detail.

Decrees and circulars say it themselves (Luật Ban hành VBQPPL 2015, Điều 11: a text
"quy định chi tiết" names the articles it details):

1. **The statute**: the title or the scope article names it — "Thông tư quy định chi tiết
   và hướng dẫn thi hành một số điều của Bộ luật Lao động …" → resolved through the law
   registry (names, numbers, short names) to the indexed statute's id.
2. **Per article**, the first signal that holds:
   a. its title or lead-in cites the statute: "Nội dung chủ yếu phải có của hợp đồng lao động
      theo khoản 1 Điều 21 của Bộ luật Lao động được quy định như sau:" → 45/2019/QH14 ›
      Điều 21 › Khoản 1;
   b. its chapter's title is named by a clause of the scope article ("Phạm vi điều chỉnh":
      "2. Chức năng, nhiệm vụ và hoạt động của Hội đồng thương lượng tập thể theo khoản 4
      Điều 73." and Chương III "HỘI ĐỒNG THƯƠNG LƯỢNG TẬP THỂ") → that clause's addresses.
   A citation without a law name counts for the statute only when its article number is
   beyond the guiding text's own last article ("khoản 1, 2 và 3 Điều 21" in a circular of 12
   articles): the reference finder, which reads it as the circular's own, cannot know that.
   The scope article, "Đối tượng áp dụng" and the validity articles guide nothing themselves.

Citations merely *mentioned* inside clauses ("theo quy định tại Điều 93 của Bộ luật Lao
động") are cross-references, not guidance, and stay so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.validity import validity_articles
from legal.address import LegalAddress
from legal.citations import find_law_mentions, parse_citations
from legal.document import Article, DivisionKind, DocType, Document
from legal.registry import LawRegistry, default_registry
from legal.textnorm import fold

GUIDING_TYPES = (DocType.NGHI_DINH, DocType.THONG_TU, DocType.THONG_TU_LIEN_TICH, DocType.OTHER)
_GUIDES_RE = re.compile(r"quy định chi tiết|hướng dẫn|quy định một số điều", re.IGNORECASE)
_SCOPE_RE = re.compile(r"^phạm vi điều chỉnh", re.IGNORECASE)
_NOT_GUIDING_RE = re.compile(r"^(?:phạm vi điều chỉnh|đối tượng áp dụng|giải thích từ ngữ)", re.I)


@dataclass(frozen=True)
class Guidance:
    """The statute a text details and, per article number, the statute provisions."""

    document: str | None = None
    by_article: dict[str, tuple[LegalAddress, ...]] = field(default_factory=dict)

    def of(self, article: str) -> tuple[LegalAddress, ...]:
        return self.by_article.get(article, ())


def guided_document(doc: Document, registry: LawRegistry) -> str | None:
    """The id of the statute ``doc`` details, from its title or its scope article."""
    if doc.meta.doc_type not in GUIDING_TYPES:
        return None
    scope = _scope_article(doc)
    texts = [doc.meta.title, scope.lead_in or scope.text if scope else ""]
    for text in texts:
        if not text or not _GUIDES_RE.search(text):
            continue
        for mention in find_law_mentions(text, registry):
            if mention.self_ref:
                continue
            found = registry.resolve(mention.number or mention.text)
            if found and found != doc.doc_id:
                return found
    return None


def _scope_article(doc: Document) -> Article | None:
    return next((a for a in doc.articles[:3] if _SCOPE_RE.match(a.title.strip())), None)


def _cited(text: str, statute: str, doc: Document, registry: LawRegistry) -> list[LegalAddress]:
    """Statute provisions cited in ``text`` (see the module docstring for unnamed laws)."""
    last = max((int(re.sub(r"\D", "", a.number) or 0) for a in doc.articles), default=0)
    out: list[LegalAddress] = []
    for c in parse_citations(text, registry):
        if c.article is None or c.this_article:
            continue
        lm = c.law_mention
        if lm is None:
            number = int(re.sub(r"\D", "", c.article) or 0)
            if number <= last:
                continue
        elif lm.self_ref or registry.resolve(lm.number or lm.text) != statute:
            continue
        address = LegalAddress(statute, c.article, c.clause, c.point)
        if address not in out:
            out.append(address)
    return out


def read_guidance(doc: Document, registry: LawRegistry | None = None) -> Guidance:
    """Which statute provisions each article of ``doc`` details (empty for a statute)."""
    reg = registry or default_registry()
    statute = guided_document(doc, reg)
    if statute is None:
        return Guidance()
    scope = _scope_article(doc)
    items = (
        [(fold(c.text), _cited(c.text, statute, doc, reg)) for c in scope.clauses] if scope else []
    )
    chapters = {d.number: fold(d.title) for d in doc.divisions if d.kind is DivisionKind.CHAPTER}
    skip = {a.number for a in validity_articles(doc)}
    by_article: dict[str, tuple[LegalAddress, ...]] = {}
    for art in doc.articles:
        if art.number in skip or _NOT_GUIDING_RE.match(art.title.strip()):
            continue
        own = _cited(f"{art.title}\n{art.lead_in}", statute, doc, reg)
        if not own and art.chapter in chapters and chapters[art.chapter]:
            title = chapters[art.chapter]
            own = [a for text, addrs in items if title in text for a in addrs]
        if own:
            by_article[art.number] = tuple(own)
    return Guidance(statute, by_article)
