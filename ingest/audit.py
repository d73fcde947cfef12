"""Is the index consistent? Every committed document complete, nothing else in it.

Decision: one audit shared by the load test, the crash tests and ``bench/load.py``, read
through the store interface only (no engine specifics). The state it accepts is exactly the
state a clean ingest leaves (see :mod:`ingest.pipeline`): for each document record (the
commit marker), as many chunks and article records of its version as the marker says, and
no point of another version; no point of a document without a marker. A crash may leave the
last two kinds of leftovers until the next ingest of that file: :func:`audit_index` reports
them, so a test can tell "converged" from "left behind".
"""

from __future__ import annotations

from collections import Counter

from retrieval.articles import ArticleReader
from retrieval.records import Kind
from retrieval.store.base import Filter, VectorStore


def audit_index(store: VectorStore) -> list[str]:
    """Problems found, as sentences; an empty list means consistent."""
    problems: list[str] = []
    markers = {d.doc_id: d for d in ArticleReader(store).documents()}
    seen: Counter[tuple[str, str, str]] = Counter()  # (doc_id, version, kind) → points
    for point in store.scroll():
        p = point.payload
        seen[(str(p.get("doc_id")), str(p.get("doc_version")), str(p.get("kind")))] += 1
    for (doc, version, kind), n in sorted(seen.items()):
        marker = markers.get(doc)
        if marker is None:
            problems.append(f"{n} {kind} point(s) of {doc} (version {version}) without a record")
        elif version != marker.doc_version:
            problems.append(f"{n} {kind} point(s) of {doc} of stale version {version}")
    for doc, marker in sorted(markers.items()):
        v = marker.doc_version
        chunks = seen[(doc, v, Kind.CHUNK.value)]
        articles = seen[(doc, v, Kind.ARTICLE.value)]
        if chunks != marker.chunks:
            problems.append(f"{doc}: {chunks} chunks indexed, its record says {marker.chunks}")
        if articles != marker.articles:
            problems.append(f"{doc}: {articles} articles indexed, record says {marker.articles}")
        if seen[(doc, v, Kind.DOCUMENT.value)] != 1:
            problems.append(f"{doc}: {seen[(doc, v, Kind.DOCUMENT.value)]} document records")
    return problems


def indexed_ids(store: VectorStore, flt: Filter | None = None) -> set[str]:
    """Every point id (of ``flt``): two indexes hold the same data when these are equal (ids
    are deterministic from address, kind and version)."""
    return {p.id for p in store.scroll(flt)}
