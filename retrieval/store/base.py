"""The one store interface, implemented by the embedded store (qdrant-edge-py) and the
Qdrant server store (qdrant-client). Retrieval owns the index; ingest writes through it.

One collection, named vectors ``dense`` (cosine) and ``sparse`` (IDF modifier), payload
indexes on ``doc_id``, ``doc_type``, ``article``, ``kind``. Point ids are UUID strings,
deterministic from the legal address and the document version.

Payloads are declared by :mod:`retrieval.records` (chunk, article and document records,
``to_payload``/``from_payload``); the stores move them as plain dicts and never read them.

One contract, both stores (``tests/retrieval/test_store_contract.py`` runs on each): every
failure, of the engine or of the request, is a :class:`StoreError`; a search filter applies
to the prefetches of a hybrid search, not again to the fused list.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from legal.errors import StoreError
from retrieval.records import Kind

DENSE = "dense"
SPARSE = "sparse"


@dataclass(frozen=True)
class SparseVector:
    indices: tuple[int, ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class PointRecord:
    """A point to write. ``dense``/``sparse`` may be None for payload-only records
    (article and document records)."""

    id: str
    payload: dict[str, Any]
    dense: Sequence[float] | None = None
    sparse: SparseVector | None = None


def named_vectors(p: PointRecord, sparse: Callable[[SparseVector], Any]) -> dict[str, Any]:
    """The point's vectors by name (none for payload-only records), the sparse one made by
    the store's own ``sparse`` converter."""
    vec: dict[str, Any] = {}
    if p.dense is not None:
        vec[DENSE] = [float(x) for x in p.dense]
    if p.sparse is not None and p.sparse.indices:
        vec[SPARSE] = sparse(p.sparse)
    return vec


@dataclass(frozen=True)
class StoredPoint:
    id: str
    payload: dict[str, Any]
    score: float = 0.0


@dataclass(frozen=True)
class Filter:
    """Conjunction of simple conditions; an empty tuple means 'any'."""

    kinds: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    doc_versions: tuple[str, ...] = ()
    exclude_doc_versions: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    # only what is in force on this ISO date: effective_from <= as_of < effective_to, a bound
    # the point does not carry (an index built before validity existed) excluding nothing
    as_of: str | None = None

    def must(self) -> list[tuple[str, list[Any]]]:
        """(payload key, accepted values) for each condition that is set: the one mapping of
        this filter onto payload keys, shared by every store."""
        pairs: list[tuple[str, Any]] = [
            ("kind", self.kinds),
            ("doc_id", self.doc_ids),
            ("doc_type", self.doc_types),
            ("article", self.articles),
            ("doc_version", self.doc_versions),
            ("address", self.addresses),
        ]
        for key, value in self.extra.items():
            many = isinstance(value, list | tuple | set | frozenset)
            pairs.append((key, list(value) if many else [value]))
        return [(key, list(values)) for key, values in pairs if len(values)]

    def must_not(self) -> list[tuple[str, list[Any]]]:
        return (
            [("doc_version", list(self.exclude_doc_versions))] if self.exclude_doc_versions else []
        )

    def date_exclusions(self) -> list[tuple[str, str, str]]:
        """(payload key, "gt"/"lte", ISO date) ranges whose points are excluded: written as
        must-not conditions, so a point without the key is never excluded (an absent key
        matches no range) and old indexes keep answering."""
        if self.as_of is None:
            return []
        return [("effective_from", "gt", self.as_of), ("effective_to", "lte", self.as_of)]


DateRange = Callable[[str, str, str], Any]


def conditions(
    flt: Filter | None, match: Callable[[str, list[Any]], Any], date_range: DateRange
) -> tuple[list[Any], list[Any]] | None:
    """The filter's must and must-not conditions, each made by the store's own ``match``
    (payload key, accepted values) and ``date_range`` (payload key, "gt"/"lte", ISO date);
    None when the filter sets nothing."""
    if flt is None:
        return None
    must = [match(key, values) for key, values in flt.must()]
    must_not = [match(key, values) for key, values in flt.must_not()]
    must_not += [date_range(key, op, value) for key, op, value in flt.date_exclusions()]
    if not must and not must_not:
        return None
    return must, must_not


Fusion = Literal["rrf", "dbsf"]


@dataclass(frozen=True)
class HybridQuery:
    """One hybrid search: a dense and a sparse prefetch (each of ``prefetch_limit`` hits,
    both under ``flt``) fused into ``limit`` hits by ``fusion``."""

    dense: Sequence[float]
    sparse: SparseVector
    limit: int
    prefetch_limit: int = 50
    fusion: Fusion = "rrf"
    weights: tuple[float, float] = (1.0, 1.0)
    rrf_k: int = 60
    flt: Filter | None = None

    def dense_list(self) -> list[float]:
        return [float(x) for x in self.dense]

    def fused_weights(self, prefetches: int) -> list[float]:
        """The weights of the prefetches made (no sparse one for an empty sparse vector)."""
        return list(self.weights[:prefetches])


def point_uuids(ids: Sequence[str]) -> list[uuid.UUID]:
    """Point ids are UUID strings in both stores; anything else is a :class:`StoreError`
    (the server's local mode would silently match nothing)."""
    try:
        return [uuid.UUID(i) for i in ids]
    except (ValueError, TypeError, AttributeError) as exc:
        raise StoreError(f"not a point id (a UUID string): {exc}") from exc


@runtime_checkable
class VectorStore(Protocol):
    """What every store does. Implementations raise :class:`legal.errors.StoreError`."""

    def ensure_collection(self, dense_dim: int) -> None: ...

    def upsert(self, points: Sequence[PointRecord]) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def delete_where(self, flt: Filter) -> None: ...

    def set_payload(self, flt: Filter, payload: dict[str, Any]) -> None:
        """Set these payload keys on every point ``flt`` matches, vectors untouched (validity
        refreshed without re-embedding, :mod:`ingest.validity_sync`)."""
        ...

    def retrieve(self, ids: Sequence[str]) -> list[StoredPoint]: ...

    def scroll(self, flt: Filter | None = None, batch: int = 256) -> Iterator[StoredPoint]: ...

    def count(self, flt: Filter | None = None) -> int: ...

    def hybrid_search(
        self,
        dense: Sequence[float],
        sparse: SparseVector,
        limit: int,
        *,
        prefetch_limit: int = 50,
        fusion: Fusion = "rrf",
        weights: tuple[float, float] = (1.0, 1.0),
        rrf_k: int = 60,
        flt: Filter | None = None,
    ) -> list[StoredPoint]:
        """Dense + sparse prefetch fused *inside Qdrant* in one request. Written once, here:
        the stores subclass this protocol and implement :meth:`hybrid_query`."""
        return self.hybrid_query(
            HybridQuery(dense, sparse, limit, prefetch_limit, fusion, weights, rrf_k, flt)
        )

    def hybrid_query(self, q: HybridQuery) -> list[StoredPoint]:
        """The store's own :meth:`hybrid_search`."""
        ...

    def dense_search(
        self, dense: Sequence[float], limit: int, flt: Filter | None = None
    ) -> list[StoredPoint]: ...

    def sparse_search(
        self, sparse: SparseVector, limit: int, flt: Filter | None = None
    ) -> list[StoredPoint]: ...

    def counts(self) -> dict[str, int]:
        """Points, chunk records and document records in the index (for ``describe``)."""
        return {
            "points": self.count(),
            "chunks": self.count(Filter(kinds=(Kind.CHUNK,))),
            "documents": self.count(Filter(kinds=(Kind.DOCUMENT,))),
        }

    def flush(self) -> None: ...

    def optimize(self) -> None:
        """Build the search indexes (HNSW, sparse) for what was written, blocking. A Qdrant
        server does this in the background by itself."""
        ...

    def close(self) -> None: ...

    def describe(self) -> dict[str, Any]:
        """For the status page: backend, location, point counts."""
        ...
