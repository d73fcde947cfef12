"""The reply-only loss equals the model's own loss over the labelled tokens, with logits for
the reply window only."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.finetune


def test_reply_loss_matches_the_full_loss(tiny_llama: Path) -> None:
    torch = pytest.importorskip("torch")
    from transformers import AutoModelForCausalLM

    from finetune.reply_loss import IGNORE, reply_loss, reply_window

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(tiny_llama, dtype=torch.float32).eval()
    ids = torch.randint(5, 200, (2, 40))
    labels = ids.clone()
    labels[0, :30] = IGNORE  # prompt of 30, reply of 10
    labels[1, :25] = IGNORE  # prompt of 25, reply of 12, then padding
    labels[1, 37:] = IGNORE
    inputs = {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels}
    assert reply_window(labels) == 40 - 25 + 1
    with torch.no_grad():
        full = model(**inputs).loss
        ours, outputs = reply_loss(model, inputs)
    assert outputs.logits.shape[1] == 16  # not 40: only the reply window's logits
    assert torch.allclose(ours, full, atol=1e-5)
    with torch.no_grad():
        summed, _ = reply_loss(model, inputs, num_items_in_batch=int((labels != IGNORE).sum()))
    assert torch.allclose(summed, full, atol=1e-5)


def test_window_without_labels_is_the_whole_sequence() -> None:
    torch = pytest.importorskip("torch")
    from finetune.reply_loss import IGNORE, reply_window

    assert reply_window(torch.full((1, 9), IGNORE)) == 9
