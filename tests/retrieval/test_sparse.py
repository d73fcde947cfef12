"""BM25 sparse vectors: tokens, stable indices, document/query weighting."""

from __future__ import annotations

import subprocess
import sys

import pytest

from retrieval.sparse import BM25Params, BM25SparseEncoder, token_index


@pytest.fixture(scope="module")
def enc() -> BM25SparseEncoder:
    return BM25SparseEncoder()


def test_tokens_join_compounds_normalise_and_drop_noise(enc: BM25SparseEncoder) -> None:
    toks = enc.tokens("Người lao động được nghỉ hằng năm, theo hợp đồng lao động. Hoà giải")
    assert "lao_động" in toks and "hợp_đồng" in toks
    assert "hòa" in toks  # tone placement unified: hoà → hòa, lowercased
    assert not {",", ".", "được", "theo"} & set(toks)  # punctuation and stopwords dropped


def test_token_index_is_stable_across_processes() -> None:
    code = "from retrieval.sparse import token_index; print(token_index('lao_động'))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert int(out) == token_index("lao_động")
    assert 0 <= token_index("lao_động") < 2**32
    assert token_index("lao_động") != token_index("lao")


def test_query_side_is_one_per_unique_term(enc: BM25SparseEncoder) -> None:
    q = enc.encode_query("lao động lao động tiền lương")
    assert len(q.indices) == 2
    assert set(q.values) == {1.0}
    assert list(q.indices) == sorted(q.indices)


def test_document_side_saturates_term_frequency(enc: BM25SparseEncoder) -> None:
    one = enc.encode_passage("tiền lương")
    three = enc.encode_passage("tiền lương tiền lương tiền lương")
    idx = token_index("tiền_lương") if "tiền_lương" in enc.tokens("tiền lương") else None
    assert idx is not None
    w1 = dict(zip(one.indices, one.values, strict=True))[idx]
    w3 = dict(zip(three.indices, three.values, strict=True))[idx]
    k1 = enc.params.k1
    assert w1 < w3 < k1 + 1.0  # grows with tf, bounded by k1 + 1


def test_length_normalisation(enc: BM25SparseEncoder) -> None:
    short = enc.encode_passage("thời giờ làm việc")
    long = enc.encode_passage("thời giờ làm việc " + " ".join(f"từ{i}" for i in range(200)))
    key = token_index(enc.tokens("thời giờ làm việc")[0])
    ws = dict(zip(short.indices, short.values, strict=True))[key]
    wl = dict(zip(long.indices, long.values, strict=True))[key]
    assert wl < ws
    # b = 0 turns length normalisation off: a single occurrence weighs exactly 1
    flat = BM25SparseEncoder(BM25Params(b=0.0))
    assert set(
        flat.encode_passage("thời giờ làm việc " + " ".join(f"t{i}" for i in range(200))).values
    ) == {1.0}


def test_empty_and_punctuation_only(enc: BM25SparseEncoder) -> None:
    assert enc.encode_passage("  ;  ,  . ").indices == ()
    assert enc.encode_query("và của").indices == ()
    assert "bm25" in enc.name


def test_first_tokenizations_at_once_all_succeed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions asking their first questions at the same moment: underthesea loads its model
    on the first call and publishes it half-loaded; only one thread may load it."""
    import threading

    import underthesea.pipeline.word_tokenize as wt

    from retrieval import sparse

    monkeypatch.setattr(wt, "word_tokenize_model", None)  # as in a fresh process
    monkeypatch.setattr(sparse, "_loaded", False)
    texts = [f"người lao động số {i} được nghỉ hằng năm" for i in range(8)]
    barrier = threading.Barrier(len(texts))
    got: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def first(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            got[i] = sparse._underthesea_tokenize(texts[i])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(got[i] == sparse._underthesea_tokenize(texts[i]) for i in range(len(texts)))
