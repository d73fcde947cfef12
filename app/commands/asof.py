"""``--as-of YYYY-MM-DD``, shared by ``search``, ``ask`` and ``eval`` (issue 11): only the
provisions in force on that date are retrieved, and citations are labelled for it."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from legal.errors import InputError
from legal.validity import to_date

AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="Only provisions in force on this date; citations labelled for it (default: "
        "today, nothing filtered).",
    ),
]


def checked_as_of(value: str | None) -> str | None:
    """The ISO date of ``--as-of``, or an input error naming the expected form."""
    if value is None:
        return None
    day = to_date(value.strip())
    if day is None or len(value.strip()) != 10:
        raise InputError(
            f"--as-of {value!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2021-06-30"
        )
    return day.isoformat()


def stale_notice(retriever: Any) -> str | None:
    """The offer to refresh an index built before validity existed: its documents carry no
    dates, so ``--as-of`` excludes nothing of them and their citations read "Chưa rõ hiệu
    lực" until ``luatqa ingest`` is run on their files (payloads set, nothing re-embedded)."""
    reader = getattr(retriever, "reader", None)  # test doubles have none
    if reader is None:
        return None
    stale = [d.doc_id for d in reader.documents() if d.validity_version is None]
    if not stale:
        return None
    return (
        f"note: {len(stale)} indexed document(s) have no validity metadata yet "
        f"({', '.join(stale[:4])}{' …' if len(stale) > 4 else ''}); run `luatqa ingest` on "
        "their files to add it (nothing is re-embedded)"
    )
