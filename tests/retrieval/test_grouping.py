"""Article-level aggregation of chunk hits, client-side RRF and DBSF, passages → provisions."""

from __future__ import annotations

import pytest

from legal.address import LegalAddress
from retrieval.grouping import Hit, decayed_sum, group_by_article, provision_from_passages, rrf
from retrieval.ranking import hits as hits_of
from retrieval.records import ChunkRecord, DocumentRecord
from retrieval.store.base import StoredPoint
from retrieval.types import PassageRole


def chunk(doc: str, art: str, clause: str | None) -> ChunkRecord:
    addr = LegalAddress(doc, art, clause)
    return ChunkRecord(doc_id=doc, address=addr, text="", id=addr.canonical)


def hit(doc: str, art: str, clause: str | None, score: float) -> Hit:
    return Hit.of(chunk(doc, art, clause), score)


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


def test_group_ties_keep_hit_order() -> None:
    hits = [hit("A", "3", None, 0.5), hit("A", "2", None, 0.5)]
    assert [g.article for g in group_by_article(hits)] == ["3", "2"]


def test_search_points_become_chunk_hits_only() -> None:
    points = [
        StoredPoint("c", chunk("A", "3", "1").to_payload(), 0.5),
        StoredPoint("d", DocumentRecord(doc_id="A").to_payload(), 0.9),
    ]
    got = hits_of(points)
    assert [(h.id, h.score, h.article_key) for h in got] == [("c", 0.5, ("A", "3"))]


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


def test_provision_from_passages() -> None:
    p = hit("45/2019/QH14", "35", "2", 0.5).record.passage(score=0.5, doc_label="BLLĐ")
    prov = provision_from_passages([p], 0.5, PassageRole.CITED)
    assert prov.address == LegalAddress("45/2019/QH14", "35")
    assert prov.role is PassageRole.CITED and prov.doc_label == "BLLĐ"


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
