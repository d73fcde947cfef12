"""The CLI's one error boundary: a project error becomes one message and one exit code.

Decisions (after simonw/llm):

* Commands raise :class:`legal.errors.LuatqaError` (or a subclass) and never print errors
  or choose exit codes themselves; :class:`BoundaryGroup` — the top-level command group —
  catches them once and prints ``Error: [stage] path: message`` and the hint on stderr.
  Click's own usage errors (unknown option, a value outside the choices) print the same
  ``Error:`` prefix (the Typer apps turn off rich's error panels for that).
* Exit codes say whose move it is:

  ===  ==========================================================================
  0    done
  1    failed: the index or the model server failed (``[index]``, ``[generation]``),
       or a bug — an unexpected exception, shown with its traceback
  2    bad input: a usage error, a file or gold set that cannot be read, bad
       settings, an empty question (``[ingest]``, ``[config]``, ``[eval]``,
       ``[citation]``, ``[question]``); ``luatqa ingest`` also exits 2 when a file
       could not be ingested (the other files are)
  ===  ==========================================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from legal.errors import (
    CitationError,
    ConfigError,
    GoldError,
    InputError,
    LuatqaError,
    QuestionError,
)

if TYPE_CHECKING:  # the context type TyperGroup.invoke declares (typer vendors click)
    from typer._click import Context as ClickContext

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
BAD_INPUT: tuple[type[LuatqaError], ...] = (
    InputError,
    ConfigError,
    GoldError,
    CitationError,
    QuestionError,
)


def exit_code(exc: LuatqaError) -> int:
    """2 for bad input, 1 for everything else the project raises on purpose."""
    return EXIT_BAD_INPUT if isinstance(exc, BAD_INPUT) else EXIT_FAILED


def report(exc: LuatqaError) -> int:
    """Print the error the one way (stderr, ``Error:`` prefix) and return its exit code."""
    typer.secho(f"Error: {exc}", err=True, fg=typer.colors.RED)
    return exit_code(exc)


class BoundaryGroup(TyperGroup):
    """The top-level group: every command (and sub-command) runs inside :meth:`invoke`."""

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except LuatqaError as exc:
            raise typer.Exit(report(exc)) from exc
