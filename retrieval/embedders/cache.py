"""On-disk embedding cache: sqlite, keyed by sha256(model name + text).

Wraps any :class:`DenseEmbedder`; passages already embedded by the same model (same name,
which includes its prefixes) are read back instead of re-embedded, so re-ingesting an
unchanged or slightly changed document embeds only what changed. Queries are not cached."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from legal.errors import StoreError
from retrieval.embedders.base import DenseEmbedder


def cache_key(model_name: str, text: str) -> str:
    return hashlib.sha256(f"{model_name}\x00{text}".encode()).hexdigest()


class EmbeddingCache:
    """sqlite table ``(key TEXT PRIMARY KEY, vec BLOB)``; safe for several processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=30.0, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB NOT NULL)"
            )
            self._db.commit()
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot open the embedding cache: {exc}",
                path=self.path,
                hint="delete the file (it is only a cache) or set LUATQA_EMBEDDER__CACHE_DIR",
            ) from exc
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        keys = list(keys)
        with self._lock:
            for i in range(0, len(keys), 500):
                part = keys[i : i + 500]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT key, vec FROM emb WHERE key IN ({marks})", part
                ).fetchall()
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        if not items:
            return
        rows = [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO emb (key, vec) VALUES (?, ?)", rows)
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM emb").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


class CachedEmbedder:
    """A :class:`DenseEmbedder` that reads passages from an :class:`EmbeddingCache` first."""

    def __init__(self, inner: DenseEmbedder, cache: EmbeddingCache) -> None:
        self.inner = inner
        self.cache = cache
        self.hits = 0
        self.misses = 0

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def name(self) -> str:
        return self.inner.name

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        keys = [cache_key(self.inner.name, t) for t in texts]
        found = self.cache.get_many(sorted(set(keys)))
        missing = [i for i, k in enumerate(keys) if k not in found or found[k].size != self.dim]
        if missing:
            # embed each distinct missing text once
            todo: dict[str, str] = {}
            for i in missing:
                todo.setdefault(keys[i], texts[i])
            vecs = self.inner.embed_passages(list(todo.values()))
            fresh = dict(zip(todo.keys(), vecs, strict=True))
            self.cache.put_many(fresh)
            found.update(fresh)
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([found[k] for k in keys]).astype(np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)
