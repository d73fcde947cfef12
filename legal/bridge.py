"""The one thread/queue bridge: run work in a worker thread, see what it emits on yours.

Two callers need it: a streamed answer (the backend writes tokens from the request thread, the
caller iterates them) and an upload in the UI (the pipeline reports progress from its thread,
Streamlit can only draw from the script thread). Before this module each had its own copy of
the queue loop.

Decisions: the worker is a daemon thread (a caller that stops iterating early does not keep
the process alive); items arrive in the order emitted, then the work's return value, or its
exception re-raised on the caller's thread — never both, nothing lost.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class _Item(Generic[T]):
    value: T


@dataclass(frozen=True)
class _Done(Generic[R]):
    value: R


@dataclass(frozen=True)
class _Failed:
    error: BaseException


def stream_from_thread(
    work: Callable[[Callable[[T], None]], R], *, name: str
) -> Generator[T, None, R]:
    """Call ``work(emit)`` in a worker thread named ``name``; yield each emitted item on the
    caller's thread, then return work's result or raise its exception there
    (``result = yield from stream_from_thread(work, name=...)``)."""
    q: queue.Queue[_Item[T] | _Done[R] | _Failed] = queue.Queue()

    def run() -> None:
        try:
            q.put(_Done(work(lambda item: q.put(_Item(item)))))
        except BaseException as exc:  # delivered to the caller, raised there
            q.put(_Failed(exc))

    worker = threading.Thread(target=run, name=name, daemon=True)
    worker.start()
    while True:
        msg = q.get()
        if isinstance(msg, _Item):
            yield msg.value
        elif isinstance(msg, _Done):
            worker.join()
            return msg.value
        else:
            worker.join()
            raise msg.error


def relay(
    work: Callable[[Callable[[T], None]], R], on_item: Callable[[T], None], *, name: str
) -> R:
    """:func:`stream_from_thread`, each item handed to ``on_item`` on the caller's thread;
    returns work's result."""
    items = stream_from_thread(work, name=name)
    while True:
        try:
            item = next(items)
        except StopIteration as done:
            result: R = done.value
            return result
        on_item(item)
