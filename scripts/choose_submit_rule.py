"""Choose ALQAC's submission rule (``luatqa eval --submit-top N --submit-rel R``) on dev sets.

ALQAC scores retrieval by macro F2 over the *set* of articles a system submits per question,
so a ranking needs a cut. Each gold file is searched once (the configured retriever, as
``luatqa eval`` does); every rule of the grid is then scored on the same results with the
harness's own scoring (:func:`eval.harness.score_question`, :func:`eval.harness.summarize`).
Prints one line per rule and set, and last one JSON object with the best rule by mean F2.

    .venv/bin/python scripts/choose_submit_rule.py \
        --index IDX2022 --gold ../shared/corpus/alqac2022/questions.dev.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from app.settings import load_settings
from app.wiring import Services
from eval.gold import RegistryResolver, load_gold
from eval.harness import SubmitRule, score_question, search_text, summarize

GRID = [SubmitRule()] + [SubmitRule(n, r) for n in (2, 3) for r in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--index", type=Path, action="append", required=True)
    p.add_argument("--gold", type=Path, action="append", required=True)
    p.add_argument("--k", type=int, default=10)
    args = p.parse_args()
    if len(args.index) != len(args.gold):
        p.error("one --index per --gold")
    table: dict[str, dict[str, float]] = {}
    for index, gold_path in zip(args.index, args.gold, strict=True):
        settings = load_settings({"index": {"dir": str(index), "qdrant_url": None}})
        with Services(settings) as services:
            retriever = services.retriever
            gold = load_gold(gold_path, RegistryResolver(retriever.registry))
            searched = []
            for item in gold.items:
                started = time.perf_counter()
                result = retriever.search(search_text(item), args.k)
                searched.append((item, result, (time.perf_counter() - started) * 1000))
        for rule in GRID:
            scored = [score_question(i, r, args.k, ms, rule) for i, r, ms in searched]
            s = summarize(scored, n_items=len(gold.items), k=args.k, rule=rule)
            f2 = s.article.f2 or 0.0
            key = f"--submit-top {rule.max_n} --submit-rel {rule.min_rel_score:g}"
            table.setdefault(key, {})[gold_path.parent.name] = round(f2, 4)
            print(f"{gold_path.parent.name}\t{key}\tF2 {f2:.4f}", flush=True)
    best = max(table, key=lambda k: sum(table[k].values()) / len(table[k]))
    print(json.dumps({"best": best, "f2": table[best], "top1": table[next(iter(table))]}))


if __name__ == "__main__":
    main()
