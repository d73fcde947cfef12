"""The Streamlit UI driven by ``streamlit.testing.v1.AppTest`` with the real components over
a small index of data/demo and the extractive backend (no LLM), and the UI's own
st.cache_resource path. Scripted components: test_ui_apptest.py."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.services import FeedbackService, UIServices
from app.settings import Settings, load_settings
from app.wiring import Services

REPO = Path(__file__).resolve().parents[2]
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
def test_real_ask_chips_citation_and_feedback(
    real: tuple[UIServices, Path],
    app_with: Callable[..., AppTest],
    all_text: Callable[[AppTest], str],
) -> None:
    services, data = real
    at = app_with(services)
    at.chat_input[0].set_value(QUESTION).run(timeout=120)
    assert not at.exception, at.exception
    text = all_text(at)
    assert "08 giờ trong 01 ngày" in text
    assert "Trích nguyên văn" in text  # extractive answers are labelled as such
    chips = [b for b in at.button if b.label.startswith("§ ")]
    assert chips and chips[0].label == "§ khoản 1 Điều 105 BLLĐ 2019"
    chips[0].click().run()
    html = "\n".join(m.value for m in at.markdown)
    cited = html.split('<mark class="luatqa-cited"')[1].split("</mark>")[0]
    assert "không quá 08 giờ trong 01 ngày" in cited
    assert "Thời giờ làm việc bình thường" in text and "Chương VII › Mục 1" in all_text(at)
    assert "labor-code-2019_excerpt.txt" in all_text(at)
    at.radio(key="verdict-0").set_value("Hữu ích")
    next(b for b in at.button if b.label == "Gửi phản hồi").click().run()
    rows = FeedbackService(data / "feedback.jsonl").all()
    assert rows[-1].verdict == "useful" and rows[-1].question == QUESTION
    assert "45/2019/QH14 › Điều 105 › Khoản 1" in rows[-1].citations


@pytest.mark.slow
def test_real_corpus_browsing(
    real: tuple[UIServices, Path],
    app_with: Callable[..., AppTest],
    all_text: Callable[[AppTest], str],
) -> None:
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
    assert "Điều 105. Thời giờ làm việc bình thường" in all_text(at)


@pytest.mark.slow
def test_real_upload_good_and_bad_through_cached_services(
    demo_index: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    app_with: Callable[..., AppTest],
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
    at = app_with(timeout=300)
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
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_with: Callable[..., AppTest]
) -> None:
    """The embedded index is single-process: the UI says so instead of crashing."""
    from retrieval.store.edge import EdgeStore

    index = tmp_path / "held"
    monkeypatch.setenv("LUATQA_INDEX__DIR", str(index))
    monkeypatch.setenv("LUATQA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LUATQA_INDEX__QDRANT_URL", raising=False)
    holder = EdgeStore(index)  # e.g. a `luatqa ingest` running in a terminal
    try:
        at = app_with()
        assert not at.exception
        assert "is open in another process" in at.error[0].value
        assert "--qdrant-url" in at.error[0].value
    finally:
        holder.close()
