"""``luatqa ingest`` and ``luatqa search`` through typer's CliRunner, on a real embedded
index with the default embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import _register, cli
from app.commands.ingest import summary_table
from ingest.pipeline import DocReport, FileReport, IngestReport
from retrieval.store.base import Filter
from retrieval.store.edge import EdgeStore

LAW = [
    {
        "id": "45/2019/QH14",
        "articles": [
            {
                "id": "105",
                "text": "Thời giờ làm việc bình thường\n\n1. Thời giờ làm việc bình thường "
                "không quá 08 giờ trong 01 ngày và không quá 48 giờ trong 01 tuần.",
            },
            {
                "id": "113",
                "text": "Nghỉ hằng năm\n\n1. Người lao động làm việc đủ 12 tháng cho một người "
                "sử dụng lao động thì được nghỉ hằng năm, hưởng nguyên lương theo hợp đồng lao "
                "động 12 ngày làm việc.\n2. Người lao động làm việc chưa đủ 12 tháng thì số "
                "ngày nghỉ hằng năm theo tỷ lệ tương ứng với số tháng làm việc.",
            },
        ],
    }
]


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


@pytest.fixture
def law(tmp_path: Path) -> Path:
    path = tmp_path / "law.json"
    path.write_text(json.dumps(LAW, ensure_ascii=False), encoding="utf-8")
    return path


def test_ingest_then_reingest_then_search(runner: CliRunner, law: Path, tmp_path: Path) -> None:
    index = tmp_path / "data" / "index"
    first = runner.invoke(cli, ["--index", str(index), "ingest", str(law), "--json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["totals"] == {
        "files": 1,
        "failed": 0,
        "documents": 1,
        "unchanged": 0,
        "articles": 2,
        "clauses": 3,
        "chunks": 3,
    }
    # everything the index needs stays inside --index (regression: ~/embed-cache beside it)
    assert (index / "embed-cache" / "embeddings.sqlite").exists()
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["index"]

    again = runner.invoke(cli, ["--index", str(index), "ingest", str(law), "--no-progress"])
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.stdout

    found = runner.invoke(
        cli, ["--index", str(index), "search", "nghỉ hằng năm bao nhiêu ngày", "-k", "2", "--json"]
    )
    assert found.exit_code == 0, found.output
    hits = json.loads(found.stdout)
    assert hits
    assert hits[0]["address"].startswith("45/2019/QH14 › Điều 113")
    assert hits[0]["citation"].endswith("Điều 113 Bộ luật Lao động 2019")
    text = runner.invoke(cli, ["--index", str(index), "search", "thời giờ làm việc", "-k", "1"])
    assert text.exit_code == 0 and "Bộ luật Lao động 2019" in text.stdout


def test_bad_file_fails_the_run_but_not_the_good_files(
    runner: CliRunner, law: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    index = tmp_path / "index"
    res = runner.invoke(cli, ["--index", str(index), "ingest", str(bad), str(law), "--no-progress"])
    assert res.exit_code == 2  # bad input (app.boundary)
    assert res.stderr.startswith("Error: [ingest]") and "bad.json" in res.stderr
    with EdgeStore(index) as store:
        assert store.count(Filter(kinds=("document",))) == 1


def test_ingest_folder_takes_the_statutes_only(
    runner: CliRunner, law: Path, tmp_path: Path
) -> None:
    """Regression: a folder's README and LICENSE were tried as statutes and the run failed."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    law.rename(folder / "law.json")
    (folder / "README.md").write_text("# Corpus\n\nRead in place.\n", encoding="utf-8")
    (folder / "LICENSE").write_text("CC BY 4.0\n", encoding="utf-8")
    res = runner.invoke(cli, ["--index", str(tmp_path / "index"), "ingest", str(folder), "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert [f["path"] for f in report["files"]] == [str(folder / "law.json")]


def test_progress_is_drawn_on_stderr_and_the_table_on_stdout(
    runner: CliRunner, law: Path, tmp_path: Path
) -> None:
    res = runner.invoke(cli, ["--index", str(tmp_path / "index"), "ingest", str(law)])
    assert res.exit_code == 0, res.output
    assert "3/3" in res.stderr and "chunks" in res.stderr  # app.progress's bar
    assert "luatqa ingest" in res.stdout and "indexed" in res.stdout


def test_summary_table_has_a_row_a_document_and_the_totals() -> None:
    doc = DocReport("45/2019/QH14", "Bộ luật Lao động", "indexed", "v1", 2, 3, 3)
    report = IngestReport((FileReport("law.json", (doc,)), FileReport("bad.pdf", (), "[ingest]")))
    table = summary_table(report)
    assert table.row_count == 2
    assert [c.header for c in table.columns][:2] == ["document", "status"]


def test_locked_index_is_a_clear_error(runner: CliRunner, law: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    with EdgeStore(index):
        res = runner.invoke(cli, ["--index", str(index), "ingest", str(law)])
    assert res.exit_code == 1  # the index failed, not the input (app.boundary)
    assert res.stderr.startswith("Error: [index]")
    assert "open in another process" in res.stderr and "--qdrant-url" in res.stderr


def test_search_on_an_empty_index(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(cli, ["--index", str(tmp_path / "none"), "search", "x"])
    assert res.exit_code == 1
    assert res.stderr.startswith("Error: [index]") and "luatqa ingest" in res.stderr


def test_search_as_of_filters_and_labels(runner: CliRunner, tmp_path: Path) -> None:
    dated = [
        {
            **LAW[0],
            "articles": [
                *LAW[0]["articles"],  # type: ignore[list-item]
                {
                    "id": "220",
                    "text": "Hiệu lực thi hành\n\n1. Bộ luật này có hiệu lực thi hành từ ngày 01 "
                    "tháng 01 năm 2021.",
                },
            ],
        }
    ]
    law = tmp_path / "law.json"
    law.write_text(json.dumps(dated, ensure_ascii=False), encoding="utf-8")
    index = str(tmp_path / "index")
    assert (
        runner.invoke(cli, ["--index", index, "ingest", str(law), "--no-progress"]).exit_code == 0
    )
    query = ["--index", index, "search", "nghỉ hằng năm bao nhiêu ngày", "-k", "1", "--json"]
    now = json.loads(runner.invoke(cli, [*query, "--as-of", "2022-01-01"]).stdout)
    assert now[0]["effective_from"] == "2021-01-01" and now[0]["currency"] == "Còn hiệu lực"
    assert now[0]["warnings"] == []
    before = runner.invoke(cli, [*query, "--as-of", "2020-06-01"])
    assert before.exit_code == 0 and json.loads(before.stdout) == []
    text = runner.invoke(cli, [*query[:-1]])  # today: in force, no warning
    assert "⚠" not in text.stdout and "Điều 113" in text.stdout
