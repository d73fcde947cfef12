"""BM25-style sparse vectors for Qdrant's sparse index.

* Tokens: underthesea word segmentation (compounds joined with ``_``: "người_lao_động") of
  :func:`legal.textnorm.normalize_for_index` text, lowercased; punctuation and a small
  Vietnamese stopword list dropped.
* Token → index: the first 4 bytes of blake2b(token) — stable across processes and Python
  versions (never Python's salted ``hash()``).
* Document side: BM25 term-frequency saturation with length normalisation
  ``tf·(k1+1) / (tf + k1·(1 − b + b·len/avg_len))``.
* Query side: 1.0 per unique term.
* IDF is applied by Qdrant (``Modifier.IDF`` on the sparse vector config), so the product of
  the two vectors is BM25.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from legal.textnorm import normalize_for_index
from retrieval.store.base import SparseVector

_STOPWORDS_TEXT = """
và hoặc của các những là thì mà này kia đó được bị cho với về theo tại trong ngoài
trên dưới từ đến khi nếu để do vì như có đã đang sẽ cũng vẫn còn rằng nào ra vào
lại một mỗi mọi bởi nên hay rất ở qua sau trước gì ai đây
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORDS_TEXT.split())

_PUNCT_ONLY = re.compile(r"^[\W_]+$")


class SparseEncoder(Protocol):
    @property
    def name(self) -> str: ...

    def encode_passages(self, texts: Sequence[str]) -> list[SparseVector]: ...

    def encode_query(self, text: str) -> SparseVector: ...


def token_index(token: str) -> int:
    """Stable 32-bit index of a token (Qdrant sparse indices are u32)."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=4).digest(), "big")


_LOAD_LOCK = threading.Lock()
_loaded = False


def _underthesea_tokenize(text: str) -> list[str]:
    """underthesea's word segmentation. Decision: its first call loads the CRF model, and
    underthesea publishes the model object *before* loading it, so a second thread arriving
    meanwhile tags with a model that has no featurizer yet (AttributeError). UI sessions
    asking their first questions at once did exactly that (found by
    tests/app/test_ui_sessions.py). The first call runs alone, under a lock; later calls
    take no lock."""
    global _loaded
    from underthesea import word_tokenize

    if not _loaded:
        with _LOAD_LOCK:
            if not _loaded:
                word_tokenize("khởi động", format="text")  # loads the model completely
                _loaded = True
    return str(word_tokenize(text, format="text")).split()


@dataclass(frozen=True)
class BM25Params:
    k1: float = 1.2
    b: float = 0.75
    avg_len: float = 60.0  # average tokens per chunk; ~60 for Khoản-level legal chunks


class BM25SparseEncoder:
    def __init__(
        self,
        params: BM25Params | None = None,
        *,
        stopwords: frozenset[str] = STOPWORDS,
        tokenizer: Callable[[str], list[str]] | None = None,
    ) -> None:
        self.params = params or BM25Params()
        self._stopwords = stopwords
        self._tokenize_raw = tokenizer or _underthesea_tokenize

    @property
    def name(self) -> str:
        p = self.params
        return f"bm25-underthesea-blake2b32|k1={p.k1}|b={p.b}|avg={p.avg_len}"

    def tokens(self, text: str) -> list[str]:
        """Index terms of ``text`` in order (with repeats)."""
        norm = normalize_for_index(text).lower()
        out: list[str] = []
        for tok in self._tokenize_raw(norm):
            if _PUNCT_ONLY.match(tok):
                continue
            # "lao_động," → strip stray punctuation glued on by the tokenizer
            tok = tok.strip(".,;:!?\"'()[]{}“”‘’…-–—/")
            if not tok or tok in self._stopwords:
                continue
            out.append(tok)
        return out

    def _vector(self, weights: dict[int, float]) -> SparseVector:
        items = sorted(weights.items())
        return SparseVector(
            indices=tuple(i for i, _ in items), values=tuple(float(v) for _, v in items)
        )

    def encode_passage(self, text: str) -> SparseVector:
        toks = self.tokens(text)
        if not toks:
            return SparseVector((), ())
        k1, b, avg = self.params.k1, self.params.b, self.params.avg_len
        norm = k1 * (1.0 - b + b * len(toks) / avg)
        weights: dict[int, float] = {}
        for tok, tf in Counter(toks).items():
            idx = token_index(tok)
            w = tf * (k1 + 1.0) / (tf + norm)
            # a 32-bit collision between two terms of one text: add their weights
            weights[idx] = weights.get(idx, 0.0) + w
        return self._vector(weights)

    def encode_passages(self, texts: Sequence[str]) -> list[SparseVector]:
        return [self.encode_passage(t) for t in texts]

    def encode_query(self, text: str) -> SparseVector:
        return self._vector({token_index(t): 1.0 for t in set(self.tokens(text))})
