"""One contract, both stores: the embedded qdrant-edge store and the qdrant-client store
(in qdrant-client's local mode, which speaks the server API)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from qdrant_client import QdrantClient

from legal.errors import StoreError
from retrieval.store.base import Filter, PointRecord, SparseVector, VectorStore
from retrieval.store.edge import EdgeStore
from retrieval.store.factory import StoreConfig, open_store
from retrieval.store.server import ServerStore

DIM = 4


def pid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def sv(*pairs: tuple[int, float]) -> SparseVector:
    pairs = tuple(sorted(pairs))
    return SparseVector(tuple(i for i, _ in pairs), tuple(v for _, v in pairs))


def chunk(name: str, dense: list[float], sparse: SparseVector, **payload: object) -> PointRecord:
    base: dict[str, object] = {
        "kind": "chunk",
        "doc_id": "45/2019/QH14",
        "doc_type": "Bộ luật",
        "doc_version": "v1",
        "article": "1",
        "address": f"45/2019/QH14 › Điều 1 › Khoản {name}",
        "text": name,
    }
    base.update(payload)
    return PointRecord(pid(name), base, dense, sparse)


# A corpus where "leave" is obviously the answer: close dense vector and its rare terms.
POINTS = [
    chunk("leave", [1.0, 0.0, 0.0, 0.0], sv((101, 1.5), (102, 1.0)), article="113"),
    chunk("wage", [0.0, 1.0, 0.0, 0.0], sv((201, 1.2), (9, 1.0)), article="90"),
    chunk("contract", [0.0, 0.0, 1.0, 0.0], sv((301, 1.1), (9, 1.0)), article="13"),
    chunk(
        "crime",
        [0.0, 0.0, 0.0, 1.0],
        sv((401, 1.0), (9, 1.0)),
        doc_id="01/VBHN-VPQH",
        doc_type="Văn bản hợp nhất",
        article="418",
        doc_version="v2",
    ),
    PointRecord(
        pid("article-113"),
        {"kind": "article", "doc_id": "45/2019/QH14", "doc_version": "v1", "article": "113"},
    ),
    PointRecord(
        pid("document"), {"kind": "document", "doc_id": "45/2019/QH14", "doc_version": "v1"}
    ),
]


@pytest.fixture(params=["edge", "server"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, open_test_store: Callable[..., VectorStore]
) -> Iterator[VectorStore]:
    s = open_test_store(request.param, tmp_path / "index", collection="contract")
    s.ensure_collection(DIM)
    s.upsert(POINTS)
    yield s
    s.close()


def test_protocol_and_count(store: VectorStore) -> None:
    assert isinstance(store, VectorStore)
    assert store.count() == len(POINTS)
    assert store.count(Filter(kinds=("chunk",))) == 4
    assert store.count(Filter(doc_ids=("01/VBHN-VPQH",))) == 1
    assert store.count(Filter(kinds=("chunk",), doc_types=("Bộ luật",))) == 3
    assert store.describe()["points"] == len(POINTS)


def test_retrieve_returns_payload_and_string_ids(store: VectorStore) -> None:
    got = store.retrieve([pid("wage"), pid("document"), pid("missing")])
    by_id = {p.id: p for p in got}
    assert set(by_id) == {pid("wage"), pid("document")}
    assert by_id[pid("wage")].payload["article"] == "90"
    assert by_id[pid("document")].payload["kind"] == "document"


def test_scroll_with_filters_and_batches(store: VectorStore) -> None:
    all_ids = {p.id for p in store.scroll(batch=2)}
    assert all_ids == {p.id for p in POINTS}
    arts = {p.payload["article"] for p in store.scroll(Filter(articles=("113", "90")), batch=1)}
    assert arts == {"113", "90"}
    not_v1 = list(store.scroll(Filter(exclude_doc_versions=("v1",))))
    assert [p.id for p in not_v1] == [pid("crime")]
    extra = list(store.scroll(Filter(extra={"text": "contract"})))
    assert [p.id for p in extra] == [pid("contract")]
    by_addr = list(store.scroll(Filter(addresses=("45/2019/QH14 › Điều 1 › Khoản wage",))))
    assert [p.id for p in by_addr] == [pid("wage")]


def test_upsert_is_idempotent_and_overwrites(store: VectorStore) -> None:
    store.upsert([chunk("wage", [0.0, 1.0, 0.0, 0.0], sv((201, 1.0)), text="new wage")])
    assert store.count() == len(POINTS)
    assert store.retrieve([pid("wage")])[0].payload["text"] == "new wage"


def test_delete_and_delete_where(store: VectorStore) -> None:
    store.delete([pid("wage")])
    assert store.count() == len(POINTS) - 1
    store.delete_where(Filter(doc_ids=("45/2019/QH14",), exclude_doc_versions=("v2",)))
    assert {p.id for p in store.scroll()} == {pid("crime")}
    with pytest.raises(StoreError):
        store.delete_where(Filter())


@pytest.mark.parametrize("fusion", ["rrf", "dbsf"])
def test_hybrid_ranks_the_relevant_point_first(store: VectorStore, fusion: str) -> None:
    hits = store.hybrid_search(
        [0.9, 0.1, 0.1, 0.0],
        sv((101, 1.0), (102, 1.0)),
        limit=3,
        fusion=fusion,  # type: ignore[arg-type]
    )
    assert hits[0].id == pid("leave")
    assert hits[0].score > hits[-1].score
    # payload-only records (article/document) never come out of a vector search
    assert all(h.payload["kind"] == "chunk" for h in hits)


def test_optimize_keeps_every_point_and_the_ranking(store: VectorStore) -> None:
    before = store.hybrid_search([0.9, 0.1, 0.1, 0.0], sv((101, 1.0), (102, 1.0)), limit=3)
    n = store.count()
    store.optimize()
    after = store.hybrid_search([0.9, 0.1, 0.1, 0.0], sv((101, 1.0), (102, 1.0)), limit=3)
    assert store.count() == n
    assert [h.id for h in after] == [h.id for h in before]


def test_rrf_weights_change_the_ranking(store: VectorStore) -> None:
    # dense points to "wage", sparse to "contract": the heavier side wins
    dense, sparse = [0.0, 1.0, 0.0, 0.0], sv((301, 1.0))
    dense_heavy = store.hybrid_search(dense, sparse, 2, weights=(3.0, 1.0), prefetch_limit=1)
    sparse_heavy = store.hybrid_search(dense, sparse, 2, weights=(1.0, 3.0), prefetch_limit=1)
    assert dense_heavy[0].id == pid("wage")
    assert sparse_heavy[0].id == pid("contract")


def test_hybrid_search_respects_filter(store: VectorStore) -> None:
    hits = store.hybrid_search(
        [1.0, 0.0, 0.0, 0.0], sv((9, 1.0)), limit=5, flt=Filter(doc_ids=("01/VBHN-VPQH",))
    )
    assert [h.id for h in hits] == [pid("crime")]


def test_dense_and_sparse_search(store: VectorStore) -> None:
    assert store.dense_search([0.0, 0.0, 1.0, 0.0], 1)[0].id == pid("contract")
    sparse_hits = store.sparse_search(sv((401, 1.0)), 5)
    assert [h.id for h in sparse_hits] == [pid("crime")]
    assert store.sparse_search(SparseVector((), ()), 5) == []


def test_dimension_mismatch_is_a_store_error(store: VectorStore) -> None:
    with pytest.raises(StoreError, match="dimensional"):
        store.ensure_collection(DIM + 1)


def test_edge_persists_across_reopen(tmp_path: Path) -> None:
    s = EdgeStore(tmp_path / "idx")
    s.ensure_collection(DIM)
    s.upsert(POINTS)
    s.close()
    s2 = EdgeStore(tmp_path / "idx")
    try:
        assert s2.count() == len(POINTS)
        s2.ensure_collection(DIM)  # existing collection, same dim: fine
        assert s2.hybrid_search([1.0, 0, 0, 0], sv((101, 1.0)), 1)[0].id == pid("leave")
    finally:
        s2.close()


def test_edge_second_open_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    first = EdgeStore(tmp_path / "idx")
    try:
        with pytest.raises(StoreError, match="open in another process"):
            EdgeStore(tmp_path / "idx")
    finally:
        first.close()
    EdgeStore(tmp_path / "idx").close()  # released on close


def test_empty_edge_index_reads_as_empty(tmp_path: Path) -> None:
    s = EdgeStore(tmp_path / "empty")
    try:
        assert s.count() == 0
        assert list(s.scroll()) == []
        assert s.retrieve([pid("x")]) == []
        with pytest.raises(StoreError, match="ingest"):
            s.upsert(POINTS[:1])
    finally:
        s.close()


def test_server_local_path_persists(tmp_path: Path) -> None:
    s = ServerStore(QdrantClient(path=str(tmp_path / "q")), collection="c")
    s.ensure_collection(DIM)
    s.upsert(POINTS)
    s.close()
    s2 = ServerStore(QdrantClient(path=str(tmp_path / "q")), collection="c")
    try:
        assert s2.count(Filter(kinds=("document",))) == 1
    finally:
        s2.close()


def test_factory_picks_the_backend(tmp_path: Path) -> None:
    edge = open_store(StoreConfig(dir=tmp_path / "f"))
    try:
        assert isinstance(edge, EdgeStore)
    finally:
        edge.close()
    server = open_store(StoreConfig(qdrant_url="http://127.0.0.1:9", collection="x"))
    assert isinstance(server, ServerStore)
    with pytest.raises(StoreError, match="Qdrant"):
        server.count()
    server.close()


# ---- one contract: errors and filters (regressions of #10) ---------------------------------


class _BrokenEngine:
    """Every call fails the way an engine does: not with a StoreError."""

    def __getattr__(self, name: str) -> object:
        def fail(*args: object, **kwargs: object) -> object:
            raise RuntimeError(f"engine down ({name})")

        return fail


@contextmanager
def _broken(store: VectorStore) -> Iterator[None]:
    """The store's engine (shard or client) broken for the block, then restored."""
    attr = "_shard" if isinstance(store, EdgeStore) else "client"
    engine = getattr(store, attr)
    setattr(store, attr, _BrokenEngine())
    try:
        yield
    finally:
        setattr(store, attr, engine)


def test_bad_requests_are_store_errors(store: VectorStore) -> None:
    unusable = Filter(extra={"text": object()})  # no engine can match on this value
    with pytest.raises(StoreError):
        store.delete(["not-a-uuid"])
    with pytest.raises(StoreError):
        store.delete_where(unusable)
    with pytest.raises(StoreError):
        store.retrieve(["not-a-uuid"])
    with pytest.raises(StoreError):
        store.count(unusable)
    with pytest.raises(StoreError):
        list(store.scroll(unusable))
    assert store.count() == len(POINTS)  # nothing was deleted


def test_engine_failures_on_delete_are_store_errors(store: VectorStore) -> None:
    with _broken(store), pytest.raises(StoreError, match="engine down"):
        store.delete([pid("wage")])
    with _broken(store), pytest.raises(StoreError, match="engine down"):
        store.delete_where(Filter(doc_ids=("45/2019/QH14",)))
    assert store.count() == len(POINTS)


@pytest.mark.parametrize("fusion", ["rrf", "dbsf"])
def test_both_stores_return_the_same_filtered_fusion(tmp_path: Path, fusion: str) -> None:
    edge = EdgeStore(tmp_path / "index")
    server = ServerStore(QdrantClient(location=":memory:"), collection="same")
    try:
        results = []
        for s in (edge, server):
            s.ensure_collection(DIM)
            s.upsert(POINTS)
            hits = s.hybrid_search(
                [0.6, 0.3, 0.1, 0.0],  # no ties: one ranking is right
                sv((9, 1.0), (201, 0.5)),
                limit=5,
                fusion=fusion,  # type: ignore[arg-type]
                flt=Filter(doc_types=("Bộ luật",)),
            )
            results.append([h.id for h in hits])
        assert results[0] == results[1]
        assert set(results[0]) == {pid("wage"), pid("contract"), pid("leave")}
    finally:
        edge.close()
        server.close()


def test_server_filters_the_prefetches_not_the_fused_list() -> None:
    server = ServerStore(QdrantClient(location=":memory:"), collection="spy")
    server.ensure_collection(DIM)
    server.upsert(POINTS)
    calls: list[dict[str, object]] = []
    query_points = server.client.query_points

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(kwargs)
        return query_points(*args, **kwargs)  # type: ignore[arg-type]

    server.client.query_points = spy  # type: ignore[method-assign]
    server.hybrid_search([1.0, 0, 0, 0], sv((9, 1.0)), 3, flt=Filter(doc_ids=("01/VBHN-VPQH",)))
    [call] = calls
    assert call.get("query_filter") is None
    prefetch = call["prefetch"]
    assert isinstance(prefetch, list) and all(p.filter is not None for p in prefetch)
    server.close()


# ---- validity (issue 11): as-of filtering in the store, payload set without re-embedding ----


def test_as_of_filter_and_set_payload(store: VectorStore) -> None:
    everything = {p.id for p in store.scroll()}
    # nothing carries validity yet (an index built before it): nothing is excluded
    assert {p.id for p in store.scroll(Filter(as_of="2020-01-01"))} == everything
    store.set_payload(Filter(doc_ids=("45/2019/QH14",)), {"effective_from": "2021-01-01"})
    store.set_payload(Filter(doc_ids=("01/VBHN-VPQH",)), {"effective_to": "2021-01-01"})
    assert store.retrieve([pid("wage")])[0].payload["effective_from"] == "2021-01-01"
    assert store.retrieve([pid("wage")])[0].payload["text"] == "wage"  # the rest kept
    before = {p.payload["doc_id"] for p in store.scroll(Filter(as_of="2020-12-31"))}
    assert before == {"01/VBHN-VPQH"}
    on_the_day = {p.payload["doc_id"] for p in store.scroll(Filter(as_of="2021-01-01"))}
    assert on_the_day == {"45/2019/QH14"}  # from is inclusive, to exclusive
    hits = store.hybrid_search(
        [0.0, 0.0, 0.0, 1.0], sv((401, 1.0)), limit=4, flt=Filter(as_of="2022-06-01")
    )
    assert pid("crime") not in {h.id for h in hits} and hits
    with pytest.raises(StoreError):
        store.set_payload(Filter(), {"effective_to": "2021-01-01"})
