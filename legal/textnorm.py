"""Vietnamese text normalisation for *indexing and matching* (never for display).

* Unicode NFC (PDFs and old files often carry decomposed diacritics).
* One tone placement: the old style "hoà, thuỷ, khoẻ" and the new style "hòa, thủy, khỏe" are
  both written in the wild; NFC does not unify them. We map to the style underthesea's
  ``text_normalize`` produces (tone on the first vowel of open "oa", "oe", "uy": hòa, khỏe,
  thủy), but without its re-spacing of punctuation, so character offsets stay meaningful.
* ``fold`` strips diacritics (and đ→d) for diacritic-insensitive matching of citations such as
  "dieu 35 khoan 2".
"""

from __future__ import annotations

import re
import unicodedata

# combining tone marks (grave, acute, hook, tilde, dot below)
_TONES = "\u0300\u0301\u0309\u0303\u0323"
_LETTER = r"a-zA-ZÀ-ỹĐđ"


def _retone(match: re.Match[str]) -> str:
    first, second = match.group(1), match.group(2)
    decomposed = unicodedata.normalize("NFD", second)
    tone = next((c for c in decomposed if c in _TONES), "")
    base = unicodedata.normalize("NFC", decomposed.replace(tone, ""))
    return unicodedata.normalize("NFC", first + tone) + base


# An open syllable ending in o+a, o+e or u+y (not after q: "quý" is already right), with the
# tone on the second vowel, e.g. "hoà", "khoẻ", "thuỷ".
_PATTERN = re.compile(
    r"(?<![qQ])"  # "quý", "quỳnh" keep their tone
    r"([oOuU])"
    r"([àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸỳýỷỹỵỲÝỶỸỴ])"
    rf"(?![{_LETTER}])"
)


def _valid_pair(m: re.Match[str]) -> bool:
    first = m.group(1).lower()
    base = unicodedata.normalize("NFD", m.group(2))[0].lower()
    return (first == "o" and base in "ae") or (first == "u" and base == "y")


def normalize_tones(text: str) -> str:
    return _PATTERN.sub(lambda m: _retone(m) if _valid_pair(m) else m.group(0), text)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def normalize_for_index(text: str) -> str:
    """NFC + unified tone placement. Keeps length-changing edits to a minimum."""
    return normalize_tones(nfc(text))


def fold(text: str) -> str:
    """Lowercase, strip all diacritics, đ→d: 'Điều 35 khoản 2' → 'dieu 35 khoan 2'."""
    t = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    t = "".join(c for c in t if not unicodedata.combining(c))
    return t.lower()
