"""AnswerService logic with a scripted retriever and scripted LLM backends (the real vLLM
is exercised in test_vllm_serving.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from generation.answer import AnswerMode, QuestionType
from generation.budget import EstimateCounter
from generation.prompt import SYSTEM_PROMPT
from generation.service import AnswerConfig, AnswerService
from legal.address import LegalAddress
from legal.errors import GenerationError, QuestionError
from retrieval.types import Passage, PassageRole, SearchResult
from tests.fakes import search_result

BLLD = "Bộ luật Lao động 2019"
P105 = Passage(
    LegalAddress("45/2019/QH14", "105", "1"),
    "Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày và không quá 48 giờ trong "
    "01 tuần.",
    "Thời giờ làm việc bình thường",
    BLLD,
    score=0.8,
)
P35 = Passage(
    LegalAddress("45/2019/QH14", "35", "1"),
    "Người lao động có quyền đơn phương chấm dứt hợp đồng lao động nhưng phải báo trước.",
    "Quyền đơn phương chấm dứt hợp đồng lao động của người lao động",
    BLLD,
    score=0.5,
)


class ScriptedRetriever:
    def __init__(self, *passages: Passage) -> None:
        self.passages = passages
        self.calls: list[tuple[str, int, tuple[str, ...]]] = []

    def search(self, query: str, k: int, docs: Sequence[str] = ()) -> SearchResult:
        self.calls.append((query, k, tuple(docs)))
        return search_result(query, self.passages[:k])


def _service(llm: Any, backend: str = "auto", **cfg: Any) -> AnswerService:
    config = AnswerConfig(backend=backend, **cfg)  # type: ignore[arg-type]
    return AnswerService(ScriptedRetriever(P105, P35), config, llm=llm)


def test_generated_answer_keeps_only_verified_citations(scripted_llm: Any) -> None:
    llm = scripted_llm("Không quá 08 giờ một ngày [1]. Theo khoản 5 Điều 105 thì khác [9].")
    answer = _service(llm).ask("Thời giờ làm việc tối đa một ngày?")
    assert answer.mode is AnswerMode.GENERATED
    assert [c.address.canonical for c in answer.sources] == ["45/2019/QH14 › Điều 105 › Khoản 1"]
    assert {u.marker for u in answer.unverified} == {"khoản 5 Điều 105", "[9]"}
    assert any("không kiểm chứng" in w for w in answer.warnings)
    assert answer.passages == (P105, P35)
    assert "[1] khoản 1 Điều 105 Bộ luật Lao động 2019" in llm.calls[0]["messages"][1]["content"]


def test_answer_without_any_verified_citation_warns(scripted_llm: Any) -> None:
    answer = _service(scripted_llm("Tối đa 08 giờ.")).ask("Thời giờ làm việc?")
    assert answer.sources == () and answer.mode is AnswerMode.GENERATED
    assert any("không có trích dẫn nào kiểm chứng" in w for w in answer.warnings)


def test_abstains_without_calling_the_model_and_lists_nearest(scripted_llm: Any) -> None:
    llm = scripted_llm("không được gọi")
    answer = _service(llm, min_relevance=0.9).ask("Thuế thu nhập doanh nghiệp là bao nhiêu?")
    assert answer.mode is AnswerMode.ABSTAINED
    assert llm.calls == []
    assert "not found in the indexed documents" in answer.text
    assert "khoản 1 Điều 105 Bộ luật Lao động 2019" in answer.text
    assert [p.address for p in answer.nearest] == [P105.address, P35.address]
    assert answer.sources == ()


def test_abstains_when_nothing_is_found(scripted_llm: Any) -> None:
    service = AnswerService(ScriptedRetriever(), AnswerConfig(), llm=scripted_llm("x"))
    answer = service.ask("Câu hỏi bất kỳ?")
    assert answer.mode is AnswerMode.ABSTAINED and answer.text.strip()


def test_cited_provision_is_answered_even_below_threshold(scripted_llm: Any) -> None:
    cited = Passage(
        P35.address, P35.text, P35.article_title, BLLD, score=0.01, role=PassageRole.CITED
    )
    service = AnswerService(
        ScriptedRetriever(cited), AnswerConfig(min_relevance=0.5), llm=scripted_llm("Có [1].")
    )
    assert service.ask("khoản 1 Điều 35 BLLĐ nói gì?").mode is AnswerMode.GENERATED


def test_no_llm_configured_gives_extractive_answer() -> None:
    answer = _service(None).ask("Thời giờ làm việc bình thường tối đa bao nhiêu giờ?")
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert answer.text.startswith("Trích nguyên văn")
    assert answer.sources[0].address == P105.address  # best lexical match first
    assert "“Thời giờ làm việc bình thường không quá 08 giờ" in answer.text
    assert answer.warnings == ()


def test_llm_down_falls_back_to_extractive_with_warning(scripted_llm: Any) -> None:
    llm = scripted_llm(GenerationError("cannot reach vLLM at http://127.0.0.1:9/v1"))
    answer = _service(llm).ask("Thời giờ làm việc?")
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert answer.text and answer.sources
    assert any("cannot reach vLLM" in w and "extractive fallback" in w for w in answer.warnings)


def test_empty_generation_falls_back_to_extractive(scripted_llm: Any) -> None:
    answer = _service(scripted_llm("   ")).ask("Thời giờ làm việc?")
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert any("empty answer" in w for w in answer.warnings)


def test_strict_vllm_backend_raises(scripted_llm: Any) -> None:
    llm = scripted_llm(GenerationError("down"))
    with pytest.raises(GenerationError):
        _service(llm, backend="vllm").ask("Thời giờ làm việc?")
    with pytest.raises(GenerationError, match="needs a server URL"):
        _service(None, backend="vllm")


def test_extractive_backend_never_calls_the_llm(scripted_llm: Any) -> None:
    llm = scripted_llm("x [1]")
    answer = _service(llm, backend="extractive").ask("Thời giờ làm việc?")
    assert answer.mode is AnswerMode.EXTRACTIVE and llm.calls == []


def test_true_false_uses_json_schema_and_verifies_numbers(scripted_llm: Any) -> None:
    llm = scripted_llm('{"label": "Sai", "reasoning": "Tối đa 08 giờ [1]", "citations": [1, 4]}')
    answer = _service(llm).ask(
        "Thời giờ làm việc tối đa 10 giờ/ngày?", qtype=QuestionType.TRUE_FALSE
    )
    schema = llm.calls[0]["schema"]
    assert schema["properties"]["label"]["enum"] == ["Đúng", "Sai"]
    assert answer.label == "Sai" and answer.reasoning == "Tối đa 08 giờ [1]"
    assert [c.address for c in answer.sources] == [P105.address]
    assert [u.marker for u in answer.unverified] == ["[4]"]


def test_multiple_choice_labels_and_validation(scripted_llm: Any) -> None:
    llm = scripted_llm('{"label": "B", "reasoning": "", "citations": [2]}')
    answer = _service(llm).ask(
        "Báo trước bao lâu?", qtype=QuestionType.MULTIPLE_CHOICE, choices=["3 ngày", "45 ngày"]
    )
    assert llm.calls[0]["schema"]["properties"]["label"]["enum"] == ["A", "B"]
    assert answer.label == "B" and answer.sources[0].address == P35.address
    with pytest.raises(QuestionError, match=r"^\[question\] a multiple-choice"):
        _service(llm).ask("?", qtype=QuestionType.MULTIPLE_CHOICE, choices=["một"])


def test_extractive_structured_question_has_no_label_and_says_so() -> None:
    answer = _service(None).ask("Đúng hay sai?", qtype=QuestionType.TRUE_FALSE)
    assert answer.label is None and any("không tự chọn đáp án" in w for w in answer.warnings)


def test_stream_yields_pieces_then_the_answer(scripted_llm: Any) -> None:
    service = _service(scripted_llm("Không quá 08 giờ [1]."))
    items = list(service.stream("Thời giờ làm việc?", docs=["45/2019/QH14"]))
    *pieces, final = items
    assert "".join(str(p) for p in pieces).strip() == "Không quá 08 giờ [1]."
    assert getattr(final, "mode", None) is AnswerMode.GENERATED
    retriever = service.retriever
    assert isinstance(retriever, ScriptedRetriever)
    assert retriever.calls[-1][2] == ("45/2019/QH14",)


def test_retrieval_query_differs_from_question(scripted_llm: Any) -> None:
    service = _service(scripted_llm("Có [1]."))
    service.ask("Còn một tuần?", retrieval_query="Thời giờ làm việc một ngày?\nCòn một tuần?")
    retriever = service.retriever
    assert isinstance(retriever, ScriptedRetriever)
    assert retriever.calls[0][0].startswith("Thời giờ làm việc một ngày?")


def test_empty_question_is_a_question_error_not_an_ingest_error() -> None:
    """Regression (issue 10): an empty question was reported as an "[ingest]" error."""
    with pytest.raises(QuestionError) as err:
        _service(None).ask("   ")
    assert str(err.value).startswith("[question] the question is empty")


PROMPT = EstimateCounter().count_text(SYSTEM_PROMPT)  # 438 tokens since #13


def test_budget_drops_passages_that_do_not_fit(scripted_llm: Any) -> None:
    llm = scripted_llm("Có [1].")
    # budgets in tokens above the system prompt's own (#13 lengthened it)
    answer = _service(llm, max_model_len=PROMPT + 300, max_answer_tokens=64).ask(
        "Thời giờ làm việc?"
    )
    assert answer.mode is AnswerMode.GENERATED
    assert len(answer.passages) < 2
    assert llm.calls[0]["max_tokens"] == 64


def test_no_passage_fits_falls_back_without_calling_the_model(scripted_llm: Any) -> None:
    llm = scripted_llm("Có [1].")
    answer = _service(llm, max_model_len=PROMPT + 140, max_answer_tokens=32).ask(
        "Thời giờ làm việc?"
    )
    assert llm.calls == []
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert any("no retrieved passage fits" in w for w in answer.warnings)


def test_follow_up_relevance_uses_the_retrieval_query(scripted_llm: Any) -> None:
    service = _service(scripted_llm("Có [1]."), min_relevance=0.35)
    # "Còn một tuần?" alone shares no content word with the passages; with the previous
    # question (the retrieval query of a follow-up) it does
    assert service.ask("Còn một tuần thì sao?").mode is AnswerMode.ABSTAINED
    follow = service.ask(
        "Còn một tuần thì sao?",
        retrieval_query="Thời giờ làm việc bình thường một ngày?\nCòn một tuần thì sao?",
    )
    assert follow.mode is AnswerMode.GENERATED


def test_the_model_saying_not_found_is_an_abstention_with_nearest(scripted_llm: Any) -> None:
    llm = scripted_llm("Không tìm thấy quy định trong các văn bản được cung cấp.")
    answer = _service(llm).ask("Thời giờ làm việc tối đa một ngày?")
    assert answer.mode is AnswerMode.ABSTAINED
    assert answer.model == "scripted-model"
    assert "model found no answer" in answer.text
    assert answer.nearest and answer.citations == ()


def test_not_found_with_a_verified_citation_stays_an_answer(scripted_llm: Any) -> None:
    llm = scripted_llm("Không tìm thấy quy định trong các văn bản được cung cấp, xem [1].")
    assert _service(llm).ask("Thời giờ làm việc?").mode is AnswerMode.GENERATED


def test_structured_schema_bounds_citations_by_the_passages_given(scripted_llm: Any) -> None:
    llm = scripted_llm('{"label": "Đúng", "citations": [1], "reasoning": "[1]"}')
    _service(llm).ask("Thời giờ làm việc tối đa 08 giờ/ngày?", qtype=QuestionType.TRUE_FALSE)
    items = llm.calls[0]["schema"]["properties"]["citations"]["items"]
    assert items == {"type": "integer", "minimum": 1, "maximum": 2}
