"""bench/label_calibration.py on the tiny model and its trained adapter (CPU): every label of
both files is scored for the base and for the adapter, the correction is fitted on the training
file, and the last printed line is one JSON object."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.finetune

CONFIG = Path(__file__).resolve().parents[2] / "finetune" / "configs" / "tiny-cpu.yaml"
SYSTEM = {"role": "system", "content": "Bạn là trợ lý pháp lý."}


def _write(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = []
    for kind, question, label in rows:
        reply = json.dumps({"label": label, "citations": [1], "reasoning": "Theo [1]."})
        messages = [SYSTEM, {"role": "user", "content": question},
                    {"role": "assistant", "content": reply}]  # fmt: skip
        lines.append(json.dumps({"kind": kind, "messages": messages}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_base_and_adapter_scored_and_calibrated(
    tiny_llama: Path, trained_adapter: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    torch = pytest.importorskip("torch")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from bench.label_calibration import main
    from finetune.labels import label_items, label_scores

    train = _write(tmp_path / "train.jsonl", [
        ("dung-sai", "Điều 35: báo trước 45 ngày, đúng hay sai?", "Đúng"),
        ("dung-sai", "Điều 105: 60 giờ một tuần, đúng hay sai?", "Sai"),
        ("trac-nghiem", "A. 30 ngày B. 45 ngày C. 3 ngày D. 60 ngày", "B"),
        ("dung-sai", "Không quá 08 giờ trong 01 ngày, đúng hay sai?", "Đúng"),
    ])  # fmt: skip
    val = _write(tmp_path / "val.jsonl", [
        ("dung-sai", "Người lao động không có quyền chấm dứt, đúng hay sai?", "Sai"),
        ("trac-nghiem", "A. 08 giờ B. 10 giờ C. 12 giờ D. 48 giờ", "A"),
    ])  # fmt: skip
    out = tmp_path / "o"
    code = main(["--config", str(CONFIG), "--set", f"model.name_or_path={tiny_llama}",
                 "--set", f"data.train_file={train}", "--set", f"data.val_file={val}",
                 "--adapter", f"tiny={trained_adapter}", "--out", str(out)])  # fmt: skip
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["examples"] == {"train": 4, "val": 2}
    assert result["val_majority"] == {"dung-sai": 1.0, "trac-nghiem": 1.0}
    assert set(result["models"]) == {"base", "tiny"}
    for record in result["models"].values():
        assert record["val_raw"]["dung-sai"] in (0.0, 1.0)
        assert record["val_calibrated"]["trac-nghiem"] in (0.0, 1.0)
        assert set(record["offsets"]) == {"dung-sai", "trac-nghiem"}
        assert record["auc_val"] is None  # one statement: nothing to order
        assert record["auc_train"] in (0.0, 0.5, 1.0)
    saved = {name: json.loads((out / f"{name}.json").read_text()) for name in ("base", "tiny")}
    assert [len(saved["base"][s]) for s in ("train", "val")] == [4, 2]
    # the base's figures are the plain model's; the adapter's are not
    model = AutoModelForCausalLM.from_pretrained(tiny_llama, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(tiny_llama)
    first = label_items(val)[0]
    assert saved["base"]["val"][0] == pytest.approx(label_scores(model, tokenizer, first), abs=1e-4)
    assert saved["tiny"]["val"][0] != pytest.approx(saved["base"]["val"][0], abs=1e-4)
