"""Document metadata from the first page / header lines of a statute.

* issuer: "QUỐC HỘI", "CHÍNH PHỦ", "ỦY BAN THƯỜNG VỤ QUỐC HỘI", "BỘ …" → "Quốc hội", …
* number (số hiệu): "Luật số: 45/2019/QH14", "Số: 44/VBHN-VPQH", "Bộ luật số: …"
* type and title: the all-caps title line, "BỘ LUẬT LAO ĐỘNG" → Bộ luật, "Bộ luật Lao động";
  "VĂN BẢN HỢP NHẤT" / "NGHỊ ĐỊNH" followed by the subject line(s)
* date: "Hà Nội, ngày 20 tháng 11 năm 2019" → 2019-11-20
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from legal.document import DocType

_NUMBER = r"\d+/(?:\d{4}/)?[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)*"
NUMBER_RE = re.compile(r"(?:^|\b)[Ss]ố(?:\s+hiệu)?\s*:?\s*(" + _NUMBER + r")")
DATE_RE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_ISSUERS = (
    "ỦY BAN THƯỜNG VỤ QUỐC HỘI",
    "UỶ BAN THƯỜNG VỤ QUỐC HỘI",
    "VĂN PHÒNG QUỐC HỘI",
    "QUỐC HỘI",
    "THỦ TƯỚNG CHÍNH PHỦ",
    "CHÍNH PHỦ",
    "CHỦ TỊCH NƯỚC",
    "TÒA ÁN NHÂN DÂN TỐI CAO",
    "VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO",
    "NGÂN HÀNG NHÀ NƯỚC VIỆT NAM",
    "HỘI ĐỒNG THẨM PHÁN",
)
_MINISTRY_RE = re.compile(r"^(BỘ\s+(?!LUẬT)[A-ZÀ-ỸĐ ,]+?)(?:\s{2,}|\s+CỘNG HÒA|\s*-|$)")
# type words as printed in the title line, longest first
_TITLE_TYPES: tuple[tuple[str, DocType], ...] = (
    ("VĂN BẢN HỢP NHẤT", DocType.VAN_BAN_HOP_NHAT),
    ("THÔNG TƯ LIÊN TỊCH", DocType.THONG_TU_LIEN_TICH),
    ("HIẾN PHÁP", DocType.HIEN_PHAP),
    ("BỘ LUẬT", DocType.BO_LUAT),
    ("LUẬT", DocType.LUAT),
    ("PHÁP LỆNH", DocType.PHAP_LENH),
    ("NGHỊ QUYẾT", DocType.NGHI_QUYET),
    ("NGHỊ ĐỊNH", DocType.NGHI_DINH),
    ("QUYẾT ĐỊNH", DocType.QUYET_DINH),
    ("THÔNG TƯ", DocType.THONG_TU),
)
_NOT_TITLE = ("CỘNG HÒA", "CỘNG HOÀ", "ĐỘC LẬP", "CÔNG BÁO")


@dataclass(frozen=True)
class HeaderInfo:
    number: str | None
    doc_type: DocType
    title: str | None
    issuer: str | None
    date: str | None
    year: int | None


def _is_caps(text: str) -> bool:
    # no lower-case letter, at least one upper-case one ("CHƯƠNG I", "BỘ LUẬT LAO ĐỘNG")
    return len(text) >= 2 and text == text.upper() and text != text.lower()


def sentence_case_title(caps: str, doc_type: DocType) -> str:
    """'BỘ LUẬT LAO ĐỘNG' → 'Bộ luật Lao động'; 'LUẬT PHÒNG, CHỐNG MA TÚY' → 'Luật Phòng,
    chống ma túy'; 'NGHỊ ĐỊNH QUY ĐỊNH CHI TIẾT …' → 'Nghị định quy định chi tiết …'."""
    words = " ".join(caps.split()).lower()
    type_word = doc_type.value.lower()
    if doc_type is not DocType.OTHER and words.startswith(type_word):
        rest = words[len(type_word) :].strip()
        if doc_type in (DocType.LUAT, DocType.BO_LUAT, DocType.PHAP_LENH):
            rest = rest[:1].upper() + rest[1:]
        return f"{doc_type.value} {rest}".strip()
    return words[:1].upper() + words[1:]


def _issuer(lines: Sequence[str]) -> str | None:
    for i, line in enumerate(lines[:8]):
        up = line.strip()
        for name in _ISSUERS:
            if up.startswith(name):
                return _issuer_name(name)
        m = _MINISTRY_RE.match(up)
        if m and _is_caps(m.group(1)):
            # the whole line up to the national motto: "BỘ LAO ĐỘNG - THƯƠNG BINH"
            name = re.split(r"\s{2,}|\s+CỘNG HÒA|\s+CỘNG HOÀ", up)[0].strip(" -–")
            name = name if _is_caps(name) else m.group(1).strip()
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            if nxt.startswith("VÀ ") and _is_caps(nxt):  # the name's second line: "VÀ XÃ HỘI"
                name = f"{name} {nxt}"
            return ministry_name(name)
    return None


def ministry_name(caps: str) -> str:
    """'BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI' → 'Bộ Lao động - Thương binh và Xã hội'; 'BỘ TƯ
    PHÁP' → 'Bộ Tư pháp': each name part (after "Bộ", a dash or "và") starts upper-case."""
    words = " ".join(caps.split()).lower().split(" ")
    out: list[str] = []
    for j, word in enumerate(words):
        starts = j > 0 and words[j - 1] in ("bộ", "-", "–", "và")
        out.append(word[:1].upper() + word[1:] if j == 0 or starts else word)
    return " ".join(out)


def _issuer_name(caps: str) -> str:
    text = caps.capitalize()
    for proper in ("Quốc hội", "Chính phủ", "Việt Nam", "Nhà nước"):
        text = re.sub(proper, proper, text, flags=re.IGNORECASE)
    return text.replace("Uỷ ban", "Ủy ban")


# "… Hạnh phúc Hà Nội, ngày 12 … THÔNG TƯ Quy định chi tiết … nuôi con ____ Căn cứ …": a PDF
# text layer may run the type word and the subject into one line with the rest of the header
_INLINE_TITLE_RE = re.compile(
    r"\b(THÔNG TƯ LIÊN TỊCH|THÔNG TƯ|NGHỊ ĐỊNH|QUYẾT ĐỊNH|NGHỊ QUYẾT)\s+"
    r"((?:Quy định|Hướng dẫn|Sửa đổi|Ban hành|Về|Bãi bỏ|Quy định chi tiết)\b.+?)"
    r"\s*(?:_{3,}|Căn cứ\b|$)"
)


def _inline_title(lines: Sequence[str]) -> tuple[DocType, str] | None:
    for line in lines:
        m = _INLINE_TITLE_RE.search(line)
        if m:
            kind = next(t for w, t in _TITLE_TYPES if w == m.group(1))
            subject = m.group(2).strip()
            return kind, f"{kind.value} {subject[:1].lower()}{subject[1:]}"
    return None


def read_header(lines: Sequence[str]) -> HeaderInfo:
    """Metadata from the lines before the first Chương/Điều (the first page)."""
    number = None
    for line in lines:
        m = NUMBER_RE.search(line)
        if m:
            number = m.group(1)
            break
    date = None
    year = None
    for line in lines:
        d = DATE_RE.search(line)
        if d and not line.lstrip().startswith(("-", "Căn cứ")):
            day, month, y = (int(g) for g in d.groups())
            date, year = f"{y:04d}-{month:02d}-{day:02d}", y
            break

    doc_type = DocType.OTHER
    title: str | None = None
    for i, line in enumerate(lines):
        text = line.strip()
        if not _is_caps(text) or any(text.startswith(x) for x in _NOT_TITLE):
            continue
        kind = next(
            (t for word, t in _TITLE_TYPES if text == word or text.startswith(word + " ")), None
        )
        if kind is None:
            continue
        doc_type = kind
        title_lines = [text]
        for nxt in lines[i + 1 : i + 4]:
            if not _is_caps(nxt.strip()) or NUMBER_RE.search(nxt):
                break
            title_lines.append(nxt.strip())
        if kind is DocType.VAN_BAN_HOP_NHAT and len(title_lines) > 1:
            inner = " ".join(title_lines[1:])
            inner_type = next((t for w, t in _TITLE_TYPES if inner.startswith(w)), DocType.OTHER)
            title = sentence_case_title(inner, inner_type)
        else:
            title = sentence_case_title(" ".join(title_lines), kind)
        break
    if title is None:
        inline = _inline_title(lines)
        if inline is not None:
            doc_type, title = inline
    if doc_type is DocType.OTHER and number:
        doc_type = DocType.from_number(number)
    if year is None and number:
        in_number = re.search(r"/((?:19|20)\d\d)/", number)
        year = int(in_number.group(1)) if in_number else None
    return HeaderInfo(number, doc_type, title, _issuer(lines), date, year)
