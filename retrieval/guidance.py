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
    """``provisions`` with the guidance of the ``top`` first statute provisions inserted
    after each (role ``GUIDANCE``, the statute provision's score)."""
    leads = [p for p in provisions[:top] if p.role in _LEADS]
    keys = list(dict.fromkeys(guide_key(p.address) for p in leads))
    found = guiding_records(store, keys, as_of)
    if not found:
        return list(provisions)
    present = {p.address.canonical for p in provisions}
    lead_ids = {id(p) for p in leads}
    out: list[Provision] = []
    for prov in provisions:
        out.append(prov)
        if id(prov) not in lead_ids:
            continue
        for rec in _order(prov, found.get(guide_key(prov.address), []))[:per]:
            if rec.address.canonical in present:
                continue
            present.add(rec.address.canonical)
            passage = rec.passage(score=prov.score, role=PassageRole.GUIDANCE)
            out.append(
                Provision(
                    rec.address,
                    rec.article_title,
                    passage.doc_label,
                    prov.score,
                    (passage,),
                    PassageRole.GUIDANCE,
                )
            )
    return out
