"""vLLM through its OpenAI-compatible API (the ``openai`` SDK).

``model`` is the served model name or a LoRA adapter name given to vLLM with
``--lora-modules NAME=DIR``. Streaming, per-request timeouts and bounded retries (the SDK's
exponential back-off on connection errors, 429 and 5xx) are supported; structured answers
use ``response_format={"type": "json_schema", ...}`` (vLLM's guided decoding).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from generation.backends.base import Completion, TokenSink
from generation.prompt import Message
from legal.errors import GenerationError

_FIX = "start the vLLM server (see docs/deployment.md), or set LUATQA_LLM__BACKEND=extractive"
# ``model: auto``: the first LoRA adapter the server serves, else its first (base) model —
# asked of GET /v1/models on first use, so the server may come up after the app.
AUTO_MODEL = "auto"


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
    ) -> None:
        try:
            from openai import OpenAI
        except ImportError as exc:  # pragma: no cover - openai is a core dependency
            raise GenerationError("the openai package is missing", hint="pip install openai") from (
                exc
            )
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout_s = timeout_s
        self.temperature = temperature
        self.seed = seed
        self._client = OpenAI(
            base_url=self.base_url,
            api_key=api_key or "EMPTY",  # vLLM without --api-key accepts any key
            timeout=timeout_s,
            max_retries=max_retries,
        )

    def _error(self, exc: Exception) -> GenerationError:
        import openai

        where = f"vLLM at {self.base_url}"
        if isinstance(exc, openai.APITimeoutError):
            return GenerationError(f"{where} did not answer within {self.timeout_s:g} s", hint=_FIX)
        if isinstance(exc, openai.APIConnectionError):
            return GenerationError(f"cannot reach {where}: {exc}", hint=_FIX)
        if isinstance(exc, openai.NotFoundError):
            return GenerationError(
                f"{where} does not serve model {self.model!r}: {exc}",
                hint="set LUATQA_LLM__MODEL to a name from GET /v1/models (the LoRA adapter "
                "name given with --lora-modules NAME=DIR, or the base model)",
            )
        if isinstance(exc, openai.AuthenticationError):
            return GenerationError(
                f"{where} refused the API key", hint="set LUATQA_LLM__API_KEY to the server's key"
            )
        if isinstance(exc, openai.APIStatusError):
            return GenerationError(
                f"{where} answered HTTP {exc.status_code}: {exc.message}",
                hint="check the vLLM server log; a too-long prompt needs a larger --max-model-len",
            )
        return GenerationError(f"{where} failed: {exc}", hint=_FIX)

    def resolve_model(self) -> str:
        """The model name requests use (resolves ``auto`` once, see :data:`AUTO_MODEL`)."""
        import openai

        if self.model != AUTO_MODEL:
            return self.model
        try:
            served = list(self._client.models.list().data)
        except openai.OpenAIError as exc:
            raise self._error(exc) from exc
        if not served:
            raise GenerationError(f"vLLM at {self.base_url} serves no model", hint=_FIX)
        adapters = [m for m in served if getattr(m, "parent", None)]
        self.model = (adapters or served)[0].id
        return self.model

    def complete(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        json_schema: dict[str, Any] | None = None,
        on_token: TokenSink | None = None,
    ) -> Completion:
        import openai

        kwargs: dict[str, Any] = {
            "model": self.resolve_model(),
            "messages": list(messages),
            "max_tokens": max_tokens,
            "temperature": self.temperature,
        }
        if self.seed is not None:
            kwargs["seed"] = self.seed
        if json_schema is not None:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": json_schema, "strict": True},
            }
        started = time.perf_counter()
        try:
            if on_token is None:
                resp = self._client.chat.completions.create(**kwargs)
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
            return self._stream(kwargs, on_token, started)
        except openai.OpenAIError as exc:
            raise self._error(exc) from exc

    def _stream(self, kwargs: dict[str, Any], on_token: TokenSink, started: float) -> Completion:
        stream = self._client.chat.completions.create(
            **kwargs, stream=True, stream_options={"include_usage": True}
        )
        pieces: list[str] = []
        finish: str | None = None
        model = self.model
        prompt_tokens = completion_tokens = None
        first: float | None = None
        for chunk in stream:
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
