""":class:`LuatqaVLLM` — a llama-index LLM on any OpenAI-compatible server (our vLLM),
through the project's one client of it (:class:`generation.client.VLLMClient`).

It exists because ``llama-index-llms-openai-like`` pins an ``openai`` older than the one
``generation/client.py`` is written for, so the project cannot install it. Part of the
optional ``llamaindex`` extra, re-exported by :mod:`app.integrations.llamaindex`.

Decisions:

* **One HTTP path.** Every request goes through :class:`VLLMClient` (the ``openai`` SDK
  with the configured timeout, retries and API key); its errors are luatqa's
  :class:`legal.errors.GenerationError` with a fix, not the SDK's.
* **A chat model only.** Requests go to ``/v1/chat/completions``, so the server applies
  the model's own chat template; ``complete(prompt)`` sends the prompt as one user
  message (what ``OpenAILike(is_chat_model=True)`` does). A raw ``/v1/completions`` call
  would feed an instruction-tuned model an untemplated prompt.
* **Metadata from the server.** ``GET /v1/models`` is asked once, on first need: the model
  name (``model="auto"``: the first LoRA adapter, else the base model, as the answer
  service resolves it) and vLLM's ``max_model_len`` as the context window (an adapter's is
  its base model's). An explicit ``context_window`` wins. A server that cannot be reached
  yet gives llama-index's default window and is asked again next time; the request itself
  then fails with the client's error.
* **Streaming** is the SDK's stream (``stream_chat``/``stream_complete``); the async
  methods are llama-index's ``CustomLLM`` wrappers of the sync ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.constants import DEFAULT_CONTEXT_WINDOW
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.custom import CustomLLM
from pydantic import Field, PrivateAttr

from generation.backends.vllm import AUTO_MODEL, auto_model
from generation.client import PROBE_TIMEOUT_S, ServedModel, VLLMClient
from legal.errors import ConfigError, GenerationError

if TYPE_CHECKING:
    from app.settings import Settings


class LuatqaVLLM(CustomLLM):
    """A llama-index LLM on an OpenAI-compatible server at ``base_url``
    (``http://host:8000/v1``): chat, completion, both streamed, metadata from the server."""

    base_url: str = Field(description="The server's OpenAI API, e.g. http://127.0.0.1:8000/v1.")
    model: str = Field(default=AUTO_MODEL, description="Served model or LoRA adapter; 'auto'.")
    api_key: str | None = Field(default=None, exclude=True, repr=False)
    context_window: int | None = Field(
        default=None, description="Tokens the prompt and answer fit in; None: the server's."
    )
    max_tokens: int = Field(default=512, description="Tokens generated at most per call.")
    temperature: float = Field(default=0.1)
    seed: int | None = Field(default=None, description="Sampling seed sent to the server.")
    timeout_s: float = Field(default=60.0, description="Request timeout, seconds.")
    max_retries: int = Field(default=2, description="Retries of a failed request.")

    _client: VLLMClient = PrivateAttr()
    _served: ServedModel | None = PrivateAttr(default=None)
    _window: int | None = PrivateAttr(default=None)

    def __init__(self, *, client: VLLMClient | None = None, **fields: Any) -> None:
        super().__init__(**fields)
        self._client = client or VLLMClient(
            self.base_url,
            api_key=self.api_key,
            timeout_s=self.timeout_s,
            max_retries=self.max_retries,
        )

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **fields: Any) -> LuatqaVLLM:
        """From the ``LUATQA_LLM__*`` settings (``load_settings()`` when None): base_url,
        model, api_key, max_answer_tokens, temperature, seed, timeout_s, max_retries;
        ``fields`` override them. The context window is the server's ``max_model_len``
        (``settings.llm.max_model_len`` is the answer service's budget, not the server's)."""
        from app.settings import load_settings

        llm = (settings if settings is not None else load_settings()).llm
        if not llm.base_url:
            raise ConfigError(
                "no LLM server is configured (llm.base_url is unset)",
                hint="set LUATQA_LLM__BASE_URL=http://HOST:8000/v1 (`luatqa llm serve` starts "
                "a vLLM server), or pass base_url=...",
            )
        made: dict[str, Any] = {
            "base_url": llm.base_url,
            "model": llm.model,
            "api_key": llm.api_key,
            "max_tokens": llm.max_answer_tokens,
            "temperature": llm.temperature,
            "seed": llm.seed,
            "timeout_s": llm.timeout_s,
            "max_retries": llm.max_retries,
        }
        return cls(**{**made, **fields})

    @classmethod
    def class_name(cls) -> str:
        return "luatqa_vllm"

    def close(self) -> None:
        self._client.close()

    # ---- what the server serves ------------------------------------------------------

    def served(self, probe: bool = False) -> ServedModel:
        """The served model requests name (``GET /v1/models`` once; ``probe``: a short
        timeout, no retries). Raises :class:`GenerationError` when the server cannot say."""
        if self._served is None:
            listed = self._client.models(timeout_s=PROBE_TIMEOUT_S if probe else None)
            if self.model == AUTO_MODEL:
                card = auto_model(listed, self._client.where)
            else:  # a name the listing lacks is still sent as given (other OpenAI servers)
                card = next((m for m in listed if m.id == self.model), ServedModel(self.model))
            base = next((m for m in listed if m.id == card.parent), None)
            self._window = card.max_model_len or (base.max_model_len if base else None)
            self._served = card
        return self._served

    @property
    def metadata(self) -> LLMMetadata:
        name, window = self.model, self.context_window
        if window is None or name == AUTO_MODEL:
            try:
                name = self.served(probe=True).id
                window = window or self._window
            except GenerationError:
                pass  # not up yet: defaults now, asked again next time
        return LLMMetadata(
            context_window=window or DEFAULT_CONTEXT_WINDOW,
            num_output=self.max_tokens,
            is_chat_model=True,
            is_function_calling_model=False,
            model_name=name,
            system_role=MessageRole.SYSTEM,
        )

    # ---- requests ----------------------------------------------------------------------

    def _request(self, messages: Sequence[ChatMessage], **kwargs: Any) -> dict[str, Any]:
        """The chat request (``kwargs``: further SDK arguments, e.g. ``stop``, override)."""
        body: dict[str, Any] = {
            "model": self.served().id if self.model == AUTO_MODEL else self.model,
            "messages": [{"role": m.role.value, "content": m.content or ""} for m in messages],
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
        }
        if self.seed is not None:
            body["seed"] = self.seed
        return {**body, **kwargs}

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        resp = self._client.chat(**self._request(messages, **kwargs))
        choice = resp.choices[0]
        usage = resp.usage
        extra: dict[str, Any] = {"model": resp.model, "finish_reason": choice.finish_reason}
        if usage is not None:
            extra |= {
                "prompt_tokens": usage.prompt_tokens,
                "completion_tokens": usage.completion_tokens,
                "total_tokens": usage.total_tokens,
            }
        message = ChatMessage(role=MessageRole.ASSISTANT, content=choice.message.content or "")
        return ChatResponse(message=message, raw=resp, additional_kwargs=extra)

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        text = ""
        for chunk in self._client.chat_stream(**self._request(messages, **kwargs)):
            for choice in chunk.choices:
                piece = choice.delta.content if choice.delta else None
                if piece:
                    text += piece
                    message = ChatMessage(role=MessageRole.ASSISTANT, content=text)
                    yield ChatResponse(message=message, delta=piece, raw=chunk)

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self._chat(messages, **kwargs)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        return self._stream_chat(messages, **kwargs)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """``prompt`` as one user message (the server's chat template formats it)."""
        resp = self._chat([ChatMessage(role=MessageRole.USER, content=prompt)], **kwargs)
        text = resp.message.content or ""
        return CompletionResponse(text=text, raw=resp.raw, additional_kwargs=resp.additional_kwargs)

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        user = ChatMessage(role=MessageRole.USER, content=prompt)

        def gen() -> CompletionResponseGen:
            for r in self._stream_chat([user], **kwargs):
                yield CompletionResponse(text=r.message.content or "", delta=r.delta, raw=r.raw)

        return gen()
