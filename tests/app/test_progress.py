"""``app.progress``: domain progress events drawn as rich bars (the CLI's one renderer)."""

from __future__ import annotations

import pytest

from app.progress import progress_bars
from legal.progress import ProgressEvent


def test_one_bar_a_task_labelled_and_counted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    with progress_bars() as bars:
        assert bars is not None
        bars(ProgressEvent("a/law.json", 0, 6, "chunks", label="law.json"))
        bars(ProgressEvent("a/law.json", 6, 6, "chunks", label="law.json"))
        bars(ProgressEvent("b/law.json", 2, 4, "chunks", label="law.json"))
        bars(ProgressEvent("eval", 3, 10, "questions", "hit@k 2"))
    captured = capsys.readouterr()
    assert not captured.out  # stdout stays clean for --json
    lines = [" ".join(line.split()) for line in captured.err.splitlines()]
    text = "\n".join(lines)
    assert "6/6 chunks" in text and "2/4 chunks" in text  # two files, two bars
    assert "eval" in text and "3/10 questions hit@k 2" in text
    assert "a/law.json" not in text  # the label is shown, the task is the key


def test_disabled_yields_no_callback() -> None:
    with progress_bars(False) as bars:
        assert bars is None
