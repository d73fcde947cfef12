"""Hostile and broken files (ingest/guard.py, ingest/load.py, ingest/readers/): each gets a
clear error of our own, and through ``luatqa ingest`` and the UI's upload service the index
stays exactly as it was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.services import IngestService
from app.services.uploads import PipelineIngester, safe_upload_name
from app.settings import load_settings
from app.wiring import Services
from ingest import guard
from ingest.audit import audit_index, indexed_ids
from ingest.load import load_documents
from legal.errors import InputError
from tests.ingest.hostile_files import CASES, STATUTE, Maker, blank_pdf, cp1258, pdf_bytes, write

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("name", "make", "words"), CASES, ids=[c[0] for c in CASES])
def test_each_bad_file_gets_a_clear_error_of_our_own(
    tmp_path: Path, name: str, make: Maker, words: str
) -> None:
    path = write(tmp_path, name, make())
    with pytest.raises(InputError) as err:
        load_documents(path)
    assert words in f"{err.value.message} {err.value.hint}"  # not in the file's name
    assert str(path) in str(err.value)  # names the file


def test_windows_1258_text_is_decoded_with_a_note(tmp_path: Path) -> None:
    path = write(tmp_path, "cp1258.txt", cp1258(STATUTE))
    assert path.read_bytes() != STATUTE.encode()  # really another encoding
    [doc] = load_documents(path)
    assert doc.doc_id == "46/2019/QH14"
    assert [a.number for a in doc.articles] == ["1", "2"]
    assert (
        doc.articles[1].clauses[1].text
        == "2. Tài nguyên thông tin được thu thập, xử lý, lưu giữ của thư viện."
    )
    assert any("Windows-1258" in w for w in doc.warnings)


def test_utf16_text_is_decoded(tmp_path: Path) -> None:
    [doc] = load_documents(write(tmp_path, "utf16.txt", STATUTE.encode("utf-16")))
    assert doc.doc_id == "46/2019/QH14" and len(doc.articles) == 2


def test_parse_time_limit_is_stated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard, "MAX_PARSE_SECONDS", -1.0)
    path = write(tmp_path, "slow.pdf", pdf_bytes(blank_pdf(3)))
    with pytest.raises(InputError, match=r"over the -1 s limit \(at page 1 of 3\)"):
        load_documents(path)


def test_page_text_limit_is_stated(labor_code_pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not labor_code_pdf.is_file():
        pytest.skip(f"needs {labor_code_pdf}")
    monkeypatch.setattr(guard, "MAX_PAGE_CHARS", 500)
    with pytest.raises(InputError, match=r"page 1 holds \d+ characters of text, over the 500"):
        load_documents(labor_code_pdf)


def test_a_parser_crash_becomes_our_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a third-party parser raises leaves the loader as an InputError."""
    import ingest.readers.text as text

    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(text, "document_from_lines", boom)
    with pytest.raises(InputError, match="RuntimeError: parser exploded"):
        load_documents(write(tmp_path, "ok.txt", STATUTE.encode()))


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..", "upload"),
        ("C:\\Users\\a\\luat.pdf", "luat.pdf"),
        ("lu\x00\x1b[31mat\u202e.txt", "lu[31mat.txt"),
        (".bashrc.md", "bashrc.md"),
        ("Luật lao động.pdf", "Luật lao động.pdf"),
    ],
)
def test_upload_names_are_made_safe(name: str, stored: str) -> None:
    assert safe_upload_name(name) == stored


def test_a_300_character_name_is_cut_keeping_its_extension() -> None:
    name = safe_upload_name("đ" * 300 + ".txt")
    assert name.endswith(".txt") and len(name.encode()) <= 150 and name.startswith("đđ")


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index holding one good statute (the real embedder)."""
    root = tmp_path_factory.mktemp("hostile")
    good = write(root, "good.txt", STATUTE.encode())
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "--index", str(root / "index"), "ingest", str(good)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return root / "index"


def _copy_of(indexed: Path, tmp_path: Path) -> tuple[Path, set[str]]:
    """A copy of the indexed folder to spoil, and what it holds before."""
    index = tmp_path / "index"
    subprocess.run(["cp", "-r", str(indexed), str(index)], check=True)
    with Services(load_settings(overrides={"index": {"dir": index}})) as s:
        return index, indexed_ids(s.store)


def _hostile_folder(folder: Path) -> list[Path]:
    folder.mkdir()
    paths = [write(folder, name, make()) for name, make, _ in CASES]
    paths.append(write(folder, "ctrl\x1b[2J.txt", b"\x00\x01"))  # a name that drives a tty
    paths.append(write(folder, "x" * 240 + ".txt", b""))
    return paths


@pytest.mark.slow
def test_cli_ingest_of_every_bad_file_leaves_the_index_as_it_was(
    indexed: Path, tmp_path: Path
) -> None:
    index, before = _copy_of(indexed, tmp_path)
    paths = _hostile_folder(tmp_path / "bad")
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "--index", str(index), "ingest", *map(str, paths),
         "--no-progress"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "\x1b" not in done.stdout + done.stderr  # the hostile name is shown escaped
    assert done.stderr.count("[ingest]") >= len(paths)
    with Services(load_settings(overrides={"index": {"dir": index}})) as s:
        assert indexed_ids(s.store) == before
        assert audit_index(s.store) == []


@pytest.mark.slow
def test_ui_upload_of_every_bad_file_leaves_the_index_as_it_was(
    indexed: Path, tmp_path: Path
) -> None:
    index, before = _copy_of(indexed, tmp_path)
    uploads = [(name, make()) for name, make, _ in CASES]
    uploads += [("../../" + "x" * 300 + ".pdf", b"%PDF-1.4 nothing"), ("..", "Điều 1.".encode()),
                ("a/b\\c\x00.txt", b"")]  # fmt: skip
    with Services(load_settings(overrides={"index": {"dir": index}})) as s:
        results = IngestService(PipelineIngester(s)).ingest_uploads(uploads)
        assert [r.ok for r in results] == [False] * len(uploads)
        for (name, _, words), r in zip(CASES, results, strict=False):
            assert words in r.message.replace(name, "") and r.name == name
        assert all(len(r.name.encode()) <= 150 and "/" not in r.name for r in results)
        assert indexed_ids(s.store) == before
        assert audit_index(s.store) == []
