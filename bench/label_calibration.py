"""Is there a judgement under the prior? Label scores of a base model and its adapters, calibrated.

The demo adapters answer "Sai" to (nearly) every Đúng/Sai statement and the base answers "Đúng"
(bench/finetune_demo.py): that is a prior, and a prior can be corrected. This scores, teacher-forced
(``finetune.labels.label_scores``), every allowed label of every Đúng/Sai and multiple-choice
example of the training and the validation file, for the base model and for each adapter; fits
the correction on the training file only (``finetune.labels.fit_offsets``: the Đúng/Sai threshold
most accurate there, each letter's mean score) and reports the validation accuracy before and
after it, with the AUC of the Đúng/Sai margin (.5 = no judgement at all). If the calibrated
adapter beat the calibrated base, the correction would be worth serving; if not, the prior is
not what stands between the demo model and a judgement.

    python -m bench.label_calibration --adapter cpu=.luatqa/adapters/luatqa-demo \\
        --adapter gpu-e2=runs/finetune-demo/e2 --out runs/label-calibration

The data and the base model are the config's (``data.train_file``, ``data.val_file``,
``model.name_or_path``). Each model's scores go to ``--out``/<name>.json; the last line printed
is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

CONFIG = "finetune/configs/gemma3-270m-cpu.yaml"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", default=CONFIG, help="model and data files (default: %(default)s)")
    p.add_argument("--set", dest="sets", action="append", default=[], help="config override")
    p.add_argument("--adapter", action="append", default=[], metavar="NAME=DIR",
                   help="a LoRA adapter of the config's model (repeatable)")  # fmt: skip
    p.add_argument("--out", type=Path, default=Path("runs/label-calibration"))
    return p.parse_args(argv)


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


Split = tuple[list[Any], list[Any]]  # the items of a file and the model's label scores


def evaluate(train: Split, val: Split) -> dict[str, Any]:
    """Figures of one model: the correction is fitted on ``train`` and applied to both."""
    from finetune.labels import accuracy_of, fit_offsets, picks_with, truth_auc

    offsets = fit_offsets(*train)

    def accuracy(split: Split, offsets: dict[str, dict[str, float]]) -> dict[str, float | None]:
        return {k: _r(v) for k, v in accuracy_of(split[0], picks_with(*split, offsets)).items()}

    return {
        "val_raw": accuracy(val, {}),
        "val_calibrated": accuracy(val, offsets),
        "train_calibrated": accuracy(train, offsets),
        "auc_train": _r(truth_auc(*train)),
        "auc_val": _r(truth_auc(*val)),
        "offsets": {k: {label: round(v, 3) for label, v in o.items()} for k, o in offsets.items()},
    }


def _score(model: Any, tokenizer: Any, items: list[Any]) -> list[dict[str, float]]:
    from finetune.labels import label_scores

    model.eval()
    return [label_scores(model, tokenizer, item) for item in items]


def _majority(items: list[Any]) -> dict[str, float | None]:
    from collections import Counter

    from finetune.labels import LABELS

    out: dict[str, float | None] = {}
    for kind in LABELS:
        golds = [i.gold for i in items if i.kind == kind]
        out[kind] = _r(Counter(golds).most_common(1)[0][1] / len(golds)) if golds else None
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from finetune.config import load_config
    from finetune.labels import label_items
    from finetune.models import resolve_model_path

    config = load_config(args.config, args.sets)
    path = resolve_model_path(config.model.name_or_path)
    files = {"train": label_items(config.data.train_file),
             "val": label_items(config.data.val_file or "")}  # fmt: skip
    base = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(path)
    args.out.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"model": path, "examples": {k: len(v) for k, v in files.items()},
                              "val_majority": _majority(files["val"]), "models": {}}  # fmt: skip
    for name, adapter in [("base", None), *(a.split("=", 1) for a in args.adapter)]:
        started = time.perf_counter()
        model = base if adapter is None else PeftModel.from_pretrained(base, adapter)
        scores = {split: _score(model, tokenizer, items) for split, items in files.items()}
        record = evaluate((files["train"], scores["train"]), (files["val"], scores["val"]))
        record["adapter"], record["score_s"] = adapter, round(time.perf_counter() - started, 1)
        (args.out / f"{name}.json").write_text(json.dumps(scores, ensure_ascii=False))
        result["models"][name] = record
        print(name, json.dumps(record, ensure_ascii=False), flush=True)
        if adapter is not None:
            base = model.unload()
    (args.out / "summary.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
