"""Optional cross-encoder reranking of the top articles (off by default).

For sentence-transformers users: set ``retrieval.reranker`` (``LUATQA_RETRIEVAL__RERANKER``)
to a ``CrossEncoder`` model id or folder, e.g. a multilingual MS MARCO cross-encoder. The
retriever then rescores its top ``rerank_candidates`` articles (title + best clauses) with it.
Needs the ``st`` extra (``pip install 'luatqa[st]'``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from legal.errors import ConfigError


class CrossEncoderReranker:
    def __init__(self, model: str, *, device: str = "cpu", batch_size: int = 16) -> None:
        try:
            from sentence_transformers import CrossEncoder
        except ImportError as exc:
            raise ConfigError(
                f"the reranker {model!r} needs sentence-transformers",
                hint="pip install 'luatqa[st]', or unset LUATQA_RETRIEVAL__RERANKER",
            ) from exc
        try:
            self._model: Any = CrossEncoder(model, device=device)
        except Exception as exc:
            raise ConfigError(
                f"cannot load the reranker {model!r}: {exc}",
                hint="give a local CrossEncoder folder or a model id that is downloadable",
            ) from exc
        self.name = model
        self._batch = batch_size

    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        scores = self._model.predict(
            [(query, t) for t in texts], batch_size=self._batch, show_progress_bar=False
        )
        return [float(s) for s in scores]
