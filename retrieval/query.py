"""Query analysis: what a question cites and which law it is about.

The question side mirrors the document side: the same normalisation
(:func:`legal.textnorm.normalize_for_index`) is applied before encoding (the sparse encoder
and the embedders do their own segmentation and prefixes). Here we only read the legal
structure of the question:

* citations ("khoản 2 Điều 35 BLLĐ", "Điều 36 45/2019/QH14", "Điều 5 Luật Viên chức") that
  resolve to a document in the index become :attr:`QueryAnalysis.cited` addresses, fetched
  directly by the retriever;
* laws named anywhere ("Theo Bộ luật Hình sự năm 2017, ...") narrow the search to their
  documents when the index holds them (:attr:`QueryAnalysis.docs`);
* citations without a law ("Theo Điều 32, ...") are kept as :attr:`QueryAnalysis.bare`
  article numbers: resolved when the search is limited to one document;
* citations "of this code" ("Điều 142 của Bộ luật này") quote the law's own wording: they
  are not what the question asks about and are ignored.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from legal.address import LegalAddress
from legal.citations import Citation, LawMention, find_law_mentions, parse_citations
from legal.registry import LawRegistry
from legal.textnorm import normalize_for_index


@dataclass(frozen=True)
class QueryAnalysis:
    query: str
    normalized: str  # normalize_for_index(query)
    citations: tuple[Citation, ...] = ()
    cited: tuple[LegalAddress, ...] = ()  # resolved to documents in the index
    bare: tuple[Citation, ...] = ()  # citations naming no law
    mentions: tuple[LawMention, ...] = ()
    docs: tuple[str, ...] = ()  # indexed documents the question names
    unknown_laws: tuple[str, ...] = ()  # laws named that the index does not hold
    # of those, the ones the registry knows or that carry a number ("Bộ luật Hình sự 2017",
    # "Nghị định 145/2020/NĐ-CP"), as labels: "Bộ luật Hình sự 2015 (100/2015/QH13)"
    missing: tuple[str, ...] = ()


class QueryAnalyzer:
    """Reads citations and law names in a question, resolved against the indexed documents."""

    def __init__(self, registry: LawRegistry, indexed_docs: Collection[str]) -> None:
        self.registry = registry
        self.indexed = frozenset(indexed_docs)

    def _docs_for(self, mention: LawMention) -> list[str]:
        if mention.self_ref:
            return []
        ids = self.registry.resolve_all(mention.number or mention.text)
        return [d for d in ids if d in self.indexed]

    def _label(self, mention: LawMention) -> str | None:
        """The label of a law the index does not hold ("Bộ luật Hình sự 2015
        (100/2015/QH13)"); None when the mention names no law we can tell ("Bộ luật Dân sự
        2019": no such code)."""
        named = self.registry.resolve_all(mention.number or mention.text)
        if not named:
            return None
        label = self.registry.label(named[0])
        # a number the registry does not know: the question's own words ("Nghị định 145/…")
        return mention.text if label == named[0] else f"{label} ({named[0]})"

    def analyze(self, query: str, scope: Sequence[str] = ()) -> QueryAnalysis:
        """``scope``: the documents the caller limited the search to (if any)."""
        normalized = normalize_for_index(query)
        citations = parse_citations(normalized, self.registry)
        mentions = find_law_mentions(normalized, self.registry)
        docs: list[str] = []
        unknown: list[str] = []
        missing: list[str] = []
        for m in mentions:
            if m.self_ref:
                continue
            found = self._docs_for(m)
            if not found:
                unknown.append(m.text)
                label = self._label(m)
                if label and label not in missing:
                    missing.append(label)
            for d in found:
                if d not in docs:
                    docs.append(d)
        cited: list[LegalAddress] = []
        bare: list[Citation] = []
        in_scope = [d for d in scope if d in self.indexed] or list(docs)
        for c in citations:
            if c.this_article or c.article is None:
                continue
            lm = c.law_mention
            targets: list[str]
            if lm is not None and lm.self_ref:
                # "Điều 142 của Bộ luật này" in a question quotes the law's own text: what
                # it cites is context, not what is asked about
                continue
            if lm is not None:
                targets = self._docs_for(lm)
            else:
                bare.append(c)
                # a bare "Điều 32" in a question scoped to one document (or naming one law)
                targets = in_scope if len(in_scope) == 1 else []
                if not targets and len(self.indexed) == 1:
                    targets = list(self.indexed)
            if len(targets) != 1:
                continue
            addr = LegalAddress(targets[0], c.article, c.clause, c.point)
            if addr not in cited:
                cited.append(addr)
        return QueryAnalysis(
            query=query,
            normalized=normalized,
            citations=tuple(citations),
            cited=tuple(cited),
            bare=tuple(bare),
            mentions=tuple(mentions),
            docs=tuple(docs),
            unknown_laws=tuple(unknown),
            missing=tuple(missing),
        )
