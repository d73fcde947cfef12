"""Writing an eval run to a folder, and reading it back (for ``--compare``).

``--out DIR`` holds:

* ``results.jsonl`` – one line per scored question: gold, retrieved provisions (addresses,
  scores, passages), ranks, hit, latency;
* ``summary.json``  – the ``--json`` object plus the run's settings and breakdowns;
* ``report.md``     – metrics tables, per-law and per-type breakdowns, unresolved, misses;
* ``report.html``   – the same with plots (PNG, base64-embedded: recall@k curve, per-law and
  per-question-type recall) and the misses with what was retrieved instead.

With ``--answers`` (an :class:`eval.answer_harness.AnswerRun`) every results line also has an
``answer`` object, questions not scored for retrieval (abstain, unresolved) get a line with
``"scored": false`` (left out when a run is read back for ``--compare``), summary.json gets
an ``answer`` section and the reports an "Answers" section.

This module writes and reads the folder; the reports are rendered by :mod:`eval.report_md`
and :mod:`eval.report_html`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.harness import EvalRun, QuestionResult, breakdown
from eval.metrics import LevelMetrics
from eval.report_html import render_html
from eval.report_md import law_of, render_markdown, type_of
from legal.errors import GoldError

if TYPE_CHECKING:
    from eval.answer_harness import AnswerRun

RESULTS = "results.jsonl"
SUMMARY = "summary.json"


# ---- results.jsonl ----------------------------------------------------------------------


def result_to_json(r: QuestionResult) -> dict[str, Any]:
    item = r.item
    return {
        "id": item.id,
        "question": item.question,
        "type": item.type,
        "law": r.law,
        "line": item.line,
        "gold": [a.canonical for a in item.references],
        "gold_articles": [a.canonical for a in item.article_gold],
        "gold_clauses": [a.canonical for a in item.clause_gold],
        "retrieved": [
            {
                "address": p.address.canonical,
                "score": p.score,
                "title": p.title,
                "role": p.role,
                "passages": [
                    {"address": x.address.canonical, "score": x.score} for x in p.passages
                ],
            }
            for p in r.retrieved
        ],
        "submitted": [a.canonical for a in r.submitted],
        "article_ranks": list(r.article.ranks),
        "clause_ranks": list(r.clause.ranks) if r.clause else None,
        "rank": r.first_rank,
        "hit": r.hit,
        "f2": r.article.set_scores.f2,
        "latency_ms": round(r.latency_ms, 3),
    }


def _metrics_json(m: LevelMetrics) -> dict[str, Any]:
    return {
        "n": m.n,
        **m.to_json(),
        "precision": m.precision,
        "set_recall": m.set_recall,
    }


def summary_json(run: EvalRun, answers: AnswerRun | None = None) -> dict[str, Any]:
    s = run.summary
    extra = {"answer": answers.summary.to_json()} if answers is not None else {}
    return {
        **s.to_json(),
        "gold": str(run.gold.path),
        "n_items": s.n_items,
        "k": s.k,
        "submit_rule": s.submit_rule,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "levels": {"article": _metrics_json(s.article), "clause": _metrics_json(s.clause)},
        "by_law": {k: _metrics_json(v) for k, v in breakdown(run.results, law_of).items()},
        "by_type": {k: _metrics_json(v) for k, v in breakdown(run.results, type_of).items()},
        "skipped": [{"id": i, "why": why} for i, why in run.skipped],
        **extra,
    }


# ---- the run folder ---------------------------------------------------------------------


def write_run(run: EvalRun, out_dir: str | Path, answers: AnswerRun | None = None) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    by_id = answers.by_id() if answers is not None else {}
    scored = {r.item.id for r in run.results}
    with (out / RESULTS).open("w", encoding="utf-8") as fh:
        for r in run.results:
            line = result_to_json(r)
            if r.item.id in by_id:
                line["answer"] = by_id[r.item.id].to_json()
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        for a in answers.results if answers is not None else ():
            if a.item.id not in scored:  # abstain / unresolved: answered, not retrieval-scored
                line = {
                    "id": a.item.id,
                    "question": a.item.question,
                    "type": a.item.type,
                    "line": a.item.line,
                    "gold": [x.canonical for x in a.item.references],
                    "scored": False,
                    "answer": a.to_json(),
                }
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    (out / SUMMARY).write_text(
        json.dumps(summary_json(run, answers), ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    (out / "report.md").write_text(render_markdown(run, answers), encoding="utf-8")
    (out / "report.html").write_text(render_html(run, answers), encoding="utf-8")
    return out


@dataclass(frozen=True)
class SavedRun:
    path: Path
    summary: dict[str, Any]
    results: tuple[dict[str, Any], ...]

    def by_id(self) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in self.results}


def load_run(run_dir: str | Path) -> SavedRun:
    """Read a folder written by :func:`write_run`."""
    path = Path(run_dir)
    for name in (RESULTS, SUMMARY):
        if not (path / name).is_file():
            raise GoldError(
                f"not an eval run folder: {name} is missing",
                path=path,
                hint="pass folders written by `luatqa eval --gold FILE --out DIR`",
            )
    try:
        summary = json.loads((path / SUMMARY).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise GoldError(f"line {exc.lineno}: invalid JSON", path=path / SUMMARY) from exc
    results = []
    with (path / RESULTS).open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if row.get("scored", True):  # answer-only lines take no part in --compare
                    results.append(row)
            except json.JSONDecodeError as exc:
                raise GoldError(f"line {lineno}: invalid JSON", path=path / RESULTS) from exc
    return SavedRun(path=path, summary=summary, results=tuple(results))
