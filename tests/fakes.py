"""Fakes and small helpers shared by the tests of several packages."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from legal.textnorm import fold
from retrieval.types import Passage, Provision, SearchResult

DIM = 64


class HashingEmbedder:
    """Bag of folded words hashed into 64 dims, L2-normalised (deterministic, instant)."""

    dim = DIM
    name = "test-hashing"

    def _one(self, text: str) -> np.ndarray:
        v = np.zeros(DIM, dtype=np.float32)
        for w in fold(text).split():
            h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=4).digest(), "big")
            v[h % DIM] += 1.0
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.vstack([self._one(t) for t in texts]) if texts else np.zeros((0, DIM))

    def embed_query(self, text: str) -> np.ndarray:
        return self._one(text)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_passages(texts)


def cache_rows(path: Path) -> int:
    """Rows in the embedding cache's sqlite file (0 while it is missing or being written)."""
    if not path.exists():
        return 0
    try:
        con = sqlite3.connect(str(path), timeout=1.0)
        try:
            return int(con.execute("SELECT COUNT(*) FROM emb").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def search_result(query: str, passages: Iterable[Passage], **fields: Any) -> SearchResult:
    """A retrieval result holding each passage as a provision of its own article, in order."""
    provisions = tuple(
        Provision(p.address.article_address(), p.article_title, p.doc_label, p.score, (p,))
        for p in passages
    )
    return SearchResult(query, provisions, **fields)


class FixedRetriever:
    """Whatever is asked, the first k of the passages it was given."""

    def __init__(self, *passages: Passage) -> None:
        self.passages = passages

    def search(self, query: str, k: int, docs: Sequence[str] = ()) -> SearchResult:
        return search_result(query, self.passages[:k])
