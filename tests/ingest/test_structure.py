"""The structure parser on statute text written for the tests (every structure case)."""

from __future__ import annotations

from ingest.article_body import POINT_LETTERS
from ingest.cleaning import Line
from ingest.footnotes import parse_amendment_note
from ingest.readers.text import parse_text
from ingest.structure import parse_structure
from legal.address import LegalAddress
from legal.citations import find_references
from legal.document import DivisionKind, DocType, Document

STATUTE = """\
QUỐC HỘI
Luật số: 45/2019/QH14
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Nội, ngày 20 tháng 11 năm 2019
BỘ LUẬT LAO ĐỘNG
Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;
Quốc hội ban hành Bộ luật Lao động.

Phần thứ nhất
NHỮNG QUY ĐỊNH CHUNG

Chương I
NHỮNG QUY ĐỊNH
CHUNG VỀ LAO ĐỘNG

Điều 1. Phạm vi điều chỉnh
Bộ luật Lao động quy định tiêu chuẩn lao động; quyền, nghĩa vụ, trách nhiệm của người lao
động, người sử dụng lao động.

Điều 2. Quyền của người lao động
1. Người lao động có các quyền sau đây:
a) Làm việc;
b) Hưởng lương;
c) Nghỉ;
d) Đình công;
đ) Tham gia tổ chức đại diện;
e) Quyền khác.
2. Người lao động có nghĩa vụ theo quy định tại khoản 2 Điều 5 của Bộ luật này.

Chương II. HỢP ĐỒNG LAO ĐỘNG
Mục 1. GIAO KẾT HỢP ĐỒNG
Tiểu mục 1. NGUYÊN TẮC

Điều 5. Thời giờ làm việc bình thường
1. Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày.
2. Người sử dụng lao động có quyền quy định thời giờ làm việc theo ngày hoặc tuần; trường hợp
theo tuần thì không quá 10 giờ trong 01 ngày và không quá 48 giờ trong 01 tuần.
Nhà nước khuyến khích người sử dụng lao động thực hiện tuần làm việc 40 giờ đối với người lao
động.
3. Người sử dụng lao động có trách nhiệm bảo đảm giới hạn thời gian làm việc; các khoản 1, 2
và 3 Điều này áp dụng cho mọi người lao động, trừ trường hợp quy định tại
Điều 2 của Bộ luật này.

Điều 6. Các trường hợp người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương và
phải thông báo với người sử dụng lao động
Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương.

Tiểu mục 2. THỰC HIỆN
Điều 6a. Điều được bổ sung
Nội dung Điều 6a, xem Điều 36 của Luật số 10/2012/QH13.
Điều 3. Trích dẫn không phải tiêu đề mà là thân bài của Điều 6a.

Mục 2. CHẤM DỨT HỢP ĐỒNG
Điều 7. Đơn phương chấm dứt
a) Điểm thứ nhất;
b) Điểm thứ hai.

Bộ luật này được Quốc hội nước Cộng hòa xã hội chủ nghĩa Việt Nam khóa XIV, kỳ họp thứ 8
thông qua ngày 20 tháng 11 năm 2019.
CHỦ TỊCH QUỐC HỘI
Nguyễn Thị Kim Ngân
"""


def _doc() -> Document:
    return parse_text(STATUTE, source="test.txt", find_refs=find_references)


def test_metadata_from_header() -> None:
    meta = _doc().meta
    assert meta.doc_id == "45/2019/QH14" == meta.number
    assert meta.doc_type is DocType.BO_LUAT
    assert meta.title == "Bộ luật Lao động"
    assert meta.issuer == "Quốc hội"
    assert (meta.date, meta.year) == ("2019-11-20", 2019)


def test_divisions_and_placement() -> None:
    doc = _doc()
    kinds = [(d.kind, d.number, d.title, d.parent) for d in doc.divisions]
    assert kinds == [
        (DivisionKind.PART, "thứ nhất", "NHỮNG QUY ĐỊNH CHUNG", None),
        (DivisionKind.CHAPTER, "I", "NHỮNG QUY ĐỊNH CHUNG VỀ LAO ĐỘNG", "Phần thứ nhất"),
        (DivisionKind.CHAPTER, "II", "HỢP ĐỒNG LAO ĐỘNG", "Phần thứ nhất"),
        (DivisionKind.SECTION, "1", "GIAO KẾT HỢP ĐỒNG", "Chương II"),
        (DivisionKind.SUBSECTION, "1", "NGUYÊN TẮC", "Mục 1"),
        (DivisionKind.SUBSECTION, "2", "THỰC HIỆN", "Mục 1"),
        (DivisionKind.SECTION, "2", "CHẤM DỨT HỢP ĐỒNG", "Chương II"),
    ]
    a1, a5, a6a, a7 = (doc.article(n) for n in ("1", "5", "6a", "7"))
    assert a1 is not None and (a1.part, a1.chapter, a1.section) == ("thứ nhất", "I", None)
    assert a5 is not None and (a5.chapter, a5.section, a5.subsection) == ("II", "1", "1")
    assert a6a is not None and a6a.subsection == "2"
    assert a7 is not None and (a7.section, a7.subsection) == ("2", None)


def test_articles_each_once_in_order() -> None:
    assert [a.number for a in _doc().articles] == ["1", "2", "5", "6", "6a", "7"]


def test_article_without_clauses_is_unwrapped() -> None:
    a1 = _doc().article("1")
    assert a1 is not None and a1.clauses == () and a1.lead_in == ""
    assert a1.text == (
        "Bộ luật Lao động quy định tiêu chuẩn lao động; quyền, nghĩa vụ, trách nhiệm của "
        "người lao động, người sử dụng lao động."
    )


def test_clause_lead_in_and_points_in_vietnamese_order() -> None:
    a2 = _doc().article("2")
    assert a2 is not None
    c1 = a2.clause("1")
    assert c1 is not None
    assert c1.lead_in == "1. Người lao động có các quyền sau đây:"
    assert [p.letter for p in c1.points] == ["a", "b", "c", "d", "đ", "e"]
    assert c1.points[4].text == "đ) Tham gia tổ chức đại diện;"
    assert c1.text.startswith("1. Người lao động") and c1.text.endswith("e) Quyền khác.")
    assert POINT_LETTERS[4:7] == ["đ", "e", "g"]


def test_unnumbered_paragraph_after_clause_belongs_to_it() -> None:
    a5 = _doc().article("5")
    assert a5 is not None and [c.number for c in a5.clauses] == ["1", "2", "3"]
    c2 = a5.clause("2")
    assert c2 is not None
    assert c2.text.endswith("tuần làm việc 40 giờ đối với người lao động.")
    assert "\nNhà nước khuyến khích" in c2.text
    assert a5.title == "Thời giờ làm việc bình thường"


def test_wrapped_article_heading() -> None:
    a6 = _doc().article("6")
    assert a6 is not None
    assert a6.title == (
        "Các trường hợp người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương và "
        "phải thông báo với người sử dụng lao động"
    )
    assert a6.text == "Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương."


def test_dieu_inside_body_does_not_start_an_article() -> None:
    doc = _doc()
    a5, a6a = doc.article("5"), doc.article("6a")
    assert a5 is not None and a6a is not None
    # "Điều 2 của Bộ luật này." after unwrapping starts a line: no period after the number
    assert a5.clause("3") is not None
    assert a5.text.endswith("trừ trường hợp quy định tại Điều 2 của Bộ luật này.")
    # "Điều 3. …" after Điều 6a is out of order: body of 6a
    assert a6a.text.endswith("Điều 3. Trích dẫn không phải tiêu đề mà là thân bài của Điều 6a.")
    assert doc.warnings == ()


def test_points_directly_under_article_and_closing_dropped() -> None:
    a7 = _doc().article("7")
    assert a7 is not None and a7.clauses == ()
    assert [p.letter for p in a7.points] == ["a", "b"]
    assert "Quốc hội" not in a7.text and "Nguyễn" not in a7.text


def test_cross_references() -> None:
    doc = _doc()
    a2, a5, a6a = doc.article("2"), doc.article("5"), doc.article("6a")
    assert a2 is not None and a5 is not None and a6a is not None
    c2 = a2.clause("2")
    assert c2 is not None
    assert [r.target for r in c2.references] == [LegalAddress("45/2019/QH14", "5", "2")]
    c3 = a5.clause("3")
    assert c3 is not None
    targets = {r.target for r in c3.references}
    assert {LegalAddress("45/2019/QH14", "5", k) for k in "123"} <= targets
    assert LegalAddress("45/2019/QH14", "2") in targets
    ext = [r for r in a6a.references if r.external]
    assert [r.target for r in ext] == [LegalAddress("10/2012/QH13", "36")]


def test_point_order_broken_is_body_text() -> None:
    lines = [Line(t) for t in ("Điều 1. Tên", "1. Khoản:", "a) Một;", "c) Không phải điểm c.")]
    art = parse_structure(lines, "X").articles[0]
    clause = art.clauses[0]
    assert [p.letter for p in clause.points] == ["a"]
    assert clause.text.endswith("c) Không phải điểm c.")


CONSOLIDATED = """\
VĂN PHÒNG QUỐC HỘI
Số: 01/VBHN-VPQH
Hà Nội, ngày 10 tháng 7 năm 2017
VĂN BẢN HỢP NHẤT
BỘ LUẬT HÌNH SỰ
Chương I
ĐIỀU KHOẢN CƠ BẢN
Điều 1. Nhiệm vụ[1]
1. Khoản một.[2]
2. Khoản hai:
a) Điểm a;[3]
b) Điểm b.
[1] Điều này được sửa đổi, bổ sung theo quy định tại khoản 1 Điều 1 của Luật số
12/2017/QH14, có hiệu lực kể từ ngày 01 tháng 01 năm 2018.
[2] Khoản này được bổ sung theo quy định tại khoản 4 Điều 1 của Luật số 43/2024/QH15, có
hiệu lực kể từ ngày 01 tháng 7 năm 2025.
[3] Điểm này được bãi bỏ theo quy định tại điểm b khoản 2 Điều 2 của Luật số 12/2017/QH14.
"""


def test_consolidated_footnotes_become_amendment_notes() -> None:
    doc = parse_text(CONSOLIDATED)
    assert doc.meta.doc_type is DocType.VAN_BAN_HOP_NHAT
    assert doc.meta.title == "Bộ luật Hình sự" and doc.meta.number == "01/VBHN-VPQH"
    art = doc.articles[0]
    assert art.title == "Nhiệm vụ"
    assert [n.marker for n in art.footnotes] == ["1"]
    assert art.footnotes[0].by_address == LegalAddress("12/2017/QH14", "1", "1")
    assert art.footnotes[0].effective == "2018-01-01"
    c1 = art.clause("1")
    assert c1 is not None and c1.text == "1. Khoản một."
    note = c1.footnotes[0]
    assert (note.action, note.by_document) == ("bổ sung", "43/2024/QH15")
    assert note.by_address == LegalAddress("43/2024/QH15", "1", "4")
    assert note.effective == "2025-07-01"
    c2 = art.clause("2")
    assert c2 is not None
    pa = c2.points[0]
    assert pa.text == "a) Điểm a;" and pa.footnotes[0].action == "bãi bỏ"
    assert pa.footnotes[0].by_address == LegalAddress("12/2017/QH14", "2", "2", "b")
    assert "[" not in art.text and "Luật số" not in art.text


def test_parse_amendment_note_replace() -> None:
    note = parse_amendment_note(
        "7", "Cụm từ này được thay thế theo quy định tại Điều 3 của Luật số 59/2020/QH14."
    )
    assert note.action == "thay thế"
    assert note.by_address == LegalAddress("59/2020/QH14", "3")


def test_dieu_with_period_at_line_start_inside_a_sentence() -> None:
    """A hard wrap that puts "Điều 36. …" at a line start mid-sentence must not open an
    article (and must not make the real next heading look out of order)."""
    doc = parse_text(
        "Luật số: 45/2019/QH14\n"
        "Điều 20. Loại hợp đồng\n"
        "1. Hợp đồng lao động phải được giao kết theo các trường hợp quy định tại\n"
        "Điều 36. Trường hợp khác do các bên thỏa thuận trong năm\n"
        "2019. Người lao động được thông báo.\n"
        "Điều 21. Nội dung hợp đồng\n"
        "Nội dung.\n"
    )
    assert [a.number for a in doc.articles] == ["20", "21"]
    a20 = doc.articles[0]
    assert [c.number for c in a20.clauses] == ["1"]
    assert a20.clauses[0].text.endswith(
        "quy định tại Điều 36. Trường hợp khác do các bên thỏa thuận trong năm 2019. "
        "Người lao động được thông báo."
    )


def test_title_stops_at_part_heading_and_wraps_over_caps_lines() -> None:
    doc = parse_text(
        "QUỐC HỘI\nLuật số: 91/2015/QH13\nBỘ LUẬT\nDÂN SỰ\nPHẦN THỨ NHẤT\nQUY ĐỊNH CHUNG\n"
        "CHƯƠNG I\nNHỮNG QUY ĐỊNH CHUNG\nĐiều 1. Phạm vi điều chỉnh\nBộ luật này quy định.\n"
    )
    assert doc.meta.title == "Bộ luật Dân sự"
    assert [(d.kind, d.number) for d in doc.divisions] == [
        (DivisionKind.PART, "thứ nhất"),
        (DivisionKind.CHAPTER, "I"),
    ]
    assert doc.articles[0].part == "thứ nhất"
