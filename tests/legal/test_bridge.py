"""``legal.bridge``: the one thread/queue bridge (streamed answers, upload progress)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from legal.bridge import relay, stream_from_thread


def test_items_arrive_in_order_on_the_callers_thread_then_the_result() -> None:
    caller = threading.current_thread()
    workers: list[str] = []

    def work(emit: Callable[[int], None]) -> str:
        workers.append(threading.current_thread().name)
        for i in range(5):
            emit(i)
        return "done"

    seen: list[tuple[int, bool]] = []
    result = relay(work, lambda i: seen.append((i, threading.current_thread() is caller)), name="w")
    assert result == "done" and workers == ["w"]
    assert seen == [(i, True) for i in range(5)]


def test_the_works_exception_is_raised_on_the_caller_after_its_items() -> None:
    def work(emit: Callable[[str], None]) -> None:
        emit("a")
        raise ValueError("boom")

    items = stream_from_thread(work, name="w")
    assert next(items) == "a"
    with pytest.raises(ValueError, match="boom"):
        next(items)


def test_yield_from_returns_the_result() -> None:
    def outer() -> object:
        result = yield from stream_from_thread(lambda emit: (emit(1), emit(2), 3)[-1], name="w")
        yield ("result", result)

    assert list(outer()) == [1, 2, ("result", 3)]
