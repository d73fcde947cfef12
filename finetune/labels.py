"""Which label a model gives the structured questions of a fine-tuning file, teacher-forced.

For each Đúng/Sai and multiple-choice example of a ``finetune data`` file (the reply is the
JSON ``{"label": …}``), the prompt is rendered with the chat template, followed by the
reply's opening ``{"label": "``; each allowed label (then its closing quote) is scored by the
sum of its tokens' log-probabilities, and the likeliest one is the model's answer. This is
what guided decoding lets the model choose at that point, without generating — so a whole
validation file is scored in seconds on a GPU, and an adapter and its base (PEFT's
``disable_adapter``) compare on the same questions. It is a diagnostic for training runs
(bench/finetune_demo.py), not the product's figure: ``luatqa eval --answers`` is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LABELS: dict[str, tuple[str, ...]] = {
    "dung-sai": ("Đúng", "Sai"),
    "trac-nghiem": ("A", "B", "C", "D"),
}
REPLY_OPENING = '{"label": "'


@dataclass(frozen=True)
class LabelItem:
    kind: str  # a key of LABELS
    messages: tuple[dict[str, str], ...]  # system + user, without the reply
    gold: str


def label_items(path: str | Path) -> list[LabelItem]:
    """The structured examples of a fine-tuning JSONL file, with their gold label."""
    items = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("kind") not in LABELS:
            continue
        *prompt, reply = row["messages"]
        items.append(LabelItem(row["kind"], tuple(prompt), json.loads(reply["content"])["label"]))
    return items


def pick_label(model: Any, tokenizer: Any, item: LabelItem) -> str:
    """The allowed label the model finds likeliest after the prompt and the reply opening."""
    import torch

    prompt = tokenizer.apply_chat_template(
        list(item.messages), tokenize=False, add_generation_prompt=True
    )
    prompt_ids = tokenizer(prompt + REPLY_OPENING, add_special_tokens=False)["input_ids"]
    device = next(model.parameters()).device
    best, best_score = LABELS[item.kind][0], float("-inf")
    for label in LABELS[item.kind]:
        ids = tokenizer(label + '"', add_special_tokens=False)["input_ids"]
        batch = torch.tensor([list(prompt_ids) + list(ids)], device=device)
        with torch.no_grad():
            logits = model(input_ids=batch, logits_to_keep=len(ids) + 1).logits[0, :-1]
        logp = torch.log_softmax(logits.float(), dim=-1)
        score = float(logp.gather(1, torch.tensor(ids, device=device)[:, None]).sum())
        if score > best_score:
            best, best_score = label, score
    return best


def label_accuracy(
    model: Any, tokenizer: Any, items: Sequence[LabelItem]
) -> tuple[dict[str, float | None], list[str]]:
    """Accuracy per kind (None for a kind with no item) and the label picked for each item."""
    model.eval()
    picks = [pick_label(model, tokenizer, item) for item in items]
    return {kind: _share(items, picks, kind) for kind in LABELS}, picks


def _share(items: Sequence[LabelItem], picks: Iterable[str], kind: str) -> float | None:
    pairs = [(i.gold, p) for i, p in zip(items, picks, strict=True) if i.kind == kind]
    return sum(g == p for g, p in pairs) / len(pairs) if pairs else None
