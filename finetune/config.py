"""Fine-tuning configuration: trl-style dataclasses, loaded from YAML, overridable per field.

A config file has four sections (``model``, ``lora``, ``data``, ``train``) whose keys are the
fields below; ``--set lora.r=8 --set train.max_steps=30`` overrides any of them from the command
line (values are parsed as YAML scalars: ``true``, ``2e-4``, ``[q_proj, v_proj]``).

Decision (after trl): the sections are pydantic dataclasses parsed by a
:class:`pydantic.TypeAdapter` — no hand-written type coercion — with unknown keys forbidden
(:mod:`legal.validation` names them). Two conveniences of the YAML surface are kept as
validators: ``bf16: false`` (a YAML boolean) means ``"false"``, and one module name stands
for a list of one. Cross-field and vLLM-serving rules live in :meth:`FinetuneConfig.validate`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BeforeValidator, ConfigDict, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass

from finetune.lora_targets import VLLM_LORA_MODULES
from legal.errors import ConfigError
from legal.validation import config_error
from legal.yaml_file import read_yaml_mapping

# Projections vLLM's LoRA serving supports for Llama (it packs q/k/v and gate/up itself):
# finetune/lora_targets.py.
ALL_LINEAR = VLLM_LORA_MODULES
# ``vllm serve --max-lora-rank`` accepts these.
VLLM_LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)
SECTIONS = ("model", "lora", "data", "train")
# unknown keys are errors; a number where text is expected (``adapter_name: 1``) is text
_STRICT = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


def _bool_as_text(value: Any) -> Any:
    return str(value).lower() if isinstance(value, bool) else value


def _one_as_list(value: Any) -> Any:
    return (value,) if isinstance(value, str) else value


AutoBool = Annotated[Literal["auto", "true", "false"], BeforeValidator(_bool_as_text)]
Modules = Annotated[tuple[str, ...], BeforeValidator(_one_as_list)]


@dataclass(frozen=True, config=_STRICT)
class ModelConfig:
    name_or_path: str = "meta-llama/Llama-3.1-8B-Instruct"
    tokenizer: str | None = None  # default: the model's own
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = "auto"
    attn_implementation: str | None = None  # "sdpa", "flash_attention_2"; default: transformers'
    use_unsloth: Literal["auto", "never"] = "auto"  # auto: when installed and a GPU is present
    trust_remote_code: bool = False


@dataclass(frozen=True, config=_STRICT)
class LoraSettings:
    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: Modules = ALL_LINEAR
    bias: Literal["none", "all", "lora_only"] = "none"


@dataclass(frozen=True, config=_STRICT)
class DataSettings:
    train_file: str = "data/finetune/train.jsonl"
    val_file: str | None = "data/finetune/val.jsonl"
    max_length: int = 4096
    max_train_examples: int | None = None
    max_val_examples: int | None = None


@dataclass(frozen=True, config=_STRICT)
class TrainSettings:
    output_dir: str = "runs/lora"
    max_steps: int = -1  # > 0 overrides num_train_epochs
    num_train_epochs: float = 2.0
    learning_rate: float = 2e-4
    lr_scheduler_type: str = "cosine"
    warmup_ratio: float = 0.03
    weight_decay: float = 0.0
    per_device_train_batch_size: int = 1
    per_device_eval_batch_size: int = 1
    gradient_accumulation_steps: int = 8
    gradient_checkpointing: bool = True
    bf16: AutoBool = "auto"  # auto: when the GPU supports it
    max_grad_norm: float = 1.0
    logging_steps: int = 10
    eval_steps: int | None = None  # None: evaluate once at the end (when a val file exists)
    save_steps: int | None = None  # None: save only the final adapter
    seed: int = 42
    packing: bool = False
    optim: str = "adamw_torch"
    dataloader_num_workers: int = 0
    report_to: str = "none"
    merge: bool = False  # also write merged full weights to <output_dir>/merged
    # compute vocabulary logits for the labelled reply only (finetune.reply_loss): same loss,
    # far less work when the vocabulary is large (Gemma 3: 262k tokens)
    reply_logits_only: bool = True
    # stop (and save the adapter) after this many minutes of training, whatever max_steps
    # says: a CPU run with a time budget (the cosine schedule is then cut where it stands)
    max_minutes: float | None = None
    adapter_name: str = "luatqa-lora"  # the name vLLM serves it under (--lora-modules NAME=DIR)


@dataclass(frozen=True, config=_STRICT)
class FinetuneConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    lora: LoraSettings = field(default_factory=LoraSettings)
    data: DataSettings = field(default_factory=DataSettings)
    train: TrainSettings = field(default_factory=TrainSettings)
    source: str | None = None  # the YAML it was read from

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for section in SECTIONS:
            values = dataclasses.asdict(getattr(self, section))
            out[section] = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
        return out

    def validate(self) -> FinetuneConfig:
        where = self.source
        bad = [m for m in self.lora.target_modules if m not in VLLM_LORA_MODULES]
        if bad:
            raise ConfigError(
                f"lora.target_modules {bad} cannot be served by vLLM",
                path=where,
                hint=f"use a subset of {list(VLLM_LORA_MODULES)}",
            )
        if not self.lora.target_modules:
            raise ConfigError("lora.target_modules is empty", path=where)
        if self.lora.r not in VLLM_LORA_RANKS:
            raise ConfigError(
                f"lora.r={self.lora.r} is not a rank vLLM serves",
                path=where,
                hint=f"pick one of {list(VLLM_LORA_RANKS)} (≤ 16 for --max-lora-rank 16)",
            )
        if self.data.max_length < 16:
            raise ConfigError(f"data.max_length={self.data.max_length} is too small", path=where)
        t = self.train
        if t.max_steps <= 0 and t.num_train_epochs <= 0:
            raise ConfigError("set train.max_steps > 0 or train.num_train_epochs > 0", path=where)
        if not 0.0 <= t.warmup_ratio < 1.0:
            raise ConfigError(f"train.warmup_ratio={t.warmup_ratio} must be in [0, 1)", path=where)
        if t.per_device_train_batch_size < 1 or t.gradient_accumulation_steps < 1:
            raise ConfigError("batch size and gradient_accumulation_steps must be ≥ 1", path=where)
        return self


_ADAPTER = TypeAdapter(FinetuneConfig)


def config_from_dict(data: Mapping[str, Any], source: str | None = None) -> FinetuneConfig:
    """Parse the sections with pydantic (:data:`_ADAPTER`); a bad key or value is a
    :class:`ConfigError` naming it (``lora.rank: unknown key (did you mean lora.r?)``)."""
    cleaned = {k: ({} if v is None else v) for k, v in data.items()}
    try:
        config = _ADAPTER.validate_python({**cleaned, "source": source})
    except ValidationError as exc:
        raise config_error(exc, FinetuneConfig, where=lambda loc: source) from exc
    return config


def parse_override(text: str) -> tuple[str, str, Any]:
    """``"lora.r=8"`` → ``("lora", "r", 8)``; the value is read as a YAML scalar/list."""
    key, sep, raw = text.partition("=")
    section, dot, name = key.strip().partition(".")
    if not sep or not dot or not name:
        raise ConfigError(
            f"bad override {text!r}", hint="write --set SECTION.KEY=VALUE, e.g. --set lora.r=8"
        )
    if section not in SECTIONS:
        raise ConfigError(f"bad override {text!r}: no section {section!r}")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    return section, name, value


def apply_overrides(config: FinetuneConfig, overrides: Iterable[str]) -> FinetuneConfig:
    data = config.to_dict()
    for text in overrides:
        section, name, value = parse_override(text)
        data[section][name] = value
    return replace(config_from_dict(data, source=config.source), source=config.source)


def load_config(path: str | Path, overrides: Iterable[str] = ()) -> FinetuneConfig:
    """Read a YAML config, apply ``--set`` overrides, validate. Relative paths in ``data``
    and ``train.output_dir`` stay relative to the working directory."""
    p = Path(path)
    raw = read_yaml_mapping(p, "fine-tuning config", "a mapping of sections")
    config = config_from_dict(raw, source=str(p))
    return apply_overrides(config, overrides).validate()
