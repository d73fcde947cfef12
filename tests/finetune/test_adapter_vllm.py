"""The adapter ``luatqa finetune train`` writes is served by a real vLLM (CPU) next to the
base model (``--enable-lora --lora-modules NAME=DIR --max-lora-rank 16``) and answers through
``luatqa ask`` with the adapter's name as the model, over the small real index.

Needs ``.venv-vllm`` (``make vllm-venv``): skipped with a reason when missing locally, a
failure when ``CI=true``. The server is always killed (whole process group) at the end."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from generation.server import Adapter, ServeSpec

pytestmark = [
    pytest.mark.vllm,
    pytest.mark.finetune,
    pytest.mark.slow,
    pytest.mark.shared,
    pytest.mark.timeout(1200),
]

REPO = Path(__file__).resolve().parents[2]
ADAPTER = "luatqa-tiny"
MAX_MODEL_LEN = 2048
START_TIMEOUT_S = 480
QUESTION = "Hợp đồng lao động phải có những nội dung chủ yếu nào?"


@dataclass
class LoraServer:
    url: str
    base: str  # the base model's name (its folder), served next to the adapter
    tail: Callable[[], str]  # the server log's end, for failure messages


@pytest.fixture(scope="module")
def lora_server(
    tiny_llama: Path,
    trained_adapter: Path,
    tmp_path_factory: pytest.TempPathFactory,
    vllm_launcher: Callable[..., AbstractContextManager[Any]],
) -> Iterator[LoraServer]:
    spec = ServeSpec(
        tiny_llama, None, (Adapter(ADAPTER, trained_adapter),), max_model_len=MAX_MODEL_LEN
    )
    log = tmp_path_factory.mktemp("vllm-lora") / "vllm.log"
    with vllm_launcher(spec, log, START_TIMEOUT_S) as running:
        yield LoraServer(running.url, str(tiny_llama), running.log_tail)


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
