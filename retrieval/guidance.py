"""The implementation chain at search time: a statute's provision brings the decree's or
circular's provisions that detail it, labelled as guidance and ranked right after it.

Which provisions detail which is written at ingest (:mod:`ingest.guidance`) on the guiding
article records (``guides``, ``guides_articles``: "45/2019/QH14|21"); :class:`GuidanceIndex`
reads them once per catalog, and a search picks the guidance of its top provisions in force
on the same as-of date. Per statute provision at most ``per`` guiding articles are added:
one the search found further down first (moved up), then those detailing the very clauses
that matched ("theo khoản 1 Điều 21" for a hit on khoản 1), the most specific first (fewest
provisions detailed), then in legal order. One ranked above its statute provision stays.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from legal.validity import Currency
from retrieval.record_validity import guide_key
from retrieval.records import ArticleRecord, DocumentRecord, Kind
from retrieval.store.base import Filter, VectorStore
from retrieval.types import PassageRole, Provision

_LEADS = (PassageRole.HIT, PassageRole.CITED)
_OUT = (Currency.EXPIRED, Currency.NOT_YET)


@dataclass(frozen=True)
class GuidanceIndex:
    """guide key ("45/2019/QH14|21") → the article records that detail it, read once per
    catalog (:meth:`load`): the documents that guide something say so on their record
    (``guides_document``), and only their articles are read. A search then costs no store
    request (filtering the whole index on ``guides_articles``, a key without a payload index,
    took ~2.6 s a search on 4,000 points)."""

    by_key: dict[str, tuple[ArticleRecord, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, store: VectorStore) -> GuidanceIndex:
        docs = [
            DocumentRecord.from_payload(p.payload, p.id)
            for p in store.scroll(Filter(kinds=(Kind.DOCUMENT,)))
        ]
        guiding = tuple(d.doc_id for d in docs if d.guides_document)
        if not guiding:
            return cls()
        found: dict[str, list[ArticleRecord]] = defaultdict(list)
        for point in store.scroll(Filter(kinds=(Kind.ARTICLE,), doc_ids=guiding)):
            rec = ArticleRecord.from_payload(point.payload, point.id)
            for key in dict.fromkeys(guide_key(a) for a in rec.guide_addresses):
                found[key].append(rec)
        return cls({k: tuple(v) for k, v in found.items()})

    def of(self, keys: Sequence[str], as_of: str | None = None) -> dict[str, list[ArticleRecord]]:
        """The guiding articles of ``keys``, those in force on ``as_of`` when given (one whose
        validity is unknown is kept, as the store filter keeps it)."""
        out: dict[str, list[ArticleRecord]] = {}
        for key in keys:
            recs = [
                r
                for r in self.by_key.get(key, ())
                if as_of is None or r.dates.currency(as_of) not in _OUT
            ]
            if recs:
                out[key] = recs
        return out


def _order(prov: Provision, records: list[ArticleRecord]) -> list[ArticleRecord]:
    clauses = {p.address.canonical for p in prov.passages}

    def key(rec: ArticleRecord) -> tuple[int, int, tuple[object, ...]]:
        exact = any(g.canonical in clauses for g in rec.guide_addresses)
        # an article detailing one clause (its own lead-in says so) before a chapter's worth
        return (0 if exact else 1, len(rec.guides), rec.address.sort_key())

    return sorted(records, key=key)


def with_guidance(
    index: GuidanceIndex,
    provisions: Sequence[Provision],
    *,
    as_of: str | None = None,
    top: int = 3,
    per: int = 2,
) -> list[Provision]:
    """``provisions`` with the guidance of the ``top`` first statute provisions right after
    each (role ``GUIDANCE``, the statute provision's score). A guiding article the search
    found further down is moved up (the search's own evidence that it is relevant comes
    first); the others follow in :func:`_order`."""
    leads = [p for p in provisions[:top] if p.role in _LEADS]
    keys = list(dict.fromkeys(guide_key(p.address) for p in leads))
    found = index.of(keys, as_of)
    if not found:
        return list(provisions)
    rank = {p.address.canonical: i for i, p in enumerate(provisions)}
    placed: dict[str, list[Provision]] = {}  # lead address → the guidance after it
    moved: set[str] = set()
    for lead in leads:
        records = _order(lead, found.get(guide_key(lead.address), []))
        records.sort(key=lambda r: rank.get(r.address.canonical, len(rank)))
        chosen: list[Provision] = []
        for rec in records:
            where = rank.get(rec.address.canonical)
            if len(chosen) >= per or rec.address.canonical in moved:
                continue
            if where is not None and where <= rank[lead.address.canonical]:
                continue  # ranked above its statute provision by the search: left there
            moved.add(rec.address.canonical)
            chosen.append(_as_guidance(rec, lead, provisions[where] if where is not None else None))
        placed[lead.address.canonical] = chosen
    out: list[Provision] = []
    for prov in provisions:
        if prov.address.canonical in moved:
            continue
        out.append(prov)
        out.extend(placed.get(prov.address.canonical, []))
    return out


def _as_guidance(rec: ArticleRecord, lead: Provision, found: Provision | None) -> Provision:
    """The guiding article as a provision after ``lead``: the passages the search matched
    when it found it, else the whole article."""
    if found is not None:
        passages = tuple(replace(p, role=PassageRole.GUIDANCE) for p in found.passages)
        return replace(found, passages=passages, role=PassageRole.GUIDANCE)
    passage = rec.passage(score=lead.score, role=PassageRole.GUIDANCE)
    return Provision(
        rec.address, rec.article_title, passage.doc_label, lead.score, (passage,),
        PassageRole.GUIDANCE,
    )  # fmt: skip
