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

import inspect
import itertools
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


def label_scores(model: Any, tokenizer: Any, item: LabelItem) -> dict[str, float]:
    """Each allowed label's log-probability (its tokens and closing quote, summed) after the
    prompt and the reply opening. The prompt is run once; a label of several tokens continues
    from a copy of its cache (transformers 5 renames the argument ``past_key_values`` to
    ``cache``; whichever the model takes is used)."""
    import copy

    import torch

    kwarg = _cache_argument(model)

    prompt = tokenizer.apply_chat_template(
        list(item.messages), tokenize=False, add_generation_prompt=True
    )
    prompt_ids = tokenizer(prompt + REPLY_OPENING, add_special_tokens=False)["input_ids"]
    device = next(model.parameters()).device
    with torch.no_grad():
        out = model(input_ids=torch.tensor([list(prompt_ids)], device=device), use_cache=True,
                    logits_to_keep=1)  # fmt: skip
        cache = out.cache if getattr(out, "cache", None) is not None else out.past_key_values
        first = torch.log_softmax(out.logits[0, -1].float(), dim=-1)
        scores = {}
        for label in LABELS[item.kind]:
            ids = tokenizer(label + '"', add_special_tokens=False)["input_ids"]
            score = float(first[ids[0]])
            if len(ids) > 1:
                rest = model(input_ids=torch.tensor([ids[:-1]], device=device),
                             **{kwarg: copy.deepcopy(cache)}, use_cache=True)  # fmt: skip
                logp = torch.log_softmax(rest.logits[0].float(), dim=-1)
                score += sum(float(logp[j, t]) for j, t in enumerate(ids[1:]))
            scores[label] = score
    return scores


def _cache_argument(model: Any) -> str:
    inner = model.get_base_model() if hasattr(model, "get_base_model") else model
    params = inspect.signature(inner.forward).parameters
    return "cache" if "cache" in params else "past_key_values"


def pick_label(model: Any, tokenizer: Any, item: LabelItem) -> str:
    """The allowed label the model finds likeliest after the prompt and the reply opening."""
    scores = label_scores(model, tokenizer, item)
    return max(LABELS[item.kind], key=lambda label: scores[label])


def label_accuracy(
    model: Any, tokenizer: Any, items: Sequence[LabelItem]
) -> tuple[dict[str, float | None], list[str]]:
    """Accuracy per kind (None for a kind with no item) and the label picked for each item."""
    model.eval()
    picks = [pick_label(model, tokenizer, item) for item in items]
    return accuracy_of(items, picks), picks


def _share(items: Sequence[LabelItem], picks: Iterable[str], kind: str) -> float | None:
    pairs = [(i.gold, p) for i, p in zip(items, picks, strict=True) if i.kind == kind]
    return sum(g == p for g, p in pairs) / len(pairs) if pairs else None


# --- Is there a judgement to calibrate? -------------------------------------------------------
# A model that answers "Sai" to every statement may still rank the true statements above the
# false ones: its label scores carry a judgement, shifted by a prior. These fit that shift on the
# training file and apply it to the validation file (bench/label_calibration.py): Đúng/Sai by the
# threshold on score(Đúng) − score(Sai) that is most accurate on the training file; multiple choice
# by subtracting each letter's mean score on it (a prior correction). AUC says how well the margin
# orders true above false statements, whatever the threshold (.5: no judgement at all).

Scores = Sequence[dict[str, float]]


def truth_margin(scores: dict[str, float]) -> float:
    """How much likelier the model finds "Đúng" than "Sai" (log-probabilities)."""
    return scores["Đúng"] - scores["Sai"]


def fit_offsets(items: Sequence[LabelItem], scores: Scores) -> dict[str, dict[str, float]]:
    """Per kind, what to subtract from each label's score before the argmax."""
    offsets: dict[str, dict[str, float]] = {}
    ds = [(truth_margin(s), i.gold == "Đúng") for i, s in zip(items, scores, strict=True)
          if i.kind == "dung-sai"]  # fmt: skip
    if ds:
        cuts = sorted({m for m, _ in ds})
        middles = [(a + b) / 2 for a, b in itertools.pairwise(cuts)] or cuts
        best = max(middles, key=lambda t: (sum((m > t) == g for m, g in ds), -abs(t)))
        offsets["dung-sai"] = {"Đúng": best, "Sai": 0.0}
    mc = [s for i, s in zip(items, scores, strict=True) if i.kind == "trac-nghiem"]
    if mc:
        letters = LABELS["trac-nghiem"]
        offsets["trac-nghiem"] = {k: sum(s[k] for s in mc) / len(mc) for k in letters}
    return offsets


def picks_with(
    items: Sequence[LabelItem], scores: Scores, offsets: dict[str, dict[str, float]]
) -> list[str]:
    """The label each item gets once its kind's offsets are subtracted (none: the raw argmax)."""
    picks = []
    for item, s in zip(items, scores, strict=True):
        off = offsets.get(item.kind, {})
        picks.append(max(LABELS[item.kind], key=lambda k: s[k] - off.get(k, 0.0)))
    return picks


def accuracy_of(items: Sequence[LabelItem], picks: Sequence[str]) -> dict[str, float | None]:
    return {kind: _share(items, picks, kind) for kind in LABELS}


def truth_auc(items: Sequence[LabelItem], scores: Scores) -> float | None:
    """Share of (true, false) statement pairs whose margins are in the right order (ties ½)."""
    pairs = [(truth_margin(s), i.gold == "Đúng") for i, s in zip(items, scores, strict=True)
             if i.kind == "dung-sai"]  # fmt: skip
    true = [m for m, g in pairs if g]
    false = [m for m, g in pairs if not g]
    if not true or not false:
        return None
    right = sum((t > f) + 0.5 * (t == f) for t in true for f in false)
    return right / (len(true) * len(false))
