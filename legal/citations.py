"""Citations written in Vietnamese legal text and in questions.

``parse_citations`` finds every "điểm a khoản 2 Điều 35 Bộ luật Lao động 2019"-like phrase,
with lists ("khoản 1, 2 và 3 Điều 36", "Điều 35, 36 và 37"), ranges ("Điều 35 đến Điều 37"),
either order ("Điều 35 khoản 2"), short forms ("Đ.35", "k2 Đ35"), missing diacritics
("dieu 35 khoan 2") and the law named after ("của Luật số 45/2019/QH14", "BLLĐ",
"Bộ luật này") or just before ("Bộ luật Lao động 2019, điểm b khoản 1 Điều 20").

``find_references`` turns the citations inside a provision into
:class:`legal.document.CrossReference` objects ("Bộ luật này" → the document itself).

Regex based and fast: it runs on every clause at ingest. Matching happens on a folded copy of
the text (lower case, no diacritics, same length), so spans index the NFC input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from legal.address import LegalAddress
from legal.document import CrossReference
from legal.errors import CitationError
from legal.registry import LawRegistry, default_registry, norm_mention
from legal.textnorm import fold

# ---- folding that keeps offsets ---------------------------------------------------------------


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    f = fold(c)
    return f if len(f) == 1 else c.lower() if len(c.lower()) == 1 else c


class _FoldTable(dict[int, str]):
    def __missing__(self, key: int) -> str:
        value = _fold_char(chr(key))
        self[key] = value
        return value


_TABLE = _FoldTable()


def fold_keep_length(text: str) -> str:
    """Lowercase and strip diacritics one character for one character."""
    return text.translate(_TABLE)


# ---- the grammar (on folded text) ------------------------------------------------------------

_SEP = r"(?:\s*(?:,|;|&|\bva\b|\bhoac\b|\bva\s+cac\b)\s*)+"
_RANGE = r"\s*(?:\bden\b|\btoi\b|-|–)\s*"
_ART_KW = r"(?:\bdieu\b|\bd\.\s*|\bd(?=\d))"
_CL_KW = r"(?:\bkhoan\b|\bk\.\s*|\bk(?=\d))"
_PT_KW = r"(?:\bdiem\b)"
_NUM = r"\d{1,4}[a-z]?(?![\w/])"
_LET = r"[a-z]\d?(?![\w/])"


def _items(kw: str, item: str) -> str:
    # "1, 2 và 3", "1 và khoản 2", "35 đến Điều 37"
    return rf"{item}(?:(?:{_SEP}|{_RANGE})(?:{kw}\s*)?{item})*"


_ARTS = rf"{_ART_KW}\s*(?:(?P<art_this>nay\b)|(?P<arts>{_items(_ART_KW, _NUM)}))"
_CLS = rf"{_CL_KW}\s*(?P<cls>{_items(_CL_KW, _NUM)})"
_PTS = rf"{_PT_KW}\s*(?P<pts>{_items(_PT_KW, _LET)})"
_GLUE = r"\s*,?\s*(?:(?:cua|tai|thuoc|trong)\s+)?"

# lawyer order (small to big) and the reverse (Điều 35 khoản 2 điểm a)
_FORWARD = re.compile(rf"(?:{_PTS}{_GLUE})?(?:{_CLS}{_GLUE})?{_ARTS}")
_REVERSE = re.compile(rf"{_ART_KW}\s*(?P<arts>{_NUM}){_GLUE}{_CLS}(?:{_GLUE}{_PTS})?")

_DOC_TYPES = (
    r"bo luat|luat|hien phap|nghi dinh|nghi quyet|thong tu lien tich|thong tu|phap lenh|"
    r"quyet dinh|van ban hop nhat|chi thi|sac lenh"
)
_SELF_LAW = re.compile(rf"\b(?:{_DOC_TYPES}|van ban)\s+nay\b")
_NUMBER = re.compile(
    rf"(?:\b(?:{_DOC_TYPES})\s+)?(?:\bso\s*:?\s*)?"
    r"(?P<num>\b\d{1,4}(?:/\d{4})?/[a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?![\w/])"
)
_YEAR_TAIL = r"(?:\s*,?\s*(?:\bnam\s+)?(?P<year>(?:19|20)\d\d)\b)?"
# words that end a law's name: with diacritics, and folded for text typed without them
_STOP_TEXT = (
    "thì là có được về của năm khi nếu theo và hoặc tại không phải này cho sẽ đã đang bị "
    "trong với đến từ mà như những các một số sau trước điều khoản điểm hiện hành sửa đổi "
    "bổ sung"
)
_STOP_WORDS = _STOP_TEXT.split()
_STOP = frozenset(_STOP_WORDS)
_STOP_FOLDED = frozenset(fold(w) for w in _STOP_WORDS) - {"do", "thi"}
_GENERIC = re.compile(rf"\b(?P<kind>{_DOC_TYPES})\s+(?P<rest>[a-z][a-z ]{{0,60}})")


@dataclass(frozen=True)
class LawMention:
    """A law named in text: "Bộ luật này", "45/2019/QH14", "BLLĐ", "Luật Đất đai năm 2013"."""

    text: str
    span: tuple[int, int]
    self_ref: bool = False  # "Bộ luật này", "Luật này"
    number: str | None = None  # when written by number
    year: int | None = None


@dataclass(frozen=True)
class Citation:
    """One cited provision. A phrase naming several ("khoản 1, 2 và 3 Điều 36") gives one
    Citation per provision, all with the phrase's span and raw text."""

    article: str | None  # None with this_article ("khoản 2 Điều này")
    clause: str | None
    point: str | None
    law: str | None  # the law as written ("Bộ luật này", "45/2019/QH14", "BLLĐ"), or None
    span: tuple[int, int]
    raw: str
    this_article: bool = False
    law_mention: LawMention | None = None

    def address(self, doc: str, self_article: str | None = None) -> LegalAddress:
        article = self_article if self.this_article else self.article
        if article is None:
            raise CitationError(f"{self.raw!r} names no article")
        return LegalAddress(doc, article, self.clause, self.point)


# ---- law mentions ---------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _known_names_re(forms: tuple[str, ...]) -> re.Pattern[str]:
    alts = "|".join(re.escape(f).replace(r"\ ", r"[\s,]+") for f in forms)
    return re.compile(rf"\b(?P<name>{alts}){_YEAR_TAIL}(?![\w/])")


def find_law_mentions(text: str, registry: LawRegistry | None = None) -> list[LawMention]:
    """Laws named in ``text``, left to right, non-overlapping (longest wins)."""
    text = unicodedata.normalize("NFC", text)
    folded = fold_keep_length(text)
    return _law_mentions(text, folded, registry or default_registry())


def _law_mentions(text: str, folded: str, registry: LawRegistry) -> list[LawMention]:
    found: list[LawMention] = []

    def add(start: int, end: int, **kw: object) -> None:
        found.append(LawMention(text[start:end], (start, end), **kw))  # type: ignore[arg-type]

    for m in _SELF_LAW.finditer(folded):
        add(m.start(), m.end(), self_ref=True)
    for m in _NUMBER.finditer(folded):
        s, e = m.span("num")
        add(m.start(), m.end(), number="".join(text[s:e].split()).upper())
    forms = registry.surface_forms()
    if forms:
        for m in _known_names_re(forms).finditer(folded):
            year = int(m.group("year")) if m.group("year") else None
            add(m.start(), m.end(), year=year)
    for m in _GENERIC.finditer(folded):
        first = m.start("rest")
        words = m.group("rest").split(" ")
        originals = text[first : m.end("rest")].lower().split(" ")
        # the name: words up to the first function word; needs a capital in the original
        name: list[str] = []
        for i, (w, orig) in enumerate(zip(words, originals, strict=True)):
            if not w or len(name) >= 6 or orig in _STOP:
                break
            if orig == w and w in _STOP_FOLDED:  # typed without diacritics
                break
            if w == "quy" and i + 1 < len(words) and words[i + 1] == "dinh":
                break  # "quy dinh"
            name.append(w)
        if not name:
            continue
        if not text[first].isupper():
            continue
        end = first + len(" ".join(name))
        tail = re.match(_YEAR_TAIL, folded[end:])
        year = None
        if tail and tail.group("year"):
            year = int(tail.group("year"))
            end += tail.end()
        add(m.start(), end, year=year)
    # keep the longest of overlapping mentions
    found.sort(key=lambda x: (x.span[0], -(x.span[1] - x.span[0])))
    out: list[LawMention] = []
    for lm in found:
        if out and lm.span[0] < out[-1].span[1]:
            continue
        out.append(lm)
    return out


# ---- citations ------------------------------------------------------------------------------


def _split(text: str, kw: str) -> list[str]:
    """'1, 2 và 3' → ['1','2','3']; '35 đến Điều 37' → ['35','36','37']."""
    tokens = re.findall(rf"{_RANGE}|\d{{1,4}}[a-z]?|\b[a-z]\d?\b", text)
    out: list[str] = []
    pending_range = False
    for tok in tokens:
        t = tok.strip()
        if not t:
            continue
        if t in {"den", "toi", "-", "–"}:
            pending_range = True
            continue
        if t in {"va", "k", "d"}:
            continue
        if pending_range and out and out[-1].isdigit() and t.isdigit():
            lo, hi = int(out[-1]), int(t)
            if lo < hi <= lo + 50:
                out.extend(str(i) for i in range(lo + 1, hi + 1))
                pending_range = False
                continue
        pending_range = False
        out.append(t)
    return out


def _letters(text: str, start: int, m_text: str) -> list[str]:
    """Point letters keep đ: read them from the original text."""
    out = []
    for lm in re.finditer(r"(?<![\w])[a-z]\d?(?![\w/])", m_text):
        raw = text[start + lm.start() : start + lm.end()].lower()
        if lm.group(0) in {"va"}:
            continue
        out.append(raw)
    return out


def parse_citations(text: str, registry: LawRegistry | None = None) -> list[Citation]:
    """Every cited provision in ``text``, left to right."""
    text = unicodedata.normalize("NFC", text)
    folded = fold_keep_length(text)
    reg = registry or default_registry()
    mentions = _law_mentions(text, folded, reg)
    matches: list[tuple[int, int, re.Match[str]]] = []
    for rx in (_FORWARD, _REVERSE):
        for m in rx.finditer(folded):
            # "Đ35"/"Đ.35" short forms need a real Đ, not a d
            if not _short_ok(text, folded, m):
                continue
            matches.append((m.start(), m.end(), m))
    matches.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    chosen: list[re.Match[str]] = []
    last_end = -1
    for s, e, m in matches:
        if s < last_end:
            continue
        chosen.append(m)
        last_end = e
    out: list[Citation] = []
    for m in chosen:
        law = _attach_law(folded, m.start(), m.end(), mentions)
        start, end = m.start(), m.end()
        if law is not None:
            start, end = min(start, law.span[0]), max(end, law.span[1])
        raw = text[start:end]
        gd = m.groupdict()
        this_article = bool(gd.get("art_this"))
        arts: list[str | None] = [None] if this_article else list(_split(gd["arts"], "d"))
        cls: list[str | None] = list(_split(gd["cls"], "k")) if gd.get("cls") else [None]
        pts: list[str | None] = (
            list(_letters(text, m.start("pts"), gd["pts"])) if gd.get("pts") else [None]
        )
        qualified = len(arts) if this_article else _qualified(gd["arts"], len(arts))
        for i, a in enumerate(arts):
            for c in cls if i < qualified else [None]:
                for p in pts if i < qualified else [None]:
                    out.append(
                        Citation(
                            article=a,
                            clause=c,
                            point=p,
                            law=law.text if law else None,
                            span=(start, end),
                            raw=raw,
                            this_article=this_article,
                            law_mention=law,
                        )
                    )
    return out


_NEXT_ARTICLE = re.compile(rf"{_SEP}{_ART_KW}")


def _qualified(arts: str, n: int) -> int:
    """How many of the listed articles the clause and point apply to: all of "khoản 1 Điều
    3, 4", but only the first of "điểm a khoản 1 Điều 145; Điều 162" — the article word
    written again starts a citation of its own (the whole Điều 162)."""
    m = _NEXT_ARTICLE.search(arts)
    return len(_split(arts[: m.start()], "d")) if m else n


def _short_ok(text: str, folded: str, m: re.Match[str]) -> bool:
    s = m.start()
    # find the article keyword inside the match: a bare "d" must be an "Đ" in the original
    for km in re.finditer(r"\bd(?=[\.\s]*\d)", folded[s : m.end()]):
        if text[s + km.start()] not in "Đđ":
            return False
    return True


_AFTER_GAP = re.compile(r"\s*[,(]?\s*(?:(?:cua|tai|thuoc|trong|theo)\s+)?$")
_BEFORE_GAP = re.compile(r"^\s*(?:[,:;\-–]\s*)?(?:(?:tai|theo|quy dinh tai)\s+)?$")


def _attach_law(folded: str, start: int, end: int, mentions: list[LawMention]) -> LawMention | None:
    for lm in mentions:
        if lm.span[0] >= end and lm.span[0] - end <= 12:
            if _AFTER_GAP.fullmatch(folded[end : lm.span[0]]) or folded[end : lm.span[0]] == "":
                return lm
            break
    for lm in reversed(mentions):
        if lm.span[1] <= start and start - lm.span[1] <= 20:
            if lm.self_ref:
                return None
            if _BEFORE_GAP.match(folded[lm.span[1] : start]):
                return lm
            break
    return None


# ---- cross-references -----------------------------------------------------------------------


def find_references(
    text: str,
    self_doc: str,
    self_article: str | None,
    registry: LawRegistry | None = None,
) -> list[CrossReference]:
    """Cross-references written inside a provision of ``self_doc`` (article ``self_article``).

    "Bộ luật này"/"Luật này" or no law → ``self_doc``; "Điều này" → ``self_article``; a law by
    number → external, that number; by name → resolved through the registry, else external
    with the name as document."""
    reg = registry or default_registry()
    out: list[CrossReference] = []
    seen: set[str] = set()
    for c in parse_citations(text, reg):
        if c.this_article and self_article is None:
            continue
        doc, external = self_doc, False
        lm = c.law_mention
        if lm is not None and not lm.self_ref:
            if lm.number is not None:
                doc = reg.resolve(lm.number) or lm.number
            else:
                doc = reg.resolve(lm.text) or " ".join(lm.text.split())
            external = doc != self_doc
        try:
            target = c.address(doc, self_article)
        except CitationError:
            continue
        key = target.canonical
        if key in seen:
            continue
        seen.add(key)
        out.append(CrossReference(text=c.raw, target=target, external=external))
    return out


def mention_key(text: str) -> str:
    """Normalised law mention, for grouping mentions that name the same law."""
    return norm_mention(text)
