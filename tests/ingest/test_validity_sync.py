"""Validity across documents in the index, on both stores: the older act gets effective_to and
replaced_by when the newer one is indexed (either order), and an index built before validity
existed gets its fields on the next ingest without re-embedding anything."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

import ingest.chunking
from ingest.pipeline import IngestPipeline
from ingest.readers.text import parse_text
from legal.document import Document
from retrieval.records import ChunkRecord, DocumentRecord, Kind
from retrieval.sparse import BM25SparseEncoder
from retrieval.store.base import Filter, VectorStore
from tests.fakes import HashingEmbedder

OLD = """QUỐC HỘI
Bộ luật số: 10/2012/QH13
Hà Nội, ngày 18 tháng 6 năm 2012
BỘ LUẬT
LAO ĐỘNG

Điều 1. Thời giờ làm việc
Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày.
Điều 2. Hiệu lực thi hành
Bộ luật này có hiệu lực thi hành từ ngày 01 tháng 5 năm 2013.
"""
NEW = """QUỐC HỘI
Bộ luật số: 45/2019/QH14
Hà Nội, ngày 20 tháng 11 năm 2019
BỘ LUẬT
LAO ĐỘNG

Điều 1. Thời giờ làm việc
Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày và 48 giờ trong 01 tuần.
Điều 2. Hiệu lực thi hành
1. Bộ luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2021.
Bộ luật Lao động số 10/2012/QH13 hết hiệu lực thi hành kể từ ngày Bộ luật này có hiệu lực.
"""


class CountingEmbedder(HashingEmbedder):
    """The shared word-hashing embedder, counting the passages it embeds."""

    def __init__(self) -> None:
        self.embedded = 0

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        return super().embed_passages(texts)


@pytest.fixture(params=["edge", "server"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, open_test_store: Callable[..., VectorStore]
) -> Iterator[VectorStore]:
    s = open_test_store(request.param, tmp_path / "index")
    yield s
    s.close()


def _pipeline(store: VectorStore, embedder: CountingEmbedder) -> IngestPipeline:
    return IngestPipeline(store, embedder, BM25SparseEncoder(), loader=_loader)


def _loader(path: Path) -> list[Document]:
    return [parse_text(path.read_text(encoding="utf-8"))]


def _doc(store: VectorStore, doc_id: str) -> DocumentRecord:
    (p,) = store.scroll(Filter(kinds=(Kind.DOCUMENT,), doc_ids=(doc_id,)))
    return DocumentRecord.from_payload(p.payload, p.id)


def _chunks(store: VectorStore, doc_id: str) -> list[ChunkRecord]:
    return [
        ChunkRecord.from_payload(p.payload, p.id)
        for p in store.scroll(Filter(kinds=(Kind.CHUNK,), doc_ids=(doc_id,)))
    ]


@pytest.mark.parametrize("order", [("new", "old"), ("old", "new")])
def test_older_act_gets_effective_to_and_replaced_by(
    store: VectorStore, tmp_path: Path, order: tuple[str, str]
) -> None:
    files = {"old": tmp_path / "old.txt", "new": tmp_path / "new.txt"}
    files["old"].write_text(OLD, encoding="utf-8")
    files["new"].write_text(NEW, encoding="utf-8")
    pipeline = _pipeline(store, CountingEmbedder())
    first = pipeline.ingest_paths([files[order[0]]])
    if order[0] == "new":  # the older act not indexed: the relation is kept, nothing to set
        assert _doc(store, "45/2019/QH14").relations[0].number == "10/2012/QH13"
        assert first.validity_updated == ()
    report = pipeline.ingest_paths([files[order[1]]])
    assert report.validity_updated == ("10/2012/QH13",)
    old = _doc(store, "10/2012/QH13")
    assert (old.effective_from, old.effective_to, old.replaced_by) == (
        "2013-05-01",
        "2021-01-01",
        "45/2019/QH14",
    )
    chunk = _chunks(store, "10/2012/QH13")[0]
    assert (chunk.effective_to, chunk.replaced_by) == ("2021-01-01", "45/2019/QH14")
    assert _doc(store, "45/2019/QH14").effective_to is None
    in_2020 = {
        p.payload["doc_id"] for p in store.scroll(Filter(kinds=("chunk",), as_of="2020-06-01"))
    }
    in_2022 = {
        p.payload["doc_id"] for p in store.scroll(Filter(kinds=("chunk",), as_of="2022-06-01"))
    }
    assert (in_2020, in_2022) == ({"10/2012/QH13"}, {"45/2019/QH14"})
    # re-ingesting changes nothing and sets nothing
    assert pipeline.ingest_paths([files["old"], files["new"]]).validity_updated == ()


def test_an_index_built_before_validity_is_refreshed_without_re_embedding(
    store: VectorStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "new.txt"
    path.write_text(NEW, encoding="utf-8")
    embedder = CountingEmbedder()
    with monkeypatch.context() as m:  # the chunker as it was before validity existed
        m.setattr(ingest.chunking, "dated", lambda chunks, doc: chunks)
        _pipeline(store, embedder).ingest_paths([path])
    assert _doc(store, "45/2019/QH14").effective_from is None
    ids = {p.id for p in store.scroll()}
    embedded = embedder.embedded
    report = _pipeline(store, embedder).ingest_paths([path])
    (doc_report,) = report.documents
    assert doc_report.status == "unchanged" and doc_report.refreshed
    assert embedder.embedded == embedded and {p.id for p in store.scroll()} == ids
    doc = _doc(store, "45/2019/QH14")
    assert doc.effective_from == "2021-01-01" and doc.relations[0].number == "10/2012/QH13"
    assert {c.effective_from for c in _chunks(store, "45/2019/QH14")} == {"2021-01-01"}
    hits = store.dense_search(embedder.embed_query("thời giờ làm việc").tolist(), 3)
    assert hits  # the vectors are still there
    again = _pipeline(store, embedder).ingest_paths([path])
    assert not again.documents[0].refreshed


def test_one_file_at_a_time_as_the_ui_uploads(store: VectorStore, tmp_path: Path) -> None:
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(NEW, encoding="utf-8")
    pipeline = _pipeline(store, CountingEmbedder())
    pipeline.ingest_file(old)
    report = pipeline.ingest_file(new)
    assert report.validity_updated == ("10/2012/QH13",)
    assert _doc(store, "10/2012/QH13").replaced_by == "45/2019/QH14"
