"""Layouts seen in the wild (ingest/layouts.py, ingest/cleaning.py), on documents we wrote
(tests/ingest/layouts/): a table of contents with the passing formula and the signature
before the first article; article headings glued to the previous sentence; titles wrapped
onto a line starting with a capital letter."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.cleaning import Line
from ingest.layouts import drop_table_of_contents, split_glued_headings
from ingest.load import load_documents
from legal.document import Document

LAYOUTS = Path(__file__).parent / "layouts"


def tree(doc: Document) -> list[tuple[str | None, str, str, list[str]]]:
    return [(a.chapter, a.number, a.title, [c.number for c in a.clauses]) for a in doc.articles]


LIBRARY = [
    ("I", "1", "Phạm vi điều chỉnh", []),
    ("I", "2", "Giải thích từ ngữ", ["1", "2"]),
    ("II", "3", "Quyền của người sử dụng thư viện", ["1", "2"]),
    ("II", "4", "Nghĩa vụ của người sử dụng thư viện", ["1", "2"]),
]


def test_a_table_of_contents_and_the_signature_before_the_body() -> None:
    [doc] = load_documents(LAYOUTS / "web-export-toc.txt")
    assert tree(doc) == LIBRARY
    assert doc.doc_id == "46/2019/QH14" and doc.meta.title == "Luật Thư viện"
    assert doc.meta.date == "2019-11-21"  # from the passing formula before the body
    assert doc.articles[0].text.startswith("Luật này quy định về thành lập")
    assert [d.number for d in doc.divisions] == ["I", "II"]


def test_headings_glued_to_the_previous_sentence() -> None:
    [doc] = load_documents(LAYOUTS / "glued-headings.txt")
    assert [(n, t, c) for _, n, t, c in tree(doc)] == [(n, t, c) for _, n, t, c in LIBRARY]
    assert doc.articles[0].text.endswith("người sử dụng thư viện.")
    assert doc.articles[1].text.startswith("Trong Luật này")
    # the mention "tại Điều 2 của Luật này" stays in the text
    assert "quy định tại Điều 2 của Luật này" in doc.articles[2].clauses[0].text


def test_titles_wrapped_onto_a_line_starting_with_a_capital() -> None:
    [doc] = load_documents(LAYOUTS / "wrapped-titles.txt")
    assert [a.title for a in doc.articles] == [
        "Phạm vi điều chỉnh",
        "Quan hệ giữa Công đoàn với Nhà nước, Mặt trận Tổ quốc Việt Nam và tổ chức chính trị "
        "- xã hội",
        "Trách nhiệm của Nhà nước đối với Công đoàn",
        "Quyền của Công đoàn trong việc đại diện Người lao động",
        "Hành vi bị nghiêm cấm",
    ]
    assert doc.articles[2].text.startswith("Trong phạm vi nhiệm vụ của mình")
    assert doc.articles[3].text.startswith("Công đoàn đại diện")
    assert doc.articles[4].text.endswith("pháp luật có liên quan.")  # the body unwrapped


def _lines(*texts: str) -> list[Line]:
    return [Line(t) for t in texts]


def test_a_sentence_ending_on_a_mention_is_not_split() -> None:
    lines = _lines("Điều 4. A", "1. Theo quy định tại Điều 5. Người lao động phải báo trước.")
    assert split_glued_headings(lines) == lines
    # the number must be the next one: "Điều 9." after Điều 4 is a mention
    lines = _lines("Điều 4. A", "1. Xem khoản 2. Điều 9. Nội dung")
    assert split_glued_headings(lines) == lines


def test_headings_without_a_later_repeat_are_not_a_table_of_contents() -> None:
    lines = _lines("LUẬT X", "Điều 1. A", "Điều 2. B", "Nội dung.")
    assert drop_table_of_contents(lines) == lines


@pytest.mark.parametrize("name", ["web-export-toc.txt", "glued-headings.txt"])
def test_the_same_layouts_from_docx(tmp_path: Path, name: str) -> None:
    """.docx paragraphs reach the same straightening (no unwrapping there; a paragraph
    holds a whole title, so titles do not wrap)."""
    import docx

    text = (LAYOUTS / name).read_text(encoding="utf-8")
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    path = tmp_path / "law.docx"
    document.save(str(path))
    [doc] = load_documents(path)
    assert [(n, t) for _, n, t, _ in tree(doc)] == [(n, t) for _, n, t, _ in LIBRARY]
