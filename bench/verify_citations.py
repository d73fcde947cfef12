"""How well ``verify_citations`` (the MCP tool; :class:`retrieval.resolve.CitationResolver`)
flags citations that do not hold: precision and recall of "unresolved".

Correct citations (should resolve), from the gold sets:

* ``labor-answers``: every citation in the labor-law gold answers (``gold_answer_full``), as
  lawyers wrote them (and again with ``law="BLLĐ"``, the tool's default-law argument, for
  citations the answer writes without naming a law first);
* ``labor-gold`` / ``alqac2022`` / ``alqac2024``: the gold provisions of each dev question
  (``gold_citations``; ALQAC's ``relevant_articles`` written "Điều N <law>").

Deliberately corrupted copies of each gold provision (should be unresolved):

* ``article-out-of-range``: an article number past the law's last article;
* ``article-neighbour``: the next article of the law that exists (same clause/point) — a
  plausible slip the existence check can only catch when that article lacks the clause;
* ``law-not-indexed``: the law replaced by one the index does not hold (Luật Đất đai 2013);
* ``law-other-indexed``: the law replaced by another law of the index;
* ``clause-nonexistent``: a clause one past the article's last (or any, when it has none).

A gold citation naming a law the index does not hold (a decree) is counted apart: for this
index "unresolved" is its right answer. A citation the parser does not find at all counts as
unresolved. The last line printed is one
JSON object.

    .venv/bin/python -m bench.verify_citations --index22 IDX22 --index24 IDX24
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
NOT_INDEXED_LAW = "Luật Đất đai 2013"
LABOR_CODE = "45/2019/QH14"
CORRUPTIONS = (
    "article-out-of-range",
    "article-neighbour",
    "law-not-indexed",
    "law-other-indexed",
    "clause-nonexistent",
)


class Law:
    """What the corruptions need to know of an index: articles and clauses of each law."""

    def __init__(self, resolver: Any) -> None:
        self.resolver = resolver
        self.articles: dict[str, list[str]] = {}
        for doc in resolver.catalog.documents:
            nums = [a.article for a in resolver.reader.articles(doc)]
            self.articles[doc] = sorted(nums, key=lambda n: (len(n), n))

    def label(self, doc: str) -> str:
        return str(self.resolver.catalog.labels(doc)[0])

    def clauses(self, doc: str, article: str) -> list[int]:
        from legal.address import LegalAddress

        stored = self.resolver.article(LegalAddress(doc, article))
        found = {c.address.clause for c in stored.chunks} if stored else set()
        return sorted(int(c) for c in found if c and c.isdigit())


def written(article: str, clause: str | None, point: str | None, law: str) -> str:
    bits = [f"điểm {point}"] if point else []
    bits += [f"khoản {clause}"] if clause else []
    return " ".join([*bits, f"Điều {article}", law])


def corrupt(kind: str, addr: Any, laws: Law) -> str | None:
    doc, art, cl, pt = addr.doc, str(addr.article), addr.clause, addr.point
    arts = laws.articles[doc]
    if kind == "article-out-of-range":
        last = max(int(a) for a in arts if a.isdigit())
        return written(str(last + 1 + int(art) % 50), cl, pt, laws.label(doc))
    if kind == "article-neighbour":
        i = arts.index(art) if art in arts else -1
        if i < 0 or i + 1 >= len(arts):
            return None
        return written(arts[i + 1], cl, pt, laws.label(doc))
    if kind == "law-not-indexed":
        return written(art, cl, pt, NOT_INDEXED_LAW)
    if kind == "law-other-indexed":
        others = [d for d in laws.articles if d != doc]
        return written(art, cl, pt, laws.label(others[int(art) % len(others)])) if others else None
    clauses = laws.clauses(doc, art)
    return written(art, str((max(clauses) if clauses else 0) + 1), None, laws.label(doc))


def gold_sets(laws22: Law, laws24: Law | None) -> Iterator[tuple[str, str, Law]]:
    """(set name, citation text, index) of every correct citation."""
    for line in (CORPUS / "labor_golden" / "questions.dev.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        yield "labor-answers", row.get("gold_answer_full") or "", laws22
        for cite in row.get("gold_citations") or ():
            yield "labor-gold", cite, laws22
    for name, laws in (("alqac2022", laws22), ("alqac2024", laws24)):
        if laws is None:
            continue
        data = json.loads((CORPUS / name / "questions.dev.json").read_text(encoding="utf-8"))
        for q in data:
            for ref in q["relevant_articles"]:
                law = ref["law_id"]
                shown = laws.label(law) if "/" in law else law
                yield name, f"Điều {ref['article_id']} {shown}", laws


def measure(laws22: Law, laws24: Law | None) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for name, text, laws in gold_sets(laws22, laws24):
        found = laws.resolver.resolve_text(text) if text.strip() else []
        found = [f for f in found if not _other_law(f, counts)]
        if name == "labor-answers":
            with_law = laws.resolver.resolve_text(text, default_doc=LABOR_CODE)
            counts["labor-answers-with-law:n"] += sum(not _other_law(f) for f in with_law)
            counts["labor-answers-with-law:flagged"] += sum(
                not f.resolved and not _other_law(f) for f in with_law
            )
            for f in found:
                counts[f"{name}:n"] += 1
                counts[f"{name}:flagged"] += not f.resolved
                if not f.resolved:
                    reasons[f"{f.raw} → {f.reason}"] += 1
            continue
        if not found and text.strip() and laws.resolver.resolve_text(text):
            continue  # a gold citation of a law the index does not hold (counted apart)
        ok = len(found) == 1 and found[0].resolved
        counts[f"{name}:n"] += 1
        counts[f"{name}:flagged"] += not ok
        if not ok:
            reasons[f"{text} → {found[0].reason if found else 'not parsed'}"] += 1
            continue
        address = found[0].address
        if address is None or (name, address.canonical) in seen:
            continue
        seen.add((name, address.canonical))
        for kind in CORRUPTIONS:
            bad = corrupt(kind, address, laws)
            if bad is None:
                continue
            got = laws.resolver.resolve_text(bad)
            counts[f"{kind}:n"] += 1
            counts[f"{kind}:flagged"] += not (len(got) == 1 and got[0].resolved)
    return summarise(counts, reasons)


def _other_law(f: Any, counts: Counter[str] | None = None) -> bool:
    """A citation naming a law the index does not hold (a decree the gold answer cites):
    "unresolved" is the right answer for this index, so it is counted apart."""
    other = f.address is None and "law not in the index" in (f.reason or "")
    if other and counts is not None:
        counts["other-law"] += 1
    return other


def summarise(counts: Counter[str], reasons: Counter[str]) -> dict[str, Any]:
    apart = (*CORRUPTIONS, "labor-answers-with-law")  # reported, not in precision/recall
    gold = [k.split(":")[0] for k in counts if k.endswith(":n") and k.split(":")[0] not in apart]
    tp = sum(counts[f"{k}:flagged"] for k in CORRUPTIONS)
    positives = sum(counts[f"{k}:n"] for k in CORRUPTIONS)
    fp = sum(counts[f"{g}:flagged"] for g in gold)
    out: dict[str, Any] = {
        "precision_unresolved": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall_unresolved": round(tp / positives, 4) if positives else None,
        "gold": {g: {"n": counts[f"{g}:n"], "unresolved": counts[f"{g}:flagged"]} for g in gold},
        "corrupted_recall": {
            k: {
                "n": counts[f"{k}:n"],
                "recall": round(counts[f"{k}:flagged"] / counts[f"{k}:n"], 4),
            }
            for k in CORRUPTIONS
            if counts[f"{k}:n"]
        },
        "gold_citing_laws_not_indexed": counts["other-law"],
        "labor_answers_with_law_BLLD": {
            "n": counts["labor-answers-with-law:n"],
            "unresolved": counts["labor-answers-with-law:flagged"],
        },
        "gold_unresolved_examples": [r for r, _ in reasons.most_common(20)],
    }
    # excluding the plausible slips the existence check cannot see (a real provision cited)
    strict = [k for k in CORRUPTIONS if k not in ("article-neighbour", "law-other-indexed")]
    tp_s = sum(counts[f"{k}:flagged"] for k in strict)
    out["recall_unresolved_nonexistent_only"] = round(
        tp_s / max(1, sum(counts[f"{k}:n"] for k in strict)), 4
    )
    return out


def resolver_for(index: Path, stack: Any) -> Any:
    from app.settings import load_settings
    from app.wiring import Services
    from retrieval.resolve import CitationResolver

    services = stack.enter_context(
        Services(load_settings({"index": {"dir": index, "qdrant_url": None}}))
    )
    store_retriever = services.retriever
    return CitationResolver(store_retriever.reader, store_retriever.catalog)


def main() -> None:
    from contextlib import ExitStack

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index22", type=Path, required=True, help="index of ALQAC 2022 law.json")
    ap.add_argument("--index24", type=Path, help="index of ALQAC 2024 law.json")
    args = ap.parse_args()
    with ExitStack() as stack:
        laws22 = Law(resolver_for(args.index22, stack))
        laws24 = Law(resolver_for(args.index24, stack)) if args.index24 else None
        result = measure(laws22, laws24)
    for g, v in result["gold"].items():
        print(f"gold {g:16s} {v['n']:5d} citations, {v['unresolved']:3d} unresolved")
    for k, v in result["corrupted_recall"].items():
        print(f"corrupted {k:22s} {v['n']:5d} citations, recall {v['recall']:.3f}")
    v = result["labor_answers_with_law_BLLD"]
    print(f"gold labor-answers, law=BLLĐ {v['n']:5d} citations, {v['unresolved']:3d} unresolved")
    print(f"precision {result['precision_unresolved']}, recall {result['recall_unresolved']}")
    for example in result["gold_unresolved_examples"]:
        print("  gold unresolved:", example)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
