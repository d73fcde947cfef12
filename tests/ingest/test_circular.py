"""Circulars and decrees: the glued heading, the ministry's two-line name, the inline title,
appendices kept out of the clauses (synthetic text), and Thông tư 10/2020/TT-BLĐTBXH as
published (../shared/corpus/pdfs; skipped when absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import _register, cli
from ingest.load import load_documents
from ingest.metadata import ministry_name, read_header
from ingest.readers.text import parse_text
from legal.document import DocType

# the header as the PDF's text layer runs it into one line
MOTTO = (
    "Độc lập - Tự do - Hạnh phúc Hà Nội, ngày 12 tháng 11 năm 2020 THÔNG TƯ Quy định chi tiết "
    "một số điều của Bộ luật Lao động ______ Căn cứ Bộ luật Lao động;"
)
CIRCULAR = f"""BỘ LAO ĐỘNG - THƯƠNG BINH
VÀ XÃ HỘI
Số: 99/2020/TT-BLĐTBXH
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
{MOTTO}
Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Thông tư này quy định chi tiết khoản 1 Điều 21 của Bộ luật Lao động.
Điều 2. Nhiệm vụ 1. Lập kế hoạch thương lượng.
2. Tổ chức phiên họp. Điều 3. Hoạt động
1. Họp định kỳ.
2. Kể từ ngày Thông tư này có hiệu lực, các Thông tư sau hết hiệu lực:
a) Thông tư số 47/2015/TT-BLĐTBXH;
b) Thông tư số 26/2013/TT-BLĐTBXH. 3. Tiền lương làm căn cứ tính trợ cấp.
Nơi nhận:
- Như trên;
BỘ TRƯỞNG
PHỤ LỤC
Danh mục nghề, công việc (Kèm theo Thông tư số 99/2020/TT-BLĐTBXH)
Phần I
Mục 1
1. Trực tiếp nấu chảy kim loại.
1.1. Lò điện hồ quang.
"""


def test_glued_headings_clauses_and_appendix() -> None:
    doc = parse_text(CIRCULAR)
    assert [a.number for a in doc.articles] == ["1", "2", "3"]
    assert doc.articles[1].title == "Nhiệm vụ"
    assert [c.number for c in doc.articles[1].clauses] == ["1", "2"]
    last = doc.articles[2]
    assert [c.number for c in last.clauses] == ["1", "2", "3"]
    assert [p.letter for p in last.clauses[1].points] == ["a", "b"]
    assert "Nơi nhận" not in last.text and "nấu chảy" not in last.text
    assert not [d for d in doc.divisions if d.kind.value in ("Phần", "Mục")]
    assert len(doc.appendices) == 1
    assert doc.appendices[0].title.startswith("Danh mục nghề")
    assert "1.1. Lò điện hồ quang." in doc.appendices[0].text


def test_circular_header() -> None:
    doc = parse_text(CIRCULAR)
    assert doc.meta.issuer == "Bộ Lao động - Thương binh và Xã hội"
    assert doc.meta.doc_type is DocType.THONG_TU
    assert doc.meta.title == "Thông tư quy định chi tiết một số điều của Bộ luật Lao động"
    assert doc.meta.date == "2020-11-12"


def test_a_citation_of_an_earlier_article_is_not_a_heading() -> None:
    text = CIRCULAR.replace("2. Tổ chức phiên họp. Điều 3.", "2. Như tại khoản 1. Điều 1. Họp")
    doc = parse_text(text)
    assert [a.number for a in doc.articles] == ["1", "2"]


@pytest.mark.parametrize(
    ("caps", "name"),
    [
        ("BỘ TƯ PHÁP", "Bộ Tư pháp"),
        ("BỘ KẾ HOẠCH VÀ ĐẦU TƯ", "Bộ Kế hoạch và Đầu tư"),
        ("BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "Bộ Lao động - Thương binh và Xã hội"),
    ],
)
def test_ministry_names(caps: str, name: str) -> None:
    assert ministry_name(caps) == name


def test_one_line_ministry_header() -> None:
    info = read_header(["BỘ TƯ PHÁP", "Số: 01/2021/TT-BTP", "THÔNG TƯ", "HƯỚNG DẪN MỘT SỐ ĐIỀU"])
    assert info.issuer == "Bộ Tư pháp"
    assert info.title == "Thông tư hướng dẫn một số điều"


@pytest.mark.shared
def test_circular_10_2020_parses_whole(circular_pdf: Path) -> None:
    (doc,) = load_documents(circular_pdf)
    meta = doc.meta
    assert meta.number == "10/2020/TT-BLĐTBXH"
    assert meta.issuer == "Bộ Lao động - Thương binh và Xã hội"
    assert meta.title.startswith("Thông tư quy định chi tiết và hướng dẫn thi hành một số điều")
    assert meta.title.endswith("chức năng sinh sản, nuôi con")
    assert [a.number for a in doc.articles] == [str(n) for n in range(1, 13)]
    ninth = doc.article("9")
    assert ninth is not None and ninth.title == "Hoạt động của Hội đồng thương lượng tập thể"
    clauses = {a.number: [c.number for c in a.clauses] for a in doc.articles}
    assert clauses["4"] == ["1", "2", "3", "4"]
    assert clauses["8"] == [str(n) for n in range(1, 9)]
    assert clauses["12"] == ["1", "2", "3"]
    last = doc.article("12")
    assert last is not None and "Nơi nhận" not in last.text and "PHỤ LỤC" not in last.text
    assert [c.title for c in doc.chapters][-1] == "ĐIỀU KHOẢN THI HÀNH"
    assert not [d for d in doc.divisions if d.kind.value in ("Phần", "Mục")]
    assert len(doc.appendices) == 1
    assert "Lò điện hồ quang" in doc.appendices[0].text


def test_parse_json_shows_validity_and_guidance(circular_pdf: Path) -> None:
    _register()
    result = CliRunner().invoke(cli, ["parse", str(circular_pdf), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["articles"]) == 12 and data["title"].startswith("Thông tư quy định chi tiết")
    v = data["validity"]
    assert (v["signed"], v["effective_from"], v["guides_document"]) == (
        "2020-11-12",
        "2021-01-01",
        "45/2019/QH14",
    )
    assert v["guides"]["3"] == ["45/2019/QH14 › Điều 21 › Khoản 1"]
    assert [r["number"] for r in v["relations"]] == ["47/2015/TT-BLĐTBXH", "26/2013/TT-BLĐTBXH"]
