"""Abstention signals (generation/abstention.py) and the abstention on a question about a
law the index does not hold (AnswerService)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from generation.abstention import lexical_relevance, phrase_relevance, relevance
from generation.answer import AnswerMode
from generation.service import AnswerConfig, AnswerService
from legal.address import LegalAddress
from retrieval.types import Passage, PassageRole, SearchResult
from tests.fakes import search_result

BLLD = "Bộ luật Lao động 2019"
P40 = Passage(
    LegalAddress("45/2019/QH14", "40", "1"),
    "Không được trợ cấp thôi việc.",
    "Nghĩa vụ của người lao động khi đơn phương chấm dứt hợp đồng lao động trái pháp luật",
    BLLD,
    score=0.9,
)
# shares the words of "Quản chế được áp dụng đối với ai?" one by one, not its phrase
P62 = Passage(
    LegalAddress("45/2019/QH14", "212", "1"),
    "Ban hành và tổ chức thực hiện chế độ; quản lý nhà nước về lao động áp dụng đối với "
    "người lao động.",
    "Nội dung quản lý nhà nước về lao động",
    BLLD,
    score=0.8,
)


def _result(*passages: Passage, **kw: Any) -> SearchResult:
    return search_result("q", passages, **kw)


def test_phrases_tell_a_concept_from_shared_words() -> None:
    result = _result(P62)
    asked = "Quản chế được áp dụng đối với ai?"
    # word by word the passage looks relevant; by phrase it does not
    assert lexical_relevance(asked, result) > 0.5
    assert phrase_relevance(asked, result) < 0.5
    on_topic = "Người lao động đơn phương chấm dứt hợp đồng lao động trái pháp luật thì sao?"
    assert phrase_relevance(on_topic, _result(P40)) > 0.6


def test_phrase_signal_is_the_default_and_ignores_passages_not_found_by_search() -> None:
    cited = replace(P40, role=PassageRole.CITED)
    asked = "đơn phương chấm dứt hợp đồng lao động trái pháp luật"
    assert relevance(asked, _result(cited)) == 0.0
    assert relevance(asked, _result(P40)) == phrase_relevance(asked, _result(P40)) > 0.5
    # the best sentence of a question of several sentences counts
    story = "Tôi làm kế toán ba năm nay ở Hà Nội. " + asked + "?"
    assert phrase_relevance(story, _result(P40)) > phrase_relevance(story[:36], _result(P40))


class LawRetriever:
    def __init__(self, result: SearchResult) -> None:
        self.result = result

    def search(self, query: str, k: int, docs: Sequence[str] = ()) -> SearchResult:
        return self.result


@pytest.mark.parametrize("backend", ["extractive", "auto"])
def test_a_question_about_a_law_not_indexed_is_abstained_on(
    backend: str, scripted_llm: Any
) -> None:
    missing = ("Bộ luật Hình sự 2015 (100/2015/QH13)",)
    llm = scripted_llm("không được gọi [1].")
    service = AnswerService(
        LawRetriever(_result(P40, missing_laws=missing)),
        AnswerConfig(backend=backend, min_relevance=0.0),  # type: ignore[arg-type]
        llm=llm,
    )
    answer = service.ask("Theo Bộ luật Hình sự 2017, người lao động bỏ việc có bị phạt không?")
    assert answer.mode is AnswerMode.ABSTAINED
    assert "Bộ luật Hình sự 2015 (100/2015/QH13)" in answer.text
    assert "chưa được nạp" in answer.text
    assert answer.nearest == (P40,) and llm.calls == []
    # without the missing law the same passages answer
    service.retriever = LawRetriever(_result(P40))
    assert service.ask("Người lao động bỏ việc có bị phạt không?").mode is not (
        AnswerMode.ABSTAINED
    )


def test_a_cited_provision_is_answered_even_when_another_law_is_missing() -> None:
    cited = replace(P40, role=PassageRole.CITED)
    service = AnswerService(
        LawRetriever(_result(cited, missing_laws=("Bộ luật Hình sự 2015",))),
        AnswerConfig(backend="extractive"),
    )
    answer = service.ask("khoản 1 Điều 40 BLLĐ và Bộ luật Hình sự 2017 nói gì?")
    assert answer.mode is AnswerMode.EXTRACTIVE
