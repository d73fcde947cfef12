"""Article-level aggregation of chunk hits, client-side RRF, payload → passages."""

from __future__ import annotations

import pytest

from legal.address import LegalAddress
from retrieval.grouping import (
    Hit,
    decayed_sum,
    group_by_article,
    passage_from_payload,
    provision_from_passages,
    rrf,
)
from retrieval.types import PassageRole


def hit(doc: str, art: str, clause: str | None, score: float) -> Hit:
    addr = LegalAddress(doc, art, clause)
    return Hit(addr.canonical, {"doc_id": doc, "article": art, "address": addr.canonical}, score)


def test_decayed_sum() -> None:
    assert decayed_sum([], 0.5) == 0.0
    assert decayed_sum([1.0], 0.5) == 1.0
    assert decayed_sum([0.25, 1.0, 0.5], 0.5) == pytest.approx(1.0 + 0.25 + 0.0625)
    assert decayed_sum([1.0, 1.0, 1.0], 0.0) == 1.0


def test_group_by_article_orders_and_merges() -> None:
    hits = [
        hit("A", "1", "1", 0.9),
        hit("B", "7", "2", 0.8),
        hit("B", "7", "3", 0.7),
        hit("A", "2", None, 0.5),
        hit("A", "1", "2", 0.1),
    ]
    groups = group_by_article(hits, decay=0.5)
    assert [g.key for g in groups] == [("B", "7"), ("A", "1"), ("A", "2")]
    assert groups[0].score == pytest.approx(0.8 + 0.35)
    assert groups[1].score == pytest.approx(0.9 + 0.05)
    assert [h.score for h in groups[0].hits] == [0.8, 0.7]
    # with no decay the best clause decides alone
    assert [g.key for g in group_by_article(hits, decay=0.0)][:2] == [("A", "1"), ("B", "7")]


def test_group_ties_keep_hit_order_and_skip_unaddressed() -> None:
    hits = [hit("A", "3", None, 0.5), hit("A", "2", None, 0.5)]
    hits.append(Hit("x", {"doc_id": "A", "kind": "document"}, 0.9))
    assert [g.article for g in group_by_article(hits)] == ["3", "2"]


def test_rrf() -> None:
    a, b, c = ("D", "1"), ("D", "2"), ("D", "3")
    scores = rrf([[a, b], [b, c]], k=1)
    assert scores[b] == pytest.approx(1 / 3 + 1 / 2)
    assert scores[a] == pytest.approx(1 / 2)
    assert scores[c] == pytest.approx(1 / 3)
    weighted = rrf([[a, b], [b, c]], k=1, weights=[2.0, 0.0])
    assert weighted[a] > weighted[b] and weighted[c] == 0.0
    with pytest.raises(ValueError):
        rrf([[a]], weights=[1.0, 2.0])


def test_passage_from_payload_and_provision() -> None:
    payload = {
        "doc_id": "45/2019/QH14",
        "address": "45/2019/QH14 › Điều 35 › Khoản 2",
        "text": "2. Người lao động ...",
        "article_title": "Quyền đơn phương chấm dứt hợp đồng lao động của người lao động",
        "hierarchy": "Chương III",
        "page": "12",
        "amendment_notes": ["1. được sửa đổi"],
    }
    p = passage_from_payload(
        payload, score=0.5, doc_label="Bộ luật Lao động 2019", doc_short="BLLĐ"
    )
    assert p.address == LegalAddress("45/2019/QH14", "35", "2")
    assert p.page == 12 and p.amendment_notes == ("1. được sửa đổi",)
    assert p.display_citation() == "khoản 2 Điều 35 Bộ luật Lao động 2019"
    assert p.display_citation(short=True) == "khoản 2 Điều 35 BLLĐ"
    prov = provision_from_passages([p], 0.5, PassageRole.CITED)
    assert prov.address == LegalAddress("45/2019/QH14", "35")
    assert prov.role is PassageRole.CITED and prov.doc_label == "Bộ luật Lao động 2019"
    # an article record without an address
    art = passage_from_payload({"doc_id": "X", "article": "3", "text": "t"})
    assert art.address == LegalAddress("X", "3") and art.doc_label == "X"


def test_dbsf_normalises_each_ranking() -> None:
    from retrieval.grouping import ArticleGroup, dbsf

    def g(art: str, score: float) -> ArticleGroup:
        return ArticleGroup("D", art, score, ())

    dense = [g("1", 0.9), g("2", 0.8), g("3", 0.1)]
    sparse = [g("2", 30.0), g("3", 29.0), g("4", 1.0)]
    scores = dbsf([dense, sparse])
    assert all(0.0 <= v <= 2.0 for v in scores.values())
    # "2" is strong in both rankings: it wins although it tops neither scale's raw numbers
    assert max(scores, key=lambda key: scores[key]) == ("D", "2")
    only_dense = dbsf([dense, sparse], weights=[1.0, 0.0])
    assert max(only_dense, key=lambda key: only_dense[key]) == ("D", "1")
    assert dbsf([[g("1", 0.5)]]) == {("D", "1"): 1.0}
