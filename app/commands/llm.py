"""``luatqa llm prepare|serve``: the answer model on this machine.

    luatqa llm prepare --demo                 # Gemma 3 270M from its package → HF checkpoint
    luatqa llm serve [--demo | --model DIR] [--adapter [NAME=]DIR ...] [--port 8000]

``serve`` starts the real vLLM OpenAI server (CPU here, GPU where present) on 127.0.0.1,
waits until it answers, prints where it listens and which models it serves, and stops it on
Ctrl-C. With ``--demo`` it serves the prepared demo model and, when it exists, our trained
demo adapter (``.luatqa/adapters/luatqa-demo``); the settings profile ``demo-llm`` points
``ask``, the UI and ``eval --answers`` at it.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from app.context import CliState
from generation.server import Adapter, ServeSpec, adapters_from, start_vllm
from legal.errors import GenerationError

app = typer.Typer(
    help="Prepare and serve the answer model (vLLM).",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help, like the top-level app (app.cli)
)

DEMO_ADAPTER_NAME = "luatqa-demo"
DemoFlag = Annotated[
    bool,
    typer.Option("--demo", help="The bundled demo model (Gemma 3 270M, base; prepared once)."),
]


def demo_adapter_dir(data_dir: Path) -> Path:
    """Where ``make run LLM=demo`` and finetune/configs/gemma3-270m-cpu.yaml put the adapter."""
    return data_dir / "adapters" / DEMO_ADAPTER_NAME


def _demo_dir(state: CliState) -> Path:
    from finetune.demo_model import default_dir

    return default_dir(state.settings().data_dir)


@app.command("prepare")
def prepare_command(
    ctx: typer.Context,
    demo: DemoFlag = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Checkpoint folder (default: data folder).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even when present.")] = False,
) -> None:
    """Write the demo model as a local Hugging Face checkpoint (once; cached)."""
    from finetune.demo_model import prepare_demo_model

    state: CliState = ctx.obj
    if not demo:
        raise typer.BadParameter(
            "only the bundled demo model can be prepared here: pass --demo (production "
            "models come from their own checkpoint folder)",
            param_hint="--demo",
        )
    target = out or _demo_dir(state)
    made = prepare_demo_model(target, force=force, log=lambda m: typer.echo(m, err=True))
    info = made.info
    how = "already prepared" if made.cached else f"prepared in {made.seconds:.0f} s"
    typer.echo(
        f"{made.path}: {info.get('architecture')} ({info.get('parameters', 0) / 1e6:.0f}M "
        f"parameters, {info.get('dtype')}) — {how}. Licence: {made.path / 'LICENSE-gemma'}"
    )


@app.command("serve")
def serve_command(
    ctx: typer.Context,
    demo: DemoFlag = False,
    model: Annotated[
        str | None, typer.Option("--model", help="Checkpoint folder or hub id to serve.")
    ] = None,
    adapter: Annotated[
        list[str] | None,
        typer.Option("--adapter", help="LoRA adapter folder, or NAME=DIR (repeatable)."),
    ] = None,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.")] = 8000,
    max_model_len: Annotated[int, typer.Option("--max-model-len")] = 2048,
    vllm_python: Annotated[
        Path | None, typer.Option("--vllm-python", help="Python with vLLM (default .venv-vllm).")
    ] = None,
    timeout_s: Annotated[float, typer.Option("--timeout", help="Seconds to wait.")] = 600,
) -> None:
    """Start vLLM's OpenAI server with the model (+ adapters); Ctrl-C stops it."""
    state: CliState = ctx.obj
    spec = _spec(state, demo, model, adapter or [], port, max_model_len)
    log = Path(state.settings().data_dir) / "logs" / f"vllm-{spec.port}.log"
    typer.echo(f"starting vLLM ({_describe(spec)}); log: {log}", err=True)
    server = start_vllm(spec, log, python=vllm_python)

    def _terminate(*_: object) -> None:
        server.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, _terminate)
    try:
        waited = server.wait_ready(timeout_s)
        names = [spec.served_name or str(spec.model), *(a.name for a in spec.adapters)]
        typer.echo(f"vLLM ready in {waited:.0f} s at {server.url} — models: {', '.join(names)}")
        typer.echo("Ctrl-C stops it.")
        sys.stdout.flush()
        while server.alive():
            time.sleep(1)
        raise GenerationError(f"vLLM stopped (code {server.proc.returncode})", path=log)
    except KeyboardInterrupt:
        typer.echo("stopping vLLM", err=True)
    finally:
        server.stop()


def _spec(
    state: CliState,
    demo: bool,
    model: str | None,
    adapters: list[str],
    port: int,
    max_model_len: int,
) -> ServeSpec:
    from finetune.demo_model import SERVED_NAME, prepare_demo_model

    if demo == (model is not None):
        raise typer.BadParameter(
            "say what to serve: --demo or --model DIR (e.g. luatqa llm serve --demo)",
            param_hint="--demo / --model",
        )
    found = adapters_from(adapters)
    if demo:
        made = prepare_demo_model(_demo_dir(state), log=lambda m: typer.echo(m, err=True))
        own = demo_adapter_dir(Path(state.settings().data_dir))
        if not adapters and (own / "adapter_config.json").is_file():
            found = (Adapter(DEMO_ADAPTER_NAME, own),)
        return ServeSpec(made.path, SERVED_NAME, found, port=port, max_model_len=max_model_len)
    return ServeSpec(str(model), None, found, port=port, max_model_len=max_model_len)


def _describe(spec: ServeSpec) -> str:
    base = f"{spec.served_name or spec.model}"
    if spec.adapters:
        base += " + LoRA " + ", ".join(a.name for a in spec.adapters)
    return base


def register(cli: typer.Typer) -> None:
    cli.add_typer(app, name="llm")
