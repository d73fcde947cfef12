"""Fixtures of the eval tests: an answer service scripted by question id."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from generation.answer import Answer, QuestionType


class AnswersById:
    """An :class:`eval.answer_harness` answer service scripted by question id (a question's
    last word): ``reply(question, qid)`` answers; ``asked[qid]`` records how each question was
    asked (question type, choices)."""

    def __init__(self, reply: Callable[[str, str], Answer]) -> None:
        self.reply = reply
        self.asked: dict[str, tuple[QuestionType, tuple[str, ...]]] = {}

    def ask(
        self,
        question: str,
        *,
        qtype: QuestionType = QuestionType.FREE,
        choices: Sequence[str] = (),
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        qid = question.split()[-1]
        self.asked[qid] = (qtype, tuple(choices))
        return self.reply(question, qid)


@pytest.fixture(scope="session")
def answers_by_id() -> Callable[..., Any]:
    """``answers_by_id(reply)``: see :class:`AnswersById`."""
    return AnswersById
