"""Readers: ALQAC law.json, text files, dispatch by extension."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ingest.load import load_documents
from ingest.readers.lawjson import read_alqac
from legal.address import LegalAddress
from legal.document import DivisionKind, DocType, Document
from legal.errors import InputError


def _law_file(tmp_path: Path, laws: list[dict[str, object]]) -> Path:
    path = tmp_path / "law.json"
    path.write_text(json.dumps(laws, ensure_ascii=False), encoding="utf-8")
    return path


def test_alqac_small_file_structure(tmp_path: Path) -> None:
    path = _law_file(
        tmp_path,
        [
            {
                "id": "45/2019/QH14",
                "articles": [
                    {"id": "1", "text": "Phạm vi điều chỉnh\n\nBộ luật Lao động quy định."},
                    {
                        "id": "2",
                        "text": "Thời giờ\n\n1. Khoản một.\n\n2. Khoản hai có các điểm:\n\n"
                        "a) Điểm a;\n\nb) Điểm b.\n\nĐoạn sau khoản hai.\n\n"
                        "Phần thứ hai\n\nCÁC TỘI PHẠM",
                    },
                    {"id": "3", "text": "Điều khoản cuối\n\nNội dung.\n\nCHỦ TỊCH QUỐC HỘI"},
                ],
            },
            {"id": "Luật Viên chức", "articles": [{"id": "1", "text": "Một câu duy nhất."}]},
        ],
    )
    labor, civil_servants = read_alqac(path)
    assert labor.meta.title == "Bộ luật Lao động"
    assert labor.meta.doc_type is DocType.BO_LUAT and labor.meta.year == 2019
    assert [a.number for a in labor.articles] == ["1", "2", "3"]
    art2 = labor.articles[1]
    assert art2.title == "Thời giờ"
    assert [c.number for c in art2.clauses] == ["1", "2"]
    clause2 = art2.clauses[1]
    assert [p.letter for p in clause2.points] == ["a", "b"]
    assert clause2.lead_in == "2. Khoản hai có các điểm:"
    assert clause2.text.endswith("Đoạn sau khoản hai.")
    assert "Phần thứ hai" not in art2.text and "CÁC TỘI PHẠM" not in art2.text
    assert labor.articles[2].part == "thứ hai"
    assert labor.divisions[0].kind is DivisionKind.PART
    assert civil_servants.meta.doc_id == "Luật Viên chức"
    assert civil_servants.meta.number is None
    assert civil_servants.meta.doc_type is DocType.LUAT
    # a single line ending with a period is body, not title (the Constitution has no titles)
    assert civil_servants.articles[0].title == ""
    assert civil_servants.articles[0].text == "Một câu duy nhất."


def test_alqac_rejects_other_json(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"questions": []}', encoding="utf-8")
    with pytest.raises(InputError, match=r"not an ALQAC law\.json"):
        load_documents(path)


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    odd = tmp_path / "law.rtf"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="unsupported file type"):
        load_documents(odd)
    with pytest.raises(InputError, match="no such file"):
        load_documents(tmp_path / "missing.pdf")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        load_documents(empty)


@pytest.mark.shared
def test_alqac2022_counts_and_labor_code(shared_corpus: Path) -> None:
    docs = load_documents(shared_corpus / "alqac2022" / "law.json", references=False)
    assert sum(len(d.articles) for d in docs) == 1377
    by_id = {d.doc_id: d for d in docs}
    assert set(by_id) == {"91/2015/QH13", "45/2019/QH14", "24/2018/QH14", "01/VBHN-VPQH"}
    assert by_id["01/VBHN-VPQH"].meta.doc_type is DocType.VAN_BAN_HOP_NHAT
    assert by_id["01/VBHN-VPQH"].meta.title == "Bộ luật Hình sự"
    labor = by_id["45/2019/QH14"]
    art105 = labor.article("105")
    assert art105 is not None and art105.title == "Thời giờ làm việc bình thường"
    assert [c.number for c in art105.clauses] == ["1", "2", "3"]
    assert "tuần làm việc 40 giờ" in art105.clauses[1].text
    art220 = labor.article("220")
    assert art220 is not None and "CHỦ TỊCH" not in art220.text
    assert "Nguyễn Thị Kim Ngân" not in art220.text


@pytest.mark.shared
def test_alqac2024_counts(shared_corpus: Path) -> None:
    docs = load_documents(shared_corpus / "alqac2024" / "law.json", references=False)
    assert len(docs) == 17
    assert sum(len(d.articles) for d in docs) == 2249
    by_id = {d.doc_id: d for d in docs}
    assert by_id["Hiến pháp"].meta.doc_type is DocType.HIEN_PHAP
    assert by_id["Bộ luật dân sự"].meta.doc_type is DocType.BO_LUAT
    assert by_id["Bộ luật dân sự"].meta.year == 2015
    assert not any(d.warnings for d in docs)


MINI = [
    "QUỐC HỘI",
    "Luật số: 24/2018/QH14",
    "Hà Nội, ngày 12 tháng 6 năm 2018",
    "LUẬT AN NINH MẠNG",
    "Chương I",
    "NHỮNG QUY ĐỊNH CHUNG",
    "Điều 1. Phạm vi điều chỉnh",
    "Luật này quy định về hoạt động bảo vệ an ninh quốc gia.",
    "Điều 2. Giải thích từ ngữ",
    "Trong Luật này, các từ ngữ dưới đây được hiểu như sau:",
    "1. An ninh mạng là sự bảo đảm hoạt động trên không gian mạng.",
    "2. Bảo vệ an ninh mạng là phòng ngừa, phát hiện, ngăn chặn vi phạm.",
]


def _check_mini(docs: list[Document]) -> None:
    (doc,) = docs
    assert doc.meta.doc_id == "24/2018/QH14"
    assert doc.meta.title == "Luật An ninh mạng" and doc.meta.doc_type is DocType.LUAT
    assert [a.number for a in doc.articles] == ["1", "2"]
    art2 = doc.articles[1]
    assert art2.lead_in == "Trong Luật này, các từ ngữ dưới đây được hiểu như sau:"
    assert [c.number for c in art2.clauses] == ["1", "2"]
    assert doc.articles[0].chapter == "I"


def test_markdown_heading_and_bold_marks(tmp_path: Path) -> None:
    md = [f"## {ln}" if ln.startswith(("Điều", "Chương")) else ln for ln in MINI]
    md[3] = "# **LUẬT AN NINH MẠNG**"
    path = tmp_path / "an-ninh-mang.md"
    path.write_text("<!-- bản trích -->\n" + "\n\n".join(md), encoding="utf-8")
    _check_mini(load_documents(path))


def test_txt_comment_lines_and_hard_wraps(tmp_path: Path) -> None:
    lines = ["# EXCERPT for a test", *MINI]
    lines[-1] = "2. Bảo vệ an ninh mạng là phòng ngừa, phát hiện,"
    lines.append("ngăn chặn vi phạm.")
    path = tmp_path / "law.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    _check_mini(load_documents(path))
    (doc,) = load_documents(path)
    assert doc.articles[1].clauses[1].text.endswith("phát hiện, ngăn chặn vi phạm.")


def test_non_utf8_text_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "law.txt"
    path.write_bytes(bytes(range(128, 256)))  # no encoding reads it as Vietnamese
    with pytest.raises(InputError, match="not UTF-8"):
        load_documents(path)


def test_docx(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for ln in MINI:
        document.add_paragraph(ln)
    document.add_table(rows=1, cols=1).cell(0, 0).text = "CHỦ TỊCH QUỐC HỘI"
    path = tmp_path / "law.docx"
    document.save(str(path))
    _check_mini(load_documents(path))
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK not a zip")
    with pytest.raises(InputError, match=r"not a readable \.docx"):
        load_documents(broken)


def _blank_pdf(path: Path, password: str | None = None) -> Path:
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def test_pdf_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="encrypted"):
        load_documents(_blank_pdf(tmp_path / "locked.pdf", password="secret"))
    from ingest.readers import pdf as pdf_reader

    if not pdf_reader.tesseract_available():
        with pytest.raises(InputError, match="no text layer"):
            load_documents(_blank_pdf(tmp_path / "scan.pdf"))
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n1 0 obj <<>> garbage")
    with pytest.raises(InputError, match="not a readable PDF"):
        load_documents(corrupt)


def test_pdf_reader_pipeline_with_pages(tmp_path: Path) -> None:
    """read_pdf on injected page texts: furniture dropped, pages kept, extractor noted."""
    from ingest.readers.pdf import read_pdf

    header = "CÔNG BÁO/Số 10/Ngày 01-01-2024"
    pages = [
        f"{header} {3 + i}\n" + body + f"\n{3 + i}"
        for i, body in enumerate(
            [
                "\n".join(MINI[:8]),
                "\n".join(MINI[8:11]) + "\n2. Bảo vệ an ninh mạng là phòng ngừa, phát",
                "hiện, ngăn chặn vi phạm.\nĐiều 3. Cuối\nNội dung cuối./.",
            ]
        )
    ]
    (doc,) = read_pdf(tmp_path / "x.pdf", extract=lambda _p: (pages, ["injected"]))
    assert doc.pages == 3 and doc.warnings == ("injected",)
    art2 = doc.article("2")
    assert art2 is not None and (art2.page_start, art2.page_end) == (2, 3)
    assert art2.clauses[1].text == (
        "2. Bảo vệ an ninh mạng là phòng ngừa, phát hiện, ngăn chặn vi phạm."
    )
    assert "CÔNG BÁO" not in art2.text and doc.article("3") is not None


def test_folder_loads_every_demo_file() -> None:
    demo = Path(__file__).resolve().parents[2] / "data" / "demo"
    docs = load_documents(demo, references=False)
    ids = {d.doc_id for d in docs}
    assert {"45/2019/QH14", "91/2015/QH13", "01/VBHN-VPQH"} <= ids
    labor = next(d for d in docs if d.doc_id == "45/2019/QH14")
    for n in ("35", "105", "106", "107", "113", "139"):
        assert labor.article(n) is not None


def test_pdf_consolidated_footnotes_at_page_bottom(tmp_path: Path) -> None:
    """VBHN PDFs: notes at the page bottom, superscript markers glued to words."""
    from ingest.readers.pdf import read_pdf

    pages = [
        "VĂN PHÒNG QUỐC HỘI\nSố: 01/VBHN-VPQH\nVĂN BẢN HỢP NHẤT\nBỘ LUẬT HÌNH SỰ\n"
        "Điều 1. Nhiệm vụ1\n1. Khoản một theo Luật số 12/2017/QH14 có hiệu lực2\n"
        "1 Điều này được sửa đổi, bổ sung theo quy định tại khoản 1 Điều 1 của Luật số\n"
        "12/2017/QH14, có hiệu lực kể từ ngày 01 tháng 01 năm 2018.\n"
        "2 Khoản này được bổ sung theo quy định tại khoản 4 Điều 1 của Luật số 43/2024/QH15.",
        "thi hành.\n2. Khoản hai.\nĐiều 2. Bare\n",
    ]
    (doc,) = read_pdf(tmp_path / "vbhn.pdf", extract=lambda _p: (pages, []))
    art = doc.articles[0]
    assert art.title == "Nhiệm vụ"
    assert art.footnotes[0].by_address == LegalAddress("12/2017/QH14", "1", "1")
    assert art.footnotes[0].effective == "2018-01-01"
    c1 = art.clauses[0]
    # the sentence runs over the page break; the notes in between do not cut it
    assert c1.text == "1. Khoản một theo Luật số 12/2017/QH14 có hiệu lực thi hành."
    assert [n.by_document for n in c1.footnotes] == ["43/2024/QH15"]
    assert [c.number for c in art.clauses] == ["1", "2"]
    assert "sửa đổi" not in art.text


def test_bare_article_heading_takes_title_from_next_line() -> None:
    from ingest.readers.text import parse_text

    doc = parse_text("Luật số: 1/2020/QH14\nĐiều 1.\nPhạm vi điều chỉnh\nLuật này quy định.\n")
    assert doc.articles[0].title == "Phạm vi điều chỉnh"
    assert doc.articles[0].text == "Luật này quy định."


def test_scanned_pdf_goes_through_tesseract_when_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The OCR plumbing, with a stand-in ``tesseract`` on PATH that checks it gets a PGM page
    image and answers with the page's text (real OCR is too slow for the test suite)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    page_text = tmp_path / "page.txt"
    page_text.write_text("\n".join(MINI), encoding="utf-8")
    fake = bin_dir / "tesseract"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--list-langs" ]; then printf "List of langs\\neng\\nvie\\n"; exit 0; fi\n'
        'head -c 2 "$1" | grep -q P5 || { echo "not a PGM" >&2; exit 3; }\n'
        f"cat {page_text}\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    _check_mini(load_documents(_blank_pdf(tmp_path / "scan.pdf")))
    (doc,) = load_documents(_blank_pdf(tmp_path / "scan2.pdf"))
    assert any("OCR" in w for w in doc.warnings)


def test_folder_skips_readme_and_hidden(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Demo corpus\nNo articles here.\n", encoding="utf-8")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "x.txt").write_text("junk", encoding="utf-8")
    (tmp_path / "law.txt").write_text("\n".join(MINI), encoding="utf-8")
    _check_mini(load_documents(tmp_path))
    (tmp_path / "law.txt").unlink()
    with pytest.raises(InputError, match="no statute files"):
        load_documents(tmp_path)


def test_garbled_pdfium_text_falls_back_to_pypdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.readers import pdf as pdf_reader

    clean = "\n".join(MINI)
    scrambled = clean.replace("ư", " ư").replace("ạ", "a ̣").replace("ộ", "ô ̣").replace("ề", "ê ̀")
    scrambled = scrambled.replace("quy", "q uy").replace("này", "nà y") + " ờ ụ ộ ề ị ờ ệ ặ ầ ả"
    monkeypatch.setattr(pdf_reader, "_pdfium_pages", lambda _p: [scrambled])
    monkeypatch.setattr(pdf_reader, "_pypdf_pages", lambda _p: [clean])
    (doc,) = load_documents(_blank_pdf(tmp_path / "mixed-fonts.pdf"))
    _check_mini([doc])
    assert any("text extracted with pypdf " in w for w in doc.warnings)
    assert any("looked garbled" in w for w in doc.warnings)
