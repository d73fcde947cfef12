"""bench/load.py reduced for CI: 16 sessions on the demo index while one uploads a statute and
one browses and leaves feedback; nothing fails, nothing mixes, the index is consistent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import load


@pytest.mark.slow
def test_sixteen_sessions_with_an_upload_and_a_browser(demo_index: Path) -> None:
    result = load.run(demo_index, levels=(4, 16), rounds=2,
                      upload=(load.UPLOAD_NAME, load.UPLOAD_TEXT.encode()))  # fmt: skip
    assert result["problems"] == []
    assert result["levels"]["16"]["answers"] == 32
    assert result["documents_after"] == 5  # the four demo statutes and the upload
    assert result["feedback_lines"] > 32  # every answer's, and the browser's


def test_mixing_is_detected() -> None:
    """The check itself: an answer that is not its conversation's is reported."""
    conv = ("q1", "q2")
    out = load.Outcome(answers=[(0, conv, 1, ("another answer", ()))])
    expected = {conv: [[("a1", ()), ("a2", ())], [("a1", ()), ("a2", ())]]}
    assert load.mixed(out, expected) == ["session 0: answer 1 differs from the same "
                                         "conversation asked alone"]  # fmt: skip
    out.answers = [(0, conv, 1, ("a2", ()))]
    assert load.mixed(out, expected) == []


def test_torn_feedback_lines_are_detected(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    path.write_text(json.dumps({"comment": "a"}) + "\n" + '{"comment": "b', encoding="utf-8")
    assert "not whole" in load.feedback_problems(path, ["a", "b"])[0]
    path.write_text(json.dumps({"comment": "a"}) + "\n", encoding="utf-8")
    assert load.feedback_problems(path, ["a", "b"]) == ["1 feedback lines for 2 recorded"]
    assert load.feedback_problems(path, ["a"]) == []


def test_the_last_line_is_one_json_object(
    demo_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = load.main(
        ["--index", str(demo_index), "--levels", "1,2", "--rounds", "1", "--answers", "2"]
    )
    last = capsys.readouterr().out.strip().splitlines()[-1]
    figures = json.loads(last)
    assert code == 0 and figures["problems"] == []
    assert set(figures["levels"]) == {"1", "2"}
    assert all(v["p95_ms"] >= v["p50_ms"] > 0 for v in figures["levels"].values())
