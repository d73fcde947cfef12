"""Calibrate the abstention threshold (LUATQA_LLM__MIN_RELEVANCE) on several question styles.

    .venv/bin/python scripts/calibrate_abstention.py --index DIR \\
        --style factoid=../shared/corpus/alqac2022/questions.dev.json \\
        --style scenario=../shared/corpus/labor_golden/questions.dev.jsonl \\
        [--style NAME=FILE ...] [--keep 0.97] [--folds 5] [--k 8] [--at phrase=0.28 ...]

Every gold file (any shape of docs/gold-format.md) is read against the index: a question
whose gold provisions resolve to an indexed document is *answerable*; one whose gold law is
not in the index is *out of corpus* (the right reply is "not found"); requests to decline
(gold ``decline``) are left out (they are never abstained on). For every question the
configured retriever runs once, as the answer service runs it, and both relevance signals of
:mod:`generation.abstention` are computed on the legal issue as searched.

The rule: the highest threshold that still answers ``--keep`` of the answerable questions of
*every* style (the minimum of the per-style thresholds). It is cross-validated: questions are
split into ``--folds`` folds (by position, within each style); each fold is decided with the
threshold calibrated on the others, and the held-out rates are reported per style. The last
line is one JSON object. See docs/abstention.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from app.settings import load_settings
from app.wiring import Services
from eval.gold import RegistryResolver, load_gold
from eval.harness import search_text
from generation.abstention import (
    auc,
    calibrate,
    lexical_relevance,
    phrase_relevance,
    retrieval_relevance,
)

SIGNALS = ("phrase", "lexical", "retrieval")
Scores = dict[str, list[tuple[int, float]]]  # style → [(position, score)]


def _threshold(answerable: Scores, keep: float, skip_fold: int | None, folds: int) -> float:
    per_style = []
    for rows in answerable.values():
        train = [s for i, s in rows if skip_fold is None or i % folds != skip_fold]
        if train:
            per_style.append(calibrate(train, [], keep=keep).threshold)
    return min(per_style)


def cross_validate(
    answerable: Scores, unanswerable: Scores, keep: float, folds: int
) -> dict[str, dict[str, float | int]]:
    """Held-out rates per style: each fold decided by the threshold of the other folds."""
    answered: dict[str, list[bool]] = defaultdict(list)
    abstained: dict[str, list[bool]] = defaultdict(list)
    for f in range(folds):
        t = _threshold(answerable, keep, f, folds)
        for style, rows in answerable.items():
            answered[style] += [s >= t for i, s in rows if i % folds == f]
        for style, rows in unanswerable.items():
            abstained[style] += [s < t for i, s in rows if i % folds == f]
    out: dict[str, dict[str, float | int]] = {}
    for style, xs in answered.items():
        out[f"{style} (answerable)"] = {"n": len(xs), "answered": sum(xs) / len(xs)}
    for style, xs in abstained.items():
        out[f"{style} (out of corpus)"] = {"n": len(xs), "abstained": sum(xs) / len(xs)}
    return out


def collect(args: argparse.Namespace) -> tuple[dict[str, Scores], dict[str, Scores]]:
    """Both signals for every question: (answerable, out of corpus) per signal and style."""
    settings = load_settings(overrides={"index": {"dir": args.index, "qdrant_url": None}})
    ans: dict[str, Scores] = {s: defaultdict(list) for s in SIGNALS}
    unans: dict[str, Scores] = {s: defaultdict(list) for s in SIGNALS}
    with Services(settings) as services:
        retriever = services.retriever
        resolver = RegistryResolver(retriever.registry)
        for spec in args.style:
            style, _, path = spec.partition("=")
            gold = load_gold(Path(path), resolver)
            items = [i for i in gold.items if not i.decline]
            print(f"{style}: {len(items)} questions from {path}", file=sys.stderr)
            for pos, item in enumerate(items):
                text = search_text(item)
                result = retriever.search(text, args.k)
                searched = result.content_text or result.search_text or text
                target = ans if item.article_gold else unans
                # a question about a law the index does not hold is abstained on whatever
                # the threshold (AnswerService): it scores -inf
                off = float("-inf") if result.missing_laws else 0.0
                target["phrase"][style].append((pos, off or phrase_relevance(searched, result)))
                target["lexical"][style].append((pos, off or lexical_relevance(searched, result)))
                target["retrieval"][style].append((pos, off or retrieval_relevance(result)))
    return ans, unans


def at_thresholds(
    ans: dict[str, Scores], unans: dict[str, Scores], at: list[str]
) -> dict[str, dict[str, float]]:
    """Rates per style at given thresholds ("phrase=0.28"): the settings in use, or another
    setting to compare (no calibration)."""
    out: dict[str, dict[str, float]] = {}
    for spec in at:
        signal, _, value = spec.partition("=")
        t = float(value)
        rates: dict[str, float] = {}
        for style, rows in ans[signal].items():
            rates[f"{style} (answerable) answered"] = sum(s >= t for _, s in rows) / len(rows)
        for style, rows in unans[signal].items():
            rates[f"{style} (out of corpus) abstained"] = sum(s < t for _, s in rows) / len(rows)
        out[spec] = rates
        print(f"at {spec}: {rates}", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--style", action="append", required=True, help="NAME=GOLD_FILE")
    ap.add_argument("--keep", type=float, default=0.97)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument(
        "--at", action="append", default=[], help="SIGNAL=THRESHOLD: rates at this setting"
    )
    args = ap.parse_args(argv)

    ans, unans = collect(args)
    report: dict[str, object] = {"at": at_thresholds(ans, unans, args.at)}
    for signal in SIGNALS:
        a, u = ans[signal], unans[signal]
        pooled_u = [s for rows in u.values() for _, s in rows]
        threshold = _threshold(a, args.keep, None, args.folds)
        report[signal] = {
            "threshold": threshold,
            "auc": {style: auc([s for _, s in rows], pooled_u) for style, rows in a.items()},
            "held_out": cross_validate(a, u, args.keep, args.folds),
        }
        print(f"{signal}: threshold {threshold:.4f}", file=sys.stderr)
        for name, row in report[signal]["held_out"].items():  # type: ignore[index]
            print(f"  {name}: {row}", file=sys.stderr)
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
