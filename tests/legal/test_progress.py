"""``legal.progress``: the one progress event."""

from __future__ import annotations

from legal.progress import ProgressEvent


def test_fraction_is_bounded_and_zero_while_the_total_is_unknown() -> None:
    assert ProgressEvent("f", 3, 4).fraction == 0.75
    assert ProgressEvent("f", 5, 4).fraction == 1.0
    assert ProgressEvent("training", 3, None, "steps").fraction == 0.0
    assert ProgressEvent("f", 0, 0).fraction == 0.0
