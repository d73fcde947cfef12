"""``luatqa parse FILE [--json] [--article N]`` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import _register, cli

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
LABOR = DEMO / "labor-code-2019_excerpt.txt"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


def test_parse_json_shape(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["parse", str(LABOR), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["number"], data["type"], data["title"]) == (
        "45/2019/QH14",
        "Bộ luật",
        "Bộ luật Lao động",
    )
    assert {"number", "title"} <= set(data["chapters"][0])
    arts = {a["number"]: a for a in data["articles"]}
    for n in ("35", "105", "106", "107", "113", "139"):
        assert n in arts
    art = arts["107"]
    assert {"number", "title", "chapter", "text", "clauses"} <= set(art)
    assert art["chapter"] == "VII" and art["title"] == "Làm thêm giờ"
    clause = art["clauses"][1]
    assert {"number", "text", "points"} <= set(clause)
    assert [p["letter"] for p in clause["points"]] == ["a", "b", "c"]
    assert set(clause["points"][0]) >= {"letter", "text"}


def test_parse_summary_and_article_tree(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["parse", str(LABOR)])
    assert result.exit_code == 0, result.output
    assert "Bộ luật Lao động  [Bộ luật]" in result.stdout
    assert "45/2019/QH14" in result.stdout
    assert "Chương VII. THỜI GIỜ LÀM VIỆC, THỜI GIỜ NGHỈ NGƠI  (Điều 105–113)" in result.stdout
    tree = runner.invoke(cli, ["parse", str(LABOR), "--article", "105"])
    assert tree.exit_code == 0, tree.output
    assert tree.stdout.startswith("Điều 105. Thời giờ làm việc bình thường (Chương VII)")
    missing = runner.invoke(cli, ["parse", str(LABOR), "--article", "999"])
    assert missing.exit_code != 0


def test_parse_every_demo_file(runner: CliRunner) -> None:
    files = sorted(DEMO.glob("*.txt"))
    assert len(files) >= 3
    for f in files:
        assert f.read_text(encoding="utf-8").startswith("# TRÍCH ĐOẠN / EXCERPT")
        data = json.loads(runner.invoke(cli, ["parse", str(f), "--json"]).stdout)
        assert data["number"] and data["articles"] and not data["warnings"], f.name


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("notes.txt", "Chỉ là một ghi chú, không có điều khoản nào.\n", "no article"),
        ("law.rtf", "x", "unsupported file type"),
        ("broken.pdf", "%PDF-1.4 not really", "not a readable PDF"),
    ],
)
def test_bad_file_prints_error_without_traceback(
    runner: CliRunner, tmp_path: Path, name: str, content: str, needle: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(cli, ["parse", str(path)])
    assert result.exit_code != 0
    assert needle in result.output and name in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
