"""Ingest: parsed documents → chunks → embeddings (dense + sparse) → the store.

Crash-safe and idempotent, by construction:

1. A file is parsed and chunked *completely* before anything is written; a bad file writes
   nothing.
2. ``doc_version`` is a hash of the parsed content. If the document record with that version
   is already in the index, the document is skipped (one id lookup: fast).
3. Otherwise the new chunks and article records are upserted (ids are deterministic from
   address + kind + version, so a repeated write is harmless), then exactly the points of that
   ``doc_id`` whose ``doc_version`` differs are deleted, and the document record is written
   LAST as the commit marker.

A process killed at any point leaves either the old version complete (plus some new points)
or the new version without its marker; the next run finishes the job and ends in exactly the
state of a clean ingest: no duplicates, no orphans.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ingest.chunking import Chunker, DocumentChunks, IndexRecord, point_id
from legal.address import LegalAddress
from legal.document import Document
from legal.errors import InputError, LuatqaError, StoreError
from retrieval.embedders.base import DenseEmbedder
from retrieval.records import ChunkRecord, DocumentRecord, Kind
from retrieval.sparse import SparseEncoder
from retrieval.store.base import Filter, PointRecord, VectorStore

Status = Literal["indexed", "updated", "unchanged"]
Loader = Callable[[Path], list[Document]]


@dataclass(frozen=True)
class DocReport:
    doc_id: str
    title: str
    status: Status
    version: str
    articles: int
    clauses: int
    chunks: int
    removed: int = 0  # points of older versions deleted
    seconds: float = 0.0


@dataclass(frozen=True)
class FileReport:
    path: str
    documents: tuple[DocReport, ...] = ()
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class IngestReport:
    files: tuple[FileReport, ...] = field(default_factory=tuple)
    seconds: float = 0.0

    @property
    def documents(self) -> tuple[DocReport, ...]:
        return tuple(d for f in self.files for d in f.documents)

    @property
    def failed(self) -> tuple[FileReport, ...]:
        return tuple(f for f in self.files if not f.ok)

    @property
    def ok(self) -> bool:
        return not self.failed

    def totals(self) -> dict[str, int]:
        docs = self.documents
        return {
            "files": len(self.files),
            "failed": len(self.failed),
            "documents": len(docs),
            "unchanged": sum(d.status == "unchanged" for d in docs),
            "articles": sum(d.articles for d in docs),
            "clauses": sum(d.clauses for d in docs),
            "chunks": sum(d.chunks for d in docs),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 3),
            "totals": self.totals(),
            "files": [
                {
                    "path": f.path,
                    "error": f.error,
                    "seconds": round(f.seconds, 3),
                    "documents": [vars(d) for d in f.documents],
                }
                for f in self.files
            ],
        }


def _default_loader(path: Path) -> list[Document]:
    from ingest.load import load_documents

    return load_documents(path)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to ingest: files as given, folders expanded to their statute files (sorted,
    hidden entries skipped). A missing path stays in the list (it fails as a bad file)."""
    from ingest.load import SUPPORTED

    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and f.suffix.lower() in SUPPORTED
                    and not any(part.startswith(".") for part in f.relative_to(p).parts)
                )
            )
        else:
            out.append(p)
    return out


class IngestPipeline:
    def __init__(
        self,
        store: VectorStore,
        embedder: DenseEmbedder,
        sparse: SparseEncoder,
        chunker: Chunker | None = None,
        *,
        batch_size: int = 32,
        loader: Loader | None = None,
        console: Console | None = None,
        optimize_after: int = 2000,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.sparse = sparse
        self.chunker = chunker or Chunker()
        self.batch_size = max(1, batch_size)
        self._loader = loader or _default_loader
        self.console = console or Console(stderr=True)
        self._collection_ready = False
        # after a run that wrote at least this many chunks, build the store's search indexes
        # (HNSW, sparse) now rather than on the first searches; 0 disables it
        self.optimize_after = optimize_after

    # ---- one document -------------------------------------------------------------------
    def is_current(self, doc_id: str, version: str) -> bool:
        marker = self._marker(doc_id, version)
        if marker is None or marker.doc_version != version:
            return False
        # same content, but vectors made by another embedder / sparse encoder: re-index (the
        # ids stay the same, so the points are overwritten in place). Records written before
        # these fields existed carry none and count as current.
        return marker.embedder in (None, self.embedder.name) and marker.sparse in (
            None,
            self.sparse.name,
        )

    def _marker(self, doc_id: str, version: str) -> DocumentRecord | None:
        """The document record (commit marker) of this version, if written."""
        got = self.store.retrieve([point_id(Kind.DOCUMENT, LegalAddress(doc_id), version)])
        return DocumentRecord.from_payload(got[0].payload, got[0].id) if got else None

    def prepare(self, doc: Document) -> DocumentChunks:
        return self.chunker.chunk(doc)

    def ingest_document(
        self,
        doc: Document,
        *,
        force: bool = False,
        on_batch: Callable[[int], None] | None = None,
        prepared: DocumentChunks | None = None,
    ) -> DocReport:
        start = time.perf_counter()
        version = prepared.version if prepared else self.chunker.version(doc)
        n_clauses = sum(len(a.clauses) for a in doc.articles)
        if not force and self.is_current(doc.doc_id, version):
            marker = self._marker(doc.doc_id, version)
            chunks = marker.chunks if marker else 0
            return DocReport(
                doc.doc_id, doc.meta.title, "unchanged", version, len(doc.articles),
                n_clauses, chunks, 0, time.perf_counter() - start,
            )  # fmt: skip
        prepared = prepared or self.chunker.chunk(doc, version=version)
        self._ensure_collection()
        had_any = self.store.count(Filter(doc_ids=(doc.doc_id,))) > 0
        self._write_chunks(prepared.chunks, on_batch)
        self._write_payload_only(prepared.articles)
        stale = Filter(doc_ids=(doc.doc_id,), exclude_doc_versions=(version,))
        removed = self.store.count(stale)
        if removed:
            self.store.delete_where(stale)
        signed = replace(
            prepared.document.record, embedder=self.embedder.name, sparse=self.sparse.name
        )
        self._write_payload_only([IndexRecord(signed)])  # commit marker, last
        self.store.flush()
        status: Status = "updated" if had_any else "indexed"
        return DocReport(
            doc.doc_id, doc.meta.title, status, version, len(doc.articles), prepared.n_clauses,
            len(prepared.chunks), removed, time.perf_counter() - start,
        )  # fmt: skip

    def _ensure_collection(self) -> None:
        if not self._collection_ready:
            self.store.ensure_collection(self.embedder.dim)
            self._collection_ready = True

    def _write_chunks(
        self, chunks: Sequence[IndexRecord[ChunkRecord]], on_batch: Callable[[int], None] | None
    ) -> None:
        """Embed batch i+1 while batch i is sparse-encoded and written (the embedder runs in
        native code without the GIL), so indexing runs at the embedder's speed. Batches are
        written in order by one worker; the caller writes the commit marker afterwards."""

        def write(batch: Sequence[IndexRecord[ChunkRecord]], texts: list[str], dense: Any) -> int:
            sparse = self.sparse.encode_passages(texts)
            self.store.upsert(
                [
                    PointRecord(c.id, c.payload, dense[j].tolist(), sparse[j])
                    for j, c in enumerate(batch)
                ]
            )
            return len(batch)

        def done(pending: Future[int]) -> None:
            n = pending.result()  # re-raises a failed write
            if on_batch:  # progress is reported from the caller's thread (UI frameworks care)
                on_batch(n)

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-write") as pool:
            pending: Future[int] | None = None
            for i in range(0, len(chunks), self.batch_size):
                batch = chunks[i : i + self.batch_size]
                texts = [c.embed_text or "" for c in batch]  # every chunk has one
                dense = self.embedder.embed_passages(texts)
                if pending is not None:
                    done(pending)  # at most one write in flight
                pending = pool.submit(write, batch, texts, dense)
            if pending is not None:
                done(pending)

    def _write_payload_only(self, records: Sequence[IndexRecord[Any]]) -> None:
        for i in range(0, len(records), 256):
            self.store.upsert([PointRecord(r.id, r.payload) for r in records[i : i + 256]])

    # ---- files and folders ----------------------------------------------------------------
    def ingest_file(
        self, path: Path, *, force: bool = False, progress: Progress | None = None
    ) -> FileReport:
        """Parse and chunk the whole file first (a bad file writes nothing), then write."""
        start = time.perf_counter()
        try:
            docs = self._loader(Path(path))
            if not docs:
                raise InputError("no document found in the file", path=path)
            todo: list[tuple[Document, DocumentChunks | None, str]] = []
            for doc in docs:
                version = self.chunker.version(doc)
                if not force and self.is_current(doc.doc_id, version):
                    todo.append((doc, None, version))
                else:
                    todo.append((doc, self.chunker.chunk(doc, version=version), version))
        except StoreError:
            raise  # the index is unusable: stop, it is not this file's fault
        except LuatqaError as exc:
            return FileReport(str(path), (), str(exc), time.perf_counter() - start)
        except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            return FileReport(
                str(path), (), f"[ingest] {path}: cannot read: {exc}", time.perf_counter() - start
            )
        reports = []
        total = sum(len(p.chunks) for _, p, _ in todo if p is not None)
        task = None
        if progress is not None and total:
            task = progress.add_task(Path(path).name, total=total)

        def advance(n: int) -> None:
            if progress is not None and task is not None:
                progress.advance(task, n)

        for doc, prepared, _version in todo:
            if prepared is None:
                reports.append(self.ingest_document(doc, force=force))
            else:
                reports.append(
                    self.ingest_document(doc, force=True, on_batch=advance, prepared=prepared)
                )
        return FileReport(str(path), tuple(reports), None, time.perf_counter() - start)

    def ingest_paths(
        self, paths: Sequence[Path], *, force: bool = False, show_progress: bool = True
    ) -> IngestReport:
        start = time.perf_counter()
        files = expand_paths(paths)
        reports: list[FileReport] = []
        if show_progress:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("chunks"),
                TimeElapsedColumn(),
                console=self.console,
                transient=False,
            ) as progress:
                for f in files:
                    reports.append(self.ingest_file(f, force=force, progress=progress))
        else:
            reports = [self.ingest_file(f, force=force) for f in files]
        report = IngestReport(tuple(reports), time.perf_counter() - start)
        written = sum(d.chunks for d in report.documents if d.status != "unchanged")
        if self.optimize_after and written >= self.optimize_after:
            self.store.optimize()
            report = IngestReport(tuple(reports), time.perf_counter() - start)
        return report


def summary_table(report: IngestReport) -> Table:
    table = Table(title="luatqa ingest")
    for col in ("document", "status", "articles", "clauses", "chunks", "removed", "seconds"):
        table.add_column(col, justify="left" if col in ("document", "status") else "right")
    for d in report.documents:
        table.add_row(
            f"{d.doc_id} ({d.title})" if d.title and d.title != d.doc_id else d.doc_id,
            d.status,
            str(d.articles),
            str(d.clauses),
            str(d.chunks),
            str(d.removed),
            f"{d.seconds:.1f}",
        )
    t = report.totals()
    table.add_row(
        f"total: {t['documents']} documents, {t['files']} files",
        f"{t['failed']} failed",
        str(t["articles"]),
        str(t["clauses"]),
        str(t["chunks"]),
        "",
        f"{report.seconds:.1f}",
        style="bold",
    )
    return table
