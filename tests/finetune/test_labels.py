"""Teacher-forced label picks: the structured examples of a fine-tuning file, and the label
the model finds likeliest, checked against an independent full-sequence computation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from finetune.labels import (
    LABELS,
    REPLY_OPENING,
    LabelItem,
    label_accuracy,
    label_items,
    label_scores,
)

pytestmark = pytest.mark.finetune

SYSTEM = {"role": "system", "content": "Bạn là trợ lý pháp lý."}


def _row(kind: str, question: str, label: str) -> dict[str, object]:
    reply = json.dumps({"label": label, "citations": [1], "reasoning": "…"}, ensure_ascii=False)
    return {
        "kind": kind,
        "messages": [SYSTEM, {"role": "user", "content": question},
                     {"role": "assistant", "content": reply}],
    }  # fmt: skip


def test_label_items_keeps_structured_examples_with_their_gold(tmp_path: Path) -> None:
    rows = [
        _row("dung-sai", "Người lao động có quyền đơn phương chấm dứt, đúng hay sai?", "Đúng"),
        {"kind": "tu-luan", "messages": [SYSTEM, {"role": "user", "content": "?"},
                                         {"role": "assistant", "content": "Theo [1] …"}]},
        _row("trac-nghiem", "Chọn đáp án: A … B … C … D …", "C"),
    ]  # fmt: skip
    path = tmp_path / "val.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows) + "\n")
    items = label_items(path)
    assert [(i.kind, i.gold) for i in items] == [("dung-sai", "Đúng"), ("trac-nghiem", "C")]
    assert [m["role"] for m in items[0].messages] == ["system", "user"]


def _full_scores(model, tokenizer, item: LabelItem) -> dict[str, float]:  # type: ignore[no-untyped-def]
    import torch

    prompt = tokenizer.apply_chat_template(
        list(item.messages), tokenize=False, add_generation_prompt=True
    )
    p_ids = tokenizer(prompt + REPLY_OPENING, add_special_tokens=False)["input_ids"]
    scores = {}
    for label in LABELS[item.kind]:
        l_ids = tokenizer(label + '"', add_special_tokens=False)["input_ids"]
        ids = torch.tensor([p_ids + l_ids])
        with torch.no_grad():
            logp = torch.log_softmax(model(input_ids=ids).logits[0].float(), -1)
        scores[label] = sum(float(logp[len(p_ids) - 1 + j, t]) for j, t in enumerate(l_ids))
    return scores


def test_picks_are_the_likeliest_label(tiny_llama: Path) -> None:
    torch = pytest.importorskip("torch")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(tiny_llama, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(tiny_llama)
    items = [
        LabelItem(kind, (SYSTEM, {"role": "user", "content": question}), gold)
        for kind, question, gold in [
            ("dung-sai", "Điều 35, đúng hay sai?", "Sai"),
            ("trac-nghiem", "A, B, C hay D?", "A"),
            ("dung-sai", "48 giờ một tuần?", "Đúng"),
        ]
    ]
    accuracy, picks = label_accuracy(model, tokenizer, items)
    for item, pick in zip(items, picks, strict=True):
        scores = _full_scores(model, tokenizer, item)
        assert pick == max(scores, key=lambda k: scores[k])
        assert label_scores(model, tokenizer, item) == pytest.approx(scores, abs=1e-4)
    # the cached continuation is exercised: some label takes more than one token
    assert max(len(tokenizer('Đúng"', add_special_tokens=False)["input_ids"]),
               len(tokenizer('Sai"', add_special_tokens=False)["input_ids"])) > 1  # fmt: skip
    ds = [i for i, p in zip(items, picks, strict=True) if i.kind == "dung-sai"]
    assert accuracy["dung-sai"] == sum(i.gold == p for i, p in zip(items, picks, strict=True)
                                       if i.kind == "dung-sai") / len(ds)  # fmt: skip
    assert accuracy["trac-nghiem"] == float(picks[1] == "A")


def _items(kinds_golds: list[tuple[str, str]]) -> list[LabelItem]:
    return [LabelItem(k, (SYSTEM, {"role": "user", "content": "?"}), g) for k, g in kinds_golds]


def test_a_prior_is_corrected_on_the_training_file_and_applied_elsewhere() -> None:
    from finetune.labels import accuracy_of, fit_offsets, picks_with, truth_auc

    # Đúng/Sai: the model always prefers "Đúng", but more so for the true statements
    train = _items([("dung-sai", "Đúng"), ("dung-sai", "Đúng"), ("dung-sai", "Sai"),
                    ("dung-sai", "Sai"), ("trac-nghiem", "B"), ("trac-nghiem", "C")])  # fmt: skip
    train_scores = [{"Đúng": -1.0, "Sai": -5.0}, {"Đúng": -1.0, "Sai": -4.0},
                    {"Đúng": -1.0, "Sai": -3.0}, {"Đúng": -1.0, "Sai": -2.0},
                    # multiple choice: "A" is +5 on every question, the right letter +1
                    {"A": 0.0, "B": -4.0, "C": -5.0, "D": -5.0},
                    {"A": 0.0, "B": -5.0, "C": -4.0, "D": -5.0}]  # fmt: skip
    assert picks_with(train, train_scores, {}) == ["Đúng"] * 4 + ["A", "A"]
    offsets = fit_offsets(train, train_scores)
    assert offsets["dung-sai"] == {"Đúng": 2.5, "Sai": 0.0}  # between margins 2 and 3
    assert offsets["trac-nghiem"] == {"A": 0.0, "B": -4.5, "C": -4.5, "D": -5.0}
    assert accuracy_of(train, picks_with(train, train_scores, offsets)) == {
        "dung-sai": 1.0, "trac-nghiem": 1.0}  # fmt: skip
    assert truth_auc(train, train_scores) == 1.0

    val = _items([("dung-sai", "Đúng"), ("dung-sai", "Sai"), ("dung-sai", "Sai")])
    val_scores = [{"Đúng": 0.0, "Sai": -6.0}, {"Đúng": 0.0, "Sai": -1.0},
                  {"Đúng": 0.0, "Sai": -3.0}]  # fmt: skip
    assert picks_with(val, val_scores, offsets) == ["Đúng", "Sai", "Đúng"]
    assert accuracy_of(val, picks_with(val, val_scores, offsets)) == {
        "dung-sai": pytest.approx(2 / 3), "trac-nghiem": None}  # fmt: skip
    assert truth_auc(val, val_scores) == 1.0  # the order is right; the threshold is not
    assert truth_auc(val[1:], val_scores[1:]) is None  # no true statement to order
    ties = [{"Đúng": 0.0, "Sai": 0.0}] * 3
    assert truth_auc(val, ties) == 0.5
