"""The implementation chain at search time: a statute's provision brings the decree's or
circular's provisions that detail it, labelled as guidance and ranked right after it.

Which provisions detail which is written at ingest (:mod:`ingest.guidance`) as the
``guides_articles`` keyword list of the guiding article records ("45/2019/QH14|21"), so one
store request finds the guidance of the top provisions, under the same as-of date as the
search. Per statute provision at most ``per`` guiding articles are added, those detailing
the very clauses that matched first ("theo khoản 1 Điều 21" for a hit on khoản 1), the most
specific first (fewest provisions detailed), then in legal order. A guiding article that is
a hit of its own stays where the search ranked it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from retrieval.record_validity import guide_key
from retrieval.records import ArticleRecord, Kind
from retrieval.store.base import Filter, VectorStore
from retrieval.types import PassageRole, Provision

_LEADS = (PassageRole.HIT, PassageRole.CITED)


def guiding_records(
    store: VectorStore, keys: Sequence[str], as_of: str | None = None
) -> dict[str, list[ArticleRecord]]:
    """guide key ("45/2019/QH14|21") → the article records that detail it."""
    if not keys:
        return {}
    flt = Filter(kinds=(Kind.ARTICLE,), extra={"guides_articles": list(keys)}, as_of=as_of)
    found: dict[str, list[ArticleRecord]] = defaultdict(list)
    for point in store.scroll(flt):
        rec = ArticleRecord.from_payload(point.payload, point.id)
        for key in dict.fromkeys(guide_key(a) for a in rec.guide_addresses):
            if key in keys:
                found[key].append(rec)
    return found


def _order(prov: Provision, records: list[ArticleRecord]) -> list[ArticleRecord]:
    clauses = {p.address.canonical for p in prov.passages}

    def key(rec: ArticleRecord) -> tuple[int, int, tuple[object, ...]]:
        exact = any(g.canonical in clauses for g in rec.guide_addresses)
        # an article detailing one clause (its own lead-in says so) before a chapter's worth
        return (0 if exact else 1, len(rec.guides), rec.address.sort_key())

    return sorted(records, key=key)


def with_guidance(
    store: VectorStore,
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
    found = guiding_records(store, keys, as_of)
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
