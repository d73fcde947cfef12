"""``finetune.train``: training reports optimizer steps as :mod:`legal.progress` events
(the CLI draws them; the trainer never renders)."""

from __future__ import annotations

from types import SimpleNamespace

from finetune.train import _progress_callback
from legal.progress import ProgressEvent


def test_steps_are_reported_as_events_of_the_training_task() -> None:
    events: list[ProgressEvent] = []
    callback = _progress_callback(events.append)
    state = SimpleNamespace(global_step=0, max_steps=10)
    callback.on_train_begin(None, state, None)
    state.global_step = 3
    callback.on_step_end(None, state, None)
    assert [(e.task, e.done, e.total, e.unit) for e in events] == [
        ("training", 0, 10, "steps"),
        ("training", 3, 10, "steps"),
    ]
