"""``luatqa demo``: real generated answers on this machine, in one command
(``make run LLM=demo``).

1. prepares the demo model (Gemma 3 270M from its package; cached),
2. when no demo adapter exists yet, trains one with finetune/configs/gemma3-270m-cpu.yaml on
   questions written from the index's own provisions (``finetune data --from-corpus``): the
   time estimate comes first, then a progress bar with the time left,
3. starts vLLM (the base model + the adapter) and the web UI pointed at it (profile
   ``demo-llm``), prints both addresses, and stops both on Ctrl-C.

An adapter trained on the ALQAC train split with the documented commands (docs/finetune.md)
lives in the same folder and is used instead when present.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from app.commands.llm import DEMO_ADAPTER_NAME, demo_adapter_dir
from app.context import CliState
from generation.server import Adapter, ServeSpec, start_vllm
from legal.errors import LuatqaError

CONFIG = Path(__file__).resolve().parents[2] / "finetune" / "configs" / "gemma3-270m-cpu.yaml"
# Measured on the 2-core machine (docs/finetune.md, "CPU demo run"): 320 sequences of ~650
# tokens in 2,679 s with the reply's logits only, on cores shared part of the time. Used for
# the estimate shown before training; the progress bar then measures the real pace, and the
# config's train.max_minutes (55) bounds the run whatever the estimate.
SECONDS_PER_SEQUENCE = 8.4
MAX_MINUTES = 55.0
SEQUENCES_PER_STEP = 4  # gradient_accumulation_steps × batch 1 in the config


def _luatqa(state: CliState, *args: str) -> list[str]:
    cmd = [sys.executable, "-m", "app.cli"]
    if state.index is not None:
        cmd += ["--index", str(state.index)]
    if state.qdrant_url is not None:
        cmd += ["--qdrant-url", state.qdrant_url]
    return [*cmd, *args]


def _check(cmd: list[str]) -> None:
    code = subprocess.call(cmd)
    if code != 0:
        raise LuatqaError(f"step failed (exit {code}): {' '.join(cmd[3:])}")


def _train(state: CliState, model_dir: Path, adapter: Path, examples: int) -> None:
    data = Path(state.settings().data_dir) / "finetune-demo"
    typer.echo(f"no demo adapter yet: writing {examples} training questions from the index")
    _check(
        _luatqa(
            state, "finetune", "data", "--out", str(data), "--from-corpus", str(examples),
            "--tokenizer", str(model_dir), "--max-model-len", "768",
            "--max-answer-tokens", "200", "--val-ratio", "0.05",
        )
    )  # fmt: skip
    steps = max(10, examples // SEQUENCES_PER_STEP)
    minutes = min(MAX_MINUTES, steps * SEQUENCES_PER_STEP * SECONDS_PER_SEQUENCE / 60)
    typer.echo(
        f"training the demo adapter: up to {steps} steps of {SEQUENCES_PER_STEP} sequences, "
        f"about {minutes:.0f} minutes on 2 CPU cores ({SECONDS_PER_SEQUENCE:g} s a sequence "
        f"measured; stops after {MAX_MINUTES:g} min at most)"
    )
    _check(
        _luatqa(
            state, "finetune", "train", "--config", str(CONFIG),
            "--set", f"data.train_file={data / 'train.jsonl'}",
            "--set", f"data.val_file={data / 'val.jsonl'}",
            "--set", f"train.max_steps={steps}", "--set", f"train.output_dir={adapter}",
        )
    )  # fmt: skip


def demo_command(
    ctx: typer.Context,
    ui_port: Annotated[int, typer.Option("--ui-port")] = 8501,
    llm_port: Annotated[int, typer.Option("--llm-port")] = 8000,
    examples: Annotated[
        int, typer.Option("--train-examples", help="Questions for a first adapter.")
    ] = 160,
    no_train: Annotated[
        bool, typer.Option("--no-train", help="Serve the base model when no adapter exists.")
    ] = False,
) -> None:
    """Prepare, (train,) serve the demo model with vLLM and start the UI on it."""
    from finetune.demo_model import SERVED_NAME, default_dir, prepare_demo_model

    state: CliState = ctx.obj
    settings = state.settings()
    data_dir = Path(settings.data_dir)
    made = prepare_demo_model(default_dir(data_dir), log=lambda m: typer.echo(m, err=True))
    adapter = demo_adapter_dir(data_dir)
    if not (adapter / "adapter_config.json").is_file() and not no_train:
        _train(state, made.path, adapter, examples)
    adapters = (
        (Adapter(DEMO_ADAPTER_NAME, adapter),)
        if (adapter / "adapter_config.json").is_file()
        else ()
    )
    spec = ServeSpec(made.path, SERVED_NAME, adapters, port=llm_port)
    server = start_vllm(spec, data_dir / "logs" / f"vllm-{llm_port}.log")
    ui: subprocess.Popen[bytes] | None = None
    try:
        typer.echo("starting vLLM (about a minute on 2 cores)…")
        server.wait_ready(600)
        answering = adapters[0].name if adapters else SERVED_NAME
        typer.echo(f"vLLM ready at {server.url}: answers come from {answering}")
        env = {**os.environ, "LUATQA_PROFILE": "demo-llm", "LUATQA_LLM__BASE_URL": server.url}
        ui = subprocess.Popen(_luatqa(state, "ui", "--port", str(ui_port)), env=env)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while server.alive() and ui.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        typer.echo("stopping the UI and vLLM")
    finally:
        if ui is not None and ui.poll() is None:
            ui.terminate()
            ui.wait(timeout=30)
        server.stop()


def register(cli: typer.Typer) -> None:
    cli.command("demo")(demo_command)
