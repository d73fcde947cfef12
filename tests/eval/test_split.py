"""One train/validation split, by question hash, for fine-tuning data and eval --split."""

from __future__ import annotations

from pathlib import Path

from eval.gold import GoldItem, GoldSet
from eval.split import select_split, split_of


def _gold(questions: list[str]) -> GoldSet:
    items = tuple(GoldItem(f"q{i}", q, ()) for i, q in enumerate(questions))
    return GoldSet(Path("g.json"), items)


def test_split_is_stable_and_ignores_case_spacing_and_final_punctuation() -> None:
    q = "Thời giờ làm việc bình thường không quá bao nhiêu giờ?"
    assert split_of(q, 0.2) == split_of(
        "  thời giờ làm việc   bình thường không quá bao nhiêu giờ", 0.2
    )
    assert split_of(q, 0.0) == "train" and split_of(q, 1.0) == "val"


def test_select_split_partitions_the_items() -> None:
    gold = _gold([f"Câu hỏi số {i} về hợp đồng lao động?" for i in range(200)])
    val = select_split(gold, "val", 0.2)
    train = select_split(gold, "train", 0.2)
    assert len(val.items) + len(train.items) == 200
    assert not {i.id for i in val.items} & {i.id for i in train.items}
    assert 20 <= len(val.items) <= 60  # about a fifth
    assert select_split(gold, "all") is gold
