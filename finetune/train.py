"""LoRA supervised fine-tuning with TRL's SFTTrainer and PEFT.

* The data files hold chat examples (``messages``: system, user, assistant — the exact turns
  the generation step sends). :mod:`finetune.masking` tokenises each one as the model meets
  it at answer time (the prompt rendered with the chat template and tokenised alone, then the
  reply and its ``<|eot_id|>``) and sets the labels to -100 outside the reply, so **only the
  assistant's tokens carry loss**. The pre-tokenised ``input_ids``/``labels`` go to TRL's
  SFTTrainer as is. (TRL's own ``assistant_only_loss`` needs ``{% generation %}`` markers the
  stock Llama 3.1 template lacks, and its prompt-completion path tokenises the whole
  conversation, which can merge tokens across the prompt/reply boundary.)
* LoRA on all linear projections (q, k, v, o, gate, up, down — the modules vLLM serves),
  bf16 when the GPU supports it, gradient checkpointing, Unsloth when installed with a GPU.
* The adapter is saved with the tokenizer and chat template, plus ``training_card.json``
  (data hash, config, losses, versions). ``train.merge`` also writes merged full weights.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from finetune.config import FinetuneConfig
from finetune.masking import tokenize_example
from finetune.models import (
    cuda_status,
    load_model,
    load_tokenizer,
    peft_lora_config,
    resolve_model_path,
    use_bf16,
)
from legal.errors import ConfigError, InputError
from legal.progress import Progress, ProgressEvent

CARD_NAME = "training_card.json"

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class TrainResult:
    output_dir: Path
    adapter_name: str
    steps: int
    train_losses: tuple[tuple[int, float], ...]  # (step, loss) as logged
    eval_loss: float | None
    runtime_s: float
    train_examples: int
    val_examples: int
    merged_dir: Path | None = None

    @property
    def first_loss(self) -> float:
        return self.train_losses[0][1]

    @property
    def last_loss(self) -> float:
        return self.train_losses[-1][1]


# ---- data ---------------------------------------------------------------------------------
def read_examples(path: str | Path, limit: int | None = None) -> list[dict[str, Any]]:
    """Read a train/val JSONL written by ``luatqa finetune data``."""
    p = Path(path)
    if not p.is_file():
        raise InputError(
            "fine-tuning data file not found",
            path=p,
            hint="build it with `luatqa finetune data --out DIR` and point data.train_file at it",
        )
    rows: list[dict[str, Any]] = []
    with p.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise InputError(f"line {lineno} is not JSON: {exc}", path=p) from exc
            messages = row.get("messages") if isinstance(row, dict) else None
            if (
                not isinstance(messages, list)
                or len(messages) < 2
                or not all(isinstance(m, dict) and "role" in m and "content" in m for m in messages)
                or messages[-1]["role"] != "assistant"
            ):
                raise InputError(
                    f"line {lineno}: expected 'messages' ending with an assistant turn",
                    path=p,
                    hint="each line must be a chat example as written by `luatqa finetune data`",
                )
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
    if not rows:
        raise InputError("fine-tuning data file is empty", path=p)
    return rows


def tokenize_rows(
    tokenizer: Any, rows: Sequence[dict[str, Any]], max_length: int
) -> list[dict[str, list[int]]]:
    out = []
    for row in rows:
        messages = [{"role": m["role"], "content": m["content"]} for m in row["messages"]]
        ex = tokenize_example(tokenizer, messages, max_length)
        if ex.reply_tokens == 0:  # the prompt alone fills max_length: nothing to learn
            continue
        out.append({"input_ids": list(ex.input_ids), "labels": list(ex.labels)})
    return out


def file_sha256(*paths: Path | None) -> str:
    h = hashlib.sha256()
    for p in paths:
        if p is not None and p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


@dataclass
class TrainingRun:
    """Everything set up and ready to ``run()``; tests inspect the prepared datasets."""

    config: FinetuneConfig
    trainer: Any
    tokenizer: Any
    model_path: str
    train_rows: int
    val_rows: int
    data_hash: str
    bf16: bool
    log: Log

    def run(self) -> TrainResult:
        return _run(self)


def _time_limit_callback(minutes: float, log: Log) -> Any:
    from transformers import TrainerCallback

    class _TimeLimit(TrainerCallback):
        started = time.perf_counter()

        def on_train_begin(self, args: Any, state: Any, control: Any, **_: Any) -> None:
            self.started = time.perf_counter()

        def on_step_end(self, args: Any, state: Any, control: Any, **_: Any) -> None:
            if time.perf_counter() - self.started > minutes * 60:
                log(f"train.max_minutes={minutes:g} reached at step {state.global_step}: stopping")
                control.should_training_stop = True

    return _TimeLimit()


def _progress_callback(progress: Progress) -> Any:
    """Optimizer steps done of all, as events of the task ``training`` (the renderer measures
    the pace and the time left)."""
    from transformers import TrainerCallback

    def report(state: Any) -> None:
        total = int(state.max_steps) or None
        progress(ProgressEvent("training", int(state.global_step), total, "steps"))

    class _Progress(TrainerCallback):
        def on_train_begin(self, args: Any, state: Any, control: Any, **_: Any) -> None:
            report(state)

        def on_step_end(self, args: Any, state: Any, control: Any, **_: Any) -> None:
            report(state)

    return _Progress()


def _callbacks(config: FinetuneConfig, progress: Progress | None, log: Log) -> list[Any] | None:
    """The trainer's callbacks: a progress reporter when asked for, and a stop at
    ``train.max_minutes`` when set (None when neither, the trainer's own default)."""
    minutes = config.train.max_minutes
    return [
        *([_progress_callback(progress)] if progress else []),
        *([_time_limit_callback(minutes, log)] if minutes else []),
    ] or None


def _sft_args(config: FinetuneConfig, bf16: bool, already_peft: bool, has_eval: bool) -> Any:
    """TRL's SFTConfig from the fine-tuning config. Evaluation runs only with validation data
    and ``eval_steps``; gradient checkpointing is left to an already-wrapped (Unsloth) model;
    the CPU is used when no CUDA device is."""
    from trl import SFTConfig

    d, t = config.data, config.train
    return SFTConfig(
        output_dir=t.output_dir,
        max_steps=t.max_steps,
        num_train_epochs=t.num_train_epochs,
        learning_rate=t.learning_rate,
        lr_scheduler_type=t.lr_scheduler_type,
        warmup_steps=t.warmup_ratio,  # transformers 5: a float in [0, 1) is a ratio
        weight_decay=t.weight_decay,
        per_device_train_batch_size=t.per_device_train_batch_size,
        per_device_eval_batch_size=t.per_device_eval_batch_size,
        gradient_accumulation_steps=t.gradient_accumulation_steps,
        gradient_checkpointing=t.gradient_checkpointing and not already_peft,
        gradient_checkpointing_kwargs={"use_reentrant": False},
        bf16=bf16,
        fp16=False,
        max_grad_norm=t.max_grad_norm,
        logging_steps=t.logging_steps,
        logging_first_step=True,
        eval_strategy="steps" if has_eval and t.eval_steps else "no",
        eval_steps=t.eval_steps,
        save_strategy="steps" if t.save_steps else "no",
        save_steps=t.save_steps or 500,
        seed=t.seed,
        packing=t.packing,
        optim=t.optim,
        dataloader_num_workers=t.dataloader_num_workers,
        report_to=t.report_to,
        max_length=d.max_length,
        use_cpu=not cuda_status()[0],
        disable_tqdm=True,
    )


def build_training(
    config: FinetuneConfig, log: Log = _quiet, progress: Progress | None = None
) -> TrainingRun:
    """Load data, tokenizer and model, wrap LoRA, build the SFTTrainer (nothing trained).

    The data files are read before the model is loaded, so a bad file fails fast; a
    validation file that does not exist is no validation data."""
    from datasets import Dataset
    from trl import SFTTrainer

    from finetune.reply_loss import trainer_class

    config.validate()
    d, t = config.data, config.train
    train_path = Path(d.train_file)
    val_path = Path(d.val_file) if d.val_file else None
    train_rows = read_examples(train_path, d.max_train_examples)
    val_rows = (
        read_examples(val_path, d.max_val_examples) if val_path and val_path.is_file() else []
    )
    model_path = resolve_model_path(config.model.name_or_path, log)
    tokenizer = load_tokenizer(config, model_path)
    bf16 = use_bf16(t.bf16)
    model, already_peft = load_model(config, model_path, bf16, log)

    train_data = tokenize_rows(tokenizer, train_rows, d.max_length)
    val_data = tokenize_rows(tokenizer, val_rows, d.max_length)
    if not train_data:
        raise InputError(
            "no training example has any reply token within data.max_length",
            path=train_path,
            hint=f"raise data.max_length (now {d.max_length})",
        )
    trainer_cls = trainer_class() if t.reply_logits_only else SFTTrainer
    trainer = trainer_cls(
        model=model,
        args=_sft_args(config, bf16, already_peft, has_eval=bool(val_data)),
        train_dataset=Dataset.from_list(train_data),
        eval_dataset=Dataset.from_list(val_data) if val_data else None,
        processing_class=tokenizer,
        peft_config=None if already_peft else peft_lora_config(config),
        callbacks=_callbacks(config, progress, log),
    )
    return TrainingRun(
        config=config,
        trainer=trainer,
        tokenizer=tokenizer,
        model_path=model_path,
        train_rows=len(train_data),
        val_rows=len(val_data),
        data_hash=file_sha256(train_path, val_path),
        bf16=bf16,
        log=log,
    )


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("torch", "transformers", "peft", "trl", "accelerate", "datasets", "unsloth"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    return out


def _run(run: TrainingRun) -> TrainResult:
    config, trainer, log = run.config, run.trainer, run.log
    out = Path(config.train.output_dir)
    log(
        f"training {config.model.name_or_path} + LoRA r={config.lora.r} on "
        f"{run.train_rows} examples (val {run.val_rows}), bf16={run.bf16}"
    )
    started = time.perf_counter()
    trainer.train()
    eval_loss: float | None = None
    if run.val_rows:
        metrics = trainer.evaluate()
        value = metrics.get("eval_loss")
        eval_loss = float(value) if value is not None and math.isfinite(value) else None
    runtime = time.perf_counter() - started

    history = trainer.state.log_history
    losses = tuple(
        (int(h["step"]), float(h["loss"])) for h in history if "loss" in h and "step" in h
    )
    out.mkdir(parents=True, exist_ok=True)
    trainer.model.save_pretrained(out)
    run.tokenizer.save_pretrained(out)
    merged_dir = merge_adapter(run, out / "merged", log) if config.train.merge else None

    result = TrainResult(
        output_dir=out,
        adapter_name=config.train.adapter_name,
        steps=int(trainer.state.global_step),
        train_losses=losses,
        eval_loss=eval_loss,
        runtime_s=runtime,
        train_examples=run.train_rows,
        val_examples=run.val_rows,
        merged_dir=merged_dir,
    )
    card = {
        "adapter_name": config.train.adapter_name,
        "base_model": config.model.name_or_path,
        "base_model_path": run.model_path,
        "data": {
            "train_file": config.data.train_file,
            "val_file": config.data.val_file,
            "sha256": run.data_hash,
            "train_examples": run.train_rows,
            "val_examples": run.val_rows,
        },
        "config": config.to_dict(),
        "steps": result.steps,
        "train_losses": [{"step": s, "loss": v} for s, v in losses],
        "eval_loss": eval_loss,
        "runtime_s": round(runtime, 2),
        "bf16": run.bf16,
        "versions": _versions(),
        "serve": (
            f"vllm serve {config.model.name_or_path} --enable-lora "
            f"--lora-modules {config.train.adapter_name}={out} --max-lora-rank "
            f"{max(16, config.lora.r)}"
        ),
        "merged_dir": str(merged_dir) if merged_dir else None,
    }
    (out / CARD_NAME).write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
    if losses:
        log(f"loss {losses[0][1]:.3f} → {losses[-1][1]:.3f} in {result.steps} steps")
    log(f"adapter saved to {out}")
    return result


def merge_adapter(run: TrainingRun, out: Path, log: Log = _quiet) -> Path:
    """Fold the LoRA weights into the base model and save full weights + tokenizer."""
    model = run.trainer.model
    if not hasattr(model, "merge_and_unload"):
        raise ConfigError("the trained model is not a PEFT model; nothing to merge")
    merged = model.merge_and_unload()
    merged.save_pretrained(out, safe_serialization=True)
    run.tokenizer.save_pretrained(out)
    log(f"merged weights saved to {out}")
    return out


def train(
    config: FinetuneConfig, log: Log = _quiet, progress: Progress | None = None
) -> TrainResult:
    return build_training(config, log, progress).run()
