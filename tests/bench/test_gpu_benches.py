"""bench/finetune_gpu.py and bench/decode_gpu.py: a clear exit without CUDA, and as scripts
their last printed line is one JSON object (the rule every bench/ script follows)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present")
def test_decode_exits_with_a_clear_message_without_cuda() -> None:
    done = _run("decode_gpu.py")
    assert done.returncode == 2 and "No CUDA device" in done.stderr


def test_decode_cpu_smoke_last_line_is_one_json_object() -> None:
    done = _run("decode_gpu.py", "--cpu-smoke", "--prompt-len", "16", "--new-tokens", "4",
                "--runs", "2", "--batch", "2")  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ttft_p50_ms"] > 0 and result["tokens_per_s_p50"] > 0
    assert result["layers"] == 2 and result["batch_tokens_per_s"] > 0


@pytest.mark.finetune
def test_finetune_cpu_smoke_last_line_is_one_json_object() -> None:
    pytest.importorskip("peft", reason="needs the 'finetune' extra")
    done = _run("finetune_gpu.py", "--cpu-smoke", "--steps", "2", "--warmup", "1",
                "--seq-len", "16")  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["timed_steps"] == 1 and result["tokens_per_s"] > 0


@pytest.mark.parametrize("name", sorted(p.stem for p in BENCH.glob("*.py")))
def test_every_bench_runs_as_a_module_from_the_repository_root(name: str) -> None:
    """``python -m bench.X``: the project's packages import as installed, with no sys.path
    patch (run as ``python bench/retrieval.py``, bench/ would shadow the ``retrieval``
    package)."""
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--help"], cwd=BENCH.parent,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "usage" in done.stdout.lower()


@pytest.mark.finetune
def test_finetune_bench_needs_only_torch_transformers_and_peft(tmp_path: Path) -> None:
    """The lent GPU machine has torch, transformers and peft but not the project's other
    dependencies (it has no pydantic): the bench must run with pydantic unimportable."""
    pytest.importorskip("peft", reason="needs the 'finetune' extra")
    script = (
        "import runpy, sys\n"
        "sys.modules['pydantic'] = None\n"
        f"sys.argv = ['finetune_gpu', '--cpu-smoke', '--steps', '2', '--warmup', '1', "
        f"'--seq-len', '16']\n"
        f"runpy.run_path({str(BENCH / 'finetune_gpu.py')!r}, run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["timed_steps"] == 1
