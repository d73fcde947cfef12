"""Token budgeting: how many passages fit in the served model's context and still leave room
for the answer within ``max-model-len``.

Counting uses the served model's own tokenizer: a local tokenizer folder (``transformers``
AutoTokenizer, chat template applied), or the vLLM server's ``/tokenize`` endpoint, which
also reports the server's ``max_model_len``. When neither is available, a conservative
estimate of 3 tokens per Vietnamese word (syllable) is used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from generation.answer import QuestionType
from generation.client import EndpointMissing, VLLMClient
from generation.prompt import Message, build_messages, passage_block
from legal.errors import ConfigError, GenerationError
from retrieval.types import Passage

TOKENS_PER_WORD = 3
MESSAGE_OVERHEAD = 8  # role headers and terminators per chat message
PROMPT_OVERHEAD = 32  # bos, system header (the Llama 3.1 date lines), generation prompt
BLOCK_SEPARATOR = 2  # the blank line between passages


class TokenCounter(Protocol):
    """Counts tokens the way the served model will."""

    name: str

    def count_text(self, text: str) -> int: ...

    def count_messages(self, messages: Sequence[Message]) -> int: ...

    def server_max_len(self) -> int | None: ...


class EstimateCounter:
    """No tokenizer: 3 tokens per word, plus chat-template overhead (over-counts on purpose)."""

    name = "estimate"

    def __init__(self, tokens_per_word: int = TOKENS_PER_WORD) -> None:
        self.tokens_per_word = tokens_per_word

    def count_text(self, text: str) -> int:
        return self.tokens_per_word * len(text.split())

    def count_messages(self, messages: Sequence[Message]) -> int:
        return PROMPT_OVERHEAD + sum(
            MESSAGE_OVERHEAD + self.count_text(m["content"]) for m in messages
        )

    def server_max_len(self) -> int | None:
        return None


class LocalTokenizerCounter:
    """The served model's tokenizer loaded from a local folder (or a cached hub id)."""

    def __init__(self, path: str | Path) -> None:
        try:
            from transformers import AutoTokenizer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ConfigError(
                "a local tokenizer needs transformers",
                hint="pip install -e '.[llm]', or unset LUATQA_LLM__TOKENIZER",
            ) from exc
        try:
            self._tok: Any = AutoTokenizer.from_pretrained(str(path))
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"cannot load the tokenizer: {exc}",
                path=str(path),
                hint="point LUATQA_LLM__TOKENIZER at the served model's folder",
            ) from exc
        self.name = f"tokenizer:{path}"

    def count_text(self, text: str) -> int:
        return len(self._tok(text, add_special_tokens=False)["input_ids"])

    def count_messages(self, messages: Sequence[Message]) -> int:
        if getattr(self._tok, "chat_template", None):
            ids = self._tok.apply_chat_template(
                list(messages), tokenize=True, add_generation_prompt=True
            )
            if isinstance(ids, dict) or hasattr(ids, "keys"):
                ids = ids["input_ids"]
            return len(ids)
        return PROMPT_OVERHEAD + sum(
            MESSAGE_OVERHEAD + self.count_text(m["content"]) for m in messages
        )

    def server_max_len(self) -> int | None:
        return None


class ServerTokenizerCounter:
    """vLLM's ``/tokenize`` route (the server's own tokenizer and chat template), through the
    server's :class:`~generation.client.VLLMClient`. Falls back to :class:`EstimateCounter`
    when the server answers without the route (and says so in :attr:`fallback_reason`); a
    server that cannot be reached at all raises :class:`GenerationError`, so the answer
    service falls back at once."""

    def __init__(self, client: VLLMClient, model: str, timeout_s: float = 5.0) -> None:
        self.client = client
        self.model = model
        self.timeout_s = timeout_s
        self.name = f"server:{client.root}/tokenize"
        self.fallback_reason: str | None = None
        self._estimate = EstimateCounter()
        self._max_len: int | None = None

    def _post(self, body: dict[str, Any]) -> dict[str, Any] | None:
        if self.fallback_reason is not None:
            return None
        named = {"model": self.model} if self.model and self.model != "auto" else {}
        try:
            out = self.client.tokenize({**named, **body}, timeout_s=self.timeout_s)
        except EndpointMissing as exc:  # a proxy in front of the server: estimate
            self.fallback_reason = exc.message
            return None
        if isinstance(out.get("max_model_len"), int):
            self._max_len = out["max_model_len"]
        return out

    def count_text(self, text: str) -> int:
        out = self._post({"prompt": text, "add_special_tokens": False})
        if out is None or not isinstance(out.get("count"), int):
            return self._estimate.count_text(text)
        return int(out["count"])

    def count_messages(self, messages: Sequence[Message]) -> int:
        out = self._post({"messages": list(messages), "add_generation_prompt": True})
        if out is None or not isinstance(out.get("count"), int):
            return self._estimate.count_messages(messages)
        return int(out["count"])

    def server_max_len(self) -> int | None:
        if self._max_len is None:
            self._post({"prompt": "a", "add_special_tokens": False})
        return self._max_len


@dataclass(frozen=True)
class Budget:
    messages: list[Message]
    passages: tuple[Passage, ...]  # the passages that fit, in prompt order
    texts: tuple[str, ...]  # their texts as put in the prompt (the last may be shortened)
    prompt_tokens: int
    answer_tokens: int  # max_tokens to request
    max_model_len: int
    dropped: int  # passages left out for lack of room
    truncated: bool  # the last passage was shortened
    counter: str


def _truncate_words(text: str, keep: int) -> str:
    words = text.split()
    return " ".join(words[:keep]) + (" …" if keep < len(words) else "")


def fit_prompt(
    question: str,
    passages: Sequence[Passage],
    counter: TokenCounter,
    *,
    max_model_len: int,
    max_answer_tokens: int,
    qtype: QuestionType = QuestionType.FREE,
    choices: Sequence[str] = (),
    min_answer_tokens: int = 32,
) -> Budget:
    """Keep passages, best first, while prompt + answer fit in ``max_model_len``.

    The answer gets ``max_answer_tokens``, or when room is tight half of what the bare prompt
    leaves (never below ``min_answer_tokens``) plus whatever the passages leave unused; the
    first passage that does not fit whole is cut at a word boundary when a useful part of it
    fits."""
    limit = max_model_len
    served = counter.server_max_len()
    if served is not None:
        limit = min(limit, served)
    base = counter.count_messages(build_messages(question, [], qtype, choices))
    # When room is tight the answer gets at most half of it, the passages the rest; whatever
    # the passages leave unused goes back to the answer at the end.
    answer = min(max_answer_tokens, max(min_answer_tokens, (limit - base) // 2))
    if limit - base < min_answer_tokens:
        raise GenerationError(
            f"the question alone takes {base} of the model's {limit} tokens",
            hint="shorten the question, or serve the model with a larger --max-model-len",
        )
    kept, texts = _fill(passages, counter, room=limit - answer - base)
    # Sums of block counts approximate the whole; check the real prompt and drop if needed.
    while True:
        messages = build_messages(question, kept, qtype, choices, texts=texts)
        total = counter.count_messages(messages)
        if total + answer <= limit or not kept:
            break
        kept.pop()
        texts.pop()
    answer = min(max_answer_tokens, limit - total)
    if answer < min_answer_tokens:
        raise GenerationError(
            f"the prompt takes {total} of the model's {limit} tokens",
            hint="shorten the question, or serve the model with a larger --max-model-len",
        )
    return Budget(
        messages=messages,
        passages=tuple(kept),
        texts=tuple(texts),
        prompt_tokens=total,
        answer_tokens=answer,
        max_model_len=limit,
        dropped=len(passages) - len(kept),
        truncated=bool(kept) and texts[-1] != kept[-1].text,  # only the last can be cut
        counter=counter.name,
    )


def _fill(
    passages: Sequence[Passage], counter: TokenCounter, *, room: int
) -> tuple[list[Passage], list[str]]:
    """Passages, best first, and their prompt texts while their blocks fit in ``room``
    tokens; the first that does not fit whole ends the list, shortened when a useful part
    of it fits (:func:`_shorten`)."""
    kept: list[Passage] = []
    texts: list[str] = []
    used = 0
    for i, p in enumerate(passages, 1):
        cost = counter.count_text(passage_block(i, p)) + BLOCK_SEPARATOR
        if used + cost <= room:
            kept.append(p)
            texts.append(p.text)
            used += cost
            continue
        cut = _shorten(i, p, counter, room - used)
        if cut is not None:
            kept.append(p)
            texts.append(cut)
        break
    return kept, texts


def _shorten(i: int, p: Passage, counter: TokenCounter, room: int) -> str | None:
    """Passage ``i`` cut at a word boundary so that its block fits in ``room`` tokens, or
    None when less than a useful part of it (24 tokens of text, 8 words) would fit."""
    left = room - counter.count_text(passage_block(i, p, "")) - BLOCK_SEPARATOR
    words = len(p.text.split())
    if left < 24 or not words:
        return None
    # tokens per word of this text, measured, to cut close to the limit
    per_word = max(counter.count_text(p.text) / words, 1.0)
    keep = math.floor(left / per_word) - 2
    while keep > 8:
        cut = _truncate_words(p.text, keep)
        if counter.count_text(passage_block(i, p, cut)) + BLOCK_SEPARATOR <= room:
            return cut
        keep = int(keep * 0.85)
    return None
