"""The retriever's rankings after the store's: fusion at article level, and the adjustments
made to a ranking of articles (the asking party's provisions lifted, the glossary clause
defining the term asked about first, an optional cross-encoder).

Split out of :mod:`retrieval.retriever`; each function takes the retriever's config and
returns a new ranking (best first), never changing the one it was given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

import numpy as np

from legal.address import LegalAddress
from legal.textnorm import fold
from retrieval.articles import ArticleReader
from retrieval.catalog import Catalog
from retrieval.grouping import ArticleGroup, Hit, dbsf, group_by_article, rrf
from retrieval.records import chunk_key
from retrieval.scenario import QueryPlan, QueryUnderstanding
from retrieval.store.base import Filter, SparseVector, StoredPoint, VectorStore

if TYPE_CHECKING:
    from retrieval.retriever import RetrieverConfig

_DEFINE_RE = re.compile(
    r"(?:^|[,:;]\s*)(?P<term>[^,:;?]{2,60}?)\s+(?:là gì|là như thế nào|"
    r"được (?:hiểu|định nghĩa) (?:là gì|như thế nào|thế nào|ra sao))"
    r"(?:\s+theo [^,:;?]{3,80})?\s*\??\s*$",
    re.IGNORECASE,
)
# "Định nghĩa của "Người lao động"?", "Khái niệm người sử dụng lao động"
_DEFINE_HEAD_RE = re.compile(
    r"^\s*(?:định nghĩa|khái niệm)(?: của| về)?\s*[\"“]?(?P<term>[^\"”?]{2,60}?)[\"”]?"
    r"(?:\s+là gì|\s+theo [^?]{3,80})?\s*\??\s*$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"^\d+[a-z]?\.\s*")


class Reranker(Protocol):
    def score(self, query: str, texts: Sequence[str]) -> list[float]: ...


def definition(text: str) -> re.Match[str] | None:
    """ "X là gì?", "X được hiểu như thế nào?", "Định nghĩa của X?": the term asked about."""
    return _DEFINE_HEAD_RE.search(text) or _DEFINE_RE.search(text)


def hits(points: Iterable[StoredPoint]) -> list[Hit]:
    """Search results as chunk hits (only chunks carry vectors)."""
    return [Hit(p.id, p.payload, p.score) for p in points if chunk_key(p.payload) is not None]


def situation_first(
    cfg: RetrieverConfig, qu: QueryUnderstanding, plan: QueryPlan, groups: list[ArticleGroup]
) -> list[ArticleGroup]:
    """Lift the articles near the top that state the rights or duties of the party the
    question is about ("Nghĩa vụ của người sử dụng lao động khi …" for a question on
    what an employer owes: Điều 41 above Điều 40), and the one whose heading names the
    situation asked about ("Làm thêm giờ"). Not for "X là gì?" questions."""
    top = groups[: cfg.party_window]
    titles = [g.hits[0].record.article_title for g in top]
    covered = [qu.heading_words(plan, t) for t in titles]
    best = max(covered, default=0)
    lifted = []
    for g, title, words in zip(top, titles, covered, strict=True):
        factor = 1.0 + (cfg.party_boost if qu.party_matches(plan, title) else 0.0)
        factor += cfg.heading_boost if best and words == best else 0.0
        lifted.append(replace(g, score=g.score * factor) if factor != 1.0 else g)
    lifted.sort(key=lambda g: -g.score)
    return lifted + groups[cfg.party_window :]


def article_fusion(
    cfg: RetrieverConfig,
    store: VectorStore,
    dense: np.ndarray,
    sparse: SparseVector,
    flt: Filter | None,
    k: int,
) -> list[ArticleGroup]:
    """Fusion at article level: the dense and the sparse ranking are each grouped by
    article first (best clause + decayed rest), then fused (RRF or score-normalised sum),
    so that an article with many matching clauses does not crowd a ranking."""
    limit = max(cfg.prefetch_limit, cfg.candidates, k)
    dense_groups = group_by_article(
        hits(store.dense_search(dense.tolist(), limit, flt)), cfg.group_decay
    )
    sparse_groups = group_by_article(hits(store.sparse_search(sparse, limit, flt)), cfg.group_decay)
    weights = (cfg.dense_weight, cfg.sparse_weight)
    if cfg.fusion == "dbsf":
        scores = dbsf([dense_groups, sparse_groups], weights)
    else:
        scores = rrf(
            [[g.key for g in dense_groups], [g.key for g in sparse_groups]],
            k=cfg.rrf_k,
            weights=weights,
        )
    found: dict[tuple[str, str], dict[str, Hit]] = {}
    for g in (*dense_groups, *sparse_groups):
        bucket = found.setdefault(g.key, {})
        for h in g.hits:
            bucket.setdefault(h.id, h)
    out = [
        ArticleGroup(
            doc_id=key[0],
            article=key[1],
            score=score,
            hits=tuple(sorted(found[key].values(), key=lambda h: -h.score)),
        )
        for key, score in scores.items()
    ]
    out.sort(key=lambda g: -g.score)
    return out[: max(cfg.candidates, k)]


def definition_first(
    catalog: Catalog,
    reader: ArticleReader,
    text: str,
    groups: list[ArticleGroup],
    scope: Sequence[str],
) -> list[ArticleGroup]:
    """ "An ninh mạng là gì?": the glossary clause that defines the term ("1. An ninh mạng
    là …") goes first."""
    m = definition(text)
    if not m or not catalog.glossaries:
        return groups
    term = " ".join(fold(m.group("term")).split())
    for doc, art, chunks in catalog.glossary_chunks(reader, scope):
        for c in chunks:
            body = _NUMBERED.sub("", " ".join(fold(c.text).split()), count=1)
            if body.startswith(term + " la ") or body.startswith(term + " duoc hieu la "):
                top = groups[0].score + 1e-6
                rest = [g for g in groups if g.key != (doc, art)]
                return [ArticleGroup(doc, art, top, (Hit.of(c, top),)), *rest]
    return groups


def headings_first(
    catalog: Catalog,
    reader: ArticleReader,
    headings: Sequence[str],
    groups: list[ArticleGroup],
    scope: Sequence[str],
) -> list[ArticleGroup]:
    """The articles headed exactly by ``headings`` ("Quyền và nghĩa vụ của người lao động"),
    in that order, before the search's own ranking: a one-sided request is answered from
    both parties' rights and duties, which a search on its wording does not find (#14 dev,
    LBR_094: Điều 5 not in the top 30)."""
    first: list[ArticleGroup] = []
    top = (groups[0].score if groups else 0.0) + 1e-6
    for heading in headings:
        for doc, art in catalog.headed.get(" ".join(fold(heading).split()), ()):
            if (scope and doc not in scope) or any(g.key == (doc, art) for g in first):
                continue
            stored = reader.article(LegalAddress(doc, art))
            if stored and stored.chunks:
                hits = tuple(Hit.of(c, top) for c in stored.chunks[:3])
                first.append(ArticleGroup(doc, art, top, hits))
    keys = {g.key for g in first}
    return [*first, *(g for g in groups if g.key not in keys)]


def rerank(
    cfg: RetrieverConfig, reranker: Reranker, query: str, groups: list[ArticleGroup]
) -> list[ArticleGroup]:
    """The top ``rerank_candidates`` articles rescored by a cross-encoder."""
    n = cfg.rerank_candidates
    cands = groups[:n]
    texts = [
        " ".join([g.hits[0].record.article_title] + [h.record.text for h in g.hits[:2]]).strip()
        for g in cands
    ]
    scores = reranker.score(query, texts)
    reranked = [replace(g, score=float(s)) for g, s in zip(cands, scores, strict=True)]
    reranked.sort(key=lambda g: -g.score)
    return reranked + groups[n:]
