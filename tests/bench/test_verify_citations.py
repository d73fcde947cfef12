"""bench/verify_citations.py: each corruption of a gold provision, on the small labor index
of tests/conftest.py (Điều 35: Khoản 1, 2; Điều 36: Khoản 1), and the figures it reports."""

from __future__ import annotations

from collections import Counter

from bench.verify_citations import CORRUPTIONS, Law, corrupt, summarise, written
from legal.address import LegalAddress
from legal.registry import default_registry
from retrieval.articles import ArticleReader
from retrieval.catalog import Catalog
from retrieval.records import ArticleRecord
from retrieval.resolve import CitationResolver
from retrieval.store.base import PointRecord, VectorStore

LAW = "45/2019/QH14"


def test_each_corruption_of_a_gold_citation(records_store: VectorStore) -> None:
    # the fixture's Điều 36 has chunks but no article record (a crash between the writes)
    a36 = ArticleRecord(
        doc_id=LAW,
        address=LegalAddress(LAW, "36"),
        text="1. …",
        id=f"{'4' * 8}-0000-4000-8000-{'0' * 12}",
    )
    records_store.upsert([PointRecord(a36.id, a36.to_payload(), None)])
    reader = ArticleReader(records_store)
    laws = Law(CitationResolver(reader, Catalog.load(reader, default_registry())))
    assert laws.articles == {LAW: ["35", "36"]} and laws.clauses(LAW, "35") == [1, 2]
    gold = LegalAddress(LAW, "35", "2")
    made = {kind: corrupt(kind, gold, laws) for kind in CORRUPTIONS}
    assert made == {
        "article-out-of-range": "khoản 2 Điều 72 Bộ luật Lao động 2019",  # 36 + 1 + 35 % 50
        "article-neighbour": "khoản 2 Điều 36 Bộ luật Lao động 2019",
        "law-not-indexed": "khoản 2 Điều 35 Luật Đất đai 2013",
        "law-other-indexed": None,  # the index holds one law
        "clause-nonexistent": "khoản 3 Điều 35 Bộ luật Lao động 2019",
    }
    for kind in ("article-out-of-range", "article-neighbour", "law-not-indexed"):
        (got,) = laws.resolver.resolve_text(str(made[kind]))
        assert not got.resolved, kind
    assert laws.resolver.resolve_text(written("35", "2", None, laws.label(LAW)))[0].resolved


def test_precision_and_recall_of_unresolved() -> None:
    counts = Counter(
        {"alqac2022:n": 10, "alqac2022:flagged": 1, "labor-answers-with-law:n": 5}
        | {f"{k}:n": 4 for k in CORRUPTIONS}
        | {"article-out-of-range:flagged": 4, "clause-nonexistent:flagged": 4}
        | {"law-not-indexed:flagged": 4, "article-neighbour:flagged": 1}
    )
    got = summarise(counts, Counter())
    assert got["precision_unresolved"] == round(13 / 14, 4)
    assert got["recall_unresolved"] == round(13 / 20, 4)
    assert got["recall_unresolved_nonexistent_only"] == 1.0
    assert set(got["gold"]) == {"alqac2022"}  # the with-law variant is reported apart
