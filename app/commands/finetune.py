"""``luatqa finetune data`` and ``luatqa finetune train``: the LoRA fine-tuning pipeline.

* ``luatqa --index DIR finetune data --out data/finetune --gold QUESTIONS.json
  --exclude EVAL_GOLD.jsonl --from-corpus 500`` builds train.jsonl / val.jsonl and a data card
  with the index's real retriever.
* ``luatqa finetune train --config finetune/configs/llama31-8b-lora.yaml --set lora.r=8``
  trains a LoRA adapter (TRL + PEFT) and saves it with its tokenizer and a training card.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.context import CliState
from app.progress import progress_bars
from legal.errors import ConfigError

if TYPE_CHECKING:
    from app.settings import Settings
    from finetune.card import LengthCounter
    from generation.budget import TokenCounter

LLAMA31 = "meta-llama/Llama-3.1-8B-Instruct"

app = typer.Typer(
    name="finetune",
    help="Build SFT data from the index and train a LoRA adapter for the answer model.",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help, like the top-level app (app.cli)
)


def _counters(tokenizer: str | None, settings: Settings) -> tuple[TokenCounter, LengthCounter]:
    """(prompt token counter for fit_prompt, length counter for the card). Llama 3.1's own
    tokenizer when it is available offline, else the configured one, else the estimate."""
    from finetune.card import EstimateLengths, TokenizerLengths, load_length_counter
    from generation.budget import EstimateCounter, LocalTokenizerCounter

    candidates = [t for t in (tokenizer, LLAMA31, settings.llm.tokenizer) if t]
    lengths = load_length_counter(candidates)
    if isinstance(lengths, TokenizerLengths):
        return LocalTokenizerCounter(lengths.name), lengths
    if tokenizer:
        raise ConfigError(
            f"cannot load the tokenizer {tokenizer!r} (offline)",
            hint="give a local model folder with tokenizer files, or leave out --tokenizer",
        )
    return EstimateCounter(), EstimateLengths()


@app.command("data")
def data_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="Folder for train.jsonl, val.jsonl, card.")],
    gold: Annotated[
        list[Path] | None,
        typer.Option("--gold", help="Gold questions with answers (ALQAC json or our JSONL)."),
    ] = None,
    exclude: Annotated[
        list[Path] | None,
        typer.Option("--exclude", help="Eval gold file whose questions must never be trained on."),
    ] = None,
    from_corpus: Annotated[
        int, typer.Option("--from-corpus", help="Template questions written from the index.")
    ] = 0,
    gold_limit: Annotated[
        int | None, typer.Option("--gold-limit", help="First N questions of each gold file.")
    ] = None,
    val_ratio: Annotated[float, typer.Option("--val-ratio")] = 0.1,
    abstain_ratio: Annotated[
        float,
        typer.Option("--abstain-ratio", help="Share of free questions with an abstain twin."),
    ] = 0.15,
    max_model_len: Annotated[
        int, typer.Option("--max-model-len", help="Context the examples must fit (tokens).")
    ] = 4096,
    max_answer_tokens: Annotated[int, typer.Option("--max-answer-tokens")] = 768,
    tokenizer: Annotated[
        str | None,
        typer.Option("--tokenizer", help="Tokenizer for budget and card (default Llama 3.1)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Build chat-format SFT examples (system/user/assistant) with retrieved context."""
    from finetune.builder import BuildOptions, DataBuilder, StoreProvisions
    from finetune.data import DataRequest, build_dataset

    state: CliState = ctx.obj
    request = DataRequest(
        out=out,
        gold=tuple(gold or ()),
        exclude=tuple(exclude or ()),
        from_corpus=from_corpus,
        gold_limit=gold_limit,
    )
    settings = state.settings()
    prompt_counter, lengths = _counters(tokenizer, settings)
    options = BuildOptions(
        val_ratio=val_ratio,
        abstain_ratio=abstain_ratio,
        seed=seed,
        max_model_len=max_model_len,
        max_answer_tokens=max_answer_tokens,
        top_k=settings.llm.context_passages,
    )
    with state.services(settings) as services:
        # the index's retriever, exactly as the answer service gets it from app.wiring
        builder = DataBuilder(
            services.retriever, StoreProvisions(services.store), prompt_counter, options
        )
        result = build_dataset(request, builder, lengths, log=typer.echo)
    card = result.card
    typer.echo(
        f"train {result.train} ({card['train']['by_kind']}), val {result.val}; "
        f"refused {card['excluded_eval_questions']} eval questions; "
        f"tokens ({card['tokenizer']}) max {card['tokens']['max']}"
    )


@app.command("train")
def train_command(
    config: Annotated[Path, typer.Option("--config", help="finetune/configs/*.yaml")],
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a config field: --set lora.r=8 (repeatable)."),
    ] = None,
    merge: Annotated[
        bool, typer.Option("--merge", help="Also save merged full weights (<output_dir>/merged).")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the resolved config and stop.")
    ] = False,
) -> None:
    """Train a LoRA adapter with TRL's SFTTrainer (assistant-only loss)."""
    import json

    from finetune.config import load_config

    sets = list(overrides or [])
    if merge:
        sets.append("train.merge=true")
    cfg = load_config(config, sets)
    if dry_run:
        typer.echo(json.dumps(cfg.to_dict(), ensure_ascii=False, indent=2))
        return
    from finetune.train import train

    with progress_bars(label="training") as bars:
        result = train(cfg, log=typer.echo, progress=bars)
    typer.echo(
        f"adapter {result.adapter_name} → {result.output_dir} "
        f"(steps {result.steps}, loss {result.first_loss:.3f} → {result.last_loss:.3f}"
        + (f", eval {result.eval_loss:.3f}" if result.eval_loss is not None else "")
        + ")"
    )


def register(cli: typer.Typer) -> None:
    cli.add_typer(app, name="finetune")
