"""The adapter ``luatqa finetune train`` writes is served by a real vLLM (CPU) next to the
base model (``--enable-lora --lora-modules NAME=DIR --max-lora-rank 16``) and answers through
``luatqa ask`` with the adapter's name as the model, over the small real index.

Needs ``.venv-vllm`` (``make vllm-venv``): skipped with a reason when missing locally, a
failure when ``CI=true``. The server is always killed (whole process group) at the end."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.vllm,
    pytest.mark.finetune,
    pytest.mark.slow,
    pytest.mark.shared,
    pytest.mark.timeout(1200),
]

REPO = Path(__file__).resolve().parents[2]
VLLM_PYTHON = REPO / ".venv-vllm" / "bin" / "python"
ADAPTER = "luatqa-tiny"
MAX_MODEL_LEN = 2048
START_TIMEOUT_S = 480
QUESTION = "Hợp đồng lao động phải có những nội dung chủ yếu nào?"


@dataclass
class LoraServer:
    url: str
    base: str
    proc: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def lora_server(
    tiny_llama: Path, trained_adapter: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoraServer]:
    if not VLLM_PYTHON.exists():
        reason = f"needs the vLLM venv at {VLLM_PYTHON}: run `make vllm-venv`"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI: {reason}")
        pytest.skip(reason)
    port = _free_port()
    cmd = [
        str(VLLM_PYTHON), "-m", "vllm.entrypoints.openai.api_server",
        "--model", str(tiny_llama), "--dtype", "bfloat16",
        "--max-model-len", str(MAX_MODEL_LEN), "--host", "127.0.0.1", "--port", str(port),
        "--enable-lora", "--lora-modules", f"{ADAPTER}={trained_adapter}",
        "--max-lora-rank", "16",
    ]  # fmt: skip
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1", "VLLM_TARGET_DEVICE": "cpu"}
    log = tmp_path_factory.mktemp("vllm-lora") / "vllm.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    server = LoraServer(f"http://127.0.0.1:{port}/v1", str(tiny_llama), proc, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"vLLM exited with {proc.returncode}:\n{server.tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"vLLM not up after {START_TIMEOUT_S} s:\n{server.tail()}")
            time.sleep(1)
        yield server
    finally:
        server.stop()


def _ask(index: Path, server: LoraServer, model: str, monkeypatch: pytest.MonkeyPatch) -> dict:  # type: ignore[type-arg]
    from typer.testing import CliRunner

    from app.cli import _register, cli

    _register()
    monkeypatch.setenv("LUATQA_LLM__MAX_MODEL_LEN", str(MAX_MODEL_LEN))
    monkeypatch.setenv("LUATQA_LLM__MAX_ANSWER_TOKENS", "48")
    monkeypatch.setenv("LUATQA_LLM__MAX_RETRIES", "0")
    monkeypatch.setenv("LUATQA_LLM__TIMEOUT_S", "60")
    monkeypatch.setenv("LUATQA_LLM__BACKEND", "vllm")  # no silent extractive fallback
    args = ["--index", str(index), "ask", QUESTION, "--json", "--llm-url", server.url]
    result = CliRunner().invoke(cli, [*args, "--model", model])
    assert result.exit_code == 0, result.output + repr(result.exception) + server.tail()
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_trained_adapter_is_served_next_to_the_base_model(lora_server: LoraServer) -> None:
    with urllib.request.urlopen(lora_server.url + "/models", timeout=5) as r:
        served = {m["id"] for m in json.load(r)["data"]}
    assert {ADAPTER, lora_server.base} <= served


def test_luatqa_ask_answers_with_the_adapter(
    lora_server: LoraServer, small_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _ask(small_index, lora_server, ADAPTER, monkeypatch)
    assert data["mode"] == "generated" and data["text"].strip()
    assert data["model"] == ADAPTER
    given = {p["address"] for p in data["passages"]}
    assert given and all(a.startswith("45/2019/QH14") for a in given)
    assert {c["address"] for c in data["citations"]} <= given  # only verified sources shown
    base = _ask(small_index, lora_server, lora_server.base, monkeypatch)
    assert base["mode"] == "generated" and base["model"] == lora_server.base
