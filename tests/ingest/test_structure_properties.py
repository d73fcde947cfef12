"""Property-based tests (hypothesis) of the structure parser (ingest/structure.py through the
text reader): a statute generated from a random tree and written out as text parses back
to the same tree; any text at all parses or fails with our own error, never a crash."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.cleaning import _CONNECTORS as CONNECTORS
from ingest.readers.text import parse_text
from legal.errors import LuatqaError

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = (
    "người",
    "lao",
    "động",
    "sử",
    "dụng",
    "hợp",
    "đồng",
    "tiền",
    "lương",
    "thời",
    "giờ",
    "làm",
    "việc",
    "nghỉ",
    "ngơi",
    "bảo",
    "hiểm",
    "xã",
    "hội",
    "quyền",
    "nghĩa",
    "vụ",
    "trách",
    "nhiệm",
    "cơ",
    "quan",
    "tổ",
    "chức",
    "doanh",
    "nghiệp",
    "thỏa",
    "thuận",
    "trường",
    "hợp",
    "được",
    "phải",
    "không",
    "quá",
    "theo",
    "quy",
    "định",
    "của",
    "pháp",
    "luật",
    "thực",
    "hiện",
    "bảo",
    "đảm",
    "an",
    "toàn",
)
ROMAN = ["I", "II", "III", "IV", "V"]
LETTERS = "abcdđeg"


@dataclass(frozen=True)
class Art:
    title: str
    clauses: tuple[tuple[str, tuple[str, ...]], ...]  # (clause text, point texts)


def _sentence(min_words: int = 3) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(WORDS), min_size=min_words, max_size=12).map(" ".join)


# a title ending on a connector ("… của") continues on the next line by design
# (ingest/cleaning.py): such titles are the wrapped-title layout, tested apart
titles = (
    _sentence(2)
    .filter(lambda s: s.rsplit(" ", 1)[-1] not in CONNECTORS)
    .map(lambda s: s[0].upper() + s[1:])
)
clauses = st.tuples(_sentence(), st.lists(_sentence(), max_size=3).map(tuple))
articles = st.builds(Art, titles, st.lists(clauses, max_size=4).map(tuple))
statutes = st.lists(st.lists(articles, min_size=1, max_size=4), min_size=1, max_size=3)


def render(chapters: list[list[Art]]) -> str:
    lines = ["QUỐC HỘI", "Luật số: 12/2020/QH14", "LUẬT THỬ NGHIỆM", ""]
    n = 0
    for c, arts in enumerate(chapters):
        lines += [f"Chương {ROMAN[c]}", f"QUY ĐỊNH PHẦN {c + 1}", ""]
        for art in arts:
            n += 1
            lines.append(f"Điều {n}. {art.title}")
            if not art.clauses:
                lines.append(f"Nội dung {art.title.lower()} của điều này.")
            for k, (text, points) in enumerate(art.clauses, 1):
                lines.append(f"{k}. {text}{':' if points else '.'}")
                lines += [f"{LETTERS[i]}) {p};" for i, p in enumerate(points)]
            lines.append("")
    return "\n".join(lines)


@SETTINGS
@given(statutes)
def test_a_written_out_statute_parses_back_to_its_tree(chapters: list[list[Art]]) -> None:
    doc = parse_text(render(chapters))
    flat = [(c, a) for c, arts in enumerate(chapters) for a in arts]
    assert [a.number for a in doc.articles] == [str(i) for i in range(1, len(flat) + 1)]
    for parsed, (c, art) in zip(doc.articles, flat, strict=True):
        assert parsed.title == art.title
        assert parsed.chapter == ROMAN[c]
        assert [cl.number for cl in parsed.clauses] == [
            str(k) for k in range(1, len(art.clauses) + 1)
        ]
        for cl, (_, points) in zip(parsed.clauses, art.clauses, strict=True):
            assert [p.letter for p in cl.points] == list(LETTERS[: len(points)])
    assert doc.doc_id == "12/2020/QH14"


_fragments = st.sampled_from(
    ["Điều 1.", "Điều", "Chương I", "Chương", "Mục 2.", "1.", "a)", "Phần thứ nhất", "", " ",
     "Điều 99999999999999999999. X", "Chương MMMMMMMMMMMMMM", "Điều 1a. Y", "Khoản 2", "\t",
     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Luật số: 1/2020/QH14", "*", "#", "Điều 0."]
)  # fmt: skip
lines = st.lists(st.one_of(_fragments, st.text(max_size=40)), max_size=40)


@SETTINGS
@given(lines)
def test_any_text_parses_or_fails_with_our_error(text_lines: list[str]) -> None:
    try:
        doc = parse_text("\n".join(text_lines))
    except LuatqaError:
        return
    assert doc.articles  # a document is only returned with its articles
    assert all(a.number for a in doc.articles)
