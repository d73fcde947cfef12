"""Fine-tuning config: YAML sections, typed --set overrides, vLLM-servable LoRA settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from finetune.config import (
    DataSettings,
    apply_overrides,
    config_from_dict,
    load_config,
    parse_override,
)
from finetune.lora_targets import VLLM_LORA_MODULES
from legal.errors import ConfigError

CONFIGS = Path(__file__).resolve().parents[2] / "finetune" / "configs"


def test_shipped_configs_load_and_are_servable_by_vllm() -> None:
    big = load_config(CONFIGS / "llama31-8b-lora.yaml")
    tiny = load_config(CONFIGS / "tiny-cpu.yaml")
    assert big.model.name_or_path == "meta-llama/Llama-3.1-8B-Instruct"
    for cfg in (big, tiny):
        assert set(cfg.lora.target_modules) == set(VLLM_LORA_MODULES)  # all linear projections
        assert cfg.lora.r <= 16  # served with --max-lora-rank 16
    assert big.train.gradient_checkpointing and big.train.bf16 == "auto"
    assert tiny.model.name_or_path.startswith("tiny:")


def test_overrides_are_typed_from_the_command_line() -> None:
    cfg = load_config(
        CONFIGS / "tiny-cpu.yaml",
        [
            "lora.r=16",
            "train.max_steps=7",
            "train.learning_rate=5e-4",
            "train.gradient_checkpointing=true",
            "lora.target_modules=[q_proj, v_proj]",
            "data.val_file=null",
            "train.bf16=false",
        ],
    )
    assert cfg.lora.r == 16 and isinstance(cfg.lora.r, int)
    assert cfg.train.max_steps == 7
    assert cfg.train.learning_rate == pytest.approx(5e-4)
    assert cfg.train.gradient_checkpointing is True
    assert cfg.lora.target_modules == ("q_proj", "v_proj")
    assert cfg.data.val_file is None
    assert cfg.train.bf16 == "false"
    assert parse_override("train.output_dir=runs/x") == ("train", "output_dir", "runs/x")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("lora.r=12", "not a rank vLLM serves"),
        ("lora.target_modules=[lm_head]", "cannot be served by vLLM"),
        ("lora.rank=8", "lora.rank: unknown key"),
        ("lora.alfa=8", "did you mean lora.alpha?"),
        ("train.max_steps=abc", "train.max_steps: Input should be a valid integer"),
        ("train.bf16=maybe", "train.bf16: Input should be 'auto', 'true' or 'false'"),
        ("model.dtype=half", "model.dtype: Input should be"),
        ("nosuch.key=1", "no section"),
        ("lora.r", "bad override"),
        ("train.warmup_ratio=1.5", "must be in [0, 1)"),
    ],
)
def test_bad_values_name_the_key(override: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(CONFIGS / "tiny-cpu.yaml", [override])
    assert message in str(err.value)


def test_missing_file_and_unknown_section(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("optimizer: {lr: 1}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="optimizer: unknown key") as err:
        load_config(bad)
    assert "bad.yaml" in str(err.value) and "data, lora, model, source, train" in str(err.value)


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_config_loads(path: Path) -> None:
    cfg = load_config(path)
    assert cfg.source == str(path)
    assert config_from_dict(cfg.to_dict()).to_dict() == cfg.to_dict()  # round trip


def test_yaml_conveniences_survive_the_library_parser() -> None:
    """``bf16: false`` (a YAML boolean) is "false"; one module name is a list of one; a
    number where text is expected is text; an empty section is the defaults."""
    cfg = config_from_dict(
        {
            "train": {"bf16": False, "adapter_name": 7},
            "lora": {"target_modules": "q_proj"},
            "data": None,
        }
    )
    assert cfg.train.bf16 == "false" and cfg.train.adapter_name == "7"
    assert cfg.lora.target_modules == ("q_proj",)
    assert cfg.data == DataSettings()


def test_overrides_keep_the_source_for_error_messages() -> None:
    cfg = load_config(CONFIGS / "tiny-cpu.yaml")
    again = apply_overrides(cfg, ["train.seed=3"])
    assert again.source == cfg.source and again.train.seed == 3
