"""Shared fixtures. The real corpora live in ../shared/corpus (read in place, never copied)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

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


# ---- a real vLLM (CPU) server, shared by tests/generation and tests/finetune -------------------
VLLM_PYTHON = REPO / ".venv-vllm" / "bin" / "python"


@dataclass
class VllmServer:
    url: str  # http://127.0.0.1:PORT/v1
    proc: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        """Kill the whole process group (vLLM forks workers); idempotent."""
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@contextmanager
def _run_vllm(args: list[str], log: Path, start_timeout_s: float = 480) -> Iterator[VllmServer]:
    """Start ``.venv-vllm``'s OpenAI server with ``args`` on a free loopback port, wait for
    /health, yield it, and always shut it down. Missing venv: skip locally, fail in CI."""
    if not VLLM_PYTHON.exists():
        reason = f"needs the vLLM venv at {VLLM_PYTHON}: run `make vllm-venv`"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI: {reason}")
        pytest.skip(reason)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    cmd = [str(VLLM_PYTHON), "-m", "vllm.entrypoints.openai.api_server", *args]
    cmd += ["--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1", "VLLM_TARGET_DEVICE": "cpu"}
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    server = VllmServer(f"http://127.0.0.1:{port}/v1", proc, log)
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            if proc.poll() is not None:
                pytest.fail(f"vLLM exited with {proc.returncode}:\n{server.log_tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"vLLM not up after {start_timeout_s} s:\n{server.log_tail()}")
            time.sleep(1)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def vllm_launcher() -> Callable[..., AbstractContextManager[VllmServer]]:
    """``with vllm_launcher([...vllm args...], log_path) as server:`` — see :func:`_run_vllm`."""
    return _run_vllm
