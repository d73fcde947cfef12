"""Threads on one embedded store: searches run together, a write runs alone
(retrieval/store/rwlock.py, retrieval/store/edge.py)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from retrieval.sparse import SparseVector
from retrieval.store.base import PointRecord
from retrieval.store.edge import EdgeStore
from retrieval.store.rwlock import RWLock


def test_readers_share_and_a_writer_excludes_them() -> None:
    lock = RWLock()
    inside: list[tuple[int, bool]] = []
    gate = threading.Barrier(3)

    def reader() -> None:
        with lock.read():
            gate.wait(timeout=5)  # all three readers inside at once, or this times out
            inside.append(lock.state())

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(readers >= 1 and not writer for readers, writer in inside)
    assert max(r for r, _ in inside) == 3
    with lock.write():
        assert lock.state() == (0, True)
    assert lock.state() == (0, False)


def test_a_waiting_writer_goes_before_new_readers() -> None:
    lock, order = RWLock(), []
    first = threading.Event()

    def writer() -> None:
        with lock.write():
            order.append("write")

    def late_reader() -> None:
        with lock.read():
            order.append("read")

    with lock.read():
        first.set()
        w = threading.Thread(target=writer)
        w.start()
        while not lock._waiting_writers:  # the writer is queued
            time.sleep(0.001)
        r = threading.Thread(target=late_reader)
        r.start()
        time.sleep(0.05)
        assert order == []  # neither got in while the first reader holds the lock
    w.join()
    r.join()
    assert order == ["write", "read"]


class OverlapShard:
    """Wraps the real shard; records how many calls of each kind run at once."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.lock = threading.Lock()
        self.active = {"read": 0, "write": 0}
        self.clashes = 0  # a write overlapping anything
        self.max_readers = 0

    def _call(self, kind: str, fn: Any, *args: Any) -> Any:
        with self.lock:
            self.active[kind] += 1
            if self.active["write"] and (self.active["read"] or self.active["write"] > 1):
                self.clashes += 1
            self.max_readers = max(self.max_readers, self.active["read"])
        try:
            time.sleep(0.01)  # widen the window
            return fn(*args)
        finally:
            with self.lock:
                self.active[kind] -= 1

    def update(self, *a: Any) -> Any:
        return self._call("write", self.inner.update, *a)

    def query(self, *a: Any) -> Any:
        return self._call("read", self.inner.query, *a)

    def retrieve(self, *a: Any) -> Any:
        return self._call("read", self.inner.retrieve, *a)

    def count(self, *a: Any) -> Any:
        return self._call("read", self.inner.count, *a)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _point(i: int) -> PointRecord:
    vec = [0.0] * 8
    vec[i % 8] = 1.0
    return PointRecord(
        f"00000000-0000-0000-0000-{i:012d}",
        {"doc_id": "d", "kind": "chunk", "text": f"t{i}"},
        vec,
        SparseVector((i % 50,), (1.0,)),
    )


@pytest.mark.parametrize("rounds", [30])
def test_writes_never_overlap_searches_on_the_edge_store(tmp_path: Path, rounds: int) -> None:
    with EdgeStore(tmp_path / "idx") as store:
        store.ensure_collection(8)
        store.upsert([_point(i) for i in range(20)])
        shard = OverlapShard(store._shard)
        store._shard = shard
        errors: list[BaseException] = []

        def search() -> None:
            try:
                for _ in range(rounds):
                    hits = store.dense_search([1.0] + [0.0] * 7, limit=3)
                    assert hits and store.count() >= 20
            except BaseException as exc:
                errors.append(exc)

        def write() -> None:
            try:
                for i in range(rounds):
                    store.upsert([_point(100 + i)])
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=search) for _ in range(4)]
        threads.append(threading.Thread(target=write))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        store._shard = shard.inner
        assert errors == []
        assert shard.clashes == 0
        assert shard.max_readers > 1  # searches did run together
        assert store.count() == 20 + rounds
