"""Calibrate the abstention threshold (LUATQA_LLM__MIN_RELEVANCE) on dev questions.

    .venv/bin/python scripts/calibrate_abstention.py --index DIR QUESTIONS.json [...]
        [--keep 0.95] [--unanswerable 60] [--k 8]

Questions (ALQAC ``questions.dev.json``) whose gold law is in the index are *answerable*;
the others (a sample of ``--unanswerable``) are *unanswerable*: the index cannot answer them,
and a good system abstains. For every question the configured retriever runs once and both
relevance signals of :mod:`generation.abstention` are computed. Even-numbered questions
calibrate (highest threshold that still answers ``--keep`` of the answerable ones), odd
ones are held out to report how that threshold does on questions it has not seen.
See docs/abstention.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.settings import load_settings
from app.wiring import Services
from generation.abstention import calibrate, lexical_relevance, retrieval_relevance
from retrieval.store.base import Filter


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("questions", nargs="+", type=Path)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--keep", type=float, default=0.95)
    ap.add_argument("--unanswerable", type=int, default=60)
    ap.add_argument("--k", type=int, default=8)
    args = ap.parse_args(argv)

    settings = load_settings(overrides={"index": {"dir": args.index, "qdrant_url": None}})
    with Services(settings) as services:
        indexed = {
            str(p.payload.get("doc_id")) for p in services.store.scroll(Filter(kinds=("document",)))
        }
        answerable: list[str] = []
        unanswerable: list[str] = []
        for path in args.questions:
            for q in json.loads(path.read_text(encoding="utf-8")):
                laws = {r["law_id"] for r in q.get("relevant_articles", [])}
                (answerable if laws & indexed else unanswerable).append(q["text"])
        step = max(1, len(unanswerable) // max(args.unanswerable, 1))
        unanswerable = unanswerable[::step][: args.unanswerable]
        print(
            f"index: {sorted(indexed)}; {len(answerable)} answerable, "
            f"{len(unanswerable)} unanswerable questions",
            file=sys.stderr,
        )
        scores: dict[str, dict[str, list[list[float]]]] = {
            s: {"ans": [[], []], "unans": [[], []]} for s in ("lexical", "retrieval")
        }
        for label, questions in (("ans", answerable), ("unans", unanswerable)):
            for i, text in enumerate(questions):
                result = services.retriever.search(text, args.k)
                scores["lexical"][label][i % 2].append(lexical_relevance(text, result))
                scores["retrieval"][label][i % 2].append(retrieval_relevance(result))

    report = {}
    for signal, s in scores.items():
        cal = calibrate(s["ans"][0], s["unans"][0], keep=args.keep)
        held = cal.evaluate(s["ans"][1], s["unans"][1])
        report[signal] = {"calibration": cal.__dict__, "held_out": held.__dict__}
        print(
            f"{signal:9s} threshold {cal.threshold:.4f}  AUC {held.auc:.3f}  held-out: "
            f"answers {held.answered_answerable:.0%} of answerable, abstains on "
            f"{held.abstained_unanswerable:.0%} of unanswerable",
            file=sys.stderr,
        )
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
