"""Public entry point of the ingest side: a file (or folder) → parsed documents.

``load_documents(path)`` dispatches on the extension: ``.pdf``, ``.txt``/``.md``, ``.docx``,
``.json`` (ALQAC ``law.json``: one document per law). A folder loads every supported file
in it (sorted, recursive, skipping hidden folders and README/LICENSE files). Anything else
is an :class:`InputError`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.structure import ReferenceFinder
from legal.document import Document
from legal.errors import InputError

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
        files = sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix.lower() in SUPPORTED
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
            and not p.stem.upper().startswith(_NOT_STATUTES)
        )
        if not files:
            raise InputError(f"no statute files ({', '.join(SUPPORTED)}) in this folder", path=path)
        return [doc for f in files for doc in load_documents_from_file(f, find_refs)]
    return load_documents_from_file(path, find_refs)


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
    return reader(path, find_refs=find_refs)
