"""Acceptance on the statutes as published (../shared/corpus/pdfs; skipped when absent)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import _register, cli
from ingest.load import load_documents
from ingest.readers.pdf import tesseract_available
from legal.errors import InputError
from legal.textnorm import normalize_for_index

pytestmark = pytest.mark.shared

ROMAN = [
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
]


def _norm(text: str) -> str:
    return " ".join(normalize_for_index(text).lower().split())


@pytest.fixture(scope="module")
def labor_json(labor_code_pdf: Path) -> dict[str, Any]:
    _register()
    start = time.perf_counter()
    result = CliRunner().invoke(cli, ["parse", str(labor_code_pdf), "--json"])
    print(f"luatqa parse {labor_code_pdf.name} --json: {time.perf_counter() - start:.2f} s")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_labor_code_metadata_and_chapters(labor_json: dict[str, Any]) -> None:
    assert labor_json["number"] == "45/2019/QH14"
    assert labor_json["type"] == "Bộ luật"
    assert labor_json["title"] == "Bộ luật Lao động"
    assert labor_json["date"] == "2019-11-20"
    assert [c["number"] for c in labor_json["chapters"]] == ROMAN
    assert labor_json["chapters"][6]["title"] == "THỜI GIỜ LÀM VIỆC, THỜI GIỜ NGHỈ NGƠI"


def test_labor_code_every_article_once_with_alqac_title(
    labor_json: dict[str, Any], shared_corpus: Path
) -> None:
    articles = labor_json["articles"]
    assert [a["number"] for a in articles] == [str(n) for n in range(1, 221)]
    laws = json.loads((shared_corpus / "alqac2022" / "law.json").read_text(encoding="utf-8"))
    gold = {
        a["id"]: a["text"].split("\n", 1)[0]
        for law in laws
        if law["id"] == "45/2019/QH14"
        for a in law["articles"]
    }
    assert len(gold) == 220
    mismatched = [
        (a["number"], a["title"], gold[a["number"]])
        for a in articles
        if _norm(a["title"]) != _norm(gold[a["number"]])
    ]
    assert mismatched == []
    assert all(a["chapter"] in ROMAN and a["text"] for a in articles)
    assert all(a["pages"][0] is not None and a["pages"][0] <= a["pages"][1] for a in articles)


def test_labor_code_article_105(labor_json: dict[str, Any]) -> None:
    art = labor_json["articles"][104]
    assert (art["number"], art["title"], art["chapter"]) == (
        "105",
        "Thời giờ làm việc bình thường",
        "VII",
    )
    clauses = art["clauses"]
    assert [c["number"] for c in clauses] == ["1", "2", "3"]
    assert clauses[1]["text"].startswith("2. Người sử dụng lao động có quyền quy định")
    assert clauses[1]["text"].endswith(
        "Nhà nước khuyến khích người sử dụng lao động thực hiện tuần làm việc 40 giờ đối với "
        "người lao động."
    )
    assert clauses[2]["text"].startswith("3. Người sử dụng lao động có trách nhiệm")


def test_labor_code_points_and_references(labor_json: dict[str, Any]) -> None:
    art35 = labor_json["articles"][34]
    c2 = art35["clauses"][1]
    assert [p["letter"] for p in c2["points"]] == ["a", "b", "c", "d", "đ", "e", "g"]
    targets = {r["target"] for p in c2["points"] for r in p["references"]}
    assert "45/2019/QH14 › Điều 97 › Khoản 4" in targets
    # the closing formula and the signature are not part of the last article
    assert "Kim Ngân" not in labor_json["articles"][-1]["text"]


def test_trade_union_gazette_without_furniture(trade_union_pdf: Path) -> None:
    (doc,) = load_documents(trade_union_pdf)
    assert doc.meta.number == "50/2024/QH15"
    assert doc.meta.title == "Luật Công đoàn"
    assert len(doc.chapters) == 6
    assert [a.number for a in doc.articles] == [str(n) for n in range(1, 38)]
    texts = [a.title for a in doc.articles] + [a.text for a in doc.articles]
    texts += [c.text for a in doc.articles for c in a.clauses]
    for text in texts:
        assert "CÔNG BÁO" not in text
        assert not re.search(r"(?:^|\n)\d{1,3}(?:\n|$)", text), text[:80]
    # a page break inside an article must not leave the gazette header in between
    spanning = [
        a for a in doc.articles if a.page_end and a.page_start and a.page_end > a.page_start
    ]
    assert spanning, "some articles run over a page break"


def test_scanned_pdf_is_a_clear_error_or_ocr(scanned_pdf: Path) -> None:
    if tesseract_available():
        pytest.skip("tesseract with Vietnamese data is installed: OCR path (slow) not run here")
    with pytest.raises(InputError) as err:
        load_documents(scanned_pdf)
    message = str(err.value)
    assert scanned_pdf.name in message
    assert "no text layer" in message and "tesseract-ocr-vie" in message
