"""Metrics checked against values computed by hand."""

from __future__ import annotations

import math

import pytest

from eval.metrics import (
    QuestionScores,
    aggregate,
    f_beta,
    hit_at,
    ndcg_at,
    percentile,
    recall_at,
    recall_curve,
    reciprocal_rank,
    set_scores,
)


def test_recall_at_counts_share_of_gold_within_k() -> None:
    assert recall_at([3], 1) == 0.0
    assert recall_at([3], 5) == 1.0
    assert recall_at([1, None], 10) == 0.5
    assert recall_at([2, 7], 5) == 0.5
    assert recall_at([2, 7], 10) == 1.0
    assert recall_at([None], 10) == 0.0
    assert recall_at([], 10) == 0.0


def test_hit_and_reciprocal_rank() -> None:
    assert hit_at([None, 4], 5) is True
    assert hit_at([None, 6], 5) is False
    assert reciprocal_rank([4, 2]) == 0.5
    assert reciprocal_rank([11]) == 0.0  # beyond the cutoff of 10
    assert reciprocal_rank([None]) == 0.0
    assert reciprocal_rank([3], k=2) == 0.0


def test_ndcg_binary_relevance() -> None:
    assert ndcg_at([1]) == 1.0
    assert ndcg_at([2]) == pytest.approx(1 / math.log2(3))  # 0.6309
    # two gold units at ranks 1 and 3: (1 + 1/2) / (1 + 1/log2(3))
    assert ndcg_at([1, 3]) == pytest.approx(1.5 / (1 + 0.6309297535714575))
    assert ndcg_at([None, 2]) == pytest.approx(0.6309297535714575 / 1.6309297535714575)
    assert ndcg_at([12]) == 0.0


def test_ranks_are_one_based() -> None:
    with pytest.raises(ValueError):
        recall_at([0], 5)
    with pytest.raises(ValueError):
        recall_at([1], 0)


def test_alqac_set_scores_and_f2() -> None:
    # submitted 2, 1 correct, the only gold found: P=0.5, R=1, F2 = 5*.5*1/(2+1) = 0.8333
    s = set_scores(2, 1, 1, 1)
    assert (s.precision, s.recall) == (0.5, 1.0)
    assert s.f2 == pytest.approx(2.5 / 3)
    assert set_scores(1, 1, 1, 1).f2 == 1.0
    assert set_scores(1, 0, 0, 1).f2 == 0.0
    assert set_scores(0, 0, 0, 1).precision == 0.0
    # P=1, R=0.5 (one of two gold submitted): F2 = 5*.5/(4+.5) = 0.5556
    assert f_beta(1.0, 0.5) == pytest.approx(2.5 / 4.5)
    with pytest.raises(ValueError):
        set_scores(1, 2, 1, 1)


def test_percentile_interpolates() -> None:
    xs = [10.0, 20.0, 30.0, 40.0]
    assert percentile(xs, 50) == 25.0
    assert percentile(xs, 95) == pytest.approx(38.5)  # pos 2.85 → 30 + .85*10
    assert percentile([5.0], 95) == 5.0
    assert percentile([], 50) is None


def test_aggregate_macro_averages() -> None:
    qs = [
        QuestionScores(ranks=(1,), submitted=1, submitted_correct=1, gold_found=1),
        QuestionScores(ranks=(4,), submitted=1, submitted_correct=0, gold_found=0),
        QuestionScores(ranks=(None,), submitted=1, submitted_correct=0, gold_found=0),
        QuestionScores(ranks=(2, None), submitted=1, submitted_correct=0, gold_found=0),
    ]
    m = aggregate(qs)
    assert m.n == 4
    assert m.recall[1] == 0.25
    assert m.recall[5] == pytest.approx((1 + 1 + 0 + 0.5) / 4)
    assert m.mrr10 == pytest.approx((1 + 0.25 + 0 + 0.5) / 4)
    ndcg_q4 = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert m.ndcg10 == pytest.approx((1 + 1 / math.log2(5) + 0 + ndcg_q4) / 4)
    assert m.f2 == 0.25
    assert m.precision == 0.25
    assert m.to_json()["recall@1"] == 0.25
    assert set(m.to_json()) == {"recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "f2"}
    assert recall_curve(qs, 4) == pytest.approx([0.25, 0.375, 0.375, 0.625])


def test_aggregate_of_nothing_is_none() -> None:
    m = aggregate([])
    assert m.n == 0
    assert m.recall[10] is None and m.f2 is None and m.mrr10 is None
