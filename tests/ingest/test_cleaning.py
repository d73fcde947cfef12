"""Clean-up: normalisation, page furniture, unwrapping, the garbled-text detector."""

from __future__ import annotations

import unicodedata

from ingest.cleaning import Line, drop_page_furniture, normalize_text, unwrap
from ingest.readers.pdf import GARBLED_THRESHOLD, garbled_score


def test_normalize_text_nfc_eth_and_spaces() -> None:
    decomposed = unicodedata.normalize("NFD", "Điều 5. Hợp đồng")
    assert normalize_text(decomposed) == "Điều 5. Hợp đồng"
    assert normalize_text("\u00d0iều 1.\u00a0\u00a0Tên\u200b") == "Điều 1. Tên"
    assert normalize_text("a\r\nb") == "a\nb"


def test_repeated_headers_and_page_numbers_are_dropped() -> None:
    pages = [
        [
            f"CÔNG BÁO/Số 1533 + 1534/Ngày 30-12-2024 {n}",
            f"Điều {n}. Tiêu đề",
            "Nội dung.",
            "Thân bài.",
            "Chính phủ quy định chi tiết Điều này.",  # repeated, but not at the edge
            f"Điều {n + 10}. Tiêu đề khác",  # repeated at the bottom, but structural
            str(n),
        ]
        for n in range(3, 9)
    ]
    pages[2].insert(2, "7")  # a bare number inside the page: kept
    pages[0].insert(1, "PHẦN I. VĂN BẢN QUY PHẠM PHÁP LUẬT")  # the gazette's section title
    cleaned = drop_page_furniture(pages)
    flat = [ln for page in cleaned for ln in page]
    assert not any("CÔNG BÁO" in ln or "VĂN BẢN QUY PHẠM" in ln for ln in flat)
    assert [ln for ln in flat if ln.isdigit()] == ["7"]
    assert flat.count("Nội dung.") == 6
    assert flat.count("Chính phủ quy định chi tiết Điều này.") == 6
    assert "Điều 13. Tiêu đề khác" in flat and "Điều 3. Tiêu đề" in flat


def test_generic_running_header_detected_without_pattern() -> None:
    words = ["một", "hai", "ba", "bốn", "năm"]
    bodies = [[f"Đoạn đầu trang {w}.", "Đoạn giữa.", f"Đoạn cuối trang {w}."] for w in words]
    pages = [
        ["Bộ luật Lao động - bản in thử", *body, f"Trang số {i} trên 5"]
        for i, body in enumerate(bodies)
    ]
    assert drop_page_furniture(pages) == bodies


def test_short_documents_keep_their_lines() -> None:
    pages = [["QUỐC HỘI", "Điều 1. Một"], ["QUỐC HỘI", "Điều 2. Hai"]]
    assert drop_page_furniture(pages) == pages  # two pages: nothing is "most pages"


def _unwrap(*texts: str) -> list[str]:
    return [ln.text for ln in unwrap(Line(t, page=1) for t in texts)]


def test_unwrap_joins_sentences_and_keeps_structure() -> None:
    assert _unwrap(
        "Điều 35. Quyền đơn phương chấm dứt hợp đồng",
        "1. Người lao động có quyền đơn phương chấm dứt hợp đồng lao động nhưng phải báo",
        "trước cho người sử dụng lao động như sau:",
        "a) Ít nhất 45 ngày nếu làm việc theo hợp đồng lao động không xác định thời",
        "hạn;",
        "b) Ít nhất 30 ngày; trừ trường hợp quy định tại",
        "Điều 36 của Bộ luật này.",
        "Nhà nước khuyến khích.",
    ) == [
        "Điều 35. Quyền đơn phương chấm dứt hợp đồng",
        "1. Người lao động có quyền đơn phương chấm dứt hợp đồng lao động nhưng phải báo "
        "trước cho người sử dụng lao động như sau:",
        "a) Ít nhất 45 ngày nếu làm việc theo hợp đồng lao động không xác định thời hạn;",
        "b) Ít nhất 30 ngày; trừ trường hợp quy định tại Điều 36 của Bộ luật này.",
        "Nhà nước khuyến khích.",
    ]


def test_unwrap_headings() -> None:
    assert _unwrap(
        "Chương V. ĐỐI THOẠI TẠI NƠI LÀM VIỆC, THƯƠNG LƯỢNG TẬP THỂ, THỎA ƯỚC",
        "LAO ĐỘNG TẬP THỂ",
        "Điều 6. Các trường hợp được nghỉ và",
        "Phải thông báo",
        "Người lao động được nghỉ.",
    ) == [
        "Chương V. ĐỐI THOẠI TẠI NƠI LÀM VIỆC, THƯƠNG LƯỢNG TẬP THỂ, THỎA ƯỚC",
        "LAO ĐỘNG TẬP THỂ",
        "Điều 6. Các trường hợp được nghỉ và Phải thông báo",
        "Người lao động được nghỉ.",
    ]


def test_unwrap_keeps_pages_and_blank_lines_break() -> None:
    lines = unwrap(
        [Line("Một câu dài chưa", 3), Line("xong.", 4), Line("", 4), Line("Đoạn mới", 4)]
    )
    assert [(ln.text, ln.page, ln.page_end) for ln in lines] == [
        ("Một câu dài chưa xong.", 3, 4),
        ("Đoạn mới", 4, 4),
    ]


def test_garbled_score_separates_clean_from_scrambled_text() -> None:
    clean = (
        "Người sử dụng lao động có quyền quy định thời giờ làm việc theo ngày hoặc tuần nhưng "
        "phải thông báo cho người lao động biết; trường hợp theo tuần thì thời giờ làm việc "
        "bình thường không quá 10 giờ trong 01 ngày và không quá 48 giờ trong 01 tuần."
    )
    # what mixed-font extraction produces: syllables broken, diacritics moved to word ends
    scrambled = (
        "Ngư i s d ng lao đ ng có quy n quy đ nh th i gi làm vi c theo ngày ho c tu n nhưng "
        "ph i thông báo cho ngư i lao đ ng bi t ờ ụ ộ ề ị ờ ờ ệ ặ ầ ả ờ ộ ế"
    )
    assert garbled_score(clean) < 0.05 < GARBLED_THRESHOLD
    assert garbled_score(scrambled) > GARBLED_THRESHOLD
