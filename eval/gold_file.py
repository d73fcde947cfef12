"""Reading a gold file: (line, object) for each item of a JSON array or JSON Lines file.

Line numbers are kept so that every error in :mod:`eval.gold` names the file and the line
(a JSON array is read item by item with :meth:`json.JSONDecoder.raw_decode`). Split out of
:mod:`eval.gold`, which turns the objects into :class:`eval.gold.GoldItem`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from legal.errors import GoldError

FORMAT_HINT = "see docs/gold-format.md for the gold file format"


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _json_array_items(text: str, path: Path) -> Iterator[tuple[int, Any]]:
    """Items of a top-level JSON array with the line each starts on."""
    decoder = json.JSONDecoder()
    pos = len(text) - len(text.lstrip())
    if pos >= len(text) or text[pos] != "[":
        raise GoldError(
            f"line {_line_of(text, pos)}: a .json gold file must hold a JSON array",
            path=path,
            hint=FORMAT_HINT,
        )
    pos += 1
    expect_item = True
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos >= len(text):
            raise GoldError(f"line {_line_of(text, pos)}: unterminated JSON array", path=path)
        ch = text[pos]
        if ch == "]":
            return
        if ch == "," and not expect_item:
            pos += 1
            expect_item = True
            continue
        if not expect_item:
            raise GoldError(
                f"line {_line_of(text, pos)}: expected ',' or ']' between items", path=path
            )
        try:
            obj, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise GoldError(f"line {exc.lineno}: invalid JSON: {exc.msg}", path=path) from exc
        yield _line_of(text, pos), obj
        pos = end
        expect_item = False


def _jsonl_items(text: str, path: Path) -> Iterator[tuple[int, Any]]:
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("//"):
            continue
        try:
            yield lineno, json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise GoldError(
                f"line {lineno}: invalid JSON: {exc.msg} (column {exc.colno})",
                path=path,
                hint="JSON Lines: one complete JSON object per line",
            ) from exc


def read_raw(path: Path) -> list[tuple[int, Any]]:
    """(line, object) for every item of a gold file (.json array or .jsonl)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise GoldError("gold file not found", path=path) from exc
    except UnicodeDecodeError as exc:
        raise GoldError(f"not UTF-8 text: {exc}", path=path) from exc
    if path.suffix.lower() == ".jsonl" or not text.lstrip().startswith("["):
        items = list(_jsonl_items(text, path))
    else:
        items = list(_json_array_items(text, path))
    if not items:
        raise GoldError("the gold file holds no questions", path=path, hint=FORMAT_HINT)
    return items
