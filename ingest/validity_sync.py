"""Validity across documents, kept in the index's payloads without re-embedding.

Two jobs, both by Qdrant ``set_payload`` on both stores (vectors untouched):

* :func:`refresh_validity` — a document already indexed, unchanged, but whose records were
  written before validity existed (or by an older reading, ``validity_version``): its
  validity fields are computed from the parsed document (chunking costs milliseconds; no
  embedding) and set on its points. This is what ``luatqa ingest`` does to an index built
  before this feature: the same command, nothing re-embedded.
* :func:`sync_validity` — after every ingest, across the whole index: when a document says
  "Bộ luật Lao động số 10/2012/QH13 hết hiệu lực …" and 10/2012/QH13 is indexed, every point
  of 10/2012/QH13 gets ``effective_to`` (the repeal's date) and ``replaced_by`` (the newer
  act's id); a date given relative to another act ("kể từ ngày Luật số X có hiệu lực") is
  resolved when X is indexed. Recomputed from all document records each time, so removing
  or re-ingesting either act converges to the right state. When the older act is not
  indexed the relation stays on the newer act's record and is shown as "— chưa nạp".
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from legal.registry import norm_number
from legal.validity import RelationKind
from retrieval.records import DocumentRecord, Kind
from retrieval.store.base import Filter, VectorStore

#: the keys a refresh sets, by record kind; bump ``VALIDITY_VERSION`` (ingest.validity) to
#: have every document refreshed on the next ingest
PROVISION_KEYS = ("effective_from", "amended_from", "amended_by", "guides", "guides_articles")
DOCUMENT_KEYS = (
    "effective_from",
    "relations",
    "relative_to",
    "guides_document",
    "validity_version",
    "date",
)


def refresh_validity(store: VectorStore, doc_id: str, version: str, records: Sequence[Any]) -> int:
    """Set the validity keys of ``records`` (a document's chunk, article and document
    records, as the chunker makes them) on the stored points of ``doc_id`` at ``version``.
    Provisions sharing the same values are set in one request (most share the document's
    date), the document record in its own; returns the number of requests."""
    groups: dict[str, list[str]] = defaultdict(list)
    document: dict[str, Any] = {}
    for rec in records:
        payload = rec.to_payload()
        if payload["kind"] == Kind.DOCUMENT:
            document = {k: payload.get(k) for k in DOCUMENT_KEYS}
            continue
        subset = {k: payload.get(k) for k in PROVISION_KEYS}
        groups[json.dumps(subset, ensure_ascii=False, sort_keys=True)].append(payload["address"])
    kinds = (Kind.CHUNK.value, Kind.ARTICLE.value)
    requests = 0
    if groups:
        common = max(groups, key=lambda k: len(groups[k]))
        base = Filter(kinds=kinds, doc_ids=(doc_id,), doc_versions=(version,))
        store.set_payload(base, json.loads(common))
        requests += 1
        for key, addresses in groups.items():
            if key != common:
                flt = Filter(
                    kinds=kinds,
                    doc_ids=(doc_id,),
                    doc_versions=(version,),
                    addresses=tuple(addresses),
                )
                store.set_payload(flt, json.loads(key))
                requests += 1
    if document:
        flt = Filter(kinds=(Kind.DOCUMENT.value,), doc_ids=(doc_id,), doc_versions=(version,))
        store.set_payload(flt, document)
        requests += 1
    store.flush()
    return requests


def document_records(store: VectorStore) -> list[DocumentRecord]:
    return [
        DocumentRecord.from_payload(p.payload, p.id)
        for p in store.scroll(Filter(kinds=(Kind.DOCUMENT,)))
    ]


def _lookup(docs: Sequence[DocumentRecord]) -> dict[str, DocumentRecord]:
    by: dict[str, DocumentRecord] = {}
    for d in docs:
        for key in (d.number, d.doc_id):
            if key:
                by[norm_number(key)] = d
    return by


def expected_validity(docs: Sequence[DocumentRecord]) -> dict[str, dict[str, str | None]]:
    """doc id → the cross-document fields it should carry (``effective_to``,
    ``replaced_by``, and ``effective_from`` where it was relative to another act)."""
    by = _lookup(docs)
    ends: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for newer in docs:
        for r in newer.relations:
            older = by.get(norm_number(r.number))
            if r.kind is RelationKind.AMENDS or older is None or older.doc_id == newer.doc_id:
                continue
            end = r.effective or newer.effective_from
            if end:
                ends[older.doc_id].append((end, newer.doc_id))
    out: dict[str, dict[str, str | None]] = {}
    for d in docs:
        end, by_doc = min(ends[d.doc_id]) if ends.get(d.doc_id) else (None, None)
        want: dict[str, str | None] = {"effective_to": end, "replaced_by": by_doc}
        if d.relative_to and d.effective_from is None:
            base = by.get(norm_number(d.relative_to))
            if base is not None and base.effective_from:
                want["effective_from"] = base.effective_from
        out[d.doc_id] = want
    return out


def sync_validity(store: VectorStore) -> list[str]:
    """Bring every document's cross-document fields up to date; returns the ids changed."""
    docs = document_records(store)
    expected = expected_validity(docs)
    changed: list[str] = []
    for d in docs:
        want = expected[d.doc_id]
        have = {k: getattr(d, k) for k in want}
        if want != have:
            store.set_payload(Filter(doc_ids=(d.doc_id,)), dict(want))
            changed.append(d.doc_id)
    if changed:
        store.flush()
    return changed


def needs_refresh(marker: DocumentRecord, current: int) -> bool:
    """A document record written before validity existed, or by an older reading."""
    return marker.validity_version != current
