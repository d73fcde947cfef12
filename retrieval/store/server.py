"""The Qdrant server store (qdrant-client). Same protocol as the embedded store; several
processes (UI, CLI, workers) may share one server. Also works with qdrant-client's local
modes (``QdrantClient(location=":memory:")`` / ``QdrantClient(path=...)``), which the tests use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from qdrant_client import QdrantClient
from qdrant_client import models as m

from legal.errors import StoreError
from retrieval.store import base
from retrieval.store.base import Filter, HybridQuery, PointRecord, SparseVector, StoredPoint
from retrieval.store.edge import DATETIME_INDEXES, KEYWORD_INDEXES


def _match(key: str, values: Sequence[Any]) -> m.FieldCondition:
    vals = list(values)
    if len(vals) == 1:
        return m.FieldCondition(key=key, match=m.MatchValue(value=vals[0]))
    return m.FieldCondition(key=key, match=m.MatchAny(any=vals))


def _date_range(key: str, op: str, value: str) -> m.FieldCondition:
    day = dt.date.fromisoformat(value)
    bound = m.DatetimeRange(gt=day) if op == "gt" else m.DatetimeRange(lte=day)
    return m.FieldCondition(key=key, range=bound)


def to_qdrant_filter(flt: Filter | None) -> m.Filter | None:
    made = base.conditions(flt, _match, _date_range)
    return None if made is None else m.Filter(must=made[0] or None, must_not=made[1] or None)


def _sparse(v: SparseVector) -> m.SparseVector:
    return m.SparseVector(indices=list(v.indices), values=list(v.values))


class ServerStore(base.VectorStore):
    """:class:`retrieval.store.base.VectorStore` over a Qdrant server (or local-mode client)."""

    backend = "qdrant-server"

    def __init__(
        self,
        client: QdrantClient | None = None,
        *,
        url: str | None = None,
        api_key: str | None = None,
        collection: str = "luatqa",
        timeout_s: float = 30.0,
    ) -> None:
        if client is None:
            if not url:
                raise StoreError("a Qdrant server store needs a URL", hint="pass --qdrant-url")
            try:
                client = QdrantClient(
                    url=url, api_key=api_key, timeout=int(timeout_s), check_compatibility=False
                )
            except Exception as exc:
                raise StoreError(f"cannot connect to Qdrant at {url}: {exc}") from exc
        self.client = client
        self.url = url or "local"
        self.collection = collection
        self._exists: bool | None = None

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():
                # local mode warns that payload indexes have no effect there
                warnings.simplefilter("ignore", UserWarning)
                return fn(*args, **kwargs)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(
                f"Qdrant {what} failed on collection {self.collection!r}: {exc}",
                path=self.url,
                hint="is the Qdrant server running and reachable? (check --qdrant-url)",
            ) from exc

    def _filter(self, flt: Filter | None) -> m.Filter | None:
        result: m.Filter | None = self._call("filter", to_qdrant_filter, flt)
        return result

    def _has_collection(self) -> bool:
        if not self._exists:
            self._exists = bool(
                self._call("collection check", self.client.collection_exists, self.collection)
            )
        return bool(self._exists)

    def ensure_collection(self, dense_dim: int) -> None:
        if self._has_collection():
            info = self._call("get_collection", self.client.get_collection, self.collection)
            vectors = info.config.params.vectors
            size = (
                vectors[base.DENSE].size
                if isinstance(vectors, dict) and base.DENSE in vectors
                else None
            )
            if size is not None and size != dense_dim:
                raise StoreError(
                    f"collection {self.collection!r} holds {size}-dimensional vectors but the "
                    f"embedder makes {dense_dim}",
                    path=self.url,
                    hint="use the embedder the index was built with, or another collection",
                )
            have = set((info.payload_schema or {}).keys())
            self._datetime_indexes(k for k in DATETIME_INDEXES if k not in have)
            return
        self._call(
            "create_collection",
            self.client.create_collection,
            self.collection,
            vectors_config={base.DENSE: m.VectorParams(size=dense_dim, distance=m.Distance.COSINE)},
            sparse_vectors_config={base.SPARSE: m.SparseVectorParams(modifier=m.Modifier.IDF)},
        )
        for key in KEYWORD_INDEXES:
            self._call(
                "create_payload_index",
                self.client.create_payload_index,
                self.collection,
                key,
                m.PayloadSchemaType.KEYWORD,
            )
        self._datetime_indexes(DATETIME_INDEXES)
        self._exists = True

    def _datetime_indexes(self, keys: Iterable[str]) -> None:
        """The as-of filter's keys (see :data:`retrieval.store.edge.DATETIME_INDEXES`)."""
        for key in keys:
            self._call(
                "create_payload_index",
                self.client.create_payload_index,
                self.collection,
                key,
                m.PayloadSchemaType.DATETIME,
            )

    def upsert(self, points: Sequence[PointRecord]) -> None:
        if not points:
            return
        if not self._has_collection():
            raise StoreError(
                f"collection {self.collection!r} does not exist", hint="run `luatqa ingest` first"
            )
        batch = [
            m.PointStruct(id=p.id, vector=base.named_vectors(p, _sparse), payload=p.payload)
            for p in points
        ]
        self._call("upsert", self.client.upsert, self.collection, points=batch, wait=True)

    def delete(self, ids: Sequence[str]) -> None:
        if not ids or not self._has_collection():
            return
        self._call(
            "delete",
            self.client.delete,
            self.collection,
            points_selector=m.PointIdsList(points=[str(u) for u in base.point_uuids(ids)]),
            wait=True,
        )

    def delete_where(self, flt: Filter) -> None:
        if not self._has_collection():
            return
        f = self._filter(flt)
        if f is None:
            raise StoreError("refusing to delete with an empty filter (it would wipe the index)")
        self._call(
            "delete",
            self.client.delete,
            self.collection,
            points_selector=m.FilterSelector(filter=f),
            wait=True,
        )

    def set_payload(self, flt: Filter, payload: dict[str, Any]) -> None:
        if not payload or not self._has_collection():
            return
        f = self._filter(flt)
        if f is None:
            raise StoreError("refusing to set a payload with an empty filter")
        self._call(
            "set_payload",
            self.client.set_payload,
            self.collection,
            payload=payload,
            points=m.FilterSelector(filter=f),
            wait=True,
        )

    def retrieve(self, ids: Sequence[str]) -> list[StoredPoint]:
        if not ids or not self._has_collection():
            return []
        recs = self._call(
            "retrieve",
            self.client.retrieve,
            self.collection,
            ids=[str(u) for u in base.point_uuids(ids)],
            with_payload=True,
            with_vectors=False,
        )
        return [StoredPoint(str(r.id), dict(r.payload or {})) for r in recs]

    def scroll(self, flt: Filter | None = None, batch: int = 256) -> Iterator[StoredPoint]:
        if not self._has_collection():
            return
        offset: Any = None
        f = self._filter(flt)
        while True:
            recs, offset = self._call(
                "scroll",
                self.client.scroll,
                self.collection,
                scroll_filter=f,
                limit=batch,
                offset=offset,
                with_payload=True,
                with_vectors=False,
            )
            for r in recs:
                yield StoredPoint(str(r.id), dict(r.payload or {}))
            if offset is None or not recs:
                return

    def count(self, flt: Filter | None = None) -> int:
        if not self._has_collection():
            return 0
        res = self._call(
            "count",
            self.client.count,
            self.collection,
            count_filter=self._filter(flt),
            exact=True,
        )
        return int(res.count)

    def _query(self, **kwargs: Any) -> list[StoredPoint]:
        if not self._has_collection():
            return []
        res = self._call(
            "query_points", self.client.query_points, self.collection, with_payload=True, **kwargs
        )
        return [StoredPoint(str(h.id), dict(h.payload or {}), float(h.score)) for h in res.points]

    def hybrid_query(self, q: HybridQuery) -> list[StoredPoint]:
        f = self._filter(q.flt)
        prefetch = [
            m.Prefetch(query=q.dense_list(), using=base.DENSE, limit=q.prefetch_limit, filter=f)
        ]
        if q.sparse.indices:
            prefetch.append(
                m.Prefetch(
                    query=_sparse(q.sparse), using=base.SPARSE, limit=q.prefetch_limit, filter=f
                )
            )
        query: Any
        if q.fusion == "dbsf":
            query = m.FusionQuery(fusion=m.Fusion.DBSF)
        else:
            query = m.RrfQuery(rrf=m.Rrf(k=q.rrf_k, weights=q.fused_weights(len(prefetch))))
        # the prefetches are filtered already; filtering the fused list again (as this store
        # once did) only costs time, and the contract is the embedded store's: one filter,
        # on the prefetches
        return self._query(prefetch=prefetch, query=query, limit=q.limit)

    def dense_search(
        self, dense: Sequence[float], limit: int, flt: Filter | None = None
    ) -> list[StoredPoint]:
        return self._query(
            query=[float(x) for x in dense],
            using=base.DENSE,
            limit=limit,
            query_filter=self._filter(flt),
        )

    def sparse_search(
        self, sparse: SparseVector, limit: int, flt: Filter | None = None
    ) -> list[StoredPoint]:
        if not sparse.indices:  # an empty sparse vector matches nothing
            return []
        return self._query(
            query=_sparse(sparse), using=base.SPARSE, limit=limit, query_filter=self._filter(flt)
        )

    def flush(self) -> None:
        """Server writes are durable once ``wait=True`` returns."""

    def optimize(self) -> None:
        """The server's optimizers index segments in the background: nothing to do."""

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing is best effort
            self.client.close()

    def describe(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "location": self.url,
            "collection": self.collection,
            **self.counts(),
        }
