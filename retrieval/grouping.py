"""From scored chunks to article-level results.

The index holds clause-level chunks; lawyers (and the ALQAC gold) think in articles (Điều).
An article's score aggregates its chunks' scores: the best one plus a decayed sum of the
others (``s0 + d·s1 + d²·s2 + …``), so an article matched by several clauses edges out one
matched by a single clause of equal strength, without long articles winning on bulk.

Also here: client-side rank fusion (:func:`rrf`), used to merge ranked lists that do not come
out of one Qdrant request (e.g. chunk hits and article-level rerank scores).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from legal.errors import StoreError
from retrieval.records import ChunkRecord, chunk_key
from retrieval.types import Passage, PassageRole, Provision


@dataclass(frozen=True)
class Hit:
    """A scored chunk as returned by the store. Its record is built on first use: a search
    groups ~100 hits by article (:func:`retrieval.records.chunk_key`) and reads ~30."""

    id: str
    payload: Mapping[str, Any] = field(repr=False)
    score: float

    @classmethod
    def of(cls, record: ChunkRecord, score: float) -> Hit:
        return cls(record.id, record.to_payload(), score)

    @cached_property
    def record(self) -> ChunkRecord:
        return ChunkRecord.from_payload(self.payload, self.id)

    @property
    def article_key(self) -> tuple[str, str]:
        key = chunk_key(self.payload)
        if key is None:
            raise StoreError(f"point {self.id} is not a chunk: a search hit must be one")
        return key


@dataclass(frozen=True)
class ArticleGroup:
    doc_id: str
    article: str
    score: float
    hits: tuple[Hit, ...]  # best first

    @property
    def key(self) -> tuple[str, str]:
        return (self.doc_id, self.article)


def decayed_sum(scores: Iterable[float], decay: float) -> float:
    """``s0 + d·s1 + d²·s2 + …`` over the scores sorted best first."""
    total, factor = 0.0, 1.0
    for s in sorted(scores, reverse=True):
        total += factor * s
        factor *= decay
    return total


def group_by_article(hits: Sequence[Hit], decay: float = 0.3) -> list[ArticleGroup]:
    """Group chunk hits by (document, article), best article first; ties keep hit order."""
    groups: dict[tuple[str, str], list[Hit]] = {}
    for h in hits:
        groups.setdefault(h.article_key, []).append(h)
    out = [
        ArticleGroup(
            doc_id=key[0],
            article=key[1],
            score=decayed_sum((h.score for h in members), decay),
            hits=tuple(sorted(members, key=lambda h: -h.score)),
        )
        for key, members in groups.items()
    ]
    order = {key: i for i, key in enumerate(groups)}
    out.sort(key=lambda g: (-g.score, order[g.key]))
    return out


def rrf(
    rankings: Sequence[Sequence[tuple[str, str]]],
    k: int = 60,
    weights: Sequence[float] | None = None,
) -> dict[tuple[str, str], float]:
    """Reciprocal rank fusion of ranked key lists: ``Σ w / (k + rank)`` (rank from 1)."""
    ws = list(weights) if weights is not None else [1.0] * len(rankings)
    scores: dict[tuple[str, str], float] = {}
    for w, ranking in zip(ws, rankings, strict=True):
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + w / (k + rank)
    return scores


def dbsf(
    rankings: Sequence[Sequence[ArticleGroup]], weights: Sequence[float] | None = None
) -> dict[tuple[str, str], float]:
    """Distribution-based score fusion (as Qdrant's DBSF): each ranking's scores are mapped
    through ``(s − (μ − 3σ)) / 6σ`` (clipped to [0, 1]) and summed with weights."""
    ws = list(weights) if weights is not None else [1.0] * len(rankings)
    scores: dict[tuple[str, str], float] = {}
    for w, ranking in zip(ws, rankings, strict=True):
        if not ranking:
            continue
        values = [g.score for g in ranking]
        mu = sum(values) / len(values)
        sigma = (sum((v - mu) ** 2 for v in values) / len(values)) ** 0.5
        lo, span = mu - 3 * sigma, 6 * sigma
        for g in ranking:
            norm = 1.0 if span <= 0 else min(1.0, max(0.0, (g.score - lo) / span))
            scores[g.key] = scores.get(g.key, 0.0) + w * norm
    return scores


# ---- result types ------------------------------------------------------------------------


def provision_from_passages(
    passages: Sequence[Passage], score: float, role: PassageRole = PassageRole.HIT
) -> Provision:
    first = passages[0]
    return Provision(
        address=first.address.article_address(),
        article_title=first.article_title,
        doc_label=first.doc_label,
        score=score,
        passages=tuple(passages),
        role=role,
    )
