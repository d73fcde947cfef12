"""The embedded store: a qdrant-edge-py ``EdgeShard`` in a folder, no server.

Layout of the index folder::

    DIR/.lock          exclusive fcntl lock while a process has the index open
    DIR/<collection>/  the shard (segments, WAL, config)

One process at a time: a second open raises :class:`StoreError` telling the user to stop
the other process (usually the UI) or to run a Qdrant server instead.

Within the process, threads share the store (the UI's sessions search while an upload
ingests): every engine call runs under :class:`retrieval.store.rwlock.RWLock`, reads shared
and writes (upsert, delete, flush, optimise, create, close) exclusive. A scroll holds the
read side per batch only, never while its caller works on the points, so a slow consumer
cannot block an ingest (and an ingest that scrolls cannot deadlock on itself).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import qdrant_edge as qe

from legal.errors import StoreError
from retrieval.store.base import (
    DENSE,
    SPARSE,
    Filter,
    HybridQuery,
    PointRecord,
    SparseVector,
    StoredPoint,
    VectorStore,
    conditions,
    named_vectors,
    point_uuids,
)
from retrieval.store.rwlock import RWLock

KEYWORD_INDEXES = ("doc_id", "doc_type", "article", "kind", "doc_version", "address")
# the as-of filter's keys (issue 11): without these indexes a dated search scans every
# payload (~230 ms a hybrid search on 4,000 points against ~4 ms with them)
DATETIME_INDEXES = ("effective_from", "effective_to")


def _match(key: str, values: Sequence[Any]) -> Any:
    vals = list(values)
    if len(vals) == 1:
        return qe.FieldCondition(key, match=qe.MatchValue(vals[0]))
    return qe.FieldCondition(key, match=qe.MatchAny(vals))


def _date_range(key: str, op: str, value: str) -> Any:
    return qe.FieldCondition(key, range=qe.RangeDateTime(**{op: value}))


def to_edge_filter(flt: Filter | None) -> qe.Filter | None:
    made = conditions(flt, _match, _date_range)
    return None if made is None else qe.Filter(must=made[0] or None, must_not=made[1] or None)


def _sparse(v: SparseVector) -> qe.SparseVector:
    return qe.SparseVector(list(v.indices), list(v.values))


class EdgeStore(VectorStore):
    """:class:`retrieval.store.base.VectorStore` on an embedded qdrant-edge shard."""

    backend = "qdrant-edge"

    def __init__(self, directory: Path, collection: str = "luatqa") -> None:
        self.dir = Path(directory)
        self.collection = collection
        self.shard_dir = self.dir / collection
        self._rw = RWLock()
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the index folder: {exc}", path=self.dir) from exc
        self._lock_file: IO[str] | None = open(self.dir / ".lock", "a+")  # noqa: SIM115
        try:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self._lock_file.close()
            self._lock_file = None
            raise StoreError(
                f"index {self.dir} is open in another process (the UI?) — stop it, or run a "
                "Qdrant server and use --qdrant-url",
                path=self.dir,
            ) from exc
        self._lock_file.seek(0)
        self._lock_file.truncate()
        self._lock_file.write(str(os.getpid()))
        self._lock_file.flush()
        self._shard: Any = None
        self._dim: int | None = None
        if self._has_data():
            try:
                self._shard = qe.EdgeShard.load(str(self.shard_dir))
            except Exception as exc:
                self.close()
                raise StoreError(
                    f"cannot open the embedded index: {exc}",
                    path=self.shard_dir,
                    hint="the folder may be damaged or from another version: delete it and "
                    "run `luatqa ingest` again",
                ) from exc
            self._dim = self._shard_dim()

    # ---- lifecycle -------------------------------------------------------------------
    def _has_data(self) -> bool:
        return self.shard_dir.is_dir() and any(self.shard_dir.iterdir())

    def _meta_path(self) -> Path:
        return self.dir / f"{self.collection}.meta.json"

    def _shard_dim(self) -> int | None:
        try:
            return int(json.loads(self._meta_path().read_text(encoding="utf-8"))["dim"])
        except (OSError, ValueError, KeyError):
            return None

    def ensure_collection(self, dense_dim: int) -> None:
        if self._shard is not None:
            if self._dim is not None and self._dim != dense_dim:
                raise StoreError(
                    f"the index holds {self._dim}-dimensional vectors but the embedder makes "
                    f"{dense_dim}",
                    path=self.shard_dir,
                    hint="use the embedder the index was built with, or ingest into a new "
                    "--index folder",
                )
            self._dim = dense_dim
            with self._rw.write():
                self._datetime_indexes()  # an index built before them gets them (idempotent)
            return
        config = qe.EdgeConfig(
            vectors={DENSE: qe.EdgeVectorParams(size=dense_dim, distance=qe.Distance.Cosine)},
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
        )
        try:
            with self._rw.write():
                shard = qe.EdgeShard.create(str(self.shard_dir), config)
                for key in KEYWORD_INDEXES:
                    shard.update(
                        qe.UpdateOperation.create_field_index(key, qe.PayloadSchemaType.Keyword)
                    )
                self._shard = shard
                self._datetime_indexes()
        except Exception as exc:
            raise StoreError(
                f"cannot create the embedded index: {exc}", path=self.shard_dir
            ) from exc
        self._meta_path().write_text(json.dumps({"dim": dense_dim}), encoding="utf-8")
        self._dim = dense_dim

    def _datetime_indexes(self) -> None:
        """Under the write lock (the caller holds it)."""
        with self._engine("create_field_index"):
            for key in DATETIME_INDEXES:
                self._shard.update(
                    qe.UpdateOperation.create_field_index(key, qe.PayloadSchemaType.Datetime)
                )

    def _need(self) -> Any:
        if self._shard is None:
            raise StoreError(
                "the index is empty (no collection yet)",
                path=self.dir,
                hint="run `luatqa ingest PATH` first",
            )
        return self._shard

    def flush(self) -> None:
        with self._rw.write():
            if self._shard is not None:
                self._shard.flush()

    def optimize(self) -> None:
        if self._shard is not None:
            try:
                with self._rw.write():
                    self._shard.optimize()
            except Exception as exc:
                raise StoreError(f"optimizing the index failed: {exc}", path=self.dir) from exc

    def close(self) -> None:
        with self._rw.write():
            if self._shard is not None:
                try:
                    self._shard.flush()
                    self._shard.close()
                finally:
                    self._shard = None
        if self._lock_file is not None:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def __enter__(self) -> EdgeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- writes ----------------------------------------------------------------------
    def upsert(self, points: Sequence[PointRecord]) -> None:
        if not points:
            return
        shard = self._need()
        with self._rw.write(), self._engine("upsert"):
            batch = [
                qe.Point(uuid.UUID(p.id), named_vectors(p, _sparse), p.payload) for p in points
            ]
            shard.update(qe.UpdateOperation.upsert_points(batch))

    def delete(self, ids: Sequence[str]) -> None:
        if not ids or self._shard is None:
            return
        with self._rw.write(), self._engine("delete"):
            self._shard.update(qe.UpdateOperation.delete_points([*point_uuids(ids)]))

    def delete_where(self, flt: Filter) -> None:
        if self._shard is None:
            return
        with self._rw.write(), self._engine("delete"):
            f = to_edge_filter(flt)
            if f is None:
                raise StoreError(
                    "refusing to delete with an empty filter (it would wipe the index)"
                )
            self._shard.update(qe.UpdateOperation.delete_points_by_filter(f))

    def set_payload(self, flt: Filter, payload: dict[str, Any]) -> None:
        if self._shard is None or not payload:
            return
        with self._rw.write(), self._engine("set_payload"):
            f = to_edge_filter(flt)
            if f is None:
                raise StoreError("refusing to set a payload with an empty filter")
            self._shard.update(qe.UpdateOperation.set_payload_by_filter(f, payload))

    @contextlib.contextmanager
    def _engine(self, what: str) -> Iterator[None]:
        """Any failure of the engine (or of the request given to it) as a :class:`StoreError`,
        as the server store does: callers catch one type."""
        try:
            yield
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"{what} failed: {exc}", path=self.shard_dir) from exc

    # ---- reads -----------------------------------------------------------------------
    def retrieve(self, ids: Sequence[str]) -> list[StoredPoint]:
        if not ids or self._shard is None:
            return []
        with self._rw.read(), self._engine("retrieve"):
            recs = self._shard.retrieve(point_uuids(ids), True, False)
        return [StoredPoint(str(r.id), dict(r.payload or {})) for r in recs]

    def scroll(self, flt: Filter | None = None, batch: int = 256) -> Iterator[StoredPoint]:
        if self._shard is None:
            return
        offset: Any = None
        with self._engine("scroll"):
            f = to_edge_filter(flt)
        while True:
            with self._rw.read(), self._engine("scroll"):
                if self._shard is None:
                    return
                recs, offset = self._shard.scroll(
                    qe.ScrollRequest(
                        offset=offset, limit=batch, filter=f, with_payload=True, with_vector=False
                    )
                )
            for r in recs:
                yield StoredPoint(str(r.id), dict(r.payload or {}))
            if offset is None or not recs:
                return

    def count(self, flt: Filter | None = None) -> int:
        if self._shard is None:
            return 0
        with self._rw.read(), self._engine("count"):
            request = qe.CountRequest(exact=True, filter=to_edge_filter(flt))
            return int(self._shard.count(request))

    def _query(self, request: Any) -> list[StoredPoint]:
        if self._shard is None:
            return []
        try:
            with self._rw.read():
                hits = self._shard.query(request)
        except Exception as exc:
            raise StoreError(f"search failed: {exc}", path=self.shard_dir) from exc
        return [StoredPoint(str(h.id), dict(h.payload or {}), float(h.score)) for h in hits]

    def hybrid_query(self, q: HybridQuery) -> list[StoredPoint]:
        f = to_edge_filter(q.flt)
        prefetches = [
            qe.Prefetch(
                limit=q.prefetch_limit,
                query=qe.Query.Nearest(q.dense_list(), using=DENSE),
                filter=f,
            )
        ]
        if q.sparse.indices:
            prefetches.append(
                qe.Prefetch(
                    limit=q.prefetch_limit,
                    query=qe.Query.Nearest(_sparse(q.sparse), using=SPARSE),
                    filter=f,
                )
            )
        w = q.fused_weights(len(prefetches))
        fuse: Any = qe.Fusion.Dbsf() if q.fusion == "dbsf" else qe.Fusion.Rrf(k=q.rrf_k, weights=w)
        # the prefetches are filtered already: filtering the fused list again only costs time
        return self._query(
            qe.QueryRequest(limit=q.limit, prefetches=prefetches, query=fuse, with_payload=True)
        )

    def dense_search(
        self, dense: Sequence[float], limit: int, flt: Filter | None = None
    ) -> list[StoredPoint]:
        return self._query(
            qe.QueryRequest(
                limit=limit,
                query=qe.Query.Nearest([float(x) for x in dense], using=DENSE),
                filter=to_edge_filter(flt),
                with_payload=True,
            )
        )

    def sparse_search(
        self, sparse: SparseVector, limit: int, flt: Filter | None = None
    ) -> list[StoredPoint]:
        if not sparse.indices:
            return []
        return self._query(
            qe.QueryRequest(
                limit=limit,
                query=qe.Query.Nearest(_sparse(sparse), using=SPARSE),
                filter=to_edge_filter(flt),
                with_payload=True,
            )
        )

    def describe(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "location": str(self.dir.resolve()),
            "collection": self.collection,
            "dim": self._dim,
            **self.counts(),
        }
