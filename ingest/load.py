"""Public entry point of the ingest side: a file (or folder) → parsed documents.

``load_documents(path)`` dispatches on the extension: ``.pdf``, ``.txt``/``.md``, ``.docx``,
``.json`` (ALQAC ``law.json``: one document per law). A folder loads every supported file
in it (:func:`statute_files`: sorted, recursive, skipping hidden entries, README/LICENSE
files and JSON files that are not law files). Anything else is an :class:`InputError`, and
so is a file :mod:`ingest.guard` refuses (content that lies about its extension, a zip
bomb, a legacy encoding, a PDF over the limits) or one a parser chokes on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.guard import check_file
from ingest.structure import ReferenceFinder
from legal.document import Document
from legal.errors import InputError, LuatqaError

SUPPORTED = (".pdf", ".txt", ".md", ".json", ".docx")
# files in a folder that are about the folder, not statutes
_NOT_STATUTES = ("README", "LICENSE", "LICENCE", "CHANGELOG", "NOTICE")


def default_reference_finder() -> ReferenceFinder:
    from legal.citations import find_references
    from legal.document import CrossReference

    def find(text: str, doc: str, article: str | None) -> list[CrossReference]:
        return find_references(text, doc, article)

    return find


def _reader(suffix: str) -> Callable[..., list[Document]] | None:
    if suffix == ".json":
        from ingest.readers.lawjson import read_alqac

        return read_alqac
    if suffix in (".txt", ".md"):
        from ingest.readers.text import read_text

        return read_text
    if suffix == ".pdf":
        from ingest.readers.pdf import read_pdf

        return read_pdf
    if suffix == ".docx":
        from ingest.readers.docx import read_docx

        return read_docx
    return None


def load_documents(path: Path, *, references: bool = True) -> list[Document]:
    """Parse ``path`` (a statute file or a folder of them) into documents.

    ``references=False`` skips cross-reference extraction (faster, for bulk loads that do
    not need it)."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or folder", path=path, hint="check the path")
    find_refs = default_reference_finder() if references else None
    if path.is_dir():
        files = statute_files(path)
        if not files:
            raise InputError(f"no statute files ({', '.join(SUPPORTED)}) in this folder", path=path)
        return [doc for f in files for doc in load_documents_from_file(f, find_refs)]
    return load_documents_from_file(path, find_refs)


def statute_files(folder: Path) -> list[Path]:
    """The statute files in ``folder``: supported extensions, recursive, sorted. Skipped:
    hidden entries, files about the folder (README, LICENSE, …) and JSON files that are not
    law files (gold questions, id mappings: :func:`_may_be_law_json`). The one folder walk:
    :func:`load_documents` and the ingest pipeline both use it. A file given by name is
    never skipped."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and not p.stem.upper().startswith(_NOT_STATUTES)
        and (p.suffix.lower() != ".json" or _may_be_law_json(p))
    )


def _may_be_law_json(path: Path, head_bytes: int = 4096) -> bool:
    """Whether a JSON file in a folder is meant as an ALQAC ``law.json``: a list whose start
    names an ``"articles"`` key. Decision: a sniff of the first bytes, not a parse — a folder
    such as ``shared/corpus`` holds question sets and mappings next to its law files, and a
    full parse of every JSON file would read the law files twice. A malformed law file still
    passes the sniff and fails with the reader's message."""
    try:
        with path.open("rb") as f:
            head = f.read(head_bytes).decode("utf-8", errors="ignore")
    except OSError:
        return True  # let the reader report it
    return head.lstrip().startswith("[") and '"articles"' in head


def load_documents_from_file(path: Path, find_refs: ReferenceFinder | None) -> list[Document]:
    reader = _reader(path.suffix.lower())
    if reader is None:
        raise InputError(
            f"unsupported file type {path.suffix or '(none)'!r}",
            path=path,
            hint=f"give a statute as one of {', '.join(SUPPORTED)}",
        )
    if path.stat().st_size == 0:
        raise InputError("the file is empty", path=path, hint="give the statute's full text")
    check_file(path)
    try:
        docs = reader(path, find_refs=find_refs)
    except LuatqaError:
        raise
    except RecursionError as exc:
        raise InputError("the file is nested too deeply to read", path=path) from exc
    except Exception as exc:
        # Decision: whatever a third-party parser raises on a hostile or broken file
        # (pypdfium2, pypdf, python-docx, lxml, zlib…) becomes our own error naming the
        # file: only LuatqaError leaves the loader, so the CLI and the UI report it and go on
        raise InputError(
            f"cannot read the file ({type(exc).__name__}: {exc})",
            path=path,
            hint="the file is damaged or not a statute in this format",
        ) from exc
    return docs
