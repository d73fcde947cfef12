"""The dense embedder role.

Every embedder returns L2-normalised ``float32`` rows (cosine = dot product) and applies its
own query/passage convention (e5's ``query: `` / ``passage: `` prefixes, or none)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class DenseEmbedder(Protocol):
    @property
    def dim(self) -> int: ...

    @property
    def name(self) -> str:
        """Identifies the model *and* its prefixes: part of the embedding cache key."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """(N, dim) float32, L2-normalised."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) float32, L2-normalised."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


def l2_normalise(matrix: np.ndarray) -> np.ndarray:
    m = np.asarray(matrix, dtype=np.float32)
    if m.ndim == 1:
        n = float(np.linalg.norm(m))
        return m / n if n > 0 else m
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (m / norms).astype(np.float32)
