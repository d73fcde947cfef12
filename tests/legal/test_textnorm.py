import pytest

from legal.textnorm import fold, normalize_for_index


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà", "hòa"),
        ("Hoà giải", "Hòa giải"),
        ("khoẻ", "khỏe"),
        ("thuỷ lợi", "thủy lợi"),
        ("toạ án", "tọa án"),
        ("HOÀ", "HÒA"),
        ("xoá bỏ", "xóa bỏ"),
    ],
)
def test_old_tone_placement_is_unified(old: str, new: str) -> None:
    assert normalize_for_index(old) == new
    assert normalize_for_index(new) == new


@pytest.mark.parametrize("word", ["quý", "quỳnh", "hoàng", "thuyền", "khoáng", "tòa"])
def test_words_already_right_are_untouched(word: str) -> None:
    assert normalize_for_index(word) == word


def test_nfc_is_applied() -> None:
    decomposed = "Đi\u00ea\u0300u"  # "Điều" typed as ê + combining grave
    assert decomposed != "Điều"
    assert normalize_for_index(decomposed) == "Điều"


def test_fold_strips_diacritics_and_d_bar() -> None:
    assert fold("Điều 35 khoản 2 ĐIỂM đ") == "dieu 35 khoan 2 diem d"
