"""Fixtures of the generation tests: a scripted LLM backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from generation.backends.base import ChatRequest, Completion, TokenSink


class ScriptedLLM:
    """A :class:`generation.backends.base.ChatBackend` that answers ``reply`` (or raises it),
    streaming it word by word to ``on_token``, and records each request in ``calls``."""

    name = "scripted"
    model = "scripted-model"

    def __init__(self, reply: str | Exception, finish: str = "stop") -> None:
        self.reply = reply
        self.finish = finish
        self.calls: list[dict[str, Any]] = []

    def complete(self, request: ChatRequest, on_token: TokenSink | None = None) -> Completion:
        self.calls.append(
            {
                "messages": list(request.messages),
                "max_tokens": request.max_tokens,
                "schema": request.json_schema,
            }
        )
        if isinstance(self.reply, Exception):
            raise self.reply
        if on_token:
            for word in self.reply.split(" "):
                on_token(word + " ")
        return Completion(self.reply, self.model, self.finish)


@pytest.fixture(scope="session")
def scripted_llm() -> Callable[..., Any]:
    """``scripted_llm(reply, finish="stop")``: see :class:`ScriptedLLM`."""
    return ScriptedLLM
