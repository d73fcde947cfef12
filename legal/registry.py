"""Which law is meant: names, years, numbers and abbreviations of Vietnamese codes and laws.

The built-in list (``legal/registry.yaml``) knows the major codes and the ALQAC laws. At run
time it is extended with the documents actually in the index (:meth:`LawRegistry.with_documents`)
and the index's document ids win: "BLDS" resolves to ``91/2015/QH13`` in an index built from
ALQAC 2022 and to ``Bộ luật dân sự`` in one built from ALQAC 2024.

Matching is case- and diacritic-insensitive: "bo luat lao dong", "BLLĐ", "blld 2019",
"Luật số 45/2019/QH14" and "Bộ luật Lao động năm 2019" all name the Labor Code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from legal.document import DocType, DocumentMeta
from legal.errors import ConfigError
from legal.textnorm import fold

REGISTRY_FILE = Path(__file__).with_name("registry.yaml")

_YEAR_RE = re.compile(r"(?:\bnam\s+)?\b((?:19|20)\d\d)\s*$")
_NUMBER_RE = re.compile(r"\d+(?:/\d{4})?/[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_TYPE_PREFIX_RE = re.compile(
    r"^(?:(?:bo luat|luat|hien phap|nghi dinh|nghi quyet|thong tu lien tich|thong tu|"
    r"phap lenh|quyet dinh|van ban hop nhat|van ban)\s+)?(?:so\s*:?\s*)?"
)
_PUNCT_RE = re.compile(r"[^\w/\-]+")


def norm_mention(text: str) -> str:
    """Folded, punctuation-free, single-spaced: 'Luật Phòng, chống' → 'luat phong chong'."""
    return " ".join(_PUNCT_RE.sub(" ", fold(text)).split())


def norm_number(text: str) -> str:
    return fold(text).strip().replace(" ", "")


@dataclass(frozen=True)
class LawEntry:
    key: str
    title: str  # "Bộ luật Lao động"
    year: int | None = None
    numbers: tuple[str, ...] = ()  # số hiệu, the original text's first
    abbreviations: tuple[str, ...] = ()
    years: tuple[int, ...] = ()  # every year it is called by (BLHS: 2015 and 2017)
    doc_type: str = ""
    doc_ids: tuple[str, ...] = ()  # ids of this law in the index (set by with_documents)

    @property
    def canonical_id(self) -> str:
        """The id used when the law is not in the index: its number, else its title."""
        if self.doc_ids:
            return self.doc_ids[0]
        return self.numbers[0] if self.numbers else self.title

    @property
    def label(self) -> str:
        return f"{self.title} {self.year}" if self.year else self.title

    @property
    def short(self) -> str:
        if not self.abbreviations:
            return self.label
        return f"{self.abbreviations[0]} {self.year}" if self.year else self.abbreviations[0]

    def all_years(self) -> tuple[int, ...]:
        return self.years or ((self.year,) if self.year else ())


@dataclass(frozen=True)
class LawRegistry:
    entries: tuple[LawEntry, ...]
    indexed: frozenset[str] = field(default_factory=frozenset)  # doc ids in the index

    # ---- construction ----------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path = REGISTRY_FILE) -> LawRegistry:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"cannot read the law registry: {exc}", path=path) from exc
        laws = data.get("laws") if isinstance(data, dict) else None
        if not isinstance(laws, list):
            raise ConfigError("the law registry needs a 'laws' list", path=path)
        return cls(tuple(_entry(item, path) for item in laws))

    def with_documents(self, metas: Iterable[DocumentMeta]) -> LawRegistry:
        """A registry that also knows the indexed documents; their ids win when resolving."""
        entries = list(self.entries)
        indexed = set(self.indexed)
        for meta in metas:
            indexed.add(meta.doc_id)
            i = self._match_meta(entries, meta)
            if i is None:
                entries.append(
                    LawEntry(
                        key=f"doc:{meta.doc_id}",
                        title=meta.title or meta.doc_id,
                        year=meta.year,
                        numbers=(meta.number,) if meta.number else (),
                        doc_type=meta.doc_type.value,
                        doc_ids=(meta.doc_id,),
                    )
                )
                continue
            e = entries[i]
            numbers = e.numbers
            if meta.number and norm_number(meta.number) not in {norm_number(n) for n in numbers}:
                numbers = (*numbers, meta.number)
            if meta.doc_id not in e.doc_ids:
                entries[i] = replace(e, doc_ids=(*e.doc_ids, meta.doc_id), numbers=numbers)
        return LawRegistry(tuple(entries), frozenset(indexed))

    @staticmethod
    def _match_meta(entries: list[LawEntry], meta: DocumentMeta) -> int | None:
        ids = {norm_number(x) for x in (meta.doc_id, meta.number) if x}
        for i, e in enumerate(entries):
            if ids & {norm_number(n) for n in e.numbers}:
                return i
        title = norm_mention(meta.title or meta.doc_id)
        year_m = _YEAR_RE.search(title)
        year = meta.year or (int(year_m.group(1)) if year_m else None)
        if year_m:
            title = title[: year_m.start()].strip()
        same = [i for i, e in enumerate(entries) if norm_mention(e.title) == title]
        if year is not None:
            same = [i for i in same if year in entries[i].all_years()]
        if not same:
            return None
        # no year: an index holds the current law, so the most recent one
        return max(same, key=lambda i: entries[i].year or 0)

    # ---- resolution ---------------------------------------------------------------------
    def candidates(self, mention: str) -> list[LawEntry]:
        """Entries a mention may name, best first (indexed first, then most recent)."""
        text = norm_mention(mention)
        if not text:
            return []
        year: int | None = None
        m = _YEAR_RE.search(text)
        if m and m.start() > 0:
            year = int(m.group(1))
            text = text[: m.start()].strip()
        bare = _TYPE_PREFIX_RE.sub("", text, count=1).strip()
        found: list[LawEntry] = []
        if _NUMBER_RE.fullmatch(bare):
            num = norm_number(bare)
            found = [e for e in self.entries if num in {norm_number(n) for n in e.numbers}]
            found += [
                e
                for e in self.entries
                if e not in found and num in {norm_number(d) for d in e.doc_ids}
            ]
        else:
            squashed = text.replace(" ", "")
            found = [
                e
                for e in self.entries
                if norm_mention(e.title) == text
                or any(norm_mention(d) == text for d in e.doc_ids)
                or any(fold(a) == squashed for a in e.abbreviations)
            ]
            if year is not None:
                found = [e for e in found if year in e.all_years() or not e.all_years()]
        indexed = [e for e in found if e.doc_ids]
        if self.indexed and indexed:
            found = indexed
        return sorted(found, key=lambda e: (not e.doc_ids, -(e.year or 0)))

    def resolve_all(self, mention: str) -> list[str]:
        """Every document id the mention may name (an index's ids when it holds the law)."""
        out: list[str] = []
        for e in self.candidates(mention):
            for d in e.doc_ids or (e.canonical_id,):
                if d not in out:
                    out.append(d)
        if not out:
            bare = _TYPE_PREFIX_RE.sub("", norm_mention(mention), count=1).strip()
            if _NUMBER_RE.fullmatch(bare):
                # an unknown number is its own id
                m = _NUMBER_RE.search(fold(mention).replace(" ", ""))
                if m:
                    start = m.start()
                    raw = "".join(mention.split())
                    return [raw[start : start + len(m.group(0))].upper()]
        return out

    def resolve(self, mention: str) -> str | None:
        """The one document id the mention names, or None when unknown or ambiguous.

        Without an index, a title without year names the most recent law of that name."""
        cands = self.candidates(mention)
        if not cands:
            ids = self.resolve_all(mention)
            return ids[0] if len(ids) == 1 else None
        in_index = [e for e in cands if e.doc_ids]
        if in_index:
            distinct = {d for e in in_index for d in e.doc_ids}
            return in_index[0].doc_ids[0] if len(distinct) == 1 else None
        years = {e.year for e in cands}
        if len(cands) > 1 and len(years) < len(cands):
            return None
        return cands[0].canonical_id

    # ---- display ------------------------------------------------------------------------
    def entry(self, doc_id: str) -> LawEntry | None:
        for e in self.entries:
            if doc_id in e.doc_ids:
                return e
        key = norm_number(doc_id)
        for e in self.entries:
            if key in {norm_number(n) for n in e.numbers}:
                return e
        return None

    def label(self, doc_id: str) -> str:
        """'Bộ luật Lao động 2019' (the id itself when the law is unknown)."""
        e = self.entry(doc_id)
        return e.label if e else doc_id

    def short(self, doc_id: str) -> str:
        """'BLLĐ 2019' (the label when the law has no usual abbreviation)."""
        e = self.entry(doc_id)
        return e.short if e else doc_id

    def surface_forms(self) -> tuple[str, ...]:
        """Folded names and abbreviations, longest first (for the citation matcher)."""
        return _surface_forms(self.entries)


@lru_cache(maxsize=32)
def _surface_forms(entries: tuple[LawEntry, ...]) -> tuple[str, ...]:
    forms: set[str] = set()
    for e in entries:
        forms.add(norm_mention(e.title))
        for d in e.doc_ids:
            if not _NUMBER_RE.fullmatch(norm_number(d)):
                forms.add(norm_mention(d))
        for a in e.abbreviations:
            forms.add(fold(a))
    forms.discard("")
    return tuple(sorted(forms, key=lambda f: (-len(f), f)))


def _entry(item: Any, path: Path) -> LawEntry:
    if not isinstance(item, dict) or not item.get("title") or not item.get("key"):
        raise ConfigError(f"a registry entry needs 'key' and 'title': {item!r}", path=path)
    title = str(item["title"])
    return LawEntry(
        key=str(item["key"]),
        title=title,
        year=int(item["year"]) if item.get("year") else None,
        numbers=tuple(str(n) for n in item.get("numbers") or ()),
        abbreviations=tuple(str(a) for a in item.get("abbreviations") or ()),
        years=tuple(int(y) for y in item.get("years") or ()),
        doc_type=str(item.get("type") or DocType.from_text(title).value),
    )


@lru_cache(maxsize=1)
def default_registry() -> LawRegistry:
    """The built-in registry (no index documents)."""
    return LawRegistry.load()
