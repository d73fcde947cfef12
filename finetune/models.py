"""Loading the base model, its tokenizer and the LoRA wrapping for :mod:`finetune.train`.

``model.name_or_path`` may be a hub id, a local folder, ``tiny:DIR`` (the tiny random Llama,
built into DIR once: :mod:`finetune.tiny_model`) or ``demo:DIR`` (the bundled Gemma 3 270M,
prepared into DIR once: :mod:`finetune.demo_model`).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from finetune.config import FinetuneConfig
from legal.errors import ConfigError

TINY_PREFIX = "tiny:"
DEMO_PREFIX = "demo:"

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def resolve_model_path(name_or_path: str, log: Log = _quiet) -> str:
    """``tiny:DIR`` builds the tiny random Llama into DIR (once), ``demo:DIR`` prepares the
    demo model into DIR (once); anything else is a hub id or a local folder passed to
    transformers as is."""
    if name_or_path.startswith(DEMO_PREFIX):
        from finetune.demo_model import default_dir, prepare_demo_model

        target = Path(name_or_path[len(DEMO_PREFIX) :] or default_dir())
        return str(prepare_demo_model(target, log=log).path)
    if not name_or_path.startswith(TINY_PREFIX):
        return name_or_path
    from finetune.tiny_model import build_tiny_llama

    out = Path(name_or_path[len(TINY_PREFIX) :] or ".luatqa/tiny-llama")
    if not (out / "config.json").is_file():
        log(f"building the tiny Llama-3.1-architecture model in {out}")
        build_tiny_llama(out)
    return str(out)


def cuda_status() -> tuple[bool, bool]:
    import torch

    has = torch.cuda.is_available()
    return has, bool(has and torch.cuda.is_bf16_supported())


def use_bf16(setting: str) -> bool:
    bf16_ok = cuda_status()[1]
    if setting == "true":
        if not bf16_ok:
            raise ConfigError(
                "train.bf16=true but no GPU with bf16 support is present",
                hint="set train.bf16=auto (or false) to train in float32",
            )
        return True
    if setting == "false":
        return False
    return bf16_ok


def _torch_dtype(setting: str, bf16: bool) -> Any:
    import torch

    if setting == "auto":
        return torch.bfloat16 if bf16 else torch.float32
    return {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}[setting]


def unsloth_available() -> bool:
    return importlib.util.find_spec("unsloth") is not None and cuda_status()[0]


def load_tokenizer(config: FinetuneConfig, model_path: str) -> Any:
    from transformers import AutoTokenizer

    name = config.model.tokenizer or model_path
    tok = AutoTokenizer.from_pretrained(name, trust_remote_code=config.model.trust_remote_code)
    if not tok.chat_template:
        raise ConfigError(
            f"the tokenizer of {name} has no chat template",
            hint="use an Instruct model (Llama-3.1-8B-Instruct) or set model.tokenizer",
        )
    if tok.pad_token is None:
        # Llama 3.1 reserves <|finetune_right_pad_id|> for exactly this.
        pad = "<|finetune_right_pad_id|>"
        tok.pad_token = pad if pad in tok.get_vocab() else tok.eos_token
    return tok


def load_model(config: FinetuneConfig, model_path: str, bf16: bool, log: Log) -> tuple[Any, bool]:
    """The base model; returns (model, already_peft) — Unsloth wraps LoRA itself."""
    dtype = _torch_dtype(config.model.dtype, bf16)
    if config.model.use_unsloth == "auto" and unsloth_available():  # pragma: no cover - GPU
        from unsloth import FastLanguageModel

        log("using Unsloth")
        model, _ = FastLanguageModel.from_pretrained(
            model_path, max_seq_length=config.data.max_length, dtype=dtype, load_in_4bit=False
        )
        lora = config.lora
        model = FastLanguageModel.get_peft_model(
            model,
            r=lora.r,
            lora_alpha=lora.alpha,
            lora_dropout=lora.dropout,
            target_modules=list(lora.target_modules),
            bias=lora.bias,
            use_gradient_checkpointing="unsloth" if config.train.gradient_checkpointing else False,
            random_state=config.train.seed,
        )
        return model, True
    from transformers import AutoModelForCausalLM

    kwargs: dict[str, Any] = {"dtype": dtype, "trust_remote_code": config.model.trust_remote_code}
    if config.model.attn_implementation:
        kwargs["attn_implementation"] = config.model.attn_implementation
    try:
        model = AutoModelForCausalLM.from_pretrained(model_path, **kwargs)
    except OSError as exc:
        raise ConfigError(
            f"cannot load model {model_path}: {exc}",
            hint="model.name_or_path must be a local folder or a downloadable hub id",
        ) from exc
    return model, False


def peft_lora_config(config: FinetuneConfig) -> Any:
    from peft import LoraConfig

    lora = config.lora
    return LoraConfig(
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=list(lora.target_modules),
        bias=lora.bias,
        task_type="CAUSAL_LM",
    )
