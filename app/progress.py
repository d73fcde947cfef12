"""Progress on a terminal: :class:`legal.progress.ProgressEvent` drawn as rich bars on stderr.

The one renderer of the CLI's progress (``ingest``, ``eval``, ``finetune train``); the domain
only reports events (:mod:`legal.progress`). Decisions: stderr, so that stdout stays clean for
``--json``; one bar per event ``task`` (its key), added on the task's first event; the same
columns for every command — what is done, the unit, the live note, time spent and time left
at the pace so far.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from legal.progress import Progress as ProgressCallback
from legal.progress import ProgressEvent


class RichBars:
    """A :data:`legal.progress.Progress` callback over one rich ``Progress`` display."""

    def __init__(self, bars: Progress, label: str = "") -> None:
        self._bars = bars
        self._label = label
        self._tasks: dict[str, TaskID] = {}

    def __call__(self, event: ProgressEvent) -> None:
        task = self._tasks.get(event.task)
        if task is None:
            description = f"[bold]{self._label or event.label or event.task}"
            task = self._bars.add_task(description, total=event.total, unit="", note="")
            self._tasks[event.task] = task
        self._bars.update(
            task, completed=event.done, total=event.total, unit=event.unit, note=event.note
        )


@contextlib.contextmanager
def progress_bars(
    enabled: bool = True,
    *,
    label: str = "",
    transient: bool = False,
) -> Iterator[ProgressCallback | None]:
    """Bars on stderr while the block runs; yields the callback to hand to the domain, or None
    when ``enabled`` is false (the domain then reports nothing). ``label`` names every bar
    (default: the event's label, else its task); ``transient`` clears the bars at the end."""
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unit]}"),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=transient) as bars:
        yield RichBars(bars, label)
