"""The services the web UI and the CLI share: a thin facade over the real components.

The UI never talks to Qdrant or vLLM itself; it calls these services, which call the
components built by :mod:`app.wiring` (store, ingest pipeline, retriever, answer service).

* :class:`QAService` – ask a question (streaming), follow-ups use the previous question.
* :class:`IngestService` – ingest uploaded files, one result per file, progress callback.
* :class:`CorpusService` – documents, chapters, articles and an article's full text.
* :class:`FeedbackService` – append-only JSONL, fsync'ed, for later eval.
* :class:`StatusService` – index size, embedder, LLM endpoint reachable or not.

Each role is a small ``Protocol`` so tests can hand the UI scripted components; the
``from_services`` constructors adapt the real ones.
"""

from __future__ import annotations

import json
import os
import queue
import tempfile
import threading
import time
import urllib.error
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from app.first_screen import AnswerModelService, served_models
from legal.address import LegalAddress
from legal.errors import InputError, LuatqaError, StoreError
from retrieval.types import Passage

Mode = Literal["generated", "extractive", "abstained"]

MAX_UPLOAD_MB = 50
UPLOAD_SUFFIXES = (".pdf", ".txt", ".md", ".json", ".docx")


# ---- answers ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """A verified citation of an answer: what a chip shows and what clicking it opens."""

    address: LegalAddress
    chip: str  # "khoản 2 Điều 35 BLLĐ 2019"
    label: str  # "khoản 2 Điều 35 Bộ luật Lao động 2019"
    quote: str  # the cited text
    passage: Passage | None = None


@dataclass(frozen=True)
class QAResult:
    question: str
    text: str
    mode: Mode
    sources: tuple[Source, ...] = ()  # verified citations only
    warnings: tuple[str, ...] = ()
    unverified: tuple[str, ...] = ()  # raw text of citations that failed verification
    retrieval_query: str = ""
    seconds: float = 0.0
    nearest: tuple[str, ...] = ()  # when abstaining: the closest provisions found
    model: str | None = None  # the served model that wrote it (generated answers)

    @property
    def mode_label(self) -> str:
        return {
            "generated": "Câu trả lời do mô hình tạo, kèm trích dẫn đã kiểm chứng",
            "extractive": "Trích nguyên văn (không dùng mô hình ngôn ngữ)",
            "abstained": "Không tìm thấy câu trả lời trong các văn bản đã nạp",
        }[self.mode]


@dataclass(frozen=True)
class Turn:
    """One question and its answer in a conversation."""

    question: str
    answer: str


class Answerer(Protocol):
    """Answers a question: yields text pieces as they stream, then one :class:`QAResult`."""

    def stream(
        self, question: str, *, retrieval_query: str, docs: Sequence[str]
    ) -> Iterator[str | QAResult]: ...


def chip_label(address: LegalAddress, passage: Passage | None) -> str:
    """'khoản 2 Điều 35 BLLĐ 2019': the compact document label when the registry knows one."""
    if passage is None:
        return address.display()
    return address.display(passage.doc_short or passage.doc_label)


def result_from_answer(answer: Any) -> QAResult:
    """Adapt a :class:`generation.answer.Answer`: verified citations become sources (one per
    address); unverified ones are kept apart and never shown as sources."""
    sources = []
    for c in answer.sources:
        idx = c.passage_index - 1
        passage = answer.passages[idx] if 0 <= idx < len(answer.passages) else None
        sources.append(
            Source(c.address, chip_label(c.address, passage), c.display, c.quote, passage)
        )
    return QAResult(
        question=answer.question,
        text=answer.text,
        mode=str(getattr(answer.mode, "value", answer.mode)),  # type: ignore[arg-type]
        sources=tuple(sources),
        warnings=tuple(answer.warnings),
        unverified=tuple(u.marker for u in answer.unverified),
        nearest=tuple(p.display_citation() for p in answer.nearest),
        model=answer.model,
    )


def retrieval_query(question: str, history: Sequence[Turn]) -> str:
    """A follow-up's retrieval query carries the previous question's context."""
    question = question.strip()
    if not history:
        return question
    previous = history[-1].question.strip()
    return f"{previous}\n{question}" if previous else question


class QAService:
    def __init__(self, answerer: Answerer) -> None:
        self._answerer = answerer

    def stream(
        self, question: str, history: Sequence[Turn] = (), docs: Sequence[str] = ()
    ) -> Iterator[str | QAResult]:
        """Text pieces as they come, then the final :class:`QAResult` (always last)."""
        question = question.strip()
        if not question:
            raise InputError("the question is empty", hint="type a question about the law")
        started = time.perf_counter()
        query = retrieval_query(question, history)
        final: QAResult | None = None
        for item in self._answerer.stream(question, retrieval_query=query, docs=tuple(docs)):
            if isinstance(item, QAResult):
                final = item
            else:
                yield item
        if final is None:
            raise LuatqaError("the answer service returned no answer", hint="see the logs")
        yield _replace_result(final, query, time.perf_counter() - started)

    def ask(
        self, question: str, history: Sequence[Turn] = (), docs: Sequence[str] = ()
    ) -> QAResult:
        result: QAResult | None = None
        for item in self.stream(question, history, docs):
            if isinstance(item, QAResult):
                result = item
        assert result is not None  # stream() always ends with a result or raises
        return result


def _replace_result(result: QAResult, query: str, seconds: float) -> QAResult:
    from dataclasses import replace

    return replace(result, retrieval_query=query, seconds=round(seconds, 3))


def answer_markdown(result: QAResult) -> str:
    """The answer with its verified citations, for copying or downloading."""
    label = result.mode_label + (f" ({result.model})" if result.model else "")
    lines = [f"# {result.question}", "", f"*{label}*", "", result.text.strip(), ""]
    if result.warnings:
        lines += ["> " + w for w in result.warnings] + [""]
    if result.sources:
        lines += ["## Căn cứ pháp lý", ""]
        for i, src in enumerate(result.sources, 1):
            quote = " ".join(src.quote.split())
            lines.append(f"{i}. **{src.label}** — {quote}")
        lines.append("")
    return "\n".join(lines)


# ---- ingest -------------------------------------------------------------------------------
@dataclass(frozen=True)
class FileResult:
    name: str
    ok: bool
    message: str
    documents: tuple[str, ...] = ()
    articles: int = 0
    chunks: int = 0
    seconds: float = 0.0


Progress = Callable[[float, str], None]


class Ingester(Protocol):
    """Ingests one file on disk; raises a :class:`LuatqaError` (and writes nothing) when the
    file is bad. Returns (document ids, articles, chunks). ``progress`` gets the fraction of
    the file done."""

    def ingest_file(
        self, path: Path, progress: Callable[[float], None] | None = None
    ) -> tuple[tuple[str, ...], int, int]: ...


def check_upload(name: str, size: int, max_mb: int = MAX_UPLOAD_MB) -> None:
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise InputError(
            f"unsupported file type {suffix or '(none)'}",
            path=name,
            hint="upload a statute as " + ", ".join(UPLOAD_SUFFIXES),
        )
    if size > max_mb * 1024 * 1024:
        raise InputError(
            f"file is {size / 1024 / 1024:.1f} MB, over the {max_mb} MB limit",
            path=name,
            hint="split the PDF, or ingest it with the CLI: luatqa ingest FILE",
        )
    if size == 0:
        raise InputError("file is empty", path=name, hint="upload the statute's PDF or text")


class IngestService:
    def __init__(self, ingester: Ingester, max_mb: int = MAX_UPLOAD_MB) -> None:
        self._ingester = ingester
        self.max_mb = max_mb
        self._lock = threading.Lock()  # one ingest at a time per process (sessions share it)

    def ingest_uploads(
        self, files: Sequence[tuple[str, bytes]], progress: Progress | None = None
    ) -> list[FileResult]:
        """Ingest uploaded files one by one; a bad file is reported and skipped (the index
        is left as it was for that file), the others go on."""
        results: list[FileResult] = []
        total = max(len(files), 1)
        with self._lock, tempfile.TemporaryDirectory(prefix="luatqa-upload-") as tmp:
            for i, (name, data) in enumerate(files):
                text = f"Đang nạp {name} ({i + 1}/{len(files)})…"

                def within(frac: float, i: int = i, text: str = text) -> None:
                    if progress:
                        progress((i + min(max(frac, 0.0), 1.0)) / total, text)

                within(0.0)
                results.append(self._one(Path(tmp), name, data, within))
        if progress:
            progress(1.0, "Xong")
        return results

    def _one(
        self, tmp: Path, name: str, data: bytes, progress: Callable[[float], None]
    ) -> FileResult:
        started = time.perf_counter()
        safe = Path(name).name or "upload"
        try:
            check_upload(safe, len(data), self.max_mb)
            path = tmp / safe
            path.write_bytes(data)
            docs, articles, chunks = _on_this_thread(self._ingester, path, progress)
        except LuatqaError as exc:
            # the error names the temp path; show the uploaded name instead
            message = str(exc).replace(str(tmp / safe), safe)
            return FileResult(safe, False, message, seconds=time.perf_counter() - started)
        took = time.perf_counter() - started
        msg = f"{', '.join(docs)}: {articles} điều, {chunks} đoạn"
        return FileResult(safe, True, msg, docs, articles, chunks, round(took, 2))


def _on_this_thread(
    ingester: Ingester, path: Path, progress: Callable[[float], None]
) -> tuple[tuple[str, ...], int, int]:
    """Run the ingest in a worker thread and deliver its progress on the caller's thread (the
    pipeline may report from its own threads; a UI can only draw from the script thread)."""
    fractions: queue.Queue[float] = queue.Queue()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = ingester.ingest_file(path, fractions.put)
        except BaseException as exc:
            box["error"] = exc

    worker = threading.Thread(target=work, name="luatqa-ingest", daemon=True)
    worker.start()
    while worker.is_alive() or not fractions.empty():
        try:
            progress(fractions.get(timeout=0.2))
        except queue.Empty:
            continue
    worker.join()
    if "error" in box:
        raise box["error"]
    result: tuple[tuple[str, ...], int, int] = box["result"]
    return result


# ---- corpus -------------------------------------------------------------------------------
@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    number: str | None
    doc_type: str
    title: str
    date: str | None
    label: str  # "Bộ luật Lao động 2019"
    short: str | None = None  # "BLLĐ 2019"
    articles: int = 0
    source: str | None = None
    chapters: tuple[str, ...] = ()  # "Chương VII. THỜI GIỜ LÀM VIỆC, THỜI GIỜ NGHỈ NGƠI"


@dataclass(frozen=True)
class ArticleInfo:
    doc_id: str
    number: str
    title: str
    chapter: str | None = None  # "Chương VII – Thời giờ làm việc…" when known
    hierarchy: str = ""


@dataclass(frozen=True)
class ClauseText:
    address: LegalAddress
    text: str


@dataclass(frozen=True)
class ArticleView:
    address: LegalAddress
    title: str
    doc_label: str
    hierarchy: str  # "Chương VII › Mục 1"
    text: str  # the whole article
    clauses: tuple[ClauseText, ...] = ()
    source: str | None = None
    pages: tuple[int | None, int | None] = (None, None)
    amendment_notes: tuple[str, ...] = ()

    @property
    def page_label(self) -> str:
        start, end = self.pages
        if start is None:
            return ""
        return f"trang {start}" if end in (None, start) else f"trang {start}–{end}"


class CorpusSource(Protocol):
    def documents(self) -> list[DocumentInfo]: ...

    def articles(self, doc_id: str) -> list[ArticleInfo]: ...

    def article(self, address: LegalAddress) -> ArticleView | None: ...


class CorpusService:
    def __init__(self, source: CorpusSource) -> None:
        self._source = source

    def documents(self) -> list[DocumentInfo]:
        return sorted(self._source.documents(), key=lambda d: (d.title, d.doc_id))

    def articles(self, doc_id: str) -> list[ArticleInfo]:
        return sorted(
            self._source.articles(doc_id), key=lambda a: LegalAddress(doc_id, a.number).sort_key()
        )

    def chapters(self, doc_id: str) -> list[str]:
        """Chapter headings in document order: the document's own list ("Chương VII. THỜI
        GIỜ LÀM VIỆC…") when recorded, else the chapters its articles name."""
        doc = next((d for d in self._source.documents() if d.doc_id == doc_id), None)
        if doc is not None and doc.chapters:
            return list(doc.chapters)
        seen: dict[str, None] = {}
        for art in self.articles(doc_id):
            if art.chapter:
                seen.setdefault(art.chapter, None)
        return list(seen)

    def articles_in_chapter(self, doc_id: str, heading: str) -> list[ArticleInfo]:
        """Articles under a chapter heading as returned by :meth:`chapters`."""
        key = chapter_key(heading)
        return [a for a in self.articles(doc_id) if a.chapter and chapter_key(a.chapter) == key]

    def article(self, address: LegalAddress) -> ArticleView | None:
        return self._source.article(address.article_address())


class StoreCorpus:
    """:class:`CorpusSource` over the index's payloads (document, article and chunk records,
    see :mod:`retrieval.store.base`)."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def _scroll(self, **kw: Any) -> Iterator[Any]:
        from retrieval.store.base import Filter

        return iter(self._store.scroll(Filter(**kw)))

    def documents(self) -> list[DocumentInfo]:
        out = []
        for pt in self._scroll(kinds=("document",)):
            p = pt.payload
            doc_id = str(p.get("doc_id"))
            out.append(
                DocumentInfo(
                    doc_id=doc_id,
                    number=p.get("number"),
                    doc_type=str(p.get("doc_type") or ""),
                    title=str(p.get("title") or doc_id),
                    date=p.get("date"),
                    label=str(p.get("doc_label") or p.get("title") or doc_id),
                    short=p.get("doc_short"),
                    articles=int(p.get("articles") or p.get("n_articles") or 0),
                    source=p.get("source"),
                    chapters=tuple(_chapter_heading(c) for c in p.get("chapters") or ()),
                )
            )
        return out

    def articles(self, doc_id: str) -> list[ArticleInfo]:
        out = []
        for pt in self._scroll(kinds=("article",), doc_ids=(doc_id,)):
            p = pt.payload
            out.append(
                ArticleInfo(
                    doc_id=doc_id,
                    number=str(p.get("article")),
                    title=str(p.get("article_title") or p.get("title") or ""),
                    chapter=_chapter_of(p),
                    hierarchy=str(p.get("hierarchy") or ""),
                )
            )
        return out

    def article(self, address: LegalAddress) -> ArticleView | None:
        records = list(
            self._scroll(
                kinds=("article",), doc_ids=(address.doc,), articles=(str(address.article),)
            )
        )
        chunks = list(
            self._scroll(kinds=("chunk",), doc_ids=(address.doc,), articles=(str(address.article),))
        )
        if not records and not chunks:
            return None
        clauses = sorted(
            (
                ClauseText(LegalAddress.parse(c.payload["address"]), c.payload["text"])
                for c in chunks
            ),
            key=lambda c: c.address.sort_key(),
        )
        p = records[0].payload if records else chunks[0].payload
        first = chunks[0].payload if chunks else p
        pages = p.get("pages") or [p.get("page_start", p.get("page")), p.get("page_end")]
        notes = tuple(str(n) for n in p.get("amendment_notes") or p.get("notes") or ())
        text = p.get("text") if records else "\n".join(c.text for c in clauses)
        return ArticleView(
            address=address.article_address(),
            title=str(p.get("article_title") or p.get("title") or ""),
            doc_label=str(p.get("doc_label") or first.get("doc_label") or address.doc),
            hierarchy=str(p.get("hierarchy") or first.get("hierarchy") or ""),
            text=str(text or ""),
            clauses=tuple(clauses),
            source=p.get("source") or first.get("source"),
            pages=(_int(pages[0]), _int(pages[1] if len(pages) > 1 else None)),
            amendment_notes=notes,
        )


def chapter_key(heading: str) -> str:
    """'Chương VII. THỜI GIỜ…' and 'Chương VII' → 'Chương VII'."""
    head = heading.split(".", 1)[0].split("–", 1)[0].strip()
    return " ".join(head.split()[:2])


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _chapter_heading(chapter: Any) -> str:
    if isinstance(chapter, Mapping):  # {"number": "VII", "title": "..."}
        return f"Chương {chapter.get('number')}. {chapter.get('title') or ''}".strip(" .")
    return str(chapter)


def _chapter_of(payload: Mapping[str, Any]) -> str | None:
    hierarchy = str(payload.get("hierarchy") or "")
    for part in hierarchy.split("›"):
        if part.strip().startswith("Chương"):
            return part.strip()
    chapter = payload.get("chapter")
    return f"Chương {chapter}" if chapter else None


# ---- feedback -----------------------------------------------------------------------------
Verdict = Literal["useful", "wrong"]


@dataclass(frozen=True)
class Feedback:
    question: str
    answer: str
    verdict: Verdict
    comment: str = ""
    mode: str = ""
    citations: tuple[str, ...] = ()  # canonical addresses of the verified sources
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


class FeedbackService:
    """Append-only JSONL, one object per line, fsync'ed after every write."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def record(self, fb: Feedback) -> None:
        if fb.verdict not in ("useful", "wrong"):
            raise InputError(f"unknown verdict {fb.verdict!r}", hint="use 'useful' or 'wrong'")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(asdict(fb), ensure_ascii=False) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def all(self) -> list[Feedback]:
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                data = json.loads(line)
                data["citations"] = tuple(data.get("citations") or ())
                out.append(Feedback(**data))
        return out


# ---- status -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Status:
    index: str  # where: folder or URL
    backend: str  # "qdrant-edge" / "qdrant-server"
    documents: int
    chunks: int
    embedder: str
    llm_backend: str
    llm_endpoint: str | None
    llm_reachable: bool | None  # None: no endpoint configured
    llm_detail: str = ""
    index_error: str | None = None


def probe_llm(base_url: str, api_key: str | None = None, timeout: float = 2.0) -> tuple[bool, str]:
    """GET {base_url}/models; reachable when it answers at all with HTTP 200."""
    try:
        models = served_models(base_url, api_key, timeout)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return False, f"{base_url.rstrip('/')}/models: {exc}"
    return True, "models: " + ", ".join(str(m.get("id")) for m in models)


class StatusService:
    def __init__(
        self,
        *,
        store: Any,
        embedder_name: Callable[[], str],
        llm_backend: str,
        llm_endpoint: str | None,
        llm_api_key: str | None = None,
        location: str = "",
    ) -> None:
        self._store = store
        self._embedder_name = embedder_name
        self._llm_backend = llm_backend
        self._llm_endpoint = llm_endpoint
        self._llm_api_key = llm_api_key
        self._location = location

    def status(self) -> Status:
        from retrieval.store.base import Filter

        docs = chunks = 0
        backend = ""
        error = None
        try:
            docs = self._store.count(Filter(kinds=("document",)))
            chunks = self._store.count(Filter(kinds=("chunk",)))
            backend = str(self._store.describe().get("backend", ""))
        except StoreError as exc:
            error = str(exc)
        reachable: bool | None = None
        detail = "không cấu hình LLM: dùng chế độ trích nguyên văn"
        if self._llm_endpoint and self._llm_backend != "extractive":
            reachable, detail = probe_llm(self._llm_endpoint, self._llm_api_key)
        return Status(
            index=self._location,
            backend=backend,
            documents=docs,
            chunks=chunks,
            embedder=self._embedder_name(),
            llm_backend=self._llm_backend,
            llm_endpoint=self._llm_endpoint,
            llm_reachable=reachable,
            llm_detail=detail,
            index_error=error,
        )


# ---- the bundle the UI uses -----------------------------------------------------------------
@dataclass(frozen=True)
class UIServices:
    qa: QAService
    ingest: IngestService
    corpus: CorpusService
    feedback: FeedbackService
    status: StatusService
    model: AnswerModelService

    @classmethod
    def from_settings(cls, settings: Any) -> UIServices:
        """Adapt the real components that :mod:`app.wiring` builds from the settings."""
        from app.wiring import Services

        return cls.from_services(Services(settings), settings)

    @classmethod
    def from_services(cls, services: Any, settings: Any) -> UIServices:
        location = settings.index.qdrant_url or str(settings.index.dir)
        return cls(
            qa=QAService(GenerationAnswerer(services)),
            ingest=IngestService(PipelineIngester(services)),
            corpus=CorpusService(StoreCorpus(services.store)),
            feedback=FeedbackService(Path(settings.data_dir) / "feedback.jsonl"),
            status=StatusService(
                store=services.store,
                embedder_name=lambda: str(services.embedder.name),
                llm_backend=settings.llm.backend,
                llm_endpoint=settings.llm.base_url,
                llm_api_key=settings.llm.api_key,
                location=location,
            ),
            model=AnswerModelService(
                backend=settings.llm.backend,
                base_url=settings.llm.base_url,
                model=settings.llm.model,
                api_key=settings.llm.api_key,
            ),
        )


# ---- adapters over the real components ------------------------------------------------------
class GenerationAnswerer:
    """:class:`Answerer` over :class:`generation.service.AnswerService` (``Services.answers``),
    built on first use."""

    def __init__(self, services: Any) -> None:
        self._services = services

    def stream(
        self, question: str, *, retrieval_query: str, docs: Sequence[str]
    ) -> Iterator[str | QAResult]:
        streamed = False
        for item in self._services.answers.stream(
            question, docs=tuple(docs), retrieval_query=retrieval_query
        ):
            if isinstance(item, str):
                streamed = streamed or bool(item)
                yield item
                continue
            result = result_from_answer(item)
            if not streamed:  # extractive answers and abstentions come whole
                yield result.text
            yield result


class _ReportedError(LuatqaError):
    """An error the pipeline already formatted (same text as the CLI prints)."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(text)

    def __str__(self) -> str:
        return self.text


class _FractionProgress:
    """The two calls the pipeline makes on a rich ``Progress``, reported as a fraction."""

    def __init__(self, report: Callable[[float], None]) -> None:
        self._report = report
        self._total = 1
        self._done = 0

    def add_task(self, description: str, total: int | None = None, **_: Any) -> int:
        self._total = max(int(total or 1), 1)
        return 0

    def advance(self, task: int, advance: float = 1) -> None:
        self._done += int(advance)
        self._report(self._done / self._total)


class PipelineIngester:
    """:class:`Ingester` over :class:`ingest.pipeline.IngestPipeline` (``Services.pipeline``).
    The pipeline parses the whole file before writing, so a bad file leaves the index as it
    was. After a successful ingest the retriever re-reads the list of documents."""

    def __init__(self, services: Any) -> None:
        self._services = services

    def ingest_file(
        self, path: Path, progress: Callable[[float], None] | None = None
    ) -> tuple[tuple[str, ...], int, int]:
        tracker = _FractionProgress(progress) if progress else None
        report = self._services.pipeline.ingest_file(path, progress=tracker)
        if report.error:
            raise _ReportedError(report.error)
        retriever = self._services.__dict__.get("retriever")
        if retriever is not None and hasattr(retriever, "refresh"):
            retriever.refresh()
        docs = tuple(d.doc_id for d in report.documents)
        return (
            docs,
            sum(d.articles for d in report.documents),
            sum(d.chunks for d in report.documents),
        )
