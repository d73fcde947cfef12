"""LuatqaVLLM on the real vLLM with the real demo model (Gemma 3 270M, CPU): llama-index's own
``RetrieverQueryEngine`` (its default response synthesizer) over LuatqaRetriever on the demo
index, and the LLM's own chat, completion and streaming calls.

Runs in CI like tests/generation/test_demo_model_vllm.py (marker ``vllm``, the same
checkpoint and launcher fixtures): missing the demo packages or ``.venv-vllm``, skipped with
a reason locally, a failure in CI. Prints the timings (``pytest -s``), which
docs/llamaindex.md quotes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

pytest.importorskip("llama_index.core", reason="needs the 'llamaindex' extra")

from llama_index.core.llms import ChatMessage
from llama_index.core.query_engine import RetrieverQueryEngine

from app.integrations.llamaindex import LuatqaRetriever, LuatqaVLLM
from app.settings import Settings, load_settings
from app.wiring import Services
from generation.server import ServeSpec, VllmProcess

pytestmark = [pytest.mark.vllm, pytest.mark.timeout(900)]

NAME = "gemma3-270m"
WINDOW = 2048
QUESTION = "Người lao động đơn phương chấm dứt hợp đồng lao động phải báo trước bao lâu?"


@pytest.fixture(scope="module")
def server(
    demo_checkpoint: Path,
    tmp_path_factory: pytest.TempPathFactory,
    vllm_launcher: Callable[..., AbstractContextManager[VllmProcess]],
) -> Iterator[VllmProcess]:
    spec = ServeSpec(demo_checkpoint, NAME, max_model_len=WINDOW, enforce_eager=True)
    log = tmp_path_factory.mktemp("gemma-vllm-llamaindex") / "vllm.log"
    started = time.perf_counter()
    with vllm_launcher(spec, log, 600) as running:
        print(f"\nvLLM ready in {time.perf_counter() - started:.0f} s at {running.url}")
        yield running
    assert not running.alive(), "the vLLM server must be shut down"


@pytest.fixture(scope="module")
def settings(
    server: VllmProcess, demo_index: Path, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return load_settings(
        {
            "index": {"dir": str(demo_index), "qdrant_url": None},
            "data_dir": str(tmp_path_factory.mktemp("data")),
            "llm": {
                "base_url": server.url,
                "model": "auto",
                "max_answer_tokens": 96,
                "temperature": 0.0,
                "seed": 0,
                "timeout_s": 300,
            },
        }
    )


@pytest.fixture(scope="module")
def llm(settings: Settings) -> Iterator[LuatqaVLLM]:
    made = LuatqaVLLM.from_settings(settings)
    yield made
    made.close()


def test_metadata_is_read_from_the_server(llm: LuatqaVLLM) -> None:
    meta = llm.metadata
    assert meta.model_name == NAME  # "auto" resolved through GET /v1/models
    assert meta.context_window == WINDOW  # vLLM's max_model_len, not a default
    assert meta.is_chat_model and meta.num_output == 96


def test_retriever_query_engine_with_the_default_synthesizer(
    llm: LuatqaVLLM, settings: Settings
) -> None:
    with Services(settings) as services:
        retriever = LuatqaRetriever(services.retriever, k=2)
        ids = [n.node.node_id for n in retriever.retrieve(QUESTION)]
        engine = RetrieverQueryEngine.from_args(retriever, llm=llm)
        started = time.perf_counter()
        response = engine.query(QUESTION)
        took = time.perf_counter() - started
    text = str(response).strip()
    print(f"\nRetrieverQueryEngine.query: {took:.1f} s\n{text[:400]}")
    assert text and text != "Empty Response"
    assert [n.node.node_id for n in response.source_nodes] == ids  # our nodes, our ids
    for n in response.source_nodes:
        meta = n.node.metadata
        assert meta["citation"].endswith("Bộ luật Lao động 2019"), meta["citation"]
        assert meta["document_number"] == "45/2019/QH14" and meta["address"]
    print("sources:", [n.node.metadata["citation"] for n in response.source_nodes])
    assert response.source_nodes[0].node.metadata["citation"].startswith("khoản 1 Điều 35")


def test_chat_completion_and_streaming(llm: LuatqaVLLM) -> None:
    started = time.perf_counter()
    done = llm.complete("Bộ luật Lao động quy định về vấn đề gì? Trả lời một câu.")
    took = time.perf_counter() - started
    print(f"\ncomplete: {took:.1f} s, {done.additional_kwargs}\n{done.text[:200]}")
    assert done.text.strip()
    assert done.additional_kwargs["model"] == NAME
    assert done.additional_kwargs["prompt_tokens"] > 0
    assert 0 < done.additional_kwargs["completion_tokens"] <= 96

    messages = [
        ChatMessage(role="system", content="Bạn là trợ lý pháp lý. Trả lời ngắn gọn."),
        ChatMessage(role="user", content="Hợp đồng lao động là gì?"),
    ]
    started = time.perf_counter()
    reply = llm.chat(messages)
    print(f"chat: {time.perf_counter() - started:.1f} s\n{(reply.message.content or '')[:200]}")
    assert reply.message.role == "assistant" and (reply.message.content or "").strip()

    pieces = list(llm.stream_chat(messages))
    assert len(pieces) > 1  # streamed, not one block
    assert "".join(p.delta or "" for p in pieces) == pieces[-1].message.content
    streamed = list(llm.stream_complete("Hợp đồng lao động là gì?"))
    assert streamed and streamed[-1].text == "".join(p.delta or "" for p in streamed)
