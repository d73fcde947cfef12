"""LuatqaVLLM without a server: what it sends through VLLMClient, what it reads back, its
metadata from GET /v1/models, its settings and its errors. The real vLLM with the demo model
is in test_llamaindex_vllm.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("llama_index.core", reason="needs the 'llamaindex' extra")

from llama_index.core import PromptTemplate
from llama_index.core.constants import DEFAULT_CONTEXT_WINDOW
from llama_index.core.llms import ChatMessage
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from app.integrations.llamaindex import LuatqaVLLM
from app.settings import load_settings
from generation.client import ServedModel, VLLMClient
from legal.errors import ConfigError, GenerationError

SERVED = [
    ServedModel("gemma3-270m", None, "/m", 1024),
    ServedModel("luatqa-demo", "gemma3-270m", "/a", None),  # vLLM lists no length for adapters
]


class ScriptedClient(VLLMClient):
    """A VLLMClient whose server serves :data:`SERVED` and answers ``reply``."""

    def __init__(self, reply: str = "Ba mươi ngày.") -> None:
        super().__init__("http://127.0.0.1:9/v1")
        self.reply = reply
        self.listed = 0
        self.requests: list[dict[str, Any]] = []

    def models(self, timeout_s: float | None = None) -> list[ServedModel]:
        self.listed += 1
        return SERVED

    def chat(self, **request: Any) -> ChatCompletion:
        self.requests.append(request)
        return ChatCompletion.model_validate(
            {
                "id": "c1",
                "object": "chat.completion",
                "created": 0,
                "model": request["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": self.reply},
                    }
                ],
                "usage": {"prompt_tokens": 11, "completion_tokens": 4, "total_tokens": 15},
            }
        )

    def chat_stream(self, **request: Any) -> Iterator[ChatCompletionChunk]:
        self.requests.append(request)
        base = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "m"}
        for word in self.reply.split(" "):
            delta = {"index": 0, "delta": {"content": word + " "}, "finish_reason": None}
            yield ChatCompletionChunk.model_validate({**base, "choices": [delta]})
        yield ChatCompletionChunk.model_validate({**base, "choices": []})  # the usage chunk


def test_metadata_comes_from_the_server_once() -> None:
    client = ScriptedClient()
    llm = LuatqaVLLM(base_url=client.base_url, client=client)
    meta = llm.metadata
    assert meta.model_name == "luatqa-demo"  # auto: the adapter first, as the answer service
    assert meta.context_window == 1024  # an adapter's window is its base model's
    assert meta.is_chat_model
    llm.metadata, llm.complete("x")
    assert client.listed == 1 and client.requests[0]["model"] == "luatqa-demo"


def test_an_explicit_model_and_window_win() -> None:
    client = ScriptedClient()
    llm = LuatqaVLLM(base_url="u", model="gemma3-270m", context_window=512, client=client)
    assert (llm.metadata.model_name, llm.metadata.context_window) == ("gemma3-270m", 512)
    assert client.listed == 0  # nothing to ask the server
    llm.chat([ChatMessage(role="user", content="x")])
    assert client.requests[0]["model"] == "gemma3-270m" and client.listed == 0


def test_chat_sends_the_messages_and_settings_and_reads_usage() -> None:
    client = ScriptedClient()
    llm = LuatqaVLLM(base_url="u", max_tokens=64, temperature=0.0, seed=7, client=client)
    messages = [
        ChatMessage(role="system", content="Trả lời ngắn."),
        ChatMessage(role="user", content="Báo trước bao lâu?"),
    ]
    reply = llm.chat(messages, stop=["\n\n"])
    assert client.requests == [
        {
            "model": "luatqa-demo",
            "messages": [
                {"role": "system", "content": "Trả lời ngắn."},
                {"role": "user", "content": "Báo trước bao lâu?"},
            ],
            "max_tokens": 64,
            "temperature": 0.0,
            "seed": 7,
            "stop": ["\n\n"],
        }
    ]
    assert reply.message.role == "assistant" and reply.message.content == "Ba mươi ngày."
    assert reply.additional_kwargs["prompt_tokens"] == 11
    assert reply.additional_kwargs["finish_reason"] == "stop"


def test_completion_is_one_user_message_and_predict_goes_through_chat() -> None:
    client = ScriptedClient()
    llm = LuatqaVLLM(base_url="u", client=client)
    assert llm.complete("Câu hỏi?").text == "Ba mươi ngày."
    assert client.requests[-1]["messages"] == [{"role": "user", "content": "Câu hỏi?"}]
    assert llm.predict(PromptTemplate("Hỏi: {q}"), q="nghỉ việc") == "Ba mươi ngày."
    assert client.requests[-1]["messages"][-1] == {"role": "user", "content": "Hỏi: nghỉ việc"}


def test_streaming_yields_deltas_and_the_text_so_far() -> None:
    client = ScriptedClient("một hai ba")
    llm = LuatqaVLLM(base_url="u", client=client)
    chunks = list(llm.stream_complete("x"))
    assert [c.delta for c in chunks] == ["một ", "hai ", "ba "]
    assert [c.text for c in chunks] == ["một ", "một hai ", "một hai ba "]
    chats = list(llm.stream_chat([ChatMessage(role="user", content="x")]))
    assert chats[-1].message.content == "một hai ba " and chats[-1].message.role == "assistant"


def test_a_server_that_is_down() -> None:
    llm = LuatqaVLLM(base_url="http://127.0.0.1:9/v1", max_retries=0, timeout_s=2)
    meta = llm.metadata  # not up yet: defaults, no exception while building an engine
    assert (meta.model_name, meta.context_window) == ("auto", DEFAULT_CONTEXT_WINDOW)
    with pytest.raises(
        GenerationError, match=re.escape("cannot reach vLLM at http://127.0.0.1:9/v1")
    ):
        llm.complete("x")


def test_from_settings() -> None:
    settings = load_settings(
        {
            "llm": {
                "base_url": "http://vllm:8000/v1",
                "model": "luatqa-demo",
                "api_key": "k",
                "max_answer_tokens": 200,
                "temperature": 0.3,
                "timeout_s": 9,
            }
        }
    )
    llm = LuatqaVLLM.from_settings(settings, temperature=0.0)
    assert (llm.base_url, llm.model, llm.max_tokens) == ("http://vllm:8000/v1", "luatqa-demo", 200)
    assert llm.temperature == 0.0 and llm.timeout_s == 9 and llm.api_key == "k"
    assert llm.context_window is None  # the server's max_model_len
    assert "api_key" not in llm.model_dump() and "api_key" not in repr(llm)
    with pytest.raises(ConfigError, match="LUATQA_LLM__BASE_URL"):
        LuatqaVLLM.from_settings(load_settings({"llm": {"base_url": None}}))
