"""``luatqa ask`` without an LLM (extractive), abstention and argument errors; the command
against a live vLLM is in tests/generation/test_vllm_serving.py."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from app.cli import _register, cli
from app.context import CliState
from app.wiring import Services
from legal.address import LegalAddress
from legal.validity import Dates
from retrieval.types import Passage, Provision, SearchResult

P105 = Passage(
    LegalAddress("45/2019/QH14", "105", "1"),
    "Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày và không quá 48 giờ trong "
    "01 tuần.",
    "Thời giờ làm việc bình thường",
    "Bộ luật Lao động 2019",
    score=0.03,
)


class OnePassage:
    dates: ClassVar[list[str | None]] = []  # the as-of dates searched, across instances

    def search(
        self, query: str, k: int, docs: Sequence[str] = (), as_of: str | None = None
    ) -> SearchResult:
        OnePassage.dates.append(as_of)
        prov = Provision(
            P105.address.article_address(), P105.article_title, P105.doc_label, 0.03, (P105,)
        )
        return SearchResult(query, (prov,))


class OnePassageServices(Services):
    """The real wiring with a scripted retriever, handed to the CLI through its seam."""

    @property
    def retriever(self) -> OnePassage:
        return OnePassage()


def _ask(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str) -> tuple[int, str]:
    _register()
    monkeypatch.delenv("LUATQA_LLM__BASE_URL", raising=False)
    result = CliRunner().invoke(
        cli,
        ["--index", str(tmp_path / "i"), "ask", *args],
        obj=CliState(make_services=OnePassageServices),
    )
    return result.exit_code, result.output


def test_extractive_answer_without_llm(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out = _ask(monkeypatch, tmp_path, "Thời giờ làm việc bình thường tối đa mấy giờ?")
    assert code == 0, out
    assert out.startswith("# Trích nguyên văn (không dùng mô hình ngôn ngữ)")
    assert "[1] khoản 1 Điều 105 Bộ luật Lao động 2019" in out
    assert "“Thời giờ làm việc bình thường không quá 08 giờ" in out


def test_json_output_is_one_object(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out = _ask(monkeypatch, tmp_path, "Thời giờ làm việc bình thường?", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["mode"] == "extractive"
    assert data["citations"][0]["address"] == "45/2019/QH14 › Điều 105 › Khoản 1"


def test_unrelated_question_abstains(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out = _ask(monkeypatch, tmp_path, "Thuế giá trị gia tăng hàng nhập khẩu?", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["mode"] == "abstained" and data["citations"] == []
    assert data["nearest"][0]["display"] == "khoản 1 Điều 105 Bộ luật Lao động 2019"


def test_bad_type_and_missing_choices(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out = _ask(monkeypatch, tmp_path, "Câu hỏi?", "--type", "essay")
    assert code == 2 and "Error: Invalid value for '--type'" in out and "dung-sai" in out
    code, out = _ask(monkeypatch, tmp_path, "Thời giờ làm việc?", "--type", "trac-nghiem")
    assert code == 2 and "Error: [question]" in out and "choices" in out
    code, out = _ask(monkeypatch, tmp_path, "Câu hỏi?", "--backend", "gpt")
    assert code == 2 and "Error: Invalid value for '--backend'" in out and "extractive" in out


def test_empty_question_is_bad_input_not_an_ingest_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Regression (issue 10): an empty question was reported as an "[ingest]" error."""
    code, out = _ask(monkeypatch, tmp_path, "   ")
    assert code == 2
    assert out.startswith("Error: [question] the question is empty") and "[ingest]" not in out


def test_unreachable_llm_falls_back_visibly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LUATQA_LLM__MAX_RETRIES", "0")
    code, out = _ask(
        monkeypatch,
        tmp_path,
        "Thời giờ làm việc bình thường?",
        "--llm-url",
        "http://127.0.0.1:9/v1",
    )
    assert code == 0, out
    assert "# Trích nguyên văn" in out and "extractive fallback" in out


def test_sources_name_each_provision_once() -> None:
    from app.commands.ask import render
    from generation.answer import Answer, AnswerMode, Citation

    display = "khoản 1 Điều 139 Bộ luật Lao động 2019"
    address = LegalAddress.parse("45/2019/QH14 › Điều 139 › Khoản 1")
    cited = [
        Citation(address, "1. Lao động nữ …", display, "[1]", 1),
        Citation(address, "1. Lao động nữ …", display, display, 1),  # written out, not [n]
    ]
    for citation, expected in zip(cited, (f"  [1] {display}", f"  {display}"), strict=True):
        answer = Answer("q", "06 tháng.", AnswerMode.GENERATED, citations=(citation,))
        lines = render(answer).splitlines()
        assert expected in lines and sum(display in line for line in lines) == 1


def test_as_of_searches_that_day_and_labels_citations(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dated = replace(P105, validity=Dates("2021-01-01"))
    monkeypatch.setattr(sys.modules[__name__], "P105", dated)
    OnePassage.dates.clear()
    question = "Thời giờ làm việc bình thường tối đa mấy giờ?"
    code, out = _ask(monkeypatch, tmp_path, question, "--as-of", "2020-06-01")
    assert code == 0, out
    assert OnePassage.dates == ["2020-06-01"]
    assert "(theo pháp luật có hiệu lực ngày 01/06/2020)" in out
    assert "⚠ chưa có hiệu lực (từ 01/01/2021)" in out
    code, out = _ask(monkeypatch, tmp_path, question, "--as-of", "2020-06-01", "--json")
    data = json.loads(out)
    assert data["as_of"] == "2020-06-01"
    assert data["citations"][0]["currency"] == ["chưa có hiệu lực (từ 01/01/2021)"]
    code, out = _ask(monkeypatch, tmp_path, question, "--as-of", "1/6/2020")
    assert code == 2 and "--as-of '1/6/2020' is not a date" in out
