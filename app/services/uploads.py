"""Uploaded statutes → the index: :class:`IngestService` over an :class:`Ingester`.

Decisions: one ingest at a time per process (UI sessions share the lock); a bad file is
reported and skipped, the others go on, and the index is left as it was for that file (the
pipeline parses a whole file before writing); after a successful ingest the retriever
re-reads the list of documents through :meth:`app.wiring.Services.refresh_retriever` — an
explicit call, not a peek at what ``Services`` has built. Progress: the pipeline reports
events (:mod:`legal.progress`) from its thread; :func:`legal.bridge.relay` brings
them to the caller's thread, where they become the UI's (fraction of all uploads, text).
"""

from __future__ import annotations

import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ingest.load import SUPPORTED
from legal.bridge import relay
from legal.errors import InputError, LuatqaError
from legal.progress import Progress, ProgressEvent

if TYPE_CHECKING:
    from app.wiring import Services

MAX_UPLOAD_MB = 50
UPLOAD_SUFFIXES = SUPPORTED  # what the loader reads, no second list

# what the UI draws: (share of all the uploads done, text); app/ui/upload.py's bar
ShowProgress = Callable[[float, str], None]
IngestCounts = tuple[tuple[str, ...], int, int]  # (document ids, articles, chunks)


@dataclass(frozen=True)
class FileResult:
    name: str
    ok: bool
    message: str
    documents: tuple[str, ...] = ()
    articles: int = 0
    chunks: int = 0
    seconds: float = 0.0


class Ingester(Protocol):
    """Ingests one file on disk; raises a :class:`LuatqaError` (and writes nothing) when the
    file is bad. Returns (document ids, articles, chunks). ``progress`` gets the pipeline's
    events (:mod:`legal.progress`), from any thread."""

    def ingest_file(self, path: Path, progress: Progress | None = None) -> IngestCounts: ...


MAX_NAME_BYTES = 150  # well under NAME_MAX (255 bytes) with room for the temp folder's


def safe_upload_name(name: str) -> str:
    """The name an uploaded file is stored and shown under. Decision: the browser sends any
    string; only its last component is kept (``/`` and ``\\`` both separate), control and
    format characters are dropped, leading dots and spaces stripped (no ``..``, no hidden
    file), and the stem is cut so the name fits in :data:`MAX_NAME_BYTES` (the extension,
    which picks the reader, is kept)."""
    last = name.replace("\\", "/").split("/")[-1]
    clean = "".join(c for c in last if not unicodedata.category(c).startswith("C"))
    clean = clean.strip().lstrip(". ")
    stem, dot, suffix = clean.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, suffix = clean, ""
    suffix = f".{suffix}" if suffix else ""
    while stem and len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return (stem.rstrip() or "upload") + suffix


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
        self, files: Sequence[tuple[str, bytes]], progress: ShowProgress | None = None
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
        safe = safe_upload_name(name)
        try:
            check_upload(safe, len(data), self.max_mb)
            path = tmp / safe
            path.write_bytes(data)
            docs, articles, chunks = _on_this_thread(self._ingester, path, progress)
        except LuatqaError as exc:
            # the error names the temp path; show the uploaded name instead
            message = str(exc).replace(str(tmp / safe), safe)
            return FileResult(safe, False, message, seconds=time.perf_counter() - started)
        except OSError as exc:  # the temp folder is full or unwritable: not the file's fault
            message = f"[ingest] {safe}: cannot store the upload ({exc.strerror or exc})"
            return FileResult(safe, False, message, seconds=time.perf_counter() - started)
        took = time.perf_counter() - started
        msg = f"{', '.join(docs)}: {articles} điều, {chunks} đoạn"
        return FileResult(safe, True, msg, docs, articles, chunks, round(took, 2))


def _on_this_thread(
    ingester: Ingester, path: Path, progress: Callable[[float], None]
) -> IngestCounts:
    """Run the ingest in a worker thread and deliver its progress on the caller's thread (the
    pipeline may report from its own threads; a UI can only draw from the script thread)."""

    def work(emit: Progress) -> IngestCounts:
        return ingester.ingest_file(path, emit)

    def show(event: ProgressEvent) -> None:
        progress(event.fraction)

    return relay(work, show, name="luatqa-ingest")


class _ReportedError(LuatqaError):
    """An error the pipeline already formatted (same text as the CLI prints)."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(text)

    def __str__(self) -> str:
        return self.text


class PipelineIngester:
    """:class:`Ingester` over :class:`ingest.pipeline.IngestPipeline` (``Services.pipeline``).
    The pipeline parses the whole file before writing, so a bad file leaves the index as it
    was. After a successful ingest the retriever re-reads the list of documents."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def ingest_file(self, path: Path, progress: Progress | None = None) -> IngestCounts:
        report = self._services.pipeline.ingest_file(path, progress=progress)
        if report.error:
            raise _ReportedError(report.error)
        self._services.refresh_retriever()
        docs = tuple(d.doc_id for d in report.documents)
        return (
            docs,
            sum(d.articles for d in report.documents),
            sum(d.chunks for d in report.documents),
        )
