"""``--as-of YYYY-MM-DD``, shared by ``search``, ``ask`` and ``eval`` (issue 11): only the
provisions in force on that date are retrieved, and citations are labelled for it."""

from __future__ import annotations

from typing import Annotated

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
