"""Retrieval metrics: pure functions over ranks, no I/O.

A question's outcome at one level (article or clause) is described by ``ranks``: for every
gold unit, the 1-based position of the first retrieved unit that matches it, or ``None``
when it was not retrieved at all. Every metric below is a function of ``ranks`` alone
(plus the submitted set for the ALQAC-style set metrics), so the harness computes ranks once
and the metrics are easy to check by hand.

* ``recall_at(ranks, k)``  – share of the gold units found in the top ``k`` (with one gold
  unit, as in ALQAC, this is hit@k).
* ``reciprocal_rank(ranks, k)`` – 1 / rank of the best-ranked gold unit within ``k``, else 0.
* ``ndcg_at(ranks, k)`` – binary relevance, DCG = Σ 1/log2(rank+1) over gold units found
  within ``k``, divided by the ideal DCG of min(|gold|, k) units at ranks 1…
* ``set_scores(n_submitted, n_correct, n_gold)`` – ALQAC precision / recall / F2 of the set
  a system submits (F2 = 5·P·R / (4·P + R)); averaged per question (macro), like ALQAC.
* ``percentile(values, q)`` – linear interpolation between closest ranks (numpy's default).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Ranks = Sequence[int | None]

RECALL_KS: tuple[int, ...] = (1, 5, 10)
CUTOFF = 10  # MRR@10, nDCG@10


def _check(ranks: Ranks, k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be ≥ 1, got {k}")
    if any(r is not None and r < 1 for r in ranks):
        raise ValueError(f"ranks are 1-based, got {list(ranks)}")


def recall_at(ranks: Ranks, k: int) -> float:
    """Share of gold units retrieved within the top ``k``; 0.0 for an empty gold set."""
    _check(ranks, k)
    if not ranks:
        return 0.0
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def hit_at(ranks: Ranks, k: int) -> bool:
    """True when at least one gold unit is within the top ``k``."""
    _check(ranks, k)
    return any(r is not None and r <= k for r in ranks)


def first_rank(ranks: Ranks) -> int | None:
    found = [r for r in ranks if r is not None]
    return min(found) if found else None


def reciprocal_rank(ranks: Ranks, k: int = CUTOFF) -> float:
    _check(ranks, k)
    best = first_rank(ranks)
    return 1.0 / best if best is not None and best <= k else 0.0


def ndcg_at(ranks: Ranks, k: int = CUTOFF) -> float:
    _check(ranks, k)
    if not ranks:
        return 0.0
    dcg = sum(1.0 / math.log2(r + 1) for r in ranks if r is not None and r <= k)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(ranks), k) + 1))
    return dcg / ideal


@dataclass(frozen=True)
class SetScores:
    precision: float
    recall: float
    f2: float


def f_beta(precision: float, recall: float, beta: float = 2.0) -> float:
    b2 = beta * beta
    denom = b2 * precision + recall
    return (1 + b2) * precision * recall / denom if denom > 0 else 0.0


def set_scores(
    n_submitted: int, n_correct_submitted: int, n_gold_found: int, n_gold: int
) -> SetScores:
    """ALQAC scoring of one question's submitted set.

    precision = correct submitted units / submitted units (0 when nothing is submitted);
    recall = gold units covered by the submission / gold units."""
    if n_correct_submitted > n_submitted or n_gold_found > n_gold:
        raise ValueError("more correct than submitted, or more found than gold")
    precision = n_correct_submitted / n_submitted if n_submitted else 0.0
    recall = n_gold_found / n_gold if n_gold else 0.0
    return SetScores(precision, recall, f_beta(precision, recall))


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100), linear interpolation; None for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, got {q}")
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class QuestionScores:
    """One question at one level."""

    ranks: tuple[int | None, ...]
    submitted: int  # units in the submitted set
    submitted_correct: int  # submitted units that match a gold unit
    gold_found: int  # gold units matched by the submitted set

    @property
    def set_scores(self) -> SetScores:
        return set_scores(self.submitted, self.submitted_correct, self.gold_found, len(self.ranks))


@dataclass(frozen=True)
class LevelMetrics:
    """Averages over the questions that have gold at this level (``n`` of them)."""

    n: int
    recall: dict[int, float | None]  # k → Recall@k
    mrr10: float | None
    ndcg10: float | None
    precision: float | None  # ALQAC set precision (macro)
    set_recall: float | None  # ALQAC set recall (macro)
    f2: float | None  # ALQAC F2 (macro: mean of per-question F2)

    def to_json(self) -> dict[str, float | None]:
        """The keys of ``luatqa eval --json``."""
        out: dict[str, float | None] = {f"recall@{k}": self.recall.get(k) for k in RECALL_KS}
        out["mrr@10"] = self.mrr10
        out["ndcg@10"] = self.ndcg10
        out["f2"] = self.f2
        return out


def aggregate(questions: Sequence[QuestionScores]) -> LevelMetrics:
    """Macro averages; every value is None when there are no questions."""
    scored = [q for q in questions if q.ranks]
    sets = [q.set_scores for q in scored]
    return LevelMetrics(
        n=len(scored),
        recall={k: mean([recall_at(q.ranks, k) for q in scored]) for k in RECALL_KS},
        mrr10=mean([reciprocal_rank(q.ranks, CUTOFF) for q in scored]),
        ndcg10=mean([ndcg_at(q.ranks, CUTOFF) for q in scored]),
        precision=mean([s.precision for s in sets]),
        set_recall=mean([s.recall for s in sets]),
        f2=mean([s.f2 for s in sets]),
    )


def recall_curve(questions: Sequence[QuestionScores], max_k: int) -> list[float]:
    """Recall@k for k = 1..max_k (for the report's plot)."""
    scored = [q for q in questions if q.ranks]
    if not scored:
        return []
    return [sum(recall_at(q.ranks, k) for q in scored) / len(scored) for k in range(1, max_k + 1)]
