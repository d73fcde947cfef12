"""VLLMBackend without a server: clear, fast errors (the live server is in
test_vllm_serving.py)."""

from __future__ import annotations

import time

import pytest

from generation.backends.base import ChatRequest
from generation.backends.vllm import VLLMBackend, answer_schema
from generation.client import ServedModel, VLLMClient
from legal.errors import GenerationError


def test_unreachable_server_is_a_generation_error_with_a_fix() -> None:
    backend = VLLMBackend("http://127.0.0.1:9/v1", "luatqa", timeout_s=2, max_retries=1)
    started = time.monotonic()
    with pytest.raises(GenerationError) as err:
        backend.complete(ChatRequest([{"role": "user", "content": "xin chào"}], 8))
    # bounded retries, not a timing target: generous for a loaded 2-core machine
    assert time.monotonic() - started < 60
    text = str(err.value)
    assert "cannot reach vLLM at http://127.0.0.1:9/v1" in text
    assert "LUATQA_LLM__BACKEND=extractive" in text  # the hint says how to go on


def test_streaming_unreachable_is_the_same_error() -> None:
    backend = VLLMBackend("http://127.0.0.1:9/v1", "luatqa", timeout_s=2, max_retries=0)
    with pytest.raises(GenerationError, match="cannot reach"):
        backend.complete(ChatRequest([{"role": "user", "content": "x"}], 8), print)


def test_answer_schema_orders_label_citations_reasoning() -> None:
    schema = answer_schema(("Đúng", "Sai"), max_reasoning_chars=120)
    assert list(schema["properties"]) == ["label", "citations", "reasoning"]
    assert schema["properties"]["citations"]["minItems"] == 1
    assert schema["properties"]["reasoning"]["maxLength"] == 120
    assert schema["additionalProperties"] is False


def test_slow_server_times_out_into_a_generation_error() -> None:
    """A server that accepts the connection and never answers (an overloaded vLLM)."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)  # read nothing, answer nothing
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        backend = VLLMBackend(f"http://127.0.0.1:{port}/v1", "luatqa", timeout_s=1, max_retries=0)
        started = time.monotonic()
        with pytest.raises(GenerationError, match="did not answer within 1 s"):
            backend.complete(ChatRequest([{"role": "user", "content": "x"}], 8))
        assert time.monotonic() - started < 10
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        listener.close()


def test_auto_model_prefers_the_adapter_the_server_serves() -> None:
    class Served(VLLMClient):
        def models(self, timeout_s: float | None = None) -> list[ServedModel]:
            return [ServedModel("gemma3-270m"), ServedModel("luatqa-demo", "gemma3-270m")]

    backend = VLLMBackend("", "auto", client=Served("http://127.0.0.1:9/v1"))
    assert backend.resolve_model() == "luatqa-demo"
    assert backend.model == "luatqa-demo"  # resolved once


def test_auto_model_with_the_server_down_is_a_clear_error() -> None:
    backend = VLLMBackend("http://127.0.0.1:9/v1", "auto", max_retries=0, timeout_s=2)
    with pytest.raises(GenerationError, match="cannot reach vLLM"):
        backend.resolve_model()
