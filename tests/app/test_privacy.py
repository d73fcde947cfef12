"""What the UI keeps of a question (app/services/questions.py, ``privacy`` settings): the
question log only when turned on; no feedback file, and no form, when feedback is off."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from app.services import FeedbackService, UIServices
from app.services.questions import QuestionLog
from app.settings import load_settings
from tests.app.test_ui_apptest import SOURCE, ScriptedAnswerer, scripted


def _ask(app_with: Callable[..., AppTest], services: UIServices) -> AppTest:
    at = app_with(services)
    at.chat_input[0].set_value("Làm mấy giờ một ngày?").run()
    assert not at.exception
    return at


def test_the_question_log_is_off_by_default(
    tmp_path: Path, app_with: Callable[..., AppTest]
) -> None:
    _ask(app_with, scripted(tmp_path, ScriptedAnswerer()))
    assert list(tmp_path.rglob("questions.jsonl")) == []
    assert not load_settings().privacy.question_log


def test_the_question_log_when_turned_on(tmp_path: Path, app_with: Callable[..., AppTest]) -> None:
    log = tmp_path / "data" / "questions.jsonl"
    services = dataclasses.replace(
        scripted(tmp_path, ScriptedAnswerer()), questions=QuestionLog(log)
    )
    _ask(app_with, services)
    [row] = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    assert row["question"] == "Làm mấy giờ một ngày?" and row["mode"] == "generated"
    assert row["citations"] == [SOURCE.address.canonical] and "answer" not in row


def test_feedback_off_hides_the_form_and_writes_nothing(
    tmp_path: Path, app_with: Callable[..., AppTest]
) -> None:
    off = FeedbackService(tmp_path / "feedback.jsonl", enabled=False)
    services = dataclasses.replace(scripted(tmp_path, ScriptedAnswerer()), feedback=off)
    at = _ask(app_with, services)
    assert not [b for b in at.button if b.label == "Gửi phản hồi"]
    assert not (tmp_path / "feedback.jsonl").exists()


def test_the_settings_build_the_services_that_way(tmp_path: Path) -> None:
    from app.wiring import Services

    settings = load_settings(overrides={
        "index": {"dir": tmp_path / "index"}, "data_dir": tmp_path / "data",
        "privacy": {"question_log": True, "feedback": False},
    })  # fmt: skip
    with Services(settings) as components:
        ui = UIServices.from_services(components, settings)
        assert ui.questions.path == tmp_path / "data" / "questions.jsonl"
        assert not ui.feedback.enabled
