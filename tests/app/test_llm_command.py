"""``luatqa llm``: clear errors before anything heavy starts (the real serving is covered by
tests/generation/test_demo_model_vllm.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import _register, cli

runner = CliRunner()


@pytest.fixture(autouse=True, scope="module")
def _commands() -> None:
    _register()


def test_prepare_needs_demo() -> None:
    result = runner.invoke(cli, ["llm", "prepare"])
    assert result.exit_code == 2
    assert "Error: Invalid value for --demo" in result.output


def test_serve_needs_one_model() -> None:
    result = runner.invoke(cli, ["llm", "serve"])
    assert result.exit_code == 2
    assert "--demo or --model" in result.output


def test_serve_refuses_a_folder_that_is_no_adapter(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["llm", "serve", "--model", "m", "--adapter", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.startswith("Error: [config]") and "not a LoRA adapter" in result.output


def test_serve_without_vllm_says_how_to_get_it(tmp_path: Path) -> None:
    result = runner.invoke(
        cli, ["llm", "serve", "--model", "m", "--vllm-python", str(tmp_path / "nope")]
    )
    assert result.exit_code == 2
    assert "make vllm-venv" in result.output
