"""bench/fuzz_pdf.py bounded for CI: mutated real PDFs never let a foreign exception out."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bench import fuzz_pdf
from ingest import guard
from tests.conftest import shared_file


def test_mutations_are_reproducible_and_change_the_file() -> None:
    data = bytes(range(256)) * 64
    a = fuzz_pdf.mutate(data, random.Random(7))
    assert a == fuzz_pdf.mutate(data, random.Random(7)) and a != data


@pytest.mark.slow
def test_mutated_real_pdfs_give_documents_or_our_errors() -> None:
    pdf = shared_file("pdfs/10-2020-TT-BLDTBXH_thong-tu.pdf")
    result = fuzz_pdf.fuzz([pdf], iterations=30, seconds=240, seed=0)
    assert result["findings"] == []
    assert result["mutants"] == 30
    assert result["outcomes"].get("refused", 0) > 0 and result["outcomes"].get("parsed", 0) > 0


@pytest.mark.parametrize(
    ("numbers", "runs"),
    [(["1", "2", "3"], []), (["1", "2", "5"], [(3, 4)]), (["6"], [(1, 5)]),
     (["1", "2", "2a", "4"], [(3, 3)]), ([], [])],
)  # fmt: skip
def test_missing_articles(numbers: list[str], runs: list[tuple[int, int]]) -> None:
    assert guard.missing_articles(numbers) == runs


def test_the_gap_note_reads_well() -> None:
    assert guard.gaps_note(["1", "2", "3"]) is None
    assert str(guard.gaps_note(["1", "3"])).startswith("article 2 is missing")
    assert str(guard.gaps_note(["1", "5", "9"])).startswith("articles 2–4, 6–8 are missing")


def test_a_text_that_stops_before_its_closing_provision_warns(tmp_path: Path) -> None:
    from ingest.readers.pdf import read_pdf

    head = "QUỐC HỘI\nLuật số: 1/2020/QH14\nLUẬT X\nĐiều 1. A\nNội dung.\nĐiều 2. B\nNội dung.\n"
    cut = head + "Điều 3. Thời giờ làm việc\nKhông quá 08 giờ."
    [doc] = read_pdf(tmp_path / "x.pdf", extract=lambda p: ([cut], []))
    assert any("ends on article 3 (Thời giờ làm việc)" in w for w in doc.warnings)
    for whole in (head + "Điều 3. Hiệu lực thi hành\nTừ 2021.", head + "Điều 3. C\nHết./."):
        [doc] = read_pdf(tmp_path / "x.pdf", extract=lambda p, t=whole: ([t], []))
        assert not any("may be missing" in w for w in doc.warnings)


def test_a_pdf_with_a_hole_in_its_numbering_warns(tmp_path: Path) -> None:
    from ingest.readers.pdf import read_pdf

    text = "QUỐC HỘI\nLuật số: 1/2020/QH14\nLUẬT X\nĐiều 1. A\nNội dung.\nĐiều 4. B\nNội dung."
    [doc] = read_pdf(tmp_path / "x.pdf", extract=lambda p: ([text], []))
    assert any(w.startswith("articles 2–3 are missing") for w in doc.warnings)
