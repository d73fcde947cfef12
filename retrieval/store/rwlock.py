"""A reader-writer lock for the embedded store: many searches at once, one writer alone.

Decision: the UI process shares one :class:`retrieval.store.edge.EdgeStore` between every
browser session, and an upload ingests on a worker thread while the other sessions search.
qdrant-edge's Python binding documents no thread-safety guarantee for a shard that is
updated, flushed or optimised while another thread queries it, so writes (upsert, delete,
flush, optimise, close) take the lock exclusively and reads (search, retrieve, scroll,
count) take it shared. Writers are preferred: once a writer waits, new readers queue behind
it, so a stream of questions cannot starve an upload. The lock is not reentrant for
writers and a reader must not ask for the write side (the store never does either).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class RWLock:
    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            try:
                while self._writer or self._readers:
                    self._cond.wait()
            finally:
                self._waiting_writers -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()

    def state(self) -> tuple[int, bool]:
        """(readers inside, a writer inside): for tests."""
        with self._cond:
            return self._readers, self._writer
