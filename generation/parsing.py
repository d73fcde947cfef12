"""Parse an answer into claims and the citations it makes.

Two kinds of citation are recognised:

* bracket numbers pointing at the numbered context passages: ``[1]``, ``[2][3]``,
  ``[1, 2]``, ``[1-3]``;
* written references to provisions: "khoản 2 Điều 35", "điểm a khoản 1 Điều 36 Bộ luật Lao
  động 2019", via :func:`legal.citations.parse_citations`.

Structured answers (Đúng/Sai, multiple choice) come as JSON: ``label``, ``reasoning``,
``citations`` (passage numbers).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from generation.answer import Claim
from legal.citations import Citation as WrittenCitation
from legal.citations import parse_citations

_BRACKET = re.compile(r"\[\s*(\d{1,3}(?:\s*(?:,|;|-|–)\s*\d{1,3})*)\s*\]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZĐÀ-Ỹ\"“(\[])|\n+")


@dataclass(frozen=True)
class BracketRef:
    marker: str  # "[2]" as written (one number per ref; "[1, 2]" gives two refs)
    number: int
    span: tuple[int, int]


@dataclass(frozen=True)
class WrittenRef:
    marker: str  # the phrase as written: "khoản 2 Điều 35"
    citation: WrittenCitation
    span: tuple[int, int]


@dataclass(frozen=True)
class ParsedAnswer:
    text: str
    claims: tuple[Claim, ...]
    brackets: tuple[BracketRef, ...]
    written: tuple[WrittenRef, ...]


def _numbers(inner: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*[,;]\s*", inner.strip()):
        m = re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", part)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            out.extend(range(lo, hi + 1) if lo <= hi <= lo + 20 else (lo, hi))
        elif part.isdigit():
            out.append(int(part))
    return out


def find_brackets(text: str) -> list[BracketRef]:
    refs: list[BracketRef] = []
    for m in _BRACKET.finditer(text):
        for n in _numbers(m.group(1)):
            refs.append(BracketRef(f"[{n}]", n, m.span()))
    return refs


def find_written(text: str) -> list[WrittenRef]:
    refs: list[WrittenRef] = []
    for c in parse_citations(text):
        if c.article is None:  # "khoản 2 Điều này": no provision to check
            continue
        bits = []
        if c.point:
            bits.append(f"điểm {c.point}")
        if c.clause:
            bits.append(f"khoản {c.clause}")
        bits.append(f"Điều {c.article}")
        if c.law and not (c.law_mention and c.law_mention.self_ref):
            bits.append(" ".join(c.law.split()))
        refs.append(WrittenRef(" ".join(bits), c, c.span))
    return refs


def split_claims(text: str) -> list[tuple[str, tuple[int, int]]]:
    out: list[tuple[str, tuple[int, int]]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        piece = text[start : m.start()]
        if piece.strip():
            out.append((piece.strip(), (start, m.start())))
        start = m.end()
    if text[start:].strip():
        out.append((text[start:].strip(), (start, len(text))))
    return out


def parse_answer(text: str) -> ParsedAnswer:
    brackets = find_brackets(text)
    written = find_written(text)
    claims: list[Claim] = []
    for sentence, (s, e) in split_claims(text):
        markers = [b.marker for b in brackets if s <= b.span[0] < e]
        markers += [w.marker for w in written if s <= w.span[0] < e]
        claims.append(Claim(sentence, tuple(dict.fromkeys(markers))))
    return ParsedAnswer(text, tuple(claims), tuple(brackets), tuple(written))


@dataclass(frozen=True)
class StructuredAnswer:
    label: str | None
    reasoning: str
    citations: tuple[int, ...]
    problem: str | None = None  # why the JSON could not be used as is


def _label(raw: object, allowed: tuple[str, ...]) -> str | None:
    if not isinstance(raw, str):
        return None
    value = raw.strip().strip(".").strip()
    for a in allowed:
        if value.casefold() == a.casefold():
            return a
    # "Đúng." / "A. ..." / "Phương án B"
    m = re.match(r"^(?:phương án\s+)?([A-Da-d])\b", value, re.IGNORECASE)
    if m and m.group(1).upper() in allowed:
        return m.group(1).upper()
    return None


def parse_structured(text: str, allowed_labels: tuple[str, ...]) -> StructuredAnswer:
    """The JSON of a structured answer. Never raises: a broken answer gives ``label=None``
    and a ``problem`` to show as a warning."""
    raw = text.strip()
    m = re.search(r"\{.*\}", raw, re.DOTALL)
    try:
        data = json.loads(m.group(0) if m else raw)
    except ValueError as exc:
        return _salvage(raw, allowed_labels, f"the model's JSON is not valid ({exc})")
    if not isinstance(data, dict):
        return StructuredAnswer(None, raw, (), "the model's JSON is not an object")
    label = _label(data.get("label"), allowed_labels)
    reasoning = str(data.get("reasoning") or "")
    cites: list[int] = []
    for c in data.get("citations") or []:
        if isinstance(c, int) and not isinstance(c, bool):
            cites.append(c)
        elif isinstance(c, str):
            cites.extend(int(x) for x in re.findall(r"\d+", c))
    problem = None
    if label is None:
        problem = f"the label {data.get('label')!r} is not one of {', '.join(allowed_labels)}"
    return StructuredAnswer(label, reasoning, tuple(cites), problem)


def _salvage(raw: str, allowed_labels: tuple[str, ...], problem: str) -> StructuredAnswer:
    """A JSON answer cut short (max_tokens reached): keep the fields that are complete."""
    label_m = re.search(r'"label"\s*:\s*"([^"]*)"', raw)
    label = _label(label_m.group(1), allowed_labels) if label_m else None
    reason_m = re.search(r'"reasoning"\s*:\s*"((?:[^"\\]|\\.)*)', raw)
    reasoning = reason_m.group(1) if reason_m else raw
    cites_m = re.search(r'"citations"\s*:\s*\[([\d,\s]*)\]', raw)
    cites = tuple(int(x) for x in re.findall(r"\d+", cites_m.group(1))) if cites_m else ()
    if label is not None:
        problem = "the model's JSON was cut short; the label was read, the rest may be missing"
    return StructuredAnswer(label, reasoning, cites, problem)
