"""``luatqa config show``: every setting's effective value, origin and description, through
the real ``luatqa`` group; bad settings are one ``[config]`` error, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import _register, cli
from app.context import CliState
from app.settings import descriptions


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for key in ("LUATQA_PROFILE", "LUATQA_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    _register()
    return CliRunner()


def test_show_says_where_each_value_came_from(
    run: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "mine.yaml"
    cfg.write_text("retrieval:\n  passages_per_provision: 2\n")
    monkeypatch.setenv("LUATQA_LLM__TEMPERATURE", "0.3")
    monkeypatch.setenv("LUATQA_LLM__API_KEY", "s3cret")
    args = ["--profile", "prod", "--config", str(cfg), "--index", str(tmp_path), "config"]
    result = run.invoke(cli, [*args, "show", "--json"], obj=CliState())
    assert result.exit_code == 0, result.output
    rows = {r["key"]: r for r in json.loads(result.output)}
    assert set(rows) == set(descriptions())
    assert rows["retrieval.fusion"]["origin"] == "default"
    assert rows["llm.base_url"]["origin"] == "profile YAML profiles/prod.yaml"
    assert rows["retrieval.passages_per_provision"] == {
        "key": "retrieval.passages_per_provision",
        "value": 2,
        "origin": f"config file {cfg}",
        "description": "Clauses shown per article found.",
    }
    assert rows["llm.temperature"]["origin"] == "env LUATQA_LLM__TEMPERATURE"
    assert rows["index.dir"] == {**rows["index.dir"], "value": str(tmp_path), "origin": "CLI flag"}
    assert rows["llm.api_key"]["value"] == "***" and "s3cret" not in result.output

    text = run.invoke(cli, [*args, "show"], obj=CliState())
    assert text.exit_code == 0
    assert 'retrieval.fusion = "dbsf"  (default)  Dense + sparse fusion method.' in text.output


def test_show_reports_bad_settings_once(run: CliRunner, tmp_path: Path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("retrieval:\n  fusoin: rrf\n")
    result = run.invoke(cli, ["--config", str(cfg), "config", "show"], obj=CliState())
    assert result.exit_code == 2
    assert "retrieval.fusoin: unknown key (did you mean retrieval.fusion?)" in result.output
    weights = tmp_path / "weights.yaml"
    weights.write_text("retrieval:\n  sparse_weight: 2\n")
    result = run.invoke(cli, ["--config", str(weights), "config", "show"], obj=CliState())
    assert result.exit_code == 2 and "no effect with fusion 'dbsf'" in result.output
