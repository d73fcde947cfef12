"""``luatqa finetune data``: gather questions, build examples, split, write files + card."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from finetune.builder import BuildReport, DataBuilder, SFTExample
from finetune.card import LengthCounter, card_markdown, data_card
from finetune.tasks import QATask, exclusion_set, tasks_from_corpus, tasks_from_gold
from legal.errors import InputError

TRAIN_FILE = "train.jsonl"
VAL_FILE = "val.jsonl"
CARD_JSON = "data_card.json"
CARD_MD = "data_card.md"


@dataclass(frozen=True)
class DataRequest:
    out: Path
    gold: tuple[Path, ...] = ()
    exclude: tuple[Path, ...] = ()
    from_corpus: int = 0
    gold_limit: int | None = None  # per gold file


@dataclass(frozen=True)
class DataResult:
    out: Path
    train: int
    val: int
    card: dict[str, Any]


def _write_jsonl(path: Path, examples: Sequence[SFTExample]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for e in examples:
            fh.write(json.dumps(e.to_json(), ensure_ascii=False) + "\n")


def gather_tasks(request: DataRequest, builder: DataBuilder) -> list[QATask]:
    tasks: list[QATask] = []
    for path in request.gold:
        tasks.extend(tasks_from_gold(path, limit=request.gold_limit))
    if request.from_corpus > 0:
        passages = builder.provisions.clause_passages()
        if not passages:
            raise InputError(
                "the index holds no provisions to write questions from",
                hint="ingest a corpus first (luatqa ingest PATH), or leave out --from-corpus",
            )
        tasks.extend(tasks_from_corpus(passages, request.from_corpus, builder.options.seed))
    return tasks


def build_dataset(
    request: DataRequest,
    builder: DataBuilder,
    lengths: LengthCounter,
    log: Callable[[str], None] = lambda _: None,
) -> DataResult:
    if not request.gold and request.from_corpus <= 0:
        raise InputError(
            "no source of questions",
            hint="give --gold FILE (with answers) and/or --from-corpus N",
        )
    exclude = exclusion_set(request.exclude)
    tasks = gather_tasks(request, builder)
    log(f"{len(tasks)} questions; {len(exclude)} eval questions excluded by text")
    report: BuildReport = builder.build(tasks, exclude)
    if not report.examples:
        raise InputError(
            f"no example could be built from {report.tasks} questions "
            f"(excluded {report.excluded}, skipped {dict(report.skipped)})",
            hint="check that the index holds the laws the gold files cite",
        )
    train, val = builder.split(report.examples)
    out = request.out
    out.mkdir(parents=True, exist_ok=True)
    _write_jsonl(out / TRAIN_FILE, train)
    _write_jsonl(out / VAL_FILE, val)
    settings = {
        **asdict(builder.options),
        "gold": [str(p) for p in request.gold],
        "exclude": [str(p) for p in request.exclude],
        "from_corpus": request.from_corpus,
        "prompt_counter": getattr(builder.counter, "name", "?"),
    }
    card = data_card(train, val, report, lengths, settings)
    (out / CARD_JSON).write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / CARD_MD).write_text(card_markdown(card), encoding="utf-8")
    log(f"wrote {len(train)} train / {len(val)} val examples to {out}")
    return DataResult(out=out, train=len(train), val=len(val), card=card)
