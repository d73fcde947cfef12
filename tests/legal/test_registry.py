"""Law registry: numbers, abbreviations, titles, years, and index ids winning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from legal.document import DocType, DocumentMeta
from legal.registry import LawRegistry, default_registry


@pytest.mark.parametrize(
    ("mention", "doc"),
    [
        ("45/2019/QH14", "45/2019/QH14"),
        ("Luật số 45/2019/QH14", "45/2019/QH14"),
        ("Bộ luật Lao động 2019", "45/2019/QH14"),
        ("bo luat lao dong nam 2019", "45/2019/QH14"),
        ("BLLĐ 2019", "45/2019/QH14"),
        ("blld", "45/2019/QH14"),  # most recent when no index
        ("Bộ luật Lao động", "45/2019/QH14"),
        ("Bộ luật Lao động 2012", "10/2012/QH13"),
        ("BLDS", "91/2015/QH13"),
        ("Bộ luật Hình sự năm 2017", "100/2015/QH13"),
        ("BLTTDS", "92/2015/QH13"),
        ("BLTTHS", "101/2015/QH13"),
        ("Luật An ninh mạng", "24/2018/QH14"),
        ("luật đất đai 2013", "45/2013/QH13"),
        ("Luật Đất đai 2024", "31/2024/QH15"),
        ("Luật Phòng chống ma túy", "73/2021/QH14"),
        ("Luật Công đoàn 2024", "50/2024/QH15"),
        ("Luật Việc làm 2025", "74/2025/QH15"),
        ("Hiến pháp", "Hiến pháp"),
        ("145/2020/nđ-cp", "145/2020/NĐ-CP"),  # unknown number is its own id
    ],
)
def test_builtin_resolution(mention: str, doc: str) -> None:
    assert default_registry().resolve(mention) == doc


def test_unknown_is_none() -> None:
    assert default_registry().resolve("Luật Không tồn tại") is None
    assert default_registry().resolve("") is None


def meta(doc_id: str, number: str | None, title: str, year: int | None = None) -> DocumentMeta:
    return DocumentMeta(doc_id, number, DocType.from_text(title), title, year=year)


def test_index_ids_win() -> None:
    reg = default_registry().with_documents(
        [
            meta("Bộ luật dân sự", None, "Bộ luật dân sự"),
            meta("Luật Viên chức", None, "Luật Viên chức"),
            meta("45/2019/QH14", "45/2019/QH14", "45/2019/QH14"),
            meta("01/VBHN-VPQH", "01/VBHN-VPQH", "01/VBHN-VPQH"),
        ]
    )
    assert reg.resolve("BLDS") == "Bộ luật dân sự"
    assert reg.resolve("Bộ luật Dân sự 2015") == "Bộ luật dân sự"
    assert reg.resolve("LVC") == "Luật Viên chức"
    assert reg.resolve("58/2010/QH12") == "Luật Viên chức"
    assert reg.resolve("Bộ luật Lao động") == "45/2019/QH14"
    assert reg.resolve("Bộ luật Hình sự năm 2017") == "01/VBHN-VPQH"
    assert reg.resolve("BLHS") == "01/VBHN-VPQH"
    assert reg.label("Bộ luật dân sự") == "Bộ luật Dân sự 2015"
    assert reg.short("45/2019/QH14") == "BLLĐ 2019"
    assert reg.label("01/VBHN-VPQH") == "Bộ luật Hình sự 2015"


def test_ambiguous_returns_all() -> None:
    reg = default_registry().with_documents(
        [
            meta("45/2013/QH13", "45/2013/QH13", "Luật Đất đai", 2013),
            meta("31/2024/QH15", "31/2024/QH15", "Luật Đất đai", 2024),
        ]
    )
    assert reg.resolve("Luật Đất đai") is None
    assert reg.resolve_all("luat dat dai") == ["31/2024/QH15", "45/2013/QH13"]
    assert reg.resolve("Luật Đất đai năm 2013") == "45/2013/QH13"


def test_unknown_document_is_added() -> None:
    reg = default_registry().with_documents(
        [meta("123/2030/QH99", "123/2030/QH99", "Luật Thử nghiệm", 2030)]
    )
    assert reg.resolve("luat thu nghiem") == "123/2030/QH99"
    assert reg.label("123/2030/QH99") == "Luật Thử nghiệm 2030"
    assert reg.short("123/2030/QH99") == "Luật Thử nghiệm 2030"
    assert isinstance(reg, LawRegistry)


def test_every_alqac2024_law_is_known(shared_corpus: Path) -> None:
    mapping = json.loads((shared_corpus / "alqac2024" / "law-id-mapping.json").read_text())
    reg = default_registry()
    for abbr, name in mapping.items():
        entry = reg.candidates(name)
        assert entry, name
        assert reg.resolve_all(abbr) == reg.resolve_all(name), abbr
