"""The chat page's first screen: which model answers, what is loaded, example questions."""

from __future__ import annotations

from app.first_screen import (
    EXTRACTIVE_LABEL,
    AnswerModelService,
    answering_model,
    example_questions,
    loaded_summary,
)
from generation.client import ServedModel
from legal.errors import GenerationError

SERVED = [
    ServedModel("gemma3-270m", None, "/m"),
    ServedModel("luatqa-demo", "gemma3-270m", "/a"),
]


class DownServer:
    """A configured server that does not answer; counts the questions asked."""

    base_url = "http://127.0.0.1:9/v1"

    def __init__(self) -> None:
        self.calls = 0

    def models(self, timeout_s: float | None = None) -> list[ServedModel]:
        self.calls += 1
        raise GenerationError("cannot reach vLLM at http://127.0.0.1:9/v1: connection refused")


def test_auto_picks_the_adapter_and_names_its_base() -> None:
    model = answering_model("auto", SERVED)
    assert model.generated
    assert model.label == "luatqa-demo (LoRA trên gemma3-270m)"


def test_auto_without_adapter_is_the_base_model() -> None:
    assert answering_model("auto", SERVED[:1]).label == "gemma3-270m"


def test_a_model_the_server_lacks_is_not_shown_as_answering() -> None:
    model = answering_model("meta-llama/Llama-3.1-8B-Instruct", SERVED)
    assert not model.generated and model.label == EXTRACTIVE_LABEL


def test_service_without_llm_says_extractive() -> None:
    svc = AnswerModelService(client=None, model="auto")
    assert svc.current().label == EXTRACTIVE_LABEL


def test_service_caches_and_reports_a_down_server() -> None:
    now = [0.0]
    server = DownServer()
    svc = AnswerModelService(client=server, model="auto", ttl_s=30, clock=lambda: now[0])
    first = svc.current()
    assert not first.generated and first.down and "not answering" in first.detail
    svc.current()
    assert server.calls == 1  # cached
    now[0] = 31.0
    svc.current()
    assert server.calls == 2


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
