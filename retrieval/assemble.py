"""From a ranking of articles to the provisions a search returns: the provisions the question
cites first (role ``CITED``), then the ranked ones (``HIT``), then the provisions the top
hits refer to (``CROSSREF``).

Split out of :mod:`retrieval.retriever`. An :class:`Assembler` is made for one search, with
the catalog snapshot that search took (see :mod:`retrieval.catalog`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from legal.address import LegalAddress
from legal.errors import CitationError
from retrieval.articles import ArticleReader
from retrieval.catalog import Catalog
from retrieval.grouping import ArticleGroup, provision_from_passages
from retrieval.query import QueryAnalysis
from retrieval.types import Passage, PassageRole, Provision

if TYPE_CHECKING:
    from retrieval.retriever import RetrieverConfig


@dataclass(frozen=True)
class Assembler:
    config: RetrieverConfig
    reader: ArticleReader
    catalog: Catalog

    def assemble(
        self, analysis: QueryAnalysis, groups: list[ArticleGroup], k: int
    ) -> list[Provision]:
        out: list[Provision] = []
        seen: set[tuple[str, str]] = set()
        top_score = groups[0].score if groups else 1.0
        for addr in analysis.cited:
            prov = self.cited(addr, top_score)
            if prov is None:
                continue
            key = _key(prov)
            if key in seen:
                # "khoản 1, 2 Điều 36": one provision, several cited passages
                i = next(i for i, p in enumerate(out) if _key(p) == key)
                merged = _merge(out[i].passages, prov.passages)
                out[i] = replace(out[i], passages=merged)
                continue
            seen.add(key)
            out.append(prov)
        hits: list[Provision] = []
        for g in groups:
            if len(out) + len(hits) >= k:
                break
            if g.key in seen:
                continue
            seen.add(g.key)
            hits.append(self.provision(g))
        out.extend(hits)
        if self.config.expand_crossrefs and hits:
            out.extend(self.crossrefs(groups[: self.config.crossref_from], seen))
        return out

    def provision(self, g: ArticleGroup) -> Provision:
        label, short = self.catalog.labels(g.doc_id)
        passages = [
            h.record.passage(score=h.score, doc_label=label, doc_short=short)
            for h in g.hits[: self.config.passages_per_provision]
        ]
        passages.sort(key=lambda p: p.address.sort_key())
        return provision_from_passages(passages, g.score)

    def cited(self, addr: LegalAddress, top_score: float) -> Provision | None:
        """The provision at ``addr``, fetched directly: the clauses it names (all of the
        article's when it names none, or none that exists)."""
        article = self.reader.article(addr)
        if article is None or not article.chunks:
            return None
        label, short = self.catalog.labels(addr.doc)
        within = None if addr.clause is None and addr.point is None else addr
        passages = article.passages(
            within,
            score=top_score + 1.0,
            role=PassageRole.CITED,
            doc_label=label,
            doc_short=short,
        )
        passages.sort(key=lambda p: p.address.sort_key())
        return provision_from_passages(passages, top_score + 1.0, PassageRole.CITED)

    def crossrefs(
        self, groups: Sequence[ArticleGroup], seen: set[tuple[str, str]]
    ) -> list[Provision]:
        documents = self.catalog.documents
        targets: list[LegalAddress] = []
        for g in groups:
            for h in g.hits:
                for ref in h.record.references:
                    try:
                        addr = LegalAddress.parse(ref)
                    except CitationError:
                        continue
                    if addr.article is None or (addr.doc, addr.article) in seen:
                        continue
                    if documents and addr.doc not in documents:
                        continue
                    if addr not in targets:
                        targets.append(addr)
        out: list[Provision] = []
        for addr in targets:
            if len(out) >= self.config.max_crossrefs:
                break
            key = (addr.doc, str(addr.article))
            if key in seen:
                continue
            prov = self.cited(addr, 0.0)
            if prov is None:
                continue
            seen.add(key)
            passages = tuple(
                replace(p, role=PassageRole.CROSSREF, score=0.0) for p in prov.passages
            )
            out.append(replace(prov, passages=passages, role=PassageRole.CROSSREF, score=0.0))
        return out


def _key(p: Provision) -> tuple[str, str]:
    return (p.address.doc, str(p.address.article))


def _merge(a: Sequence[Passage], b: Sequence[Passage]) -> tuple[Passage, ...]:
    out = list(a)
    have = {p.address for p in a}
    out.extend(p for p in b if p.address not in have)
    return tuple(sorted(out, key=lambda p: p.address.sort_key()))
