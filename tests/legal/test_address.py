import pytest

from legal.address import LegalAddress, Level
from legal.errors import CitationError, LuatqaError


def test_canonical_round_trip_at_every_level() -> None:
    for addr in (
        LegalAddress("45/2019/QH14"),
        LegalAddress("45/2019/QH14", "35"),
        LegalAddress("45/2019/QH14", "35", "2"),
        LegalAddress("45/2019/QH14", "35", "2", "a"),
        LegalAddress("Luật Viên chức", "5"),
        LegalAddress("01/VBHN-VPQH", "418", None, "đ"),
    ):
        assert LegalAddress.parse(addr.canonical) == addr
        assert str(addr) == addr.canonical


def test_canonical_form() -> None:
    addr = LegalAddress("45/2019/QH14", "35", "2", "a")
    assert addr.canonical == "45/2019/QH14 › Điều 35 › Khoản 2 › Điểm a"
    assert addr.level is Level.POINT


def test_display_form_reads_like_a_lawyer_writes() -> None:
    addr = LegalAddress("45/2019/QH14", "35", "2", "a")
    assert addr.display("Bộ luật Lao động 2019") == "điểm a khoản 2 Điều 35 Bộ luật Lao động 2019"
    assert LegalAddress("45/2019/QH14", "35").display() == "Điều 35 45/2019/QH14"
    assert LegalAddress("X", "7", "1").provision_label() == "khoản 1 Điều 7"


def test_containment_and_levels() -> None:
    art = LegalAddress("D", "35")
    clause = LegalAddress("D", "35", "2")
    point = LegalAddress("D", "35", "2", "a")
    assert art.contains(clause) and art.contains(point) and clause.contains(point)
    assert not clause.contains(art)
    assert clause.overlaps(art)
    assert not LegalAddress("D", "36").contains(clause)
    assert not LegalAddress("E", "35").contains(clause)
    assert point.article_address() == art
    assert point.clause_address() == clause


def test_point_letter_is_lowercased_and_sort_is_numeric() -> None:
    assert LegalAddress("D", "1", "1", "A").point == "a"
    addrs = [LegalAddress("D", "10"), LegalAddress("D", "9"), LegalAddress("D", "9a")]
    assert [a.article for a in sorted(addrs, key=LegalAddress.sort_key)] == ["9", "9a", "10"]


@pytest.mark.parametrize(
    "bad",
    ["", " › Điều 3", "D › Khoản 2 › Điều 3", "D › Article 3", "D › Điều 3 › Khoản 1 › Điểm a › x"],
)
def test_parse_rejects_non_canonical_text(bad: str) -> None:
    with pytest.raises(CitationError):
        LegalAddress.parse(bad)


def test_invalid_addresses_raise_project_errors() -> None:
    with pytest.raises(LuatqaError):
        LegalAddress("D", None, "2")
    with pytest.raises(LuatqaError):
        LegalAddress(" ")
