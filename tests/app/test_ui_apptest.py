"""The Streamlit UI driven by ``streamlit.testing.v1.AppTest``.

Two groups: scripted components (fast; exercise every label and notice the UI must show,
e.g. an LLM-fallback warning), and the real components over a small index of data/demo
with the extractive backend (no LLM)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import DownloadButton

from app.first_screen import AnswerModelService
from app.services import (
    ArticleInfo,
    ArticleView,
    ClauseText,
    CorpusService,
    DocumentInfo,
    FeedbackService,
    IngestService,
    QAResult,
    QAService,
    Source,
    StatusService,
    UIServices,
)
from app.settings import Settings, load_settings
from app.ui.state import SERVICES_KEY
from app.wiring import Services
from generation.client import ServedModel
from legal.address import LegalAddress
from legal.errors import InputError
from legal.progress import Progress

REPO = Path(__file__).resolve().parents[2]
MAIN = str(REPO / "app" / "ui" / "main.py")
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

    def stream(
        self, question: str, *, retrieval_query: str, docs: Sequence[str]
    ) -> Iterator[str | QAResult]:
        self.queries.append((retrieval_query, tuple(docs)))
        if self.mode == "abstained":
            text = "Không tìm thấy quy định trả lời câu hỏi này trong các văn bản đã nạp."
            yield text
            yield QAResult(question, text, "abstained")
            return
        text = "Không quá 08 giờ trong 01 ngày [1]."
        yield text
        yield QAResult(question, text, self.mode, (SOURCE,), self.warnings)  # type: ignore[arg-type]


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
        qa=QAService(answerer),
        ingest=IngestService(ScriptedIngester()),
        corpus=CorpusService(ScriptedCorpus()),
        feedback=FeedbackService(tmp_path / "feedback.jsonl"),
        status=StatusService(
            store=Store(), embedder_name=lambda: "scripted", llm_backend="auto", llm=None
        ),
        model=model or AnswerModelService(client=None, model="auto"),
    )


def app_with(services: UIServices) -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.session_state[SERVICES_KEY] = services
    return at.run()


def _all_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


def test_ask_shows_chips_and_opens_the_cited_clause(tmp_path: Path) -> None:
    at = app_with(scripted(tmp_path, ScriptedAnswerer()))
    assert not at.exception
    at.chat_input[0].set_value("Thời giờ làm việc bình thường là bao nhiêu?").run()
    assert not at.exception
    assert "Không quá 08 giờ trong 01 ngày [1]." in _all_text(at)
    chips = [b for b in at.button if b.label.startswith("§ ")]
    assert [c.label for c in chips] == ["§ khoản 1 Điều 105 BLLĐ 2019"]
    chips[0].click().run()
    html = "\n".join(m.value for m in at.markdown)
    assert '<mark class="luatqa-cited"' in html
    cited = html.split('<mark class="luatqa-cited"')[1]
    assert "không quá 08 giờ" in cited and "Người sử dụng lao động" not in cited.split("</mark>")[0]
    assert "Chương VII › Mục 1" in _all_text(at) and "45-2019-QH14.txt" in _all_text(at)
    assert "trang 30–31" in _all_text(at)
    assert any("Luật số 1/2099/QH99" in i.value for i in at.info)
    assert at.expander and any(e.label == "Nguồn đã kiểm chứng (1)" for e in at.expander)


def test_follow_up_uses_previous_question_and_document_filter(tmp_path: Path) -> None:
    answerer = ScriptedAnswerer()
    at = app_with(scripted(tmp_path, answerer))
    at.multiselect(key="doc_filter").set_value([DOC]).run()
    at.chat_input[0].set_value("Thời giờ làm việc bình thường?").run()
    at.chat_input[0].set_value("Còn ban đêm?").run()
    assert answerer.queries[0] == ("Thời giờ làm việc bình thường?", (DOC,))
    assert answerer.queries[1][0] == "Thời giờ làm việc bình thường?\nCòn ban đêm?"
    assert len([m for m in at.chat_message if m.name == "assistant"]) == 2


def test_fallback_warning_and_extractive_label(tmp_path: Path) -> None:
    answerer = ScriptedAnswerer("extractive", ("Không kết nối được LLM; đã trích nguyên văn.",))
    at = app_with(scripted(tmp_path, answerer))
    at.chat_input[0].set_value("Hỏi?").run()
    assert [w.value for w in at.warning] == ["Không kết nối được LLM; đã trích nguyên văn."]
    assert "Trích nguyên văn" in _all_text(at)


def test_abstention_is_labelled_and_has_no_sources(tmp_path: Path) -> None:
    at = app_with(scripted(tmp_path, ScriptedAnswerer("abstained")))
    at.chat_input[0].set_value("Thuế thu nhập cá nhân?").run()
    assert "Không tìm thấy trong văn bản đã nạp" in _all_text(at)
    assert not [b for b in at.button if b.label.startswith("§ ")]


def test_feedback_is_saved(tmp_path: Path) -> None:
    at = app_with(scripted(tmp_path, ScriptedAnswerer()))
    at.chat_input[0].set_value("Hỏi?").run()
    at.radio(key="verdict-0").set_value("Sai")
    at.text_input(key="comment-0").input("thiếu khoản 2")
    next(b for b in at.button if b.label == "Gửi phản hồi").click().run()
    assert not at.exception
    rows = [json.loads(x) for x in (tmp_path / "feedback.jsonl").read_text().splitlines()]
    assert rows[0]["verdict"] == "wrong" and rows[0]["comment"] == "thiếu khoản 2"
    assert rows[0]["citations"] == [SOURCE.address.canonical]
    assert "Đã lưu phản hồi" in _all_text(at)


def test_feedback_starts_unchosen_and_is_not_sent_without_a_choice(tmp_path: Path) -> None:
    at = app_with(scripted(tmp_path, ScriptedAnswerer()))
    at.chat_input[0].set_value("Hỏi?").run()
    assert at.radio(key="verdict-0").value is None
    next(b for b in at.button if b.label == "Gửi phản hồi").click().run()
    assert any("Hãy chọn" in w.value for w in at.warning)
    assert not (tmp_path / "feedback.jsonl").exists()


def test_first_screen_names_the_mode_the_documents_and_offers_examples(tmp_path: Path) -> None:
    answerer = ScriptedAnswerer()
    at = app_with(scripted(tmp_path, answerer))
    text = _all_text(at)
    assert "Trích nguyên văn (không dùng mô hình ngôn ngữ)" in text
    assert "1 văn bản: Bộ luật Lao động 2019" in text
    examples = [b for b in at.button if b.key and b.key.startswith("example-")]
    assert [b.label for b in examples] == [
        f"{VIEW.title} được quy định như thế nào trong Bộ luật Lao động 2019?"
    ]
    examples[0].click().run()
    assert answerer.queries[0][0] == examples[0].label  # a click asks it
    assert not [b for b in at.button if b.key and b.key.startswith("example-")]


def test_first_screen_names_the_answering_model(tmp_path: Path) -> None:
    served = [ServedModel("gemma3-270m"), ServedModel("luatqa-demo", "gemma3-270m")]
    server = SimpleNamespace(base_url="http://127.0.0.1:9/v1", models=lambda timeout_s: served)
    model = AnswerModelService(client=server, model="auto")
    at = app_with(scripted(tmp_path, ScriptedAnswerer(), model))
    assert "Mô hình trả lời: luatqa-demo (LoRA trên gemma3-270m)" in _all_text(at)


def test_export_download_button(tmp_path: Path) -> None:
    at = app_with(scripted(tmp_path, ScriptedAnswerer()))
    at.chat_input[0].set_value("Hỏi?").run()
    assert [d.label for d in at.get("download_button") if isinstance(d, DownloadButton)] == [
        "Tải về (Markdown)"
    ]
    assert any("## Căn cứ pháp lý" in c.value for c in at.code)


def test_upload_good_and_bad(tmp_path: Path) -> None:
    at = app_with(scripted(tmp_path, ScriptedAnswerer()))
    at.sidebar.radio(key="page").set_value("Nạp văn bản").run()
    at.file_uploader(key="uploads").set_value(
        [("good.txt", "Điều 1. A".encode(), "text/plain"), ("bad.txt", b"x", "text/plain")]
    ).run()
    at.button(key="ingest").click().run()
    assert not at.exception
    assert [s.value.split(" — ")[0] for s in at.success] == ["good.txt"]
    assert "no Điều found" in at.error[0].value


def test_corpus_and_status_pages(tmp_path: Path) -> None:
    at = app_with(scripted(tmp_path, ScriptedAnswerer()))
    at.sidebar.radio(key="page").set_value("Văn bản").run()
    assert not at.exception
    assert at.selectbox(key="browse_chapter").options == ["Tất cả", "Chương VII"]
    assert "Thời giờ làm việc bình thường" in _all_text(at)
    at.sidebar.radio(key="page").set_value("Trạng thái").run()
    assert [m.value for m in at.metric][:2] == ["7", "7"]


# ---- the real components over a small index of data/demo (extractive, no LLM) ----------------
DEMO = REPO / "data" / "demo"
QUESTION = "Thời giờ làm việc bình thường tối đa bao nhiêu giờ một ngày?"


def real_settings(index: Path, data: Path) -> Settings:
    return load_settings(
        overrides={
            "index": {"dir": index, "qdrant_url": None},
            "llm": {"backend": "extractive", "base_url": None},
            "data_dir": data,
        }
    )


@pytest.fixture(scope="module")
def real(
    tmp_path_factory: pytest.TempPathFactory, demo_index: Path
) -> Iterator[tuple[UIServices, Path]]:
    index = demo_index
    data = tmp_path_factory.mktemp("ui-data")
    settings = real_settings(index, data)
    with Services(settings) as services:
        yield UIServices.from_services(services, settings), data


@pytest.mark.slow
def test_real_ask_chips_citation_and_feedback(real: tuple[UIServices, Path]) -> None:
    services, data = real
    at = app_with(services)
    at.chat_input[0].set_value(QUESTION).run(timeout=120)
    assert not at.exception, at.exception
    text = _all_text(at)
    assert "08 giờ trong 01 ngày" in text
    assert "Trích nguyên văn" in text  # extractive answers are labelled as such
    chips = [b for b in at.button if b.label.startswith("§ ")]
    assert chips and chips[0].label == "§ khoản 1 Điều 105 BLLĐ 2019"
    chips[0].click().run()
    html = "\n".join(m.value for m in at.markdown)
    cited = html.split('<mark class="luatqa-cited"')[1].split("</mark>")[0]
    assert "không quá 08 giờ trong 01 ngày" in cited
    assert "Thời giờ làm việc bình thường" in text and "Chương VII › Mục 1" in _all_text(at)
    assert "labor-code-2019_excerpt.txt" in _all_text(at)
    at.radio(key="verdict-0").set_value("Hữu ích")
    next(b for b in at.button if b.label == "Gửi phản hồi").click().run()
    rows = FeedbackService(data / "feedback.jsonl").all()
    assert rows[-1].verdict == "useful" and rows[-1].question == QUESTION
    assert "45/2019/QH14 › Điều 105 › Khoản 1" in rows[-1].citations


@pytest.mark.slow
def test_real_corpus_browsing(real: tuple[UIServices, Path]) -> None:
    at = app_with(real[0])
    at.sidebar.radio(key="page").set_value("Văn bản").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert set(table["Số hiệu"]) >= {"45/2019/QH14", "91/2015/QH13"}
    row = table[table["Số hiệu"] == "45/2019/QH14"].iloc[0]
    assert (row["Loại"], row["Ngày ban hành"]) == ("Bộ luật", "2019-11-20")
    at.selectbox(key="browse_doc").set_value("45/2019/QH14").run()
    chapter = next(c for c in at.selectbox(key="browse_chapter").options if "VII" in c)
    at.selectbox(key="browse_chapter").set_value(chapter).run()
    assert "Điều 105. Thời giờ làm việc bình thường" in at.selectbox(key="browse_article").options
    at.selectbox(key="browse_article").set_value("105").run()
    assert "Điều 105. Thời giờ làm việc bình thường" in _all_text(at)


@pytest.mark.slow
def test_real_upload_good_and_bad_through_cached_services(
    demo_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The UI's own st.cache_resource path (settings from the environment) on a copy of the
    demo index: a good file is ingested, a bad one shows the CLI's error and changes nothing."""
    index = tmp_path / "index"
    shutil.copytree(demo_index, index)
    (index / ".lock").unlink(missing_ok=True)
    monkeypatch.setenv("LUATQA_INDEX__DIR", str(index))
    monkeypatch.setenv("LUATQA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LUATQA_LLM__BACKEND", "extractive")
    monkeypatch.delenv("LUATQA_INDEX__QDRANT_URL", raising=False)
    monkeypatch.delenv("LUATQA_LLM__BASE_URL", raising=False)
    # a small statute under a test-only number, so it is a new document for the index
    good = (DEMO / "cybersecurity-law-2018_excerpt.txt").read_text(encoding="utf-8")
    good = good.replace("24/2018/QH14", "99/2099/QH99")
    assert "99/2099/QH99" in good
    at = AppTest.from_file(MAIN, default_timeout=300).run()
    assert not at.exception, at.exception
    at.sidebar.radio(key="page").set_value("Trạng thái").run()
    before = [m.value for m in at.metric][:2]
    at.sidebar.radio(key="page").set_value("Nạp văn bản").run()
    at.file_uploader(key="uploads").set_value(
        [
            ("test-luat.txt", good.encode("utf-8"), "text/plain"),
            ("hong.pdf", b"%PDF-1.4 this is not a pdf", "application/pdf"),
        ]
    ).run()
    at.button(key="ingest").click().run()
    assert not at.exception, at.exception
    assert [s.value.split(" — ")[0] for s in at.success] == ["test-luat.txt"]
    assert "99/2099/QH99" in at.success[0].value
    assert len(at.error) == 1 and at.error[0].value.startswith("hong.pdf")
    assert "[ingest] hong.pdf" in at.error[0].value  # the pipeline's own message
    at.sidebar.radio(key="page").set_value("Trạng thái").run()
    after = [m.value for m in at.metric][:2]
    assert int(after[0]) == int(before[0]) + 1  # one new document, nothing from the bad file
    assert int(after[1]) > int(before[1])


def test_index_held_by_another_opener_shows_the_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The embedded index is single-process: the UI says so instead of crashing."""
    from retrieval.store.edge import EdgeStore

    index = tmp_path / "held"
    monkeypatch.setenv("LUATQA_INDEX__DIR", str(index))
    monkeypatch.setenv("LUATQA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LUATQA_INDEX__QDRANT_URL", raising=False)
    holder = EdgeStore(index)  # e.g. a `luatqa ingest` running in a terminal
    try:
        at = AppTest.from_file(MAIN, default_timeout=60).run()
        assert not at.exception
        assert "is open in another process" in at.error[0].value
        assert "--qdrant-url" in at.error[0].value
    finally:
        holder.close()
