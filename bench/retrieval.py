"""Retrieval latency.

1. End to end (query normalisation + analysis + query embedding + one hybrid request +
   article grouping + assembly) over an index holding both ALQAC corpora, with the dev
   questions of both as queries. The index is built (``luatqa ingest``) when missing.
2. Search only (one hybrid dense + sparse request fused in Qdrant) at N synthetic chunks:
   random L2-normalised 384-d vectors and Zipf-distributed sparse vectors in a temporary
   embedded (qdrant-edge) store.

The last line printed is one JSON object: ``{"p50_ms", "p95_ms", "search_only_p50_ms", …}``.

    .venv/bin/python -m bench.retrieval --index /tmp/bench-index [--queries 200]
        [--synthetic 100000] [--skip-e2e] [--skip-synthetic]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent

CORPUS = REPO.parent / "shared" / "corpus"
LAWS = (CORPUS / "alqac2022" / "law.json", CORPUS / "alqac2024" / "law.json")
QUESTIONS = (
    CORPUS / "alqac2022" / "questions.dev.json",
    CORPUS / "alqac2024" / "questions.dev.json",
)


def pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values), q)), 3) if values else float("nan")


def bench_e2e(index: Path, n_queries: int, seed: int) -> dict[str, Any]:
    from app.progress import progress_bars
    from app.settings import load_settings
    from app.wiring import Services

    settings = load_settings({"index": {"dir": str(index)}})
    with Services(settings) as services:
        if services.store.count() == 0:
            print(f"building {index} from {', '.join(map(str, LAWS))} …", file=sys.stderr)
            with progress_bars() as bars:
                services.pipeline.ingest_paths(list(LAWS), progress=bars)
            services.store.flush()
        questions: list[str] = []
        for qfile in QUESTIONS:
            questions.extend(q["text"] for q in json.loads(qfile.read_text(encoding="utf-8")))
        random.Random(seed).shuffle(questions)
        questions = questions[:n_queries]
        retriever = services.retriever
        for q in questions[:5]:  # warm-up: model load, registry, caches
            retriever.search(q, k=10)
        totals: list[float] = []
        parts: dict[str, list[float]] = {}
        for q in questions:
            t0 = time.perf_counter()
            res = retriever.search(q, k=10)
            totals.append((time.perf_counter() - t0) * 1000.0)
            for key, ms in res.timings_ms.items():
                parts.setdefault(key, []).append(ms)
        return {
            "p50_ms": pct(totals, 50),
            "p95_ms": pct(totals, 95),
            "queries": len(totals),
            "index_points": services.store.count(),
            **{f"{k.removesuffix('_ms')}_p50_ms": pct(v, 50) for k, v in parts.items()},
        }


def synthetic_sparse(rng: np.random.Generator, n_terms: int, vocab: int) -> Any:
    from retrieval.store.base import SparseVector

    # Zipf-like term ids: a few very common terms, a long tail
    ids = np.unique(np.minimum(rng.zipf(1.3, size=n_terms), vocab - 1).astype(np.int64))
    vals = rng.uniform(0.5, 2.0, size=ids.size)
    return SparseVector(tuple(int(i) for i in ids), tuple(float(v) for v in vals))


def bench_synthetic(n: int, dim: int, n_queries: int, seed: int) -> dict[str, Any]:
    from retrieval.store.base import PointRecord
    from retrieval.store.edge import EdgeStore

    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory(prefix="luatqa-bench-") as tmp:
        store = EdgeStore(Path(tmp) / "idx")
        try:
            store.ensure_collection(dim)
            t0 = time.perf_counter()
            batch = 2000
            for start in range(0, n, batch):
                m = min(batch, n - start)
                vecs = rng.standard_normal((m, dim)).astype(np.float32)
                vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
                points = [
                    PointRecord(
                        str(uuid.UUID(int=start + i + 1)),
                        {
                            "kind": "chunk",
                            "doc_id": f"doc{(start + i) % 20}",
                            "article": str((start + i) % 400),
                        },
                        vecs[i].tolist(),
                        synthetic_sparse(rng, 40, 50_000),
                    )
                    for i in range(m)
                ]
                store.upsert(points)
            store.flush()
            store.optimize()  # as `luatqa ingest` does after a large run
            build_s = time.perf_counter() - t0
            times: list[float] = []
            for i in range(n_queries + 5):
                q = rng.standard_normal(dim).astype(np.float32)
                q /= np.linalg.norm(q)
                sq = synthetic_sparse(rng, 8, 50_000)
                t = time.perf_counter()
                store.hybrid_search(q.tolist(), sq, 50, prefetch_limit=50)
                if i >= 5:
                    times.append((time.perf_counter() - t) * 1000.0)
        finally:
            store.close()
    return {
        "search_only_p50_ms": pct(times, 50),
        "search_only_p95_ms": pct(times, 95),
        "synthetic_chunks": n,
        "synthetic_build_s": round(build_s, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--index", type=Path, default=Path(tempfile.gettempdir()) / "luatqa-bench-index"
    )
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--synthetic", type=int, default=100_000)
    ap.add_argument("--synthetic-queries", type=int, default=200)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-e2e", action="store_true")
    ap.add_argument("--skip-synthetic", action="store_true")
    args = ap.parse_args(argv)
    out: dict[str, Any] = {}
    if not args.skip_e2e:
        if not all(p.exists() for p in (*LAWS, *QUESTIONS)):
            print(f"the ALQAC corpora are missing under {CORPUS}", file=sys.stderr)
            return 2
        out.update(bench_e2e(args.index, args.queries, args.seed))
        print(json.dumps(out), file=sys.stderr)
    if not args.skip_synthetic:
        out.update(bench_synthetic(args.synthetic, args.dim, args.synthetic_queries, args.seed))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
