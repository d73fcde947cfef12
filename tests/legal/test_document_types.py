import pytest

from legal.document import DocType


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("01/VBHN-VPQH", DocType.VAN_BAN_HOP_NHAT),
        ("44/VBHN-VPQH", DocType.VAN_BAN_HOP_NHAT),
        ("145/2020/NĐ-CP", DocType.NGHI_DINH),
        ("10/2020/TT-BLĐTBXH", DocType.THONG_TU),
        ("01/2014/TTLT-BTP-TANDTC", DocType.THONG_TU_LIEN_TICH),
        ("68/NQ-CP", DocType.NGHI_QUYET),
        ("123/QĐ-TTg", DocType.QUYET_DINH),
        ("45/2019/QH14", DocType.OTHER),  # a /QH number may be a Luật, Bộ luật or Nghị quyết
    ],
)
def test_type_from_number(number: str, expected: DocType) -> None:
    assert DocType.from_number(number) is expected


def test_type_from_title_prefers_the_longest_name() -> None:
    assert DocType.from_text("Bộ luật Lao động") is DocType.BO_LUAT
    assert DocType.from_text("Luật Công đoàn") is DocType.LUAT
    assert DocType.from_text("Thông tư liên tịch số 01") is DocType.THONG_TU_LIEN_TICH
    assert DocType.from_text("Công văn") is DocType.OTHER
