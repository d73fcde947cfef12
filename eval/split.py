"""Train / validation split of gold questions by a hash of the normalised question.

The fine-tuning data builder (:mod:`finetune.builder`) and ``luatqa eval --split`` use this
one function, so "report on validation" means exactly the questions the adapter never saw:
the same question (and its abstention twin) always falls on the same side, whatever file
or order it comes in.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Literal

from eval.gold import GoldSet
from legal.textnorm import normalize_for_index

Split = Literal["all", "train", "val"]
DEFAULT_VAL_RATIO = 0.2  # the demo adapter's data (finetune/configs/gemma3-270m-cpu.yaml)


def normalize_question(text: str) -> str:
    """The text match used for dedupe, ``--exclude`` and the split: NFC, one tone placement,
    lowercase, whitespace collapsed (trailing punctuation ignored)."""
    t = normalize_for_index(text).lower()
    t = " ".join(t.split())
    return t.rstrip(" ?.!…:;")


def split_of(question: str, val_ratio: float) -> Literal["train", "val"]:
    digest = hashlib.sha1(normalize_question(question).encode("utf-8")).hexdigest()
    return "val" if int(digest[:8], 16) / 0xFFFFFFFF < val_ratio else "train"


def select_split(gold: GoldSet, split: Split, val_ratio: float = DEFAULT_VAL_RATIO) -> GoldSet:
    """The items of ``gold`` on one side of the split (``all``: unchanged)."""
    if split == "all":
        return gold
    items = tuple(i for i in gold.items if split_of(i.question, val_ratio) == split)
    return replace(gold, items=items)
