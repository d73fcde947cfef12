"""Only the assistant's reply (and its <|eot_id|>) carries loss; the prompt tokens are the
ones the server feeds the model at answer time."""

from __future__ import annotations

from pathlib import Path

import pytest

from finetune.masking import IGNORE, tokenize_example
from legal.errors import InputError

transformers = pytest.importorskip("transformers", reason="needs the 'finetune' extra")

MESSAGES = [
    {"role": "system", "content": "Bạn là trợ lý pháp lý."},
    {"role": "user", "content": "NGỮ CẢNH:\n[1] Điều 105 ...\n\nCÂU HỎI: Làm việc mấy giờ?"},
    {"role": "assistant", "content": "Không quá 08 giờ trong 01 ngày [1]."},
]


def test_labels_cover_exactly_the_reply_and_its_end_of_turn(tiny_llama: Path) -> None:
    tok = transformers.AutoTokenizer.from_pretrained(tiny_llama)
    ex = tokenize_example(tok, MESSAGES)
    assert len(ex.input_ids) == len(ex.labels)
    prompt = tok.apply_chat_template(MESSAGES[:2], tokenize=False, add_generation_prompt=True)
    served = tok(prompt, add_special_tokens=False)["input_ids"]
    # the prompt part is exactly what vLLM tokenises for the request, all masked
    assert list(ex.input_ids[: len(served)]) == served
    assert all(label == IGNORE for label in ex.labels[: len(served)])
    reply = [t for t in ex.labels if t != IGNORE]
    assert list(ex.labels[len(served) :]) == reply  # one contiguous span at the end
    assert tok.decode(reply) == "Không quá 08 giờ trong 01 ngày [1].<|eot_id|>"
    assert ex.reply_tokens == len(reply) and ex.prompt_tokens == len(served)


def test_truncation_keeps_the_start(tiny_llama: Path) -> None:
    tok = transformers.AutoTokenizer.from_pretrained(tiny_llama)
    full = tokenize_example(tok, MESSAGES)
    cut = tokenize_example(tok, MESSAGES, max_length=full.prompt_tokens + 2)
    assert cut.input_ids == full.input_ids[: full.prompt_tokens + 2]
    assert cut.reply_tokens == 2


def test_an_example_must_end_with_the_assistant(tiny_llama: Path) -> None:
    tok = transformers.AutoTokenizer.from_pretrained(tiny_llama)
    with pytest.raises(InputError, match="assistant"):
        tokenize_example(tok, MESSAGES[:2])
