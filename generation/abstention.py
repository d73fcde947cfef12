"""When to abstain: is anything retrieved relevant enough to answer from?

Two signals, both per question:

* ``lexical`` (default): the largest share of the question's content words (diacritics
  folded, function words dropped, word pairs counted double) found in one retrieved passage
  (its article title + text). In [0, 1], comparable across indexes and fusion settings.
* ``retrieval``: the best search score of a hit. With RRF fusion this is rank-based
  (``1/(k+rank)`` summed over the dense and sparse lists) and says little about absolute
  relevance; use it only with DBSF fusion or a reranker.

The threshold (``LUATQA_LLM__MIN_RELEVANCE``) is calibrated on dev questions:
:func:`calibrate` picks the highest threshold that still answers a target share of the
answerable questions; see docs/abstention.md and scripts/calibrate_abstention.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from generation.backends.extractive import overlap_score
from retrieval.types import PassageRole, SearchResult

Signal = Literal["lexical", "retrieval"]


def retrieval_relevance(result: SearchResult) -> float:
    """The best score of a search hit (passages fetched because the question names them or
    a hit refers to them do not count)."""
    scores = [p.score for p in result.passages if p.role is PassageRole.HIT]
    scores += [prov.score for prov in result.provisions if prov.role is PassageRole.HIT]
    return max(scores, default=0.0)


def lexical_relevance(question: str, result: SearchResult) -> float:
    return max(
        (
            overlap_score(question, f"{p.article_title}\n{p.text}")
            for p in result.passages
            if p.role is PassageRole.HIT
        ),
        default=0.0,
    )


def relevance(question: str, result: SearchResult, signal: Signal = "lexical") -> float:
    if signal == "retrieval":
        return retrieval_relevance(result)
    return lexical_relevance(question, result)


@dataclass(frozen=True)
class Calibration:
    threshold: float
    answered_answerable: float  # share of answerable questions still answered
    abstained_unanswerable: float  # share of unanswerable questions abstained on
    n_answerable: int
    n_unanswerable: int
    auc: float  # P(score of an answerable > score of an unanswerable)

    def evaluate(self, answerable: Sequence[float], unanswerable: Sequence[float]) -> Calibration:
        """This threshold's rates on other (held-out) questions."""
        return Calibration(
            self.threshold,
            _share(answerable, lambda s: s >= self.threshold),
            _share(unanswerable, lambda s: s < self.threshold),
            len(answerable),
            len(unanswerable),
            auc(answerable, unanswerable),
        )


def _share(xs: Sequence[float], pred: object) -> float:
    assert callable(pred)
    return sum(1 for x in xs if pred(x)) / len(xs) if xs else 0.0


def auc(answerable: Sequence[float], unanswerable: Sequence[float]) -> float:
    if not answerable or not unanswerable:
        return float("nan")
    wins = sum((a > u) + 0.5 * (a == u) for a in answerable for u in unanswerable)
    return wins / (len(answerable) * len(unanswerable))


def calibrate(
    answerable: Sequence[float], unanswerable: Sequence[float], keep: float = 0.95
) -> Calibration:
    """The highest threshold that still answers at least ``keep`` of the answerable
    questions (a wrong abstention costs the user an answer; a missed one only costs a
    verified-or-flagged answer from weak context)."""
    if not answerable:
        raise ValueError("calibration needs answerable questions")
    ranked = sorted(answerable)
    drop = int((1.0 - keep) * len(ranked) + 1e-9)  # answerable questions we may abstain on
    threshold = ranked[drop]
    return Calibration(threshold, 0.0, 0.0, 0, 0, 0.0).evaluate(answerable, unanswerable)
