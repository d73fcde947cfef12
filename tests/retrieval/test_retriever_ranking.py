"""Retriever options that change the ranking (fusion level and weights, the glossary
clause of a definition question) on the small real index of conftest.py, and query analysis
(no index needed)."""

from __future__ import annotations

import numpy as np
import pytest

from legal.address import LegalAddress
from legal.errors import ConfigError
from retrieval.query import QueryAnalyzer
from retrieval.retriever import Retriever, RetrieverConfig
from retrieval.types import PassageRole

# ---- query analysis (no index needed) ----------------------------------------------------


def _analyzer() -> QueryAnalyzer:
    from legal.document import DocType, DocumentMeta
    from legal.registry import default_registry

    metas = [
        DocumentMeta("91/2015/QH13", "91/2015/QH13", DocType.BO_LUAT, "Bộ luật Dân sự", year=2015),
        DocumentMeta("45/2019/QH14", "45/2019/QH14", DocType.BO_LUAT, "Bộ luật Lao động"),
        DocumentMeta("Luật Viên chức", None, DocType.LUAT, "Luật Viên chức"),
    ]
    reg = default_registry().with_documents(metas)
    return QueryAnalyzer(reg, [m.doc_id for m in metas])


@pytest.mark.parametrize(
    ("query", "cited", "docs"),
    [
        ("Theo Điều 15, Bộ luật dân sự 2015, …", ["91/2015/QH13 › Điều 15"], ["91/2015/QH13"]),
        ("khoản 2 Điều 35 BLLĐ là gì", ["45/2019/QH14 › Điều 35 › Khoản 2"], ["45/2019/QH14"]),
        ("Điều 5 Luật Viên chức", ["Luật Viên chức › Điều 5"], ["Luật Viên chức"]),
        ("Theo luật viên chức, viên chức có quyền gì?", [], ["Luật Viên chức"]),
        # a bare article number is resolved when the question names one law
        ("Theo Điều 9: Thực hiện, trong BLDS 2015", ["91/2015/QH13 › Điều 9"], ["91/2015/QH13"]),
        # "của Bộ luật này" quotes the law's text: not what is asked
        ("mua dâm người dưới 18 tuổi quy định tại Điều 142 của Bộ luật này thì sao?", [], []),
        # a bare number with several laws in the index stays unresolved
        ("Theo Điều 32, việc sử dụng hình ảnh", [], []),
        # a law the index does not hold does not narrow the search
        ("Theo Luật Đất đai 2013, ai được giao đất?", [], []),
    ],
)  # fmt: skip
def test_query_analysis(query: str, cited: list[str], docs: list[str]) -> None:
    a = _analyzer().analyze(query)
    assert [c.canonical for c in a.cited] == cited
    assert list(a.docs) == docs


@pytest.mark.parametrize(
    ("query", "missing"),
    [
        ("Theo Bộ luật Hình sự 2017, hình phạt là gì?", ("Bộ luật Hình sự 2015 (100/2015/QH13)",)),
        ("Theo Nghị định 145/2020/NĐ-CP, tháng lẻ?", ("Nghị định 145/2020/NĐ-CP",)),
        # an indexed law: nothing missing
        ("Theo Bộ luật dân sự 2015, pháp nhân chấm dứt khi nào?", ()),
        # a code the registry has no such year of names no law we can tell
        ("Trong điều 10 của Bộ Luật dân sự 2019, nơi làm việc là gì?", ()),
    ],
)  # fmt: skip
def test_laws_named_but_not_indexed(query: str, missing: tuple[str, ...]) -> None:
    assert _analyzer().analyze(query).missing == missing


def test_query_analysis_scope_and_unknown_laws() -> None:
    a = _analyzer().analyze("Theo Điều 32, việc sử dụng hình ảnh", scope=["91/2015/QH13"])
    assert [c.canonical for c in a.cited] == ["91/2015/QH13 › Điều 32"]
    assert a.bare and a.bare[0].article == "32"
    a = _analyzer().analyze("Theo Luật Đất đai 2013, ai được giao đất?")
    assert a.unknown_laws == ("Luật Đất đai 2013",)
    assert a.missing == ("Luật Đất đai 2013 (45/2013/QH13)",)
    assert a.normalized == a.query
    assert _analyzer().analyze("hoà giải").normalized == "hòa giải"


@pytest.mark.parametrize("fusion", ["rrf", "dbsf"])
def test_article_level_fusion(retriever: Retriever, fusion: str) -> None:
    r = Retriever(
        retriever.store,
        retriever.embedder,
        retriever.sparse,
        config=RetrieverConfig(fusion_level="article", fusion=fusion),  # type: ignore[arg-type]
    )
    res = r.search("bị quấy rối tình dục tại nơi làm việc có phải báo trước?", k=5)
    hits = [p for p in res.provisions if p.role is PassageRole.HIT]
    assert LegalAddress("45/2019/QH14", "35") in [p.address for p in hits[:3]]
    assert [p.score for p in hits] == sorted((p.score for p in hits), reverse=True)
    assert len({p.address for p in hits}) == len(hits) <= 5


@pytest.mark.parametrize(
    ("fusion", "level"), [("rrf", "chunk"), ("rrf", "article"), ("dbsf", "article")]
)
def test_weights_are_honoured_by_every_fusion_that_takes_them(
    retriever: Retriever, fusion: str, level: str
) -> None:
    def ranking(dense_weight: float, sparse_weight: float) -> list[LegalAddress]:
        config = RetrieverConfig(
            fusion=fusion,  # type: ignore[arg-type]
            fusion_level=level,  # type: ignore[arg-type]
            dense_weight=dense_weight,
            sparse_weight=sparse_weight,
            understand=False,
            definitions=False,
        )
        r = Retriever(retriever.store, retriever.embedder, retriever.sparse, config=config)
        res = r.search("người lao động đơn phương chấm dứt hợp đồng", k=10)
        return [p.address for p in res.provisions if p.role is PassageRole.HIT]

    assert ranking(1.0, 0.01) != ranking(0.01, 1.0)


def test_weights_are_rejected_where_the_fusion_ignores_them() -> None:
    """Qdrant's DBSF at chunk level (the default) takes no weights: not silently ignored."""
    with pytest.raises(ConfigError, match=r"dense_weight=2\.0.*no effect with fusion 'dbsf'"):
        RetrieverConfig(dense_weight=2.0)
    with pytest.raises(ConfigError, match=r"sparse_weight=0\.5"):
        RetrieverConfig(fusion="dbsf", fusion_level="chunk", sparse_weight=0.5)
    assert RetrieverConfig().fusion == "dbsf"  # the default, with weights 1, is fine


def test_definition_question_puts_the_glossary_clause_first(retriever: Retriever) -> None:
    res = retriever.search("Theo luật, an ninh mạng là gì?")
    first = res.provisions[0]
    assert first.address == LegalAddress("24/2018/QH14", "2")
    assert first.passages[0].address == LegalAddress("24/2018/QH14", "2", "1")
    off = Retriever(
        retriever.store,
        retriever.embedder,
        retriever.sparse,
        config=RetrieverConfig(definitions=False),
    ).search("Theo luật, an ninh mạng là gì?")
    assert LegalAddress("24/2018/QH14", "2") in [p.address for p in off.provisions]
    # a term no glossary defines changes nothing
    plain = retriever.search("hợp đồng lao động là gì?")
    assert plain.provisions[0].address.doc == "45/2019/QH14"


def test_articles_named_by_heading_go_first(retriever: Retriever) -> None:
    from retrieval import ranking

    catalog = retriever.catalog
    groups = ranking.article_fusion(
        retriever.config,
        retriever.store,
        np.asarray(retriever.embedder.embed_query("chấm dứt hợp đồng"), dtype=np.float32),
        retriever.sparse.encode_query("chấm dứt hợp đồng"),
        None,
        5,
    )
    first = ranking.headings_first(
        catalog, retriever.reader, ["TRỢ CẤP THÔI VIỆC", "không có điều này"], groups, ()
    )
    assert first[0].key == ("45/2019/QH14", "46") and first[0].score >= groups[0].score
    assert [g.key for g in first].count(("45/2019/QH14", "46")) == 1
    assert len(first) == len({g.key for g in groups} | {("45/2019/QH14", "46")})
    # out of scope: nothing added
    scoped = ranking.headings_first(
        catalog, retriever.reader, ["Trợ cấp thôi việc"], groups, ("24/2018/QH14",)
    )
    assert scoped == groups
