"""Verify every citation of an answer against the passages the model was given.

A citation is verified when it points at one of those passages: a bracket number in range,
or a written provision ("khoản 2 Điều 35") that a passage is, contains or lies inside, in
the law named (when one is named). Anything else is *unverified*: reported as a warning,
never shown as a source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from generation.answer import Citation, UnverifiedCitation
from generation.parsing import BracketRef, ParsedAnswer, WrittenRef
from legal.address import LegalAddress
from legal.errors import CitationError
from legal.registry import default_registry, norm_mention
from retrieval.types import Passage

MAX_QUOTE_CHARS = 600


def quote_text(text: str, point: str | None = None) -> str:
    text = text.strip()
    if point is not None:
        # the line of the point: "a) ..." (up to the next point)
        m = re.search(rf"(?m)^\s*{re.escape(point)}\)\s.*?(?=^\s*[a-zđ]\)\s|\Z)", text, re.DOTALL)
        if m:
            text = m.group(0).strip()
    if len(text) > MAX_QUOTE_CHARS:
        text = text[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
    return text


def _citation(p: Passage, n: int, marker: str, address: LegalAddress | None = None) -> Citation:
    addr = address or p.address
    point = addr.point if addr.point != p.address.point else None
    return Citation(
        address=addr,
        quote=quote_text(p.text, point),
        display=addr.display(p.doc_label),
        marker=marker,
        passage_index=n,
    )


def verify_numbers(
    refs: Iterable[tuple[str, int]], passages: Sequence[Passage]
) -> tuple[list[Citation], list[UnverifiedCitation]]:
    ok: list[Citation] = []
    bad: list[UnverifiedCitation] = []
    for marker, n in refs:
        if 1 <= n <= len(passages):
            ok.append(_citation(passages[n - 1], n, marker))
        else:
            bad.append(
                UnverifiedCitation(
                    marker,
                    f"không có đoạn số {n} trong ngữ cảnh (chỉ có {len(passages)} đoạn)",
                )
            )
    return ok, bad


def _law_matches(ref: WrittenRef, p: Passage) -> bool:
    lm = ref.citation.law_mention
    if lm is None or lm.self_ref:
        return True
    doc = p.address.doc
    if lm.number is not None:
        return lm.number.upper() == doc.upper()
    wanted = norm_mention(lm.text)
    for label in (p.doc_label, p.doc_short, doc):
        if label and (norm_mention(label) == wanted or norm_mention(label).startswith(wanted)):
            return True
    return doc in default_registry().resolve_all(lm.text)


def verify_written(
    refs: Iterable[WrittenRef], passages: Sequence[Passage]
) -> tuple[list[Citation], list[UnverifiedCitation]]:
    ok: list[Citation] = []
    bad: list[UnverifiedCitation] = []
    for ref in refs:
        found: Citation | None = None
        law_seen = False
        for n, p in enumerate(passages, 1):
            if not _law_matches(ref, p):
                continue
            law_seen = True
            try:
                wanted = ref.citation.address(p.address.doc)
            except CitationError:
                break
            if p.address.contains(wanted):
                # the passage is the cited provision or holds it (a point inside a clause)
                found = _citation(p, n, ref.marker, wanted)
                break
            if wanted.contains(p.address) and found is None:
                # an article (or clause) cited, a part of it given: cite the part given
                found = _citation(p, n, ref.marker)
        if found is not None:
            ok.append(found)
        elif not law_seen:
            bad.append(UnverifiedCitation(ref.marker, "văn bản được nêu không có trong ngữ cảnh"))
        else:
            bad.append(
                UnverifiedCitation(ref.marker, "quy định này không có trong các đoạn được cung cấp")
            )
    return ok, bad


def verify_answer(
    parsed: ParsedAnswer, passages: Sequence[Passage]
) -> tuple[tuple[Citation, ...], tuple[UnverifiedCitation, ...]]:
    """Verified citations (in order of appearance) and unverified ones (deduplicated)."""
    items: list[tuple[int, list[Citation], list[UnverifiedCitation]]] = []
    for b in parsed.brackets:
        ok, bad = verify_numbers([(b.marker, b.number)], passages)
        items.append((b.span[0], ok, bad))
    for w in parsed.written:
        ok, bad = verify_written([w], passages)
        items.append((w.span[0], ok, bad))
    items.sort(key=lambda x: x[0])
    verified = [c for _, ok, _ in items for c in ok]
    unverified: dict[str, UnverifiedCitation] = {}
    for _, _, bad in items:
        for u in bad:
            unverified.setdefault(u.marker, u)
    return tuple(verified), tuple(unverified.values())


def bracket_refs(numbers: Iterable[int]) -> list[BracketRef]:
    return [BracketRef(f"[{n}]", n, (0, 0)) for n in numbers]
