"""Fixtures of the Retriever tests (test_retriever*.py): a small real index of slices of the
ALQAC 2022 laws, on both stores (the embedded qdrant-edge shard and qdrant-client in local
mode, the server code path).

The dense side uses a small bag-of-words hashing embedder of its own (the tests check the
dense side's plumbing; ranking quality is measured by the tuning loop)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from ingest.load import load_documents
from legal.address import LegalAddress
from legal.document import Document
from retrieval.embedders.base import DenseEmbedder
from retrieval.retriever import Retriever, RetrieverConfig
from retrieval.sparse import BM25SparseEncoder
from retrieval.store.base import PointRecord, VectorStore
from tests.fakes import DIM, HashingEmbedder

# article slices: labour contract termination (34–48) and the cybersecurity law's opening
SLICES: dict[str, set[int]] = {
    "45/2019/QH14": {34, 35, 36, 37, 40, 46, 47},
    "24/2018/QH14": {1, 2, 3, 8},
}
LABELS = {"45/2019/QH14": "Bộ luật Lao động 2019", "24/2018/QH14": "Luật An ninh mạng 2018"}


def _id(key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def records(
    docs: Sequence[Document],
    embedder: DenseEmbedder,
    slices: Mapping[str, set[int]] = SLICES,
) -> list[PointRecord]:
    """Chunk (Khoản) and article records of the articles in ``slices``, with the payload
    schema of retrieval.store.base."""
    sparse = BM25SparseEncoder()
    out: list[PointRecord] = []
    texts: list[str] = []
    payloads: list[dict[str, object]] = []
    for d in docs:
        keep = slices[d.doc_id]
        base = {"doc_id": d.doc_id, "doc_type": d.meta.doc_type.value, "doc_version": "v1"}
        out.append(
            PointRecord(
                _id(d.doc_id),
                {**base, "kind": "document", "title": d.meta.title, "number": d.meta.number,
                 "year": d.meta.year, "doc_label": LABELS[d.doc_id]},
            )
        )  # fmt: skip
        for a in d.articles:
            if int(a.number) not in keep:
                continue
            art = {**base, "article": a.number, "article_title": a.title,
                   "doc_label": LABELS[d.doc_id]}  # fmt: skip
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
    dense = embedder.embed_passages(texts)
    for p, t, v in zip(payloads, texts, dense, strict=True):
        out.append(PointRecord(_id(str(p["address"])), p, v.tolist(), sparse.encode_passage(t)))
    return out


@pytest.fixture(scope="session")
def make_slice_records() -> Callable[..., list[PointRecord]]:
    """``make_slice_records(docs, embedder, slices=SLICES)``: see :func:`records`."""
    return records


@pytest.fixture(scope="session")
def hashing_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="module")
def docs(shared_corpus: Path) -> list[Document]:
    """The two laws of :data:`SLICES`, parsed from ALQAC 2022 law.json."""
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
    """A Retriever over the slices (40 candidates), on each store in turn."""
    store = open_test_store(request.param, tmp_path_factory.mktemp(request.param) / "idx")
    store.ensure_collection(DIM)
    emb = HashingEmbedder()
    store.upsert(slice_records)
    store.flush()
    yield Retriever(store, emb, BM25SparseEncoder(), config=RetrieverConfig(candidates=40))
    store.close()
