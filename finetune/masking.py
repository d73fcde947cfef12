"""Tokenise a chat example so that only the assistant's reply carries loss.

The sequence is built the way the model meets it at answer time: the prompt (every turn
before the final assistant turn, rendered with ``add_generation_prompt=True``) tokenised *on
its own* — exactly what vLLM feeds the model — followed by the tokens of the reply and its
end-of-turn token (``<|eot_id|>`` for Llama 3.1), which is what the model must generate.
Labels are ``-100`` over the prompt and equal to the input ids over the reply.

Tokenising the two parts separately (instead of the whole conversation at once) keeps the
prompt tokens identical to inference even for tokenizers whose merges would cross the
``<|end_header_id|>\\n\\n`` boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from legal.errors import InputError

IGNORE = -100


@dataclass(frozen=True)
class TokenizedExample:
    input_ids: tuple[int, ...]
    labels: tuple[int, ...]

    @property
    def prompt_tokens(self) -> int:
        return sum(1 for label in self.labels if label == IGNORE)

    @property
    def reply_tokens(self) -> int:
        return len(self.labels) - self.prompt_tokens


def _ids(encoded: Any) -> list[int]:
    if isinstance(encoded, dict) or hasattr(encoded, "keys"):
        encoded = encoded["input_ids"]
    return [int(i) for i in encoded]


def render_parts(tokenizer: Any, messages: Sequence[dict[str, str]]) -> tuple[str, str]:
    """(prompt text, reply text incl. the end-of-turn token) under the chat template."""
    if not messages or messages[-1]["role"] != "assistant":
        raise InputError("a training example must end with an assistant turn")
    prompt = tokenizer.apply_chat_template(
        list(messages[:-1]), tokenize=False, add_generation_prompt=True
    )
    full = tokenizer.apply_chat_template(list(messages), tokenize=False)
    if not full.startswith(prompt):
        raise InputError(
            "the chat template renders the prompt differently inside the full conversation",
            hint="use a template whose assistant header does not depend on what follows it",
        )
    return prompt, full[len(prompt) :]


def tokenize_example(
    tokenizer: Any, messages: Sequence[dict[str, str]], max_length: int | None = None
) -> TokenizedExample:
    """Input ids and labels (``-100`` outside the assistant reply). Over-long examples keep
    the start and are cut at ``max_length`` (the data card reports how many are)."""
    prompt_text, reply_text = render_parts(tokenizer, messages)
    # The template writes the BOS itself: no extra special tokens here.
    prompt_ids = _ids(tokenizer(prompt_text, add_special_tokens=False))
    reply_ids = _ids(tokenizer(reply_text, add_special_tokens=False))
    input_ids = prompt_ids + reply_ids
    labels = [IGNORE] * len(prompt_ids) + reply_ids
    if max_length is not None:
        input_ids, labels = input_ids[:max_length], labels[:max_length]
    return TokenizedExample(tuple(input_ids), tuple(labels))
