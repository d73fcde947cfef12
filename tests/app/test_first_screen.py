"""The chat page's first screen: which model answers, what is loaded, example questions."""

from __future__ import annotations

from typing import Any

from app.first_screen import (
    EXTRACTIVE_LABEL,
    AnswerModelService,
    answering_model,
    example_questions,
    loaded_summary,
)

SERVED = [
    {"id": "gemma3-270m", "root": "/m", "parent": None},
    {"id": "luatqa-demo", "root": "/a", "parent": "gemma3-270m"},
]


def test_auto_picks_the_adapter_and_names_its_base() -> None:
    model = answering_model("auto", SERVED)
    assert model.generated
    assert model.label == "luatqa-demo (LoRA trên gemma3-270m)"


def test_auto_without_adapter_is_the_base_model() -> None:
    assert answering_model("auto", SERVED[:1]).label == "gemma3-270m"


def test_a_model_the_server_lacks_is_not_shown_as_answering() -> None:
    model = answering_model("meta-llama/Llama-3.1-8B-Instruct", SERVED)
    assert not model.generated and model.label == EXTRACTIVE_LABEL


def test_service_without_llm_says_extractive_and_never_probes() -> None:
    def boom(url: str, key: str | None) -> list[dict[str, Any]]:
        raise AssertionError("probed")

    svc = AnswerModelService(backend="auto", base_url=None, model="auto", fetch=boom)
    assert svc.current().label == EXTRACTIVE_LABEL


def test_service_caches_and_reports_a_down_server() -> None:
    calls: list[str] = []
    now = [0.0]

    def down(url: str, key: str | None) -> list[dict[str, Any]]:
        calls.append(url)
        raise OSError("connection refused")

    svc = AnswerModelService(
        backend="auto", base_url="http://127.0.0.1:9/v1", model="auto", fetch=down,
        ttl_s=30, clock=lambda: now[0],
    )  # fmt: skip
    first = svc.current()
    assert not first.generated and "not answering" in first.detail
    svc.current()
    assert len(calls) == 1  # cached
    now[0] = 31.0
    svc.current()
    assert len(calls) == 2


def test_examples_skip_boilerplate_and_spread_over_documents() -> None:
    labor = [
        "Phạm vi điều chỉnh",
        "Giải thích từ ngữ",
        "Thời giờ làm việc bình thường",
        "Làm thêm giờ",
        "Nghỉ hằng năm của người lao động",
        "Hiệu lực thi hành",
    ]
    union = ["Đối tượng áp dụng", "Quyền của công đoàn cơ sở tại doanh nghiệp"]
    qs = example_questions([("Bộ luật Lao động 2019", labor), ("Luật Công đoàn 2024", union)], 3)
    assert len(qs) == 3
    assert qs[1] == (
        "Quyền của công đoàn cơ sở tại doanh nghiệp được quy định như thế nào trong "
        "Luật Công đoàn 2024?"
    )
    assert not any("Phạm vi" in q or "Hiệu lực" in q or "Giải thích" in q for q in qs)


def test_loaded_summary() -> None:
    assert loaded_summary([]) == "Chưa nạp văn bản nào."
    assert loaded_summary(["A", "B"]) == "2 văn bản: A, B"
    assert (
        loaded_summary([str(i) for i in range(8)], limit=2) == "8 văn bản: 0, 1 và 6 văn bản khác"
    )
