"""Everyday words → the statute's words, for questions asked the way people talk.

Two sources (decided for #14; no question data is used to build either):

* **the statutes themselves** (:meth:`Lexicon.from_statutes`): the terms their "Giải thích
  từ ngữ" articles define ("Người sử dụng lao động là …") and the phrases of their article
  headings. From these come the parties whose rights and duties a heading states ("Nghĩa vụ
  *của người sử dụng lao động* khi …") and the acronyms lawyers write for multi-word terms
  ("HĐLĐ" → "hợp đồng lao động", "NSDLĐ" → "người sử dụng lao động"), built from the terms'
  initials and kept only when unambiguous;
* **a small curated list** (:data:`CURATED`, :data:`PARTY_ALIASES`) of everyday phrasings of
  labour-law situations ("đuổi việc" → "đơn phương chấm dứt hợp đồng lao động", "sa thải";
  "lương tháng 13" → "thưởng"). Every target is statute wording: tests check each one against
  the Labor Code's own text.

Numbers are written the statute's way too: "5 tiếng" → "05 giờ" (:func:`statute_numbers`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from legal.textnorm import fold

# everyday phrase → statute phrases. Matched on folded text, whole words.
CURATED: dict[str, tuple[str, ...]] = {
    "đuổi việc": ("đơn phương chấm dứt hợp đồng lao động", "sa thải"),
    "cho nghỉ việc": ("đơn phương chấm dứt hợp đồng lao động", "sa thải"),
    "cho nghỉ": ("đơn phương chấm dứt hợp đồng lao động",),
    "nghỉ việc": ("đơn phương chấm dứt hợp đồng lao động",),
    "xin nghỉ": ("đơn phương chấm dứt hợp đồng lao động",),
    "cắt giảm nhân sự": ("thay đổi cơ cấu, công nghệ", "cho thôi việc"),
    "lương tháng 13": ("thưởng",),
    "thưởng tết": ("thưởng",),
    "tăng ca": ("làm thêm giờ",),
    "làm thêm": ("làm thêm giờ",),
    "ca đêm": ("làm việc vào ban đêm",),
    "nghỉ phép": ("nghỉ hằng năm",),
    "phép năm": ("nghỉ hằng năm",),
    "có bầu": ("mang thai",),
    "có thai": ("mang thai",),
    "nghỉ đẻ": ("nghỉ thai sản",),
    "nghỉ sinh": ("nghỉ thai sản",),
    "đặt cọc": ("biện pháp bảo đảm bằng tiền",),
    "tiền cọc": ("biện pháp bảo đảm bằng tiền",),
    "cccd": ("giấy tờ tùy thân",),
    "căn cước": ("giấy tờ tùy thân",),
    "chứng minh nhân dân": ("giấy tờ tùy thân",),
    "bằng gốc": ("văn bằng, chứng chỉ",),
    "nợ lương": ("trả lương không đúng thời hạn",),
    "chậm lương": ("trả lương không đúng thời hạn",),
    "trả lương chậm": ("trả lương không đúng thời hạn",),
    "trừ lương": ("khấu trừ tiền lương",),
    "về hưu": ("tuổi nghỉ hưu",),
    "điều chuyển": ("chuyển người lao động làm công việc khác",),
    "nội quy công ty": ("nội quy lao động",),
}

# everyday names of the parties → the party as the statute names it
PARTY_ALIASES: dict[str, str] = {
    "công ty": "người sử dụng lao động",
    "doanh nghiệp": "người sử dụng lao động",
    "chủ doanh nghiệp": "người sử dụng lao động",
    "chủ công ty": "người sử dụng lao động",
    "nhà tuyển dụng": "người sử dụng lao động",
    "sếp": "người sử dụng lao động",
    "hr": "người sử dụng lao động",
    "bộ phận nhân sự": "người sử dụng lao động",
    "phòng nhân sự": "người sử dụng lao động",
    "nlđ": "người lao động",
    "nsdlđ": "người sử dụng lao động",
    "nhân viên": "người lao động",
    "công nhân": "người lao động",
    "người làm công": "người lao động",
    "công đoàn": "tổ chức đại diện người lao động tại cơ sở",
}

_UNITS = r"giờ|tiếng|ngày|tháng|năm|tuần|tuổi"
_NUM_UNIT = re.compile(rf"(?<![\d/.,])(\d{{1,2}})\s*({_UNITS}|h)(?!\w)", re.IGNORECASE)
_OF_PARTY = re.compile(
    r"\bcủa ((?:người|tổ chức|doanh nghiệp|bên|lao động)\b[^,;]*?)"
    r"(?= khi | trong | đối với | về | liên quan|,|;|$)",
    re.IGNORECASE,
)
_GLOSSARY_TERM = re.compile(r"^\s*\d+\.\s*(?P<term>[^.:;]{3,80}?) (?:là|được hiểu là) ")


def statute_numbers(text: str) -> str:
    """'5 tiếng' → '05 giờ', '3 ngày' → '03 ngày': the statute pads one-digit counts."""

    def sub(m: re.Match[str]) -> str:
        unit = m.group(2)
        unit = "giờ" if fold(unit) in ("tieng", "h") else unit
        return f"{int(m.group(1)):02d} {unit}"

    return _NUM_UNIT.sub(sub, text)


def _initials(phrase: str) -> str:
    return "".join(w[0] for w in phrase.split() if w[0].isalpha()).upper()


def _has(folded_text: str, folded_phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(folded_phrase)}(?!\w)", folded_text) is not None


@dataclass(frozen=True)
class Lexicon:
    """Statute vocabulary plus the curated everyday phrases, ready to expand a question."""

    curated: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(CURATED))
    aliases: dict[str, str] = field(default_factory=lambda: dict(PARTY_ALIASES))
    parties: tuple[str, ...] = ()  # statute parties, longest first
    acronyms: dict[str, str] = field(default_factory=dict)  # "HĐLĐ" → "hợp đồng lao động"
    terms: frozenset[str] = frozenset()  # glossary terms and heading phrases (folded)

    @classmethod
    def from_statutes(
        cls, headings: Iterable[str], glossary_clauses: Iterable[str] = ()
    ) -> Lexicon:
        """Parties, acronyms and terms from article headings and glossary clauses."""
        heads = [" ".join(h.split()) for h in headings if h.strip()]
        defined = [
            m.group("term").strip().lower()
            for c in glossary_clauses
            if (m := _GLOSSARY_TERM.match(c))
        ]
        parties = {m.group(1).strip().lower() for h in heads for m in _OF_PARTY.finditer(h)}
        parties |= {t for t in defined if t.split()[0] in ("người", "tổ")}
        # "… của người sử dụng lao động và người lao động": two parties, not one; a bare
        # "doanh nghiệp" is an everyday alias (PARTY_ALIASES), not a party of its own
        parties = {p for p in parties if " và " not in p and p not in PARTY_ALIASES}
        phrases = set(defined) | parties | {h.lower() for h in heads}
        by_acronym: dict[str, set[str]] = {}
        for p in phrases:
            words = re.findall(r"\w+", p)
            for n in range(3, min(len(words), 6) + 1):
                for i in range(len(words) - n + 1):
                    piece = " ".join(words[i : i + n])
                    by_acronym.setdefault(_initials(piece), set()).add(piece)
        preferred = parties | set(defined)
        acronyms: dict[str, str] = {}
        for acro, pieces in by_acronym.items():
            best = pieces if len(pieces) == 1 else pieces & preferred
            if len(best) == 1:
                acronyms[acro] = next(iter(best))
        return cls(
            parties=tuple(sorted(parties, key=lambda p: (-len(p), p))),
            acronyms=acronyms,
            terms=frozenset(fold(p) for p in phrases),
        )

    def expand_acronyms(self, text: str) -> str:
        """'HĐLĐ' → 'hợp đồng lao động' (upper-case tokens of 3+ letters the statutes'
        terms abbreviate unambiguously). An everyday acronym of the curated list keeps its own
        meaning: "CCCD" is a citizen's ID card, not the "căn cứ chấm dứt" of a heading."""
        curated = {fold(k) for k in self.curated}

        def sub(m: re.Match[str]) -> str:
            if fold(m.group(0)) in curated:
                return m.group(0)
            return self.acronyms.get(m.group(0), m.group(0))

        return re.sub(r"\b[A-ZĐ]{3,7}\b", sub, text)

    def expansions(self, text: str) -> list[str]:
        """Statute phrases for the everyday phrases found in ``text`` (not already there)."""
        folded = fold(text)
        out: list[str] = []
        for phrase, targets in self.curated.items():
            if _has(folded, fold(phrase)):
                out.extend(t for t in targets if not _has(folded, fold(t)) and t not in out)
        return out

    def party_mentions(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, statute party) for each party named in ``text`` (offsets into the
        folded text), statute names and everyday aliases; longest match wins, no overlaps."""
        folded = fold(text)
        names = [(fold(p), p) for p in self.parties]
        names += [(fold(a), party) for a, party in self.aliases.items()]
        names.sort(key=lambda x: -len(x[0]))
        taken: list[tuple[int, int]] = []
        found: list[tuple[int, int, str]] = []
        for name, party in names:
            for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
                span = (m.start(), m.end())
                if any(s < span[1] and span[0] < e for s, e in taken):
                    continue
                taken.append(span)
                found.append((m.start(), m.end(), party))
        return sorted(found)

    def title_party(self, title: str) -> str | None:
        """The party whose rights or duties a heading states ('… của người lao động')."""
        m = _OF_PARTY.search(" ".join(title.split()))
        return m.group(1).strip().lower() if m else None
