"""Validity read from the text: effective dates, staggered dates, repeals and replacements.

Where Vietnamese texts say it (Luật Ban hành VBQPPL 2015, Điều 151–154, and drafting
practice): the last article(s), titled "Hiệu lực thi hành" / "Điều khoản thi hành":

* "Bộ luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2021." → ``effective_from``;
  "… có hiệu lực kể từ ngày ký" → the signing date; "… sau 45 ngày kể từ ngày ký" → signing
  date + 45 days; "… kể từ ngày Luật … số X có hiệu lực" → ``relative_to`` X (resolved
  across documents at ingest, :mod:`ingest.validity_sync`);
* staggered dates: "Khoản 3 Điều 29 của Luật này có hiệu lực thi hành từ ngày …",
  "Điều 5 có hiệu lực từ …" → :class:`legal.validity.ProvisionDate`;
* "Bộ luật Lao động số 10/2012/QH13 hết hiệu lực thi hành kể từ ngày Bộ luật này có hiệu
  lực" (each act number before "hết hiệu lực" in the sentence: "… số 23/2000/QH10 đã được
  sửa đổi, bổ sung … theo Luật số 16/2008/QH12 hết hiệu lực …" repeals both), lists ("các
  Thông tư sau đây hết hiệu lực thi hành:" and the points after it), "Luật này thay thế …",
  "Bãi bỏ …" → :class:`legal.validity.Relation`;
* amended clauses of consolidated texts: their footnotes (:mod:`ingest.footnotes`) give the
  date and the amending act (:func:`provision_dates`).

The signing date is the header's (``DocumentMeta.date``); ALQAC law.json files have no
header, so the closing formula "… thông qua ngày 24 tháng 11 năm 2015" is used.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from legal.address import LegalAddress
from legal.citations import parse_citations
from legal.document import AmendmentNote, Article, Document
from legal.validity import Dates, ProvisionDate, Relation, RelationKind, Validity

#: the reading of validity stored with each document; bump it when this module reads more,
#: and the next ``luatqa ingest`` refreshes every indexed document's fields (no re-embedding)
VALIDITY_VERSION = 1
NUMBER = r"\d+/(?:\d{4}/)?[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)*"
_DATE = r"ngày\s+(\d{1,2})\s*(?:tháng\s+|/\s*)(\d{1,2})\s*(?:năm\s+|/\s*)(\d{4})"
_SELF = (
    r"(?:Bộ luật|Luật|Pháp lệnh|Nghị quyết|Nghị định|Thông tư liên tịch|Thông tư|Quyết định|"
    r"Hiến pháp|Văn bản|Lệnh)\s+này"
)
_IN_FORCE = r"(?:chính thức\s+)?có hiệu lực(?:\s+thi hành)?(?:\s+kể)?\s+"
_BASE_RE = re.compile(_SELF + r"\s+" + _IN_FORCE + r"từ\s+" + _DATE, re.IGNORECASE)
_SIGNED_RE = re.compile(_SELF + r"\s+" + _IN_FORCE + r"từ\s+ngày\s+(?:ký|thông qua)", re.IGNORECASE)
_AFTER_RE = re.compile(
    _SELF + r"\s+" + _IN_FORCE.replace(r"(?:\s+kể)?\s+", r"\s+") + r"sau\s+(\d+)\s+ngày,?\s+"
    r"(?:kể\s+)?từ\s+ngày\s+(?:ký|thông qua|công bố)",
    re.IGNORECASE,
)
_RELATIVE_RE = re.compile(
    _SELF + r"\s+" + _IN_FORCE + r"từ\s+ngày\s+[^.;]*?\bsố\s+(" + NUMBER + r")[^.;]*?có hiệu lực",
    re.IGNORECASE,
)
# "Điều 5, Điều 6 và khoản 2 Điều 7 của Luật này có hiệu lực thi hành từ ngày …": the
# provisions named before the date (any list the citation parser reads)
_STAGGERED_RE = re.compile(
    r"(?P<subject>(?:(?:điểm|khoản|điều)\s+[^.;:]*?))(?:\s+của\s+"
    + _SELF
    + r")?\s+"
    + _IN_FORCE
    + r"từ\s+"
    + _DATE,
    re.IGNORECASE,
)
_ACT_RE = re.compile(
    r"(?P<name>(?:Bộ luật|Luật|Pháp lệnh|Nghị quyết|Nghị định|Thông tư liên tịch|Thông tư|"
    r"Quyết định)(?:\s+(?!số\b)[^\s;.]+){0,8}?)?\s*số\s+(?P<number>" + NUMBER + ")"
)
_REPEAL_RE = re.compile(r"hết hiệu lực(?:\s+thi hành)?", re.IGNORECASE)
_REPLACE_RE = re.compile(_SELF + r"\s+thay thế\s+", re.IGNORECASE)
_ABOLISH_RE = re.compile(r"^\s*(?:\d+\.\s*)?Bãi bỏ\s+", re.IGNORECASE)
_CLOSING_DATE_RE = re.compile(r"thông qua\s+" + _DATE, re.IGNORECASE)
_VALIDITY_TITLE_RE = re.compile(r"hiệu lực thi hành|điều khoản thi hành|^hiệu lực$", re.I)


def _iso(m: re.Match[str], first: int = 1) -> str | None:
    day, month, year = (int(m.group(first + i)) for i in range(3))
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _sentences(text: str) -> Iterator[str]:
    for line in text.split("\n"):
        for part in re.split(r"(?<=\.)\s+(?=[A-ZĐÀ-Ỹ])", line):
            if part.strip():
                yield part.strip()


def validity_articles(doc: Document) -> list[Article]:
    """The articles that say when the text takes effect ("Hiệu lực thi hành", "Điều khoản
    thi hành"), among the last five (an article titled "Hiệu lực của di chúc" is law, not
    validity)."""
    return [a for a in doc.articles[-5:] if _VALIDITY_TITLE_RE.search(a.title.strip())]


def signing_date(doc: Document) -> str | None:
    if doc.meta.date:
        return doc.meta.date
    for art in reversed(doc.articles[-3:]):
        m = _CLOSING_DATE_RE.search(art.text)
        if m:
            return _iso(m)
    return None


def read_validity(doc: Document) -> Validity:
    """What ``doc`` says of its own validity (see the module docstring)."""
    signed = signing_date(doc)
    effective: str | None = None
    basis, relative = "", None
    provisions: list[ProvisionDate] = []
    relations: list[Relation] = []
    for art in validity_articles(doc):
        lines = art.text.split("\n")
        for sentence in _sentences(art.text):
            found = _effective(sentence, signed)
            if found is not None and effective is None and relative is None:
                effective, relative, basis = found[0], found[1], sentence
            provisions.extend(_staggered(sentence, doc.doc_id))
        relations.extend(_relations(lines))
    relations = [
        r if r.effective or r.kind is RelationKind.AMENDS else _with_date(r, effective)
        for r in relations
    ]
    return Validity(signed, effective, basis, relative, tuple(provisions), tuple(relations))


def _with_date(r: Relation, effective: str | None) -> Relation:
    return Relation(r.kind, r.number, r.name, effective, r.text)


def _effective(sentence: str, signed: str | None) -> tuple[str | None, str | None] | None:
    """(date, act it is relative to) from a sentence stating the text's own date, else None."""
    m = _BASE_RE.search(sentence)
    if m:
        return _iso(m), None
    m = _AFTER_RE.search(sentence)
    if m and signed:
        days = int(m.group(1))
        return (dt.date.fromisoformat(signed) + dt.timedelta(days=days)).isoformat(), None
    if _SIGNED_RE.search(sentence):
        return signed, None
    m = _RELATIVE_RE.search(sentence)
    if m:
        return None, m.group(1)
    return None


def _staggered(sentence: str, doc_id: str) -> Iterator[ProvisionDate]:
    for m in _STAGGERED_RE.finditer(sentence):
        date = _iso(m, 2)
        if date is None:
            continue
        for c in parse_citations(m.group("subject")):
            lm = c.law_mention
            if c.article is None or c.this_article or (lm is not None and not lm.self_ref):
                continue  # "Điều này", another act's provisions
            yield ProvisionDate(LegalAddress(doc_id, c.article, c.clause, c.point), date, sentence)


def _acts(text: str) -> list[tuple[str, str]]:
    """(name as written, number) of each act named "… số X" in ``text``."""
    out = []
    for m in _ACT_RE.finditer(text):
        name = " ".join((m.group("name") or "").split())
        out.append((name, m.group("number")))
    return out


def _relations(lines: list[str]) -> list[Relation]:
    """Repeals, replacements and abolitions written in a validity article's paragraphs."""
    out: list[Relation] = []
    listing = False  # inside "… các Thông tư sau đây hết hiệu lực thi hành:" + points
    for line in lines:
        if listing and re.match(r"^[a-zđ]\)\s", line):
            acts = _acts(line)[:1]  # the act the point names, not the acts it mentions
            out += [Relation(RelationKind.REPEALS, n, name, None, line) for name, n in acts]
            continue
        listing = False
        for sentence in _sentences(line):
            rep = _REPEAL_RE.search(sentence)
            if rep and sentence.rstrip().endswith(":"):
                listing = True
                continue
            if rep:
                when = re.search(r"từ\s+" + _DATE, sentence[rep.end() :], re.IGNORECASE)
                date = _iso(when) if when else None
                acts = _acts(sentence[: rep.start()])
                out += [Relation(RelationKind.REPEALS, n, nm, date, sentence) for nm, n in acts]
            elif _REPLACE_RE.search(sentence) or _ABOLISH_RE.search(sentence):
                acts = _acts(sentence)[:1]
                kind = (
                    RelationKind.REPLACES
                    if _REPLACE_RE.search(sentence)
                    else (RelationKind.REPEALS)
                )
                out += [Relation(kind, n, nm, None, sentence) for nm, n in acts]
    return _unique(out)


def _unique(relations: list[Relation]) -> list[Relation]:
    seen: set[str] = set()
    out = []
    for r in relations:
        if r.number not in seen:
            seen.add(r.number)
            out.append(r)
    return out


def amendment_dates(notes: tuple[AmendmentNote, ...], base: Dates) -> Dates:
    """A provision's dates given its amendment footnotes: the latest note with a date wins
    (a clause amended twice reads as its last amendment); a clause *added* ("bổ sung" alone)
    starts then."""
    dated = [n for n in notes if n.effective or n.by_document]
    if not dated:
        return base
    last = max(dated, key=lambda n: n.effective or "")
    start = base.effective_from
    if last.action == "bổ sung" and last.effective:
        start = last.effective
    return Dates(start, base.effective_to, base.replaced_by, last.effective, last.by_document)
