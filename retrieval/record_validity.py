"""The validity and implementation-chain fields of the stored records (issue 11).

Mixed into :class:`retrieval.records.ArticleFields` (chunks and articles) and
:class:`retrieval.records.DocumentRecord`; split out so that each module stays small.

Decisions:

* **Optional payload keys, payload version 1 unchanged.** A key is written only when it has
  a value, and ``from_payload`` defaults every one of them: payloads written before this
  feature load as "validity unknown" (:class:`legal.validity.Currency.UNKNOWN`), and an index
  built before keeps answering. ``luatqa ingest`` adds them to such an index without
  re-embedding (:mod:`ingest.validity_sync`).
* Dates are ISO strings (:mod:`legal.validity`). The names ``effective_from``,
  ``effective_to`` and ``replaced_by`` are shared with the llama-index/MCP adapter (issue 12).
* ``guides`` holds the canonical addresses of the statute provisions a decree's or circular's
  provision details ("45/2019/QH14 › Điều 21 › Khoản 1"); ``guides_articles`` repeats them
  at article level ("45/2019/QH14|21"), a flat keyword list a store filter matches (the
  retriever asks "which provisions guide Điều 21?" in one request).
* ``effective_to``/``replaced_by`` change when a newer act is ingested, so they are the
  fields :mod:`ingest.validity_sync` rewrites in place (Qdrant ``set_payload``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from legal.address import LegalAddress
from legal.errors import CitationError
from legal.validity import Dates, Relation

VALIDITY_KEYS = ("effective_from", "effective_to", "replaced_by")


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def guide_key(address: LegalAddress) -> str:
    """ "45/2019/QH14|21": the article a guiding provision details, as stored in
    ``guides_articles``."""
    return f"{address.doc}|{address.article}"


@dataclass(frozen=True, kw_only=True)
class ValidityFields:
    """In force from, until, and replaced by (every record)."""

    effective_from: str | None = None
    effective_to: str | None = None
    replaced_by: str | None = None

    def _validity_payload(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in VALIDITY_KEYS if getattr(self, k) is not None}

    @staticmethod
    def _validity_fields(p: Mapping[str, Any]) -> dict[str, Any]:
        return {k: _opt(p.get(k)) for k in VALIDITY_KEYS}


@dataclass(frozen=True, kw_only=True)
class ProvisionValidity(ValidityFields):
    """A provision's own dates (amended clauses) and the statute provisions it details."""

    amended_from: str | None = None
    amended_by: str | None = None
    guides: tuple[str, ...] = ()  # canonical addresses of the statute provisions detailed

    @property
    def dates(self) -> Dates:
        return Dates(
            self.effective_from,
            self.effective_to,
            self.replaced_by,
            self.amended_from,
            self.amended_by,
        )

    @property
    def guide_addresses(self) -> tuple[LegalAddress, ...]:
        out = []
        for g in self.guides:
            try:
                out.append(LegalAddress.parse(g))
            except CitationError:
                continue
        return tuple(out)

    def _provision_payload(self) -> dict[str, Any]:
        out = self._validity_payload()
        for key in ("amended_from", "amended_by"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.guides:
            out["guides"] = list(self.guides)
            keys = dict.fromkeys(guide_key(a) for a in self.guide_addresses if a.article)
            out["guides_articles"] = list(keys)
        return out

    @classmethod
    def _provision_fields(cls, p: Mapping[str, Any]) -> dict[str, Any]:
        guides: Sequence[Any] = p.get("guides") or ()
        return {
            **cls._validity_fields(p),
            "amended_from": _opt(p.get("amended_from")),
            "amended_by": _opt(p.get("amended_by")),
            "guides": tuple(str(g) for g in guides),
        }


@dataclass(frozen=True, kw_only=True)
class DocumentValidity(ValidityFields):
    """What a document says of its validity and of the acts it repeals, and the statute it
    details (a decree's or circular's)."""

    relations: tuple[Relation, ...] = ()
    relative_to: str | None = None  # "from the day Luật số X takes effect", X's date unknown
    guides_document: str | None = None  # doc id of the statute a decree/circular details
    validity_version: int | None = None  # the reading that wrote these fields (None: before)

    def _document_validity_payload(self) -> dict[str, Any]:
        out = self._validity_payload()
        if self.relations:
            out["relations"] = [r.to_dict() for r in self.relations]
        if self.relative_to is not None:
            out["relative_to"] = self.relative_to
        if self.guides_document is not None:
            out["guides_document"] = self.guides_document
        if self.validity_version is not None:
            out["validity_version"] = self.validity_version
        return out

    @classmethod
    def _document_validity_fields(cls, p: Mapping[str, Any]) -> dict[str, Any]:
        relations = p.get("relations") or ()
        return {
            **cls._validity_fields(p),
            "relations": tuple(Relation.from_dict(dict(r)) for r in relations),
            "relative_to": _opt(p.get("relative_to")),
            "guides_document": _opt(p.get("guides_document")),
            "validity_version": _int(p.get("validity_version")),
        }
