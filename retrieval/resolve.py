"""Citations in any text, checked against the index: does the cited provision exist, and what
does it say?

:mod:`generation.verify` checks an answer's citations against the passages the model was
*given*; this module checks citations against the whole *index*, for a text luatqa did not
write (a lawyer's draft memo, another model's answer: the MCP tool ``verify_citations``) and
for looking a provision up by citation (``get_provision``, the ``luatqa://`` resources).

Decisions:

* **Which law.** A citation naming a law ("khoản 2 Điều 35 BLLĐ", "… của Luật số
  45/2019/QH14") is resolved through the registry extended with the indexed documents (the
  retriever's :class:`~retrieval.catalog.Catalog`). A citation naming none — or "Bộ luật
  này" — refers to the law last named before it in the text, the way a memo is read; with
  no law named before it, to the caller's default law (``default_doc``: a memo about the
  Labor Code), else to the index's only document; otherwise it is unresolved (the reason
  says so) rather than guessed. Measured on the labor-law gold answers (bench/
  verify_citations.py): 12 of 101 citations name no law before them in the answer; all
  12 resolve with ``default_doc`` set to the Labor Code.
* **Exists means exists at its level.** "khoản 2 Điều 5" is unresolved when Điều 5 has no
  Khoản (the article-level chunk would "contain" the address, as :meth:`Retriever.lookup`
  reads it, but the clause does not exist); "điểm đ khoản 1 Điều 36" needs a line "đ) …"
  in that Khoản.
* "khoản 2 Điều này" refers to the article cited just before it, else it is unresolved.
* The reasons are Vietnamese with English in brackets, like the answer service's messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from legal.address import LegalAddress
from legal.citations import Citation, LawMention, find_law_mentions, parse_citations
from legal.errors import CitationError
from retrieval.articles import ArticleReader, StoredArticle
from retrieval.catalog import Catalog

MAX_WORDING_CHARS = 1500


@dataclass(frozen=True)
class ResolvedCitation:
    """One provision a text cites, and whether the index holds it."""

    raw: str  # the phrase as written: "khoản 1, 2 Điều 36 BLLĐ"
    span: tuple[int, int]
    resolved: bool
    address: LegalAddress | None = None  # None when the law could not be told
    display: str = ""  # "khoản 1 Điều 36 Bộ luật Lao động 2019"
    wording: str = ""  # the cited text (resolved only)
    article_title: str = ""
    reason: str | None = None  # why unresolved

    def to_dict(self) -> dict[str, Any]:
        return {
            "cited_as": self.raw,
            "span": list(self.span),
            "resolved": self.resolved,
            "address": self.address.canonical if self.address else None,
            "citation": self.display or None,
            "article_title": self.article_title or None,
            "wording": self.wording or None,
            "reason": self.reason,
        }


def point_text(text: str, letter: str) -> str | None:
    """The line of point ``letter`` ("a) …" up to the next point) in a clause, or None."""
    rx = rf"(?m)^\s*{re.escape(letter)}\)\s.*?(?=^\s*[a-zđ]\d?\)\s|\Z)"
    m = re.search(rx, text, re.DOTALL)
    return m.group(0).strip() if m else None


def _clip(text: str, limit: int = MAX_WORDING_CHARS) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


class CitationResolver:
    """Resolves citations against one snapshot of the index (reader + catalog)."""

    def __init__(self, reader: ArticleReader, catalog: Catalog) -> None:
        self.reader = reader
        self.catalog = catalog
        self._articles: dict[tuple[str, str], StoredArticle | None] = {}

    # ---- one address ------------------------------------------------------------------------
    def article(self, address: LegalAddress) -> StoredArticle | None:
        key = (address.doc, str(address.article))
        if key not in self._articles:
            self._articles[key] = self.reader.article(address)
        return self._articles[key]

    def check(
        self, address: LegalAddress, raw: str = "", span: tuple[int, int] = (0, 0)
    ) -> ResolvedCitation:
        """The provision at ``address`` as a :class:`ResolvedCitation` (full wording, not
        clipped); unresolved with the reason when the index does not hold it."""
        raw = raw or address.display(self._label(address.doc))
        label = self._label(address.doc)
        display = address.display(label)

        def missing(why: str) -> ResolvedCitation:
            return ResolvedCitation(raw, span, False, address, display, reason=why)

        if address.doc not in self.catalog.documents:
            return missing(f"văn bản {address.doc} không có trong chỉ mục (law not in the index)")
        if address.article is None:
            rec = self.catalog.documents[address.doc]
            return ResolvedCitation(raw, span, True, address, display, wording=rec.title or label)
        art = self.article(address)
        if art is None:
            return missing(
                f"Điều {address.article} không có trong {label} (no such article in this law)"
            )
        wording = self._wording(art, address)
        if isinstance(wording, _Missing):
            return missing(wording.reason)
        return ResolvedCitation(raw, span, True, address, display, wording, art.title)

    def _wording(self, art: StoredArticle, address: LegalAddress) -> str | _Missing:
        if address.clause is None and address.point is None:
            return art.text
        where = f"Điều {address.article}"
        text, chunks = art.text, list(art.chunks)
        if address.clause is not None:
            chunks = [c for c in art.chunks if c.address.clause == address.clause]
            if not chunks:
                if not any(c.address.clause for c in art.chunks):
                    return _Missing(f"{where} không chia khoản (this article has no clauses)")
                return _Missing(f"khoản {address.clause} không có trong {where} (no such clause)")
            text = "\n".join(c.text for c in chunks)
            where = f"khoản {address.clause} {where}"
        if address.point is None:
            return text
        found = point_text(text, address.point)
        if found is None:  # a long Khoản split by groups of Điểm records its letters
            found = next((c.text for c in chunks if address.point in c.points), None)
        if found is None:
            return _Missing(f"điểm {address.point} không có trong {where} (no such point)")
        return found

    def _label(self, doc: str) -> str:
        return self.catalog.labels(doc)[0] if doc in self.catalog.documents else doc

    # ---- a whole text -----------------------------------------------------------------------
    def resolve_text(
        self, text: str, *, clip: bool = True, default_doc: str | None = None
    ) -> list[ResolvedCitation]:
        """Every provision cited in ``text``, left to right, each resolved or not;
        ``default_doc``: the law a citation refers to when the text names none before it."""
        registry = self.catalog.registry
        mentions = find_law_mentions(text, registry)
        out: list[ResolvedCitation] = []
        last_article: LegalAddress | None = None
        for c in parse_citations(text, registry):
            doc, why = self._doc_of(c, mentions, default_doc)
            if doc is None:
                out.append(ResolvedCitation(c.raw, c.span, False, reason=why))
                continue
            article = c.article
            if c.this_article:
                article = last_article.article if last_article and last_article.doc == doc else None
            if article is None:
                why = "“Điều này” không rõ là điều nào (no article cited before it)"
                out.append(ResolvedCitation(c.raw, c.span, False, reason=why))
                continue
            try:
                address = LegalAddress(doc, article, c.clause, c.point)
            except CitationError as exc:
                out.append(ResolvedCitation(c.raw, c.span, False, reason=exc.message))
                continue
            last_article = address.article_address()
            found = self.check(address, c.raw, c.span)
            if clip and found.wording:
                found = replace(found, wording=_clip(found.wording))
            out.append(found)
        return out

    def _doc_of(
        self, c: Citation, mentions: list[LawMention], default_doc: str | None
    ) -> tuple[str | None, str]:
        lm = c.law_mention
        if lm is not None and not lm.self_ref:
            return self._named(lm)
        # no law named with it: the law last named before it in the text
        before = [m for m in mentions if m.span[1] <= c.span[0] and not m.self_ref]
        for m in reversed(before):
            doc, _ = self._named(m)
            if doc is not None:
                return doc, ""
        if default_doc is not None:
            return default_doc, ""
        if len(self.catalog.documents) == 1:
            return next(iter(self.catalog.documents)), ""
        return None, (
            "không rõ văn bản nào: trích dẫn không nêu tên luật "
            f"(no law named, and the index holds {len(self.catalog.documents)} documents)"
        )

    def _named(self, lm: LawMention) -> tuple[str | None, str]:
        ids = self.catalog.registry.resolve_all(lm.number or lm.text)
        indexed = [d for d in ids if d in self.catalog.documents]
        if len(indexed) == 1:
            return indexed[0], ""
        if not indexed:
            name = " ".join(lm.text.split())
            return None, f"văn bản “{name}” không có trong chỉ mục (law not in the index)"
        return None, (
            f"“{' '.join(lm.text.split())}” có thể là {', '.join(indexed)} "
            "(ambiguous: name the law by number or year)"
        )


@dataclass(frozen=True)
class _Missing:
    reason: str
