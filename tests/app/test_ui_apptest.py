"""The Streamlit UI driven by ``streamlit.testing.v1.AppTest`` with scripted components
(fast; exercise every label and notice the UI must show, e.g. an LLM-fallback warning). The
real components over a small index of data/demo: test_ui_apptest_real.py."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import DownloadButton

from app import services
from app.first_screen import AnswerModelService
from app.services import (
    ArticleInfo,
    ArticleView,
    ClauseText,
    DocumentInfo,
    QAResult,
    Source,
    UIServices,
)
from app.services.validity_view import GuideLink, ValidityView
from generation.client import ServedModel
from legal.address import LegalAddress
from legal.errors import InputError
from legal.progress import Progress
from legal.validity import Dates

DOC = "45/2019/QH14"
A105 = LegalAddress(DOC, "105")
CLAUSES = (
    ClauseText(
        LegalAddress(DOC, "105", "1"),
        "1. Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày và không quá 48 giờ "
        "trong 01 tuần.",
    ),
    ClauseText(
        LegalAddress(DOC, "105", "2"),
        "2. Người sử dụng lao động có quyền quy định thời giờ làm việc theo ngày hoặc tuần.",
    ),
)
VIEW = ArticleView(
    address=A105,
    title="Thời giờ làm việc bình thường",
    doc_label="Bộ luật Lao động 2019",
    hierarchy="Chương VII › Mục 1",
    text="\n".join(c.text for c in CLAUSES),
    clauses=CLAUSES,
    source="45-2019-QH14.txt",
    pages=(30, 31),
    amendment_notes=("Khoản 2 được sửa đổi theo Luật số 1/2099/QH99",),
    validity=ValidityView(
        Dates("2021-01-01"),
        history=(
            "20/11/2019: văn bản được ký / thông qua",
            "01/01/2021: có hiệu lực",
            "01/01/2021: văn bản này làm hết hiệu lực Bộ luật Lao động số 10/2012/QH13 — chưa nạp",
        ),
        guided_by=(
            GuideLink(
                LegalAddress("10/2020/TT-BLĐTBXH", "3"),
                "Điều 3 Thông tư 10/2020/TT-BLĐTBXH — Nội dung chủ yếu của hợp đồng lao động",
            ),
        ),
    ),
)
SOURCE = Source(
    CLAUSES[0].address,
    "khoản 1 Điều 105 BLLĐ 2019",
    "khoản 1 Điều 105 Bộ luật Lao động 2019",
    CLAUSES[0].text,
)


class ScriptedAnswerer:
    def __init__(self, mode: str = "generated", warnings: tuple[str, ...] = ()) -> None:
        self.mode = mode
        self.warnings = warnings
        self.queries: list[tuple[str, tuple[str, ...]]] = []
        self.dates: list[str | None] = []
        self.source = SOURCE

    def stream(
        self,
        question: str,
        *,
        retrieval_query: str,
        docs: Sequence[str],
        as_of: str | None = None,
    ) -> Iterator[str | QAResult]:
        self.queries.append((retrieval_query, tuple(docs)))
        self.dates.append(as_of)
        if self.mode == "abstained":
            text = "Không tìm thấy quy định trả lời câu hỏi này trong các văn bản đã nạp."
            yield text
            yield QAResult(question, text, "abstained")
            return
        text = "Không quá 08 giờ trong 01 ngày [1]."
        yield text
        yield QAResult(
            question,
            text,
            self.mode,  # type: ignore[arg-type]
            (self.source,),
            self.warnings,
            as_of=as_of,
        )


class ScriptedCorpus:
    def documents(self) -> list[DocumentInfo]:
        return [
            DocumentInfo(
                DOC,
                DOC,
                "Bộ luật",
                "Bộ luật Lao động",
                "2019-11-20",
                "Bộ luật Lao động 2019",
                "BLLĐ 2019",
                1,
            )
        ]

    def articles(self, doc_id: str) -> list[ArticleInfo]:
        return [ArticleInfo(DOC, "105", VIEW.title, "Chương VII", VIEW.hierarchy)]

    def article(self, address: LegalAddress) -> ArticleView | None:
        return VIEW if address == A105 else None


class ScriptedIngester:
    def ingest_file(
        self, path: Path, progress: Progress | None = None
    ) -> tuple[tuple[str, ...], int, int]:
        if not path.read_text(encoding="utf-8").startswith("Điều"):
            raise InputError("no Điều found", path=path)
        return (DOC,), 1, 2


class Store:
    def describe(self) -> dict[str, Any]:
        return {"backend": "scripted", "documents": 7, "chunks": 7}


def scripted(
    tmp_path: Path, answerer: ScriptedAnswerer, model: AnswerModelService | None = None
) -> UIServices:
    return UIServices(
        qa=services.QAService(answerer),
        ingest=services.IngestService(ScriptedIngester()),
        corpus=services.CorpusService(ScriptedCorpus()),
        feedback=services.FeedbackService(tmp_path / "feedback.jsonl"),
        status=services.StatusService(
            store=Store(), embedder_name=lambda: "scripted", llm_backend="auto", llm=None
        ),
        model=model or AnswerModelService(client=None, model="auto"),
    )


def test_ask_shows_chips_and_opens_the_cited_clause(
    tmp_path: Path, app_with: Callable[..., AppTest], all_text: Callable[[AppTest], str]
) -> None:
    at = app_with(scripted(tmp_path, ScriptedAnswerer()))
    assert not at.exception
    at.chat_input[0].set_value("Thời giờ làm việc bình thường là bao nhiêu?").run()
    assert not at.exception
    assert "Không quá 08 giờ trong 01 ngày [1]." in all_text(at)
    chips = [b for b in at.button if b.label.startswith("§ ")]
    assert [c.label for c in chips] == ["§ khoản 1 Điều 105 BLLĐ 2019"]
    chips[0].click().run()
    html = "\n".join(m.value for m in at.markdown)
    assert '<mark class="luatqa-cited"' in html
    cited = html.split('<mark class="luatqa-cited"')[1]
    assert "không quá 08 giờ" in cited and "Người sử dụng lao động" not in cited.split("</mark>")[0]
    assert "Chương VII › Mục 1" in all_text(at) and "45-2019-QH14.txt" in all_text(at)
    assert "trang 30–31" in all_text(at)
    assert any("Luật số 1/2099/QH99" in i.value for i in at.info)
    assert at.expander and any(e.label == "Nguồn đã kiểm chứng (1)" for e in at.expander)


def test_follow_up_uses_previous_question_and_document_filter(
    tmp_path: Path, app_with: Callable[..., AppTest]
) -> None:
    answerer = ScriptedAnswerer()
    at = app_with(scripted(tmp_path, answerer))
    at.multiselect(key="doc_filter").set_value([DOC]).run()
    at.chat_input[0].set_value("Thời giờ làm việc bình thường?").run()
    at.chat_input[0].set_value("Còn ban đêm?").run()
    assert answerer.queries[0] == ("Thời giờ làm việc bình thường?", (DOC,))
    assert answerer.queries[1][0] == "Thời giờ làm việc bình thường?\nCòn ban đêm?"
    assert len([m for m in at.chat_message if m.name == "assistant"]) == 2


def test_fallback_warning_and_extractive_label(
    tmp_path: Path, app_with: Callable[..., AppTest], all_text: Callable[[AppTest], str]
) -> None:
    answerer = ScriptedAnswerer("extractive", ("Không kết nối được LLM; đã trích nguyên văn.",))
    at = app_with(scripted(tmp_path, answerer))
    at.chat_input[0].set_value("Hỏi?").run()
    assert [w.value for w in at.warning] == ["Không kết nối được LLM; đã trích nguyên văn."]
    assert "Trích nguyên văn" in all_text(at)


def test_abstention_is_labelled_and_has_no_sources(
    tmp_path: Path, app_with: Callable[..., AppTest], all_text: Callable[[AppTest], str]
) -> None:
    at = app_with(scripted(tmp_path, ScriptedAnswerer("abstained")))
    at.chat_input[0].set_value("Thuế thu nhập cá nhân?").run()
    assert "Không tìm thấy trong văn bản đã nạp" in all_text(at)
    assert not [b for b in at.button if b.label.startswith("§ ")]


def test_feedback_is_saved(
    tmp_path: Path, app_with: Callable[..., AppTest], all_text: Callable[[AppTest], str]
) -> None:
    at = app_with(scripted(tmp_path, ScriptedAnswerer()))
    at.chat_input[0].set_value("Hỏi?").run()
    at.radio(key="verdict-0").set_value("Sai")
    at.text_input(key="comment-0").input("thiếu khoản 2")
    next(b for b in at.button if b.label == "Gửi phản hồi").click().run()
    assert not at.exception
    rows = [json.loads(x) for x in (tmp_path / "feedback.jsonl").read_text().splitlines()]
    assert rows[0]["verdict"] == "wrong" and rows[0]["comment"] == "thiếu khoản 2"
    assert rows[0]["citations"] == [SOURCE.address.canonical]
    assert "Đã lưu phản hồi" in all_text(at)


def test_feedback_starts_unchosen_and_is_not_sent_without_a_choice(
    tmp_path: Path, app_with: Callable[..., AppTest]
) -> None:
    at = app_with(scripted(tmp_path, ScriptedAnswerer()))
    at.chat_input[0].set_value("Hỏi?").run()
    assert at.radio(key="verdict-0").value is None
    next(b for b in at.button if b.label == "Gửi phản hồi").click().run()
    assert any("Hãy chọn" in w.value for w in at.warning)
    assert not (tmp_path / "feedback.jsonl").exists()


def test_first_screen_names_the_mode_the_documents_and_offers_examples(
    tmp_path: Path, app_with: Callable[..., AppTest], all_text: Callable[[AppTest], str]
) -> None:
    answerer = ScriptedAnswerer()
    at = app_with(scripted(tmp_path, answerer))
    text = all_text(at)
    assert "Trích nguyên văn (không dùng mô hình ngôn ngữ)" in text
    assert "1 văn bản: Bộ luật Lao động 2019" in text
    examples = [b for b in at.button if b.key and b.key.startswith("example-")]
    assert [b.label for b in examples] == [
        f"{VIEW.title} được quy định như thế nào trong Bộ luật Lao động 2019?"
    ]
    examples[0].click().run()
    assert answerer.queries[0][0] == examples[0].label  # a click asks it
    assert not [b for b in at.button if b.key and b.key.startswith("example-")]


def test_first_screen_names_the_answering_model(
    tmp_path: Path, app_with: Callable[..., AppTest], all_text: Callable[[AppTest], str]
) -> None:
    served = [ServedModel("gemma3-270m"), ServedModel("luatqa-demo", "gemma3-270m")]
    server = SimpleNamespace(base_url="http://127.0.0.1:9/v1", models=lambda timeout_s: served)
    model = AnswerModelService(client=server, model="auto")
    at = app_with(scripted(tmp_path, ScriptedAnswerer(), model))
    assert "Mô hình trả lời: luatqa-demo (LoRA trên gemma3-270m)" in all_text(at)


def test_export_download_button(tmp_path: Path, app_with: Callable[..., AppTest]) -> None:
    at = app_with(scripted(tmp_path, ScriptedAnswerer()))
    at.chat_input[0].set_value("Hỏi?").run()
    assert [d.label for d in at.get("download_button") if isinstance(d, DownloadButton)] == [
        "Tải về (Markdown)"
    ]
    assert any("## Căn cứ pháp lý" in c.value for c in at.code)


def test_upload_good_and_bad(tmp_path: Path, app_with: Callable[..., AppTest]) -> None:
    at = app_with(scripted(tmp_path, ScriptedAnswerer()))
    at.sidebar.radio(key="page").set_value("Nạp văn bản").run()
    at.file_uploader(key="uploads").set_value(
        [("good.txt", "Điều 1. A".encode(), "text/plain"), ("bad.txt", b"x", "text/plain")]
    ).run()
    at.button(key="ingest").click().run()
    assert not at.exception
    assert [s.value.split(" — ")[0] for s in at.success] == ["good.txt"]
    assert "no Điều found" in at.error[0].value


def test_corpus_and_status_pages(
    tmp_path: Path, app_with: Callable[..., AppTest], all_text: Callable[[AppTest], str]
) -> None:
    at = app_with(scripted(tmp_path, ScriptedAnswerer()))
    at.sidebar.radio(key="page").set_value("Văn bản").run()
    assert not at.exception
    assert at.selectbox(key="browse_chapter").options == ["Tất cả", "Chương VII"]
    assert "Thời giờ làm việc bình thường" in all_text(at)
    at.sidebar.radio(key="page").set_value("Trạng thái").run()
    assert [m.value for m in at.metric][:2] == ["7", "7"]


def test_as_of_picker_currency_warnings_badge_history_and_guidance(
    tmp_path: Path, app_with: Callable[..., AppTest], all_text: Callable[[AppTest], str]
) -> None:
    answerer = ScriptedAnswerer()
    answerer.source = replace(SOURCE, warnings=("chưa có hiệu lực (từ 01/01/2021)",))
    at = app_with(scripted(tmp_path, answerer))
    at.date_input(key="as_of").set_value(dt.date(2020, 6, 1)).run()
    at.chat_input[0].set_value("Thời giờ làm việc bình thường?").run()
    assert answerer.dates == ["2020-06-01"]
    assert "Theo pháp luật có hiệu lực ngày 01/06/2020" in all_text(at)
    chips = [b for b in at.button if "§ " in b.label]
    assert [c.label for c in chips] == ["⚠ § khoản 1 Điều 105 BLLĐ 2019"]
    chips[0].click().run()
    text = all_text(at)
    assert "Chưa có hiệu lực" in text  # the badge on the chosen date, not today's
    assert "⚠ chưa có hiệu lực (từ 01/01/2021)" in text
    assert "Văn bản hướng dẫn" in text and "Điều 3 Thông tư 10/2020/TT-BLĐTBXH" in text
    assert "10/2012/QH13 — chưa nạp" in text
    exported = "\n".join(c.value for c in at.code)  # the Markdown export
    assert "   - ⚠ chưa có hiệu lực (từ 01/01/2021)" in exported
    assert "*Theo pháp luật có hiệu lực ngày 01/06/2020*" in exported


def test_the_viewer_follows_the_implementation_chain_and_back(
    tmp_path: Path, app_with: Callable[..., AppTest], all_text: Callable[[AppTest], str]
) -> None:
    at = app_with(scripted(tmp_path, ScriptedAnswerer()))
    at.chat_input[0].set_value("Thời giờ làm việc bình thường?").run()
    next(b for b in at.button if "§ " in b.label).click().run()
    follow = [b for b in at.button if b.label.startswith("Mở ")]
    assert [b.label for b in follow] == ["Mở Điều 3 10/2020/TT-BLĐTBXH"]
    follow[0].click().run()
    assert not at.exception
    text = all_text(at)
    # the circular's article in the chip's place (not in this scripted index: its address)
    assert "Điều 3 10/2020/TT-BLĐTBXH" in text and "Điều 105. Thời giờ" not in text
    next(b for b in at.button if b.label.startswith("← Quay lại")).click().run()
    assert "Điều 105. Thời giờ" in all_text(at)
    assert not [b for b in at.button if b.label.startswith("← Quay lại")]
