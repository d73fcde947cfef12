"""bench/finetune_gpu.py: a clear exit without CUDA, and its training loop runs (CPU smoke)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft", reason="needs the 'finetune' extra")

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "finetune_gpu.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("finetune_gpu_bench", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present")
def test_exits_with_a_clear_message_without_cuda(capsys: pytest.CaptureFixture[str]) -> None:
    assert _bench().main(["--steps", "1"]) == 2
    assert "No CUDA device" in capsys.readouterr().err


def test_architecture_is_llama31_8b() -> None:
    cfg = _bench().LLAMA31_8B
    assert (cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_key_value_heads"]) == (
        4096,
        32,
        8,
    )
    assert cfg["vocab_size"] == 128256 and cfg["rope_scaling"]["rope_type"] == "llama3"


@pytest.mark.finetune
def test_cpu_smoke_run_reports_throughput(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    code = _bench().main(
        ["--cpu-smoke", "--steps", "3", "--warmup", "1", "--seq-len", "32", "--json", str(out)]
    )
    assert code == 0
    result = json.loads(out.read_text())
    assert result["tokens_per_s"] > 0 and result["timed_steps"] == 2
    assert result["trainable_params"] < result["total_params"]
