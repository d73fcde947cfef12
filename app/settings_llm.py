"""The answer model's settings section (``llm``): the vLLM server, the token budget, and the
answer service around it (abstention, quotes). Its own module to keep :mod:`app.settings`
short; :class:`app.settings.Settings` holds it as ``llm``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class LLMSettings(BaseModel):
    """The answer model (vLLM) and the answer service around it. Unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["auto", "vllm", "extractive"] = Field(
        default="auto", description="auto: vLLM when base_url answers, else extractive answers."
    )
    base_url: str | None = Field(default=None, description="vLLM server, e.g. http://vllm:8000/v1.")
    model: str = Field(
        default="meta-llama/Llama-3.1-8B-Instruct",
        description="Served model or LoRA adapter name ('auto': what the server serves).",
    )
    api_key: str | None = Field(default=None, description="API key of the vLLM server.")
    tokenizer: str | None = Field(
        default=None,
        description="Prompt token counting: a local tokenizer folder, 'server' (vLLM "
        "/tokenize) or 'estimate' (3 per word); unset: the server when base_url is set.",
    )
    max_model_len: int = Field(default=8192, description="Context length the prompt must fit in.")
    max_answer_tokens: int = Field(default=768, description="Tokens reserved for the answer.")
    temperature: float = Field(default=0.1, description="Sampling temperature.")
    timeout_s: float = Field(default=60.0, description="vLLM request timeout, seconds.")
    max_retries: int = Field(default=2, description="Retries of a failed vLLM request.")
    seed: int | None = Field(default=None, description="Sampling seed sent to the server.")
    context_passages: int = Field(
        default=8, description="Provisions retrieved for the prompt (the budget may keep fewer)."
    )
    min_relevance: float = Field(
        default=0.28,
        description="Abstain when the best hit scores below this (docs/abstention.md).",
    )
    relevance_signal: Literal["phrase", "lexical", "retrieval"] = Field(
        default="phrase",
        description="The score min_relevance is compared with (generation.abstention).",
    )
    nearest: int = Field(default=3, description="Provisions listed when abstaining.")
    max_quotes: int = Field(default=3, description="Clauses quoted by the extractive backend.")
