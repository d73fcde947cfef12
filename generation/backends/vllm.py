"""vLLM through its OpenAI-compatible API (:class:`generation.client.VLLMClient`).

``model`` is the served model name or a LoRA adapter name given to vLLM with
``--lora-modules NAME=DIR``. Streaming, per-request timeouts and bounded retries (the SDK's
exponential back-off on connection errors, 429 and 5xx) are supported; structured answers
use ``response_format={"type": "json_schema", ...}`` (vLLM's guided decoding).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from generation.backends.base import ChatRequest, Completion, TokenSink
from generation.client import FIX, ServedModel, VLLMClient
from legal.errors import GenerationError

# ``model: auto``: the first LoRA adapter the server serves, else its first (base) model —
# asked of GET /v1/models on first use, so the server may come up after the app.
AUTO_MODEL = "auto"


def auto_model(served: Sequence[ServedModel], where: str) -> ServedModel:
    """What ``model: auto`` names (:data:`AUTO_MODEL`): the first LoRA adapter, else the
    first base model of ``GET /v1/models``."""
    if not served:
        raise GenerationError(f"{where} serves no model", hint=FIX)
    adapters = [m for m in served if m.parent]
    return (adapters or list(served))[0]


def answer_schema(
    labels: Sequence[str], max_reasoning_chars: int = 400, passages: int | None = None
) -> dict[str, Any]:
    """JSON schema of a structured answer: label + passage numbers + short reasoning.

    Guided decoding writes the properties in this order, so the label and at least one
    citation are written before the free-text reasoning (which max_tokens may cut). With
    ``passages`` the numbers are bounded by the passages given: the model cannot cite a
    passage that does not exist (seen with the 270M demo model before the bound)."""
    number: dict[str, Any] = {"type": "integer", "minimum": 1}
    if passages:
        number["maximum"] = passages
    return {
        "type": "object",
        "properties": {
            "label": {"type": "string", "enum": list(labels)},
            "citations": {
                "type": "array",
                "items": number,
                "minItems": 1,
                "maxItems": 5,
            },
            "reasoning": {"type": "string", "maxLength": max_reasoning_chars},
        },
        "required": ["label", "citations", "reasoning"],
        "additionalProperties": False,
    }


class VLLMBackend:
    """:class:`ChatBackend` on a vLLM server, through its one :class:`VLLMClient`."""

    name = "vllm"

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        max_retries: int = 2,
        temperature: float = 0.1,
        seed: int | None = None,
        client: VLLMClient | None = None,
    ) -> None:
        self.client = client or VLLMClient(
            base_url, api_key=api_key, timeout_s=timeout_s, max_retries=max_retries
        )
        self.base_url = self.client.base_url
        self.model = model
        self.timeout_s = self.client.timeout_s
        self.temperature = temperature
        self.seed = seed

    def resolve_model(self) -> str:
        """The model name requests use (resolves ``auto`` once, see :data:`AUTO_MODEL`)."""
        if self.model != AUTO_MODEL:
            return self.model
        self.model = auto_model(self.client.models(), f"vLLM at {self.base_url}").id
        return self.model

    def complete(self, request: ChatRequest, on_token: TokenSink | None = None) -> Completion:
        body: dict[str, Any] = {
            "model": self.resolve_model(),
            "messages": list(request.messages),
            "max_tokens": request.max_tokens,
            "temperature": self.temperature,
        }
        if self.seed is not None:
            body["seed"] = self.seed
        if request.json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": request.json_schema, "strict": True},
            }
        started = time.perf_counter()
        if on_token is not None:
            return self._stream(body, on_token, started)
        resp = self.client.chat(**body)
        choice = resp.choices[0]
        usage = resp.usage
        return Completion(
            text=choice.message.content or "",
            model=resp.model,
            finish_reason=choice.finish_reason,
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
            seconds=time.perf_counter() - started,
        )

    def _stream(self, request: dict[str, Any], on_token: TokenSink, started: float) -> Completion:
        pieces: list[str] = []
        finish: str | None = None
        model = self.model
        prompt_tokens = completion_tokens = None
        first: float | None = None
        for chunk in self.client.chat_stream(**request):
            model = chunk.model or model
            if chunk.usage is not None:
                prompt_tokens = chunk.usage.prompt_tokens
                completion_tokens = chunk.usage.completion_tokens
            for choice in chunk.choices:
                piece = choice.delta.content if choice.delta else None
                if piece:
                    if first is None:
                        first = time.perf_counter() - started
                    pieces.append(piece)
                    on_token(piece)
                if choice.finish_reason:
                    finish = choice.finish_reason
        return Completion(
            text="".join(pieces),
            model=model,
            finish_reason=finish,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            seconds=time.perf_counter() - started,
            first_token_s=first,
        )
