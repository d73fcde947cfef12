"""The role of an LLM backend: complete a chat, optionally streaming, optionally under a JSON
schema. Errors are :class:`legal.errors.GenerationError` with a hint on how to fix them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from generation.prompt import Message

TokenSink = Callable[[str], None]


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    seconds: float = 0.0
    first_token_s: float | None = None  # streaming only: time to the first text piece

    @property
    def tokens_per_s(self) -> float | None:
        """Decode speed: completion tokens over the time after the first one."""
        if not self.completion_tokens or self.first_token_s is None:
            return None
        decode = self.seconds - self.first_token_s
        return (self.completion_tokens - 1) / decode if decode > 0 else None


@dataclass(frozen=True)
class ChatRequest:
    """One chat to complete: the messages, the answer's token budget, and optionally a JSON
    schema the answer must follow."""

    messages: Sequence[Message]
    max_tokens: int
    json_schema: dict[str, Any] | None = None


class ChatBackend(Protocol):
    name: str
    model: str

    def complete(self, request: ChatRequest, on_token: TokenSink | None = None) -> Completion:
        """The completion of ``request``; with ``on_token``, streamed to it piece by piece."""
        ...
