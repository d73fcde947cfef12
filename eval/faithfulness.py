"""Is a generated answer faithful to the passages it cites? Deterministic checks only.

* **citation validity** — of the citations the model wrote (bracket numbers and written
  provisions), the share that verify against the passages it was given
  (``len(verified) / (len(verified) + len(unverified))``; an answer citing nothing has none).
* **faithfulness** — the share of the answer's sentences (claims) that cite and are
  supported by what they cite: every quoted span ("…" or “…”, 4+ words) appears verbatim (after
  whitespace and tone normalisation) in one of the cited passages, and a sentence without
  quotes shares at least half of its content words with them. A sentence that cites nothing
  counts as unsupported; the label sentences of structured answers ("Vì vậy …") are checked the
  same way, through the reasoning they sit in.

The verbatim rule is what a lawyer checks first; the word-overlap rule is a floor, not an
entailment judgment (an NLI model would be the next step).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from generation.answer import Answer, AnswerMode
from legal.textnorm import normalize_for_index

_QUOTE = re.compile(r"[\"“]([^\"”]{8,}?)[\"”]")
_WORD = re.compile(r"\w+")
_MARKER = re.compile(r"\[\s*\d[\d\s,;–-]*\]")
MIN_QUOTE_WORDS = 4
MIN_OVERLAP = 0.5
# words that carry no content in a legal answer sentence
_STOP = frozenset(
    (
        "và",
        "của",
        "là",
        "các",
        "cho",
        "được",
        "theo",
        "tại",
        "trong",
        "với",
        "có",
        "không",
        "này",
        "đó",
        "thì",
        "khi",
        "để",
        "một",
        "những",
        "về",
        "từ",
        "do",
        "bị",
        "hoặc",
        "như",
        "phải",
        "đã",
        "sẽ",
        "điều",
        "khoản",
        "điểm",
        "luật",
        "bộ",
        "căn",
        "cứ",
        "quy",
        "định",
        "vì",
        "vậy",
    )
)


def _norm(text: str) -> str:
    return " ".join(normalize_for_index(text).lower().split())


def _content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(_norm(_MARKER.sub(" ", text))) if w not in _STOP]


@dataclass(frozen=True)
class Support:
    supported: int  # claims that cite and are supported
    claims: int  # claims in the answer
    quotes: int  # quoted spans checked
    quotes_verbatim: int  # of those, found verbatim in a cited passage


def citation_validity(answer: Answer) -> tuple[int, int]:
    """(verified, written) citation counts of a generated answer (0, 0 otherwise)."""
    if answer.mode is not AnswerMode.GENERATED:
        return 0, 0
    ok = len(answer.citations)
    return ok, ok + len(answer.unverified)


def _cited_texts(answer: Answer, markers: Sequence[str]) -> list[str]:
    wanted = set(markers)
    out = []
    for c in answer.citations:
        if c.marker in wanted and 1 <= c.passage_index <= len(answer.passages):
            out.append(_norm(answer.passages[c.passage_index - 1].text))
    return out


def support(answer: Answer) -> Support:
    """Claim-level support of a generated answer (all zeros for other modes)."""
    if answer.mode is not AnswerMode.GENERATED:
        return Support(0, 0, 0, 0)
    supported = quotes = verbatim = 0
    for claim in answer.claims:
        cited = _cited_texts(answer, claim.markers)
        spans = [q for q in _QUOTE.findall(claim.text) if len(q.split()) >= MIN_QUOTE_WORDS]
        found = [any(_norm(q.rstrip(" .…")) in t for t in cited) for q in spans]
        quotes += len(spans)
        verbatim += sum(found)
        if not cited:
            continue
        if spans:
            supported += all(found)
            continue
        words = _content_words(claim.text)
        pool = set(_WORD.findall(" ".join(cited)))
        if not words or sum(w in pool for w in words) / len(words) >= MIN_OVERLAP:
            supported += 1
    return Support(supported, len(answer.claims), quotes, verbatim)
