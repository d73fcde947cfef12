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

from ingest.chunking import Chunker, DocumentChunks, IndexRecord, point_id
from ingest.validity import VALIDITY_VERSION
from ingest.validity_sync import needs_refresh, refresh_validity, sync_validity
from legal.address import LegalAddress
from legal.document import Document
from legal.errors import InputError, LuatqaError, StoreError
from legal.progress import Progress, ProgressEvent
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
    # an unchanged document whose validity fields were (re)written in place, no re-embedding
    # (an index built before validity existed, :mod:`ingest.validity_sync`)
    refreshed: bool = False


@dataclass(frozen=True)
class FileReport:
    path: str
    documents: tuple[DocReport, ...] = ()
    error: str | None = None
    seconds: float = 0.0
    validity_updated: tuple[str, ...] = ()  # see IngestReport.validity_updated

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class IngestReport:
    files: tuple[FileReport, ...] = field(default_factory=tuple)
    seconds: float = 0.0
    # documents whose effective_to / replaced_by changed because of another document
    validity_updated: tuple[str, ...] = ()

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
            "validity_updated": list(self.validity_updated),
            "validity_refreshed": [d.doc_id for d in self.documents if d.refreshed],
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
    """Files to ingest: files as given, folders expanded by the loader's own walk
    (:func:`ingest.load.statute_files`: sorted, hidden entries and README/LICENSE files
    skipped). A missing path, or a folder with no statute file, stays in the list as it is:
    it fails as a bad input with the loader's message."""
    from ingest.load import statute_files

    out: list[Path] = []
    for p in map(Path, paths):
        found = statute_files(p) if p.is_dir() else []
        out.extend(found or [p])
    return out


@dataclass(frozen=True)
class _Todo:
    """One parsed document and what to do with it: write ``prepared``, or (None) nothing, its
    current version being in the index already with ``stored_chunks`` chunks."""

    doc: Document
    version: str
    prepared: DocumentChunks | None
    stored_chunks: int = 0
    refresh: bool = False  # unchanged, but its validity fields are missing or outdated


class IngestPipeline:
    """Documents → the store, reporting progress through one :data:`legal.progress.Progress`
    callback (chunks written; it never draws: the CLI and the UI render the events)."""

    def __init__(
        self,
        store: VectorStore,
        embedder: DenseEmbedder,
        sparse: SparseEncoder,
        chunker: Chunker | None = None,
        *,
        batch_size: int = 32,
        loader: Loader | None = None,
        optimize_after: int = 2000,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.sparse = sparse
        self.chunker = chunker or Chunker()
        self.batch_size = max(1, batch_size)
        self._loader = loader or _default_loader
        self._collection_ready = False
        # after a run that wrote at least this many chunks, build the store's search indexes
        # (HNSW, sparse) now rather than on the first searches; 0 disables it
        self.optimize_after = optimize_after

    # ---- one document -------------------------------------------------------------------
    def _current_marker(self, doc_id: str, version: str) -> DocumentRecord | None:
        """The document record (commit marker) of this version when it is in the index and
        was written by this embedder and sparse encoder; None: (re-)index. One id lookup."""
        got = self.store.retrieve([point_id(Kind.DOCUMENT, LegalAddress(doc_id), version)])
        if not got:
            return None
        marker = DocumentRecord.from_payload(got[0].payload, got[0].id)
        if marker.doc_version != version:
            return None
        # same content, but vectors made by another embedder / sparse encoder: re-index (the
        # ids stay the same, so the points are overwritten in place). Records written before
        # these fields existed carry none and count as current.
        current = marker.embedder in (None, self.embedder.name) and marker.sparse in (
            None,
            self.sparse.name,
        )
        return marker if current else None

    def _plan(self, doc: Document, force: bool) -> _Todo:
        """Check the index once per document: unchanged, or chunked and ready to write."""
        version = self.chunker.version(doc)
        marker = None if force else self._current_marker(doc.doc_id, version)
        if marker is not None:
            refresh = needs_refresh(marker, VALIDITY_VERSION)
            return _Todo(doc, version, None, marker.chunks, refresh)
        return _Todo(doc, version, self.chunker.chunk(doc, version=version))

    def ingest_document(
        self, doc: Document, *, force: bool = False, progress: Progress | None = None
    ) -> DocReport:
        """Index one parsed document (skipped when unchanged); ``progress`` gets the chunks
        written, as the task ``doc.doc_id``."""
        todo = self._plan(doc, force)
        total = len(todo.prepared.chunks) if todo.prepared else 0
        report = self._apply(todo, _chunk_counter(progress, doc.doc_id, total))
        sync_validity(self.store)
        return report

    def _apply(self, todo: _Todo, on_batch: Callable[[int], None] | None) -> DocReport:
        start = time.perf_counter()
        doc, version, prepared = todo.doc, todo.version, todo.prepared
        if prepared is None:
            n_clauses = sum(len(a.clauses) for a in doc.articles)
            if todo.refresh:
                self._ensure_collection()  # adds the as-of filter's payload indexes
                records = self.chunker.chunk(doc, version=version).records
                refresh_validity(self.store, doc.doc_id, version, [r.record for r in records])
            return DocReport(
                doc.doc_id, doc.meta.title, "unchanged", version, len(doc.articles),
                n_clauses, todo.stored_chunks, 0, time.perf_counter() - start, todo.refresh,
            )  # fmt: skip
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
        self,
        path: Path,
        *,
        force: bool = False,
        progress: Progress | None = None,
        sync: bool = True,
    ) -> FileReport:
        """Parse and chunk the whole file first (a bad file writes nothing), then write.
        ``progress`` gets the file's chunks written, as the task ``str(path)``; ``sync``
        brings the validity across documents up to date afterwards (ingest_paths does it
        once for all its files)."""
        start = time.perf_counter()
        try:
            docs = self._loader(Path(path))
            if not docs:
                raise InputError("no document found in the file", path=path)
            todo = [self._plan(doc, force) for doc in docs]
        except StoreError:
            raise  # the index is unusable: stop, it is not this file's fault
        except LuatqaError as exc:
            return FileReport(str(path), (), str(exc), time.perf_counter() - start)
        except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            return FileReport(
                str(path), (), f"[ingest] {path}: cannot read: {exc}", time.perf_counter() - start
            )
        total = sum(len(t.prepared.chunks) for t in todo if t.prepared is not None)
        on_batch = _chunk_counter(progress, str(path), total, Path(path).name)
        reports = tuple(self._apply(t, on_batch) for t in todo)
        updated = tuple(sync_validity(self.store)) if sync else ()
        return FileReport(str(path), reports, None, time.perf_counter() - start, updated)

    def ingest_paths(
        self, paths: Sequence[Path], *, force: bool = False, progress: Progress | None = None
    ) -> IngestReport:
        """Files and folders (:func:`expand_paths`), one :class:`FileReport` each; a bad file
        is reported and the others go on."""
        start = time.perf_counter()
        reports = tuple(
            self.ingest_file(f, force=force, progress=progress, sync=False)
            for f in expand_paths(paths)
        )
        written = sum(d.chunks for f in reports for d in f.documents if d.status != "unchanged")
        updated = tuple(sync_validity(self.store)) if any(f.documents for f in reports) else ()
        if self.optimize_after and written >= self.optimize_after:
            self.store.optimize()
        return IngestReport(reports, time.perf_counter() - start, updated)


def _chunk_counter(
    progress: Progress | None, task: str, total: int, label: str = ""
) -> Callable[[int], None] | None:
    """Batches written → running progress events for ``task`` (the first, at 0,
    when there is something to write; nothing at all for an unchanged file)."""
    if progress is None or not total:
        return None
    done = 0
    progress(ProgressEvent(task, done, total, "chunks", label=label))

    def advance(n: int) -> None:
        nonlocal done
        done += n
        progress(ProgressEvent(task, done, total, "chunks", label=label))

    return advance
