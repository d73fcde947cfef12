"""The one way a long task says how far it is: a :class:`ProgressEvent` to a :data:`Progress`
callback.

Decisions (after llama-index's instrumentation and haystack's components, which return plain
data and never render):

* The domain (``ingest``, ``eval``, ``finetune``) *reports* plain events and never draws;
  rendering — rich bars on a terminal, a Streamlit bar — lives in ``app/`` only
  (``app/progress.py``, ``app/services/uploads.py``).
* An event carries the running total, not an increment, so a renderer needs no state to
  draw it and a dropped or repeated event does no harm.
* ``task`` names what is being worked on and is the renderer's key: two events with the same
  ``task`` move the same bar (the ingest pipeline uses the file's path, so two ``law.json``
  in different folders get two bars, each labelled with the short ``label`` it shows).
* The callback is called on the thread that does the work; a caller that must draw on
  another thread bridges with :func:`legal.bridge.relay`.

It lives in ``legal/``, the lowest layer, because every layer that runs long tasks imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressEvent:
    task: str  # what is being worked on (a file path, "eval", "training"): the bar's key
    done: int  # units done so far in this task
    total: int | None  # units in all; None when not known yet
    unit: str = ""  # what is counted: "chunks", "questions", "steps"
    note: str = ""  # a short live figure for the bar, e.g. "hit@k 12"
    label: str = ""  # what the bar shows when not the task (a file's name, not its path)

    @property
    def fraction(self) -> float:
        """Share done, 0 … 1 (0 while the total is unknown)."""
        if not self.total:
            return 0.0
        return min(max(self.done / self.total, 0.0), 1.0)


Progress = Callable[[ProgressEvent], None]
