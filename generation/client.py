"""The one client of a vLLM OpenAI-compatible server: ``health()``, ``models()``,
``tokenize()`` and the chat call.

Decisions:

* Every request goes through the ``openai`` SDK of this one client: the OpenAI routes
  (``/v1/models``, ``/v1/chat/completions``) with their typed responses, and vLLM's own
  routes at the server root (``/health``, ``/tokenize``) through the SDK's documented calls
  for other endpoints (``client.get``/``client.post``). One connection pool, one timeout,
  one API key, one set of error types. Before, three HTTP paths (the SDK, a urllib
  ``/tokenize``, a urllib ``/models`` probe) each had their own timeouts and errors.
* Every failure is a :class:`legal.errors.GenerationError` saying what to do
  (:func:`describe_error`); :class:`EndpointMissing` (a subclass) marks a server that
  answers but lacks a route (a proxy that only routes ``/v1``), so callers can fall back
  instead of treating the model as down.
* ``health()`` never raises: it is a probe. Probes (``health``, ``models(timeout_s=...)``)
  and ``tokenize`` run without retries, so nothing waits for the SDK's back-off on a server
  that is down; the chat call keeps the configured retries.
* The SDK is imported on first use: the UI starts without it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from legal.errors import GenerationError

if TYPE_CHECKING:
    from openai import OpenAI
    from openai.types.chat import ChatCompletion, ChatCompletionChunk

PROBE_TIMEOUT_S = 2.0  # the UI's probes: a server that is down must not hold a page
FIX = "start the vLLM server (see docs/deployment.md), or set LUATQA_LLM__BACKEND=extractive"


class EndpointMissing(GenerationError):
    """The server answered, but not with what the route should give (HTTP error, not JSON)."""


@dataclass(frozen=True)
class ServedModel:
    """One entry of ``GET /v1/models``: a base model, or a LoRA adapter (``parent`` set)."""

    id: str
    parent: str | None = None  # the base model a LoRA adapter applies to
    root: str | None = None  # where vLLM loaded it from
    max_model_len: int | None = None  # vLLM's context length (its base models list it)


class ModelLister(Protocol):
    """What the UI's status and first screen need of the server."""

    base_url: str

    def models(self, timeout_s: float | None = None) -> list[ServedModel]: ...


def server_root(base_url: str) -> str:
    """'http://host:8000/v1' → 'http://host:8000' (vLLM serves /health, /tokenize at the root)."""
    url = base_url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def describe_error(
    exc: Exception, where: str, timeout_s: float, model: str | None = None
) -> GenerationError:
    """An ``openai`` SDK error as a :class:`GenerationError` with a fix."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return GenerationError(f"{where} did not answer within {timeout_s:g} s", hint=FIX)
    if isinstance(exc, openai.APIConnectionError):
        return GenerationError(f"cannot reach {where}: {exc}", hint=FIX)
    if isinstance(exc, openai.NotFoundError) and model is not None:
        return GenerationError(
            f"{where} does not serve model {model!r}: {exc}",
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
    return GenerationError(f"{where} failed: {exc}", hint=FIX)


class VLLMClient:
    """A vLLM server at ``base_url`` (``http://host:8000/v1``)."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        max_retries: int = 2,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.root = server_root(self.base_url)
        self.timeout_s = timeout_s
        self.where = f"vLLM at {self.base_url}"
        self._api_key = api_key
        self._max_retries = max_retries
        self._sdk: OpenAI | None = None

    @property
    def sdk(self) -> OpenAI:
        """The ``openai`` SDK client every request goes through."""
        if self._sdk is None:
            from openai import OpenAI

            self._sdk = OpenAI(
                base_url=self.base_url,
                api_key=self._api_key or "EMPTY",  # vLLM without --api-key accepts any key
                timeout=self.timeout_s,
                max_retries=self._max_retries,
            )
        return self._sdk

    def _once(self, timeout_s: float | None) -> OpenAI:
        """The SDK without retries (and with ``timeout_s`` when given)."""
        return self.sdk.with_options(timeout=timeout_s or self.timeout_s, max_retries=0)

    def error(self, exc: Exception, model: str | None = None) -> GenerationError:
        return describe_error(exc, self.where, self.timeout_s, model)

    def health(self, timeout_s: float = PROBE_TIMEOUT_S) -> bool:
        """``GET /health`` answers 2xx (the server is up and its engine ready)."""
        import openai

        try:
            self._once(timeout_s).get(f"{self.root}/health", cast_to=str)
        except openai.OpenAIError:
            return False
        return True

    def models(self, timeout_s: float | None = None) -> list[ServedModel]:
        """``GET /v1/models``. With ``timeout_s`` it is a probe: that timeout, no retries."""
        import openai

        sdk = self.sdk if timeout_s is None else self._once(timeout_s)
        try:
            served = list(sdk.models.list().data)
        except openai.OpenAIError as exc:
            raise self.error(exc) from exc
        return [
            ServedModel(
                str(m.id),
                getattr(m, "parent", None),
                getattr(m, "root", None),
                getattr(m, "max_model_len", None),
            )
            for m in served
        ]

    def tokenize(self, body: Mapping[str, Any], timeout_s: float | None = None) -> dict[str, Any]:
        """``POST /tokenize`` (vLLM's own route: the served tokenizer and chat template).
        Raises :class:`EndpointMissing` when the server answers without it."""
        import openai

        url = f"{self.root}/tokenize"
        try:
            out = self._once(timeout_s).post(url, body=dict(body), cast_to=object)
        except openai.APIStatusError as exc:
            raise EndpointMissing(f"{url}: HTTP {exc.status_code}") from exc
        except openai.APIConnectionError as exc:  # refused, timed out, no route: server down
            raise GenerationError(f"cannot reach vLLM at {url}: {exc}", hint=FIX) from exc
        except (openai.OpenAIError, ValueError) as exc:
            raise EndpointMissing(f"{url}: {exc}") from exc
        if not isinstance(out, dict):
            raise EndpointMissing(f"{url}: answered {type(out).__name__}, not a JSON object")
        return out

    def chat(self, **request: Any) -> ChatCompletion:
        """``POST /v1/chat/completions`` (``request``: the SDK's keyword arguments)."""
        import openai

        try:
            return self.sdk.chat.completions.create(**request, stream=False)
        except openai.OpenAIError as exc:
            raise self.error(exc, request.get("model")) from exc

    def chat_stream(self, **request: Any) -> Iterator[ChatCompletionChunk]:
        """The same, streamed (usage in the last chunk). Errors while reading the stream
        are raised as :class:`GenerationError` too."""
        import openai

        try:
            stream = self.sdk.chat.completions.create(
                **request, stream=True, stream_options={"include_usage": True}
            )
            yield from stream
        except openai.OpenAIError as exc:
            raise self.error(exc, request.get("model")) from exc

    def close(self) -> None:
        if self._sdk is not None:
            self._sdk.close()
