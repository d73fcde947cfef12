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
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.harness import EvalRun, QuestionResult, breakdown
from eval.metrics import RECALL_KS, LevelMetrics, recall_curve
from legal.errors import GoldError

if TYPE_CHECKING:
    from eval.answer_harness import AnswerRun

RESULTS = "results.jsonl"
SUMMARY = "summary.json"
MISSES_SHOWN = 100


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
        "by_law": {k: _metrics_json(v) for k, v in breakdown(run.results, _law).items()},
        "by_type": {k: _metrics_json(v) for k, v in breakdown(run.results, _qtype).items()},
        "skipped": [{"id": i, "why": why} for i, why in run.skipped],
        **extra,
    }


def _law(r: QuestionResult) -> str:
    return r.law


def _qtype(r: QuestionResult) -> str:
    return r.qtype


# ---- markdown ---------------------------------------------------------------------------


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _metric_rows(levels: dict[str, LevelMetrics], first: str = "level") -> list[str]:
    head = [first, "n", *(f"R@{k}" for k in RECALL_KS), "MRR@10", "nDCG@10", "P", "R", "F2"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, m in levels.items():
        cells = [
            name,
            str(m.n),
            *(_fmt(m.recall.get(k)) for k in RECALL_KS),
            _fmt(m.mrr10),
            _fmt(m.ndcg10),
            _fmt(m.precision),
            _fmt(m.set_recall),
            _fmt(m.f2),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def misses(run: EvalRun) -> list[QuestionResult]:
    """Questions whose gold article is not first: misses (not in the top k) first."""
    out = [r for r in run.results if r.first_rank != 1]
    return sorted(out, key=lambda r: (r.first_rank is not None, r.first_rank or 0, r.item.id))


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _retrieved_line(r: QuestionResult, n: int = 3) -> str:
    got = [f"{p.address.canonical} {p.title} ({p.score:.3g})" for p in r.retrieved[:n]]
    return _cell("; ".join(got)) or "—"


# ---- answers ----------------------------------------------------------------------------


def answer_rows(answers: AnswerRun) -> list[str]:
    """The answer metrics as a markdown table (metric | value | n | note)."""
    s = answers.summary.to_json()
    rows = ["| metric | value | n | note |", "|---|---|---|---|"]

    def row(name: str, value: float | None, n: object = "", note: str = "") -> None:
        rows.append(f"| {name} | {_fmt(value)} | {n} | {_cell(note)} |")

    for key, name in (("true_false", "Đúng/Sai accuracy"), ("multiple_choice", "MC accuracy")):
        part = s[key]
        row(name, part["accuracy"], f"{part['n']} of {part['n_items']}", part.get("note", ""))
    sa = s["short_answer"]
    row("short answer containment", sa["containment"], sa["n"])
    row("short answer token F1 (word-segmented)", sa["token_f1"], sa["n"])
    c = s["citation"]
    row("citation precision (article)", c["precision"], c["n_precision"], "answers that cite")
    row("citation recall (article)", c["recall"], c["n_recall"], "questions with gold refs")
    ab = s["abstention"]
    row("abstention precision", ab["precision"], ab["abstained"], "abstained")
    row("abstention recall", ab["recall"], ab["gold_abstain"], "gold abstain")
    row("shown citations all verified", s["shown_citations_verified"], s["n"], "must be 1.000")
    top = s["answer_in_top_quote"]
    row("gold answer in top quote", top["rate"], top["n"], "extractive answers")
    modes = ", ".join(f"{k} {v}" for k, v in s["modes"].items())
    rows.append(f"| modes | {modes} | {s['n']} | backend {s['backend']} |")
    lat = s["latency_ms"]
    rows.append(f"| latency p50 / p95 ms | {_fmt(lat['p50'])} / {_fmt(lat['p95'])} | | |")
    g = s["generated"]
    if g["n"]:
        models = ", ".join(f"{k} {v}" for k, v in g["models"].items())
        row("citation validity (model's own)", g["citation_validity"], g["citations_written"])
        row("faithfulness (claims supported)", g["faithfulness"], g["claims"], models)
        row("quotes found verbatim", g["quotes_verbatim"], g["quotes"])
        row("structured replies unreadable", g["structured_unparsed"], g["n"], "visible warning")
        ttft = g["first_token_ms"]
        rows.append(
            f"| time to first token p50 / p95 ms | {_fmt(ttft['p50'])} / {_fmt(ttft['p95'])} "
            f"| {g['n']} | |"
        )
        row("decode tokens/s p50", g["tokens_per_s"]["p50"], g["n"])
    for key, name in (("majority_true_false", "Đúng/Sai"), ("majority_multiple_choice", "MC")):
        base = g[key]
        if base["accuracy"] is not None:
            row(f"{name} majority class ({base['label']})", base["accuracy"], "", "baseline")
    return rows


def answer_misses(answers: AnswerRun) -> list[tuple[str, str, str, str]]:
    """(id, gold answer, mode, answer start) for free-text answers missing the gold one."""
    out = []
    for r in answers.results:
        if r.contains is False:
            text = " ".join(r.answer.text.split())
            out.append((r.item.id, r.item.answer or "", r.answer.mode.value, text[:300]))
    return out


def _answers_markdown(answers: AnswerRun) -> list[str]:
    missed = answer_misses(answers)
    lines = ["## Answers", "", *answer_rows(answers), ""]
    lines += [f"### Gold short answer not in the answer ({len(missed)}; first 50 shown)", ""]
    lines += ["| id | gold | mode | answer |", "|---|---|---|---|"]
    lines += [f"| {_cell(i)} | {_cell(g)} | {m} | {_cell(t)} |" for i, g, m, t in missed[:50]]
    return [*lines, ""]


def _answers_html(answers: AnswerRun) -> list[str]:
    esc = html.escape
    parts = ["<h2>Answers</h2>", _html_table(answer_rows(answers))]
    missed = answer_misses(answers)
    parts.append(f"<h3>Gold short answer not in the answer ({len(missed)}; first 50 shown)</h3>")
    parts.append("<table><tr><th>id</th><th>gold</th><th>mode</th><th>answer</th></tr>")
    parts += [
        f"<tr><td>{esc(i)}</td><td>{esc(g)}</td><td>{esc(m)}</td><td>{esc(t)}</td></tr>"
        for i, g, m, t in missed[:50]
    ]
    parts.append("</table>")
    return parts


def render_markdown(run: EvalRun, answers: AnswerRun | None = None) -> str:
    s = run.summary
    lines = [
        f"# luatqa eval — {run.gold.path.name}",
        "",
        f"- questions scored: **{s.n}** of {s.n_items} (k = {s.k}); "
        f"ALQAC submitted set: {s.submit_rule}",
        f"- latency per question: p50 {_fmt(s.latency_p50)} ms, p95 {_fmt(s.latency_p95)} ms",
        f"- unresolved gold references: {len(s.unresolved)}",
        "",
        "## Metrics",
        "",
        *_metric_rows({"article": s.article, "clause": s.clause}),
        "",
        "## By law (article level)",
        "",
        *_metric_rows(breakdown(run.results, _law), "law"),
        "",
        "## By question type (article level)",
        "",
        *_metric_rows(breakdown(run.results, _qtype), "type"),
        "",
    ]
    if answers is not None:
        lines += _answers_markdown(answers)
    if s.unresolved:
        lines += ["## Unresolved gold references", ""]
        lines += [
            f"- line {u.line} `{u.item_id}`: {u.reference} — {u.reason}" for u in s.unresolved
        ]
        lines.append("")
    missed = misses(run)
    lines += [f"## Not ranked first ({len(missed)}; first {MISSES_SHOWN} shown)", ""]
    lines += ["| id | rank | gold | retrieved instead (top 3) |", "|---|---|---|---|"]
    for r in missed[:MISSES_SHOWN]:
        gold = ", ".join(a.canonical for a in r.item.article_gold)
        rank = str(r.first_rank) if r.first_rank is not None else "miss"
        lines.append(f"| {_cell(r.item.id)} | {rank} | {gold} | {_retrieved_line(r)} |")
    return "\n".join(lines) + "\n"


# ---- plots and html ---------------------------------------------------------------------


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def plot_recall_curve(run: EvalRun) -> str | None:
    from matplotlib.figure import Figure

    k = max(run.summary.k, 1)
    art = recall_curve([r.article for r in run.results], k)
    if not art:
        return None
    cl = recall_curve([r.clause for r in run.results if r.clause is not None], k)
    fig = Figure(figsize=(6, 3.5))
    ax = fig.add_subplot()
    xs = list(range(1, k + 1))
    ax.plot(xs, art, marker="o", label=f"article (n={run.summary.article.n})")
    if cl:
        ax.plot(xs, cl, marker="s", label=f"clause (n={run.summary.clause.n})")
    ax.set_xlabel("k")
    ax.set_ylabel("recall@k")
    ax.set_ylim(0, 1.02)
    ax.set_xticks(xs)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("Recall@k")
    return _png(fig)


def plot_breakdown(groups: dict[str, LevelMetrics], title: str, k: int) -> str | None:
    from matplotlib.figure import Figure

    if not groups:
        return None
    names = list(groups)
    r1 = [groups[n].recall.get(1) or 0.0 for n in names]
    kk = 10 if 10 in RECALL_KS else RECALL_KS[-1]
    rk = [groups[n].recall.get(kk) or 0.0 for n in names]
    fig = Figure(figsize=(7, 0.45 * len(names) + 1.2))
    ax = fig.add_subplot()
    ys = list(range(len(names)))
    ax.barh([y + 0.2 for y in ys], rk, height=0.4, label=f"recall@{kk}")
    ax.barh([y - 0.2 for y in ys], r1, height=0.4, label="recall@1")
    ax.set_yticks(ys)
    ax.set_yticklabels([f"{n} (n={groups[n].n})" for n in names])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.0)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def _html_table(md_rows: Sequence[str]) -> str:
    out = ["<table>"]
    for i, row in enumerate(md_rows):
        if i == 1:
            continue
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        tag = "th" if i == 0 else "td"
        out.append("<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _img(data: str | None, alt: str) -> str:
    if data is None:
        return f"<p><em>{html.escape(alt)}: no data</em></p>"
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def render_html(run: EvalRun, answers: AnswerRun | None = None) -> str:
    s = run.summary
    by_law = breakdown(run.results, _law)
    by_type = breakdown(run.results, _qtype)
    esc = html.escape
    parts = [
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'>",
        f"<title>luatqa eval — {esc(run.gold.path.name)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
        "padding:3px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}"
        ".miss{color:#b00}</style></head><body>",
        f"<h1>luatqa eval — {esc(run.gold.path.name)}</h1>",
        f"<p>{s.n} of {s.n_items} questions scored, k = {s.k}; ALQAC submitted set: "
        f"{esc(s.submit_rule)}. Latency p50 {_fmt(s.latency_p50)} ms, "
        f"p95 {_fmt(s.latency_p95)} ms. Unresolved gold references: {len(s.unresolved)}.</p>",
        "<h2>Metrics</h2>",
        _html_table(_metric_rows({"article": s.article, "clause": s.clause})),
        _img(plot_recall_curve(run), "recall@k curve"),
        "<h2>By law</h2>",
        _img(plot_breakdown(by_law, "Recall by law (article level)", s.k), "recall by law"),
        _html_table(_metric_rows(by_law, "law")),
        "<h2>By question type</h2>",
        _img(plot_breakdown(by_type, "Recall by question type", s.k), "recall by type"),
        _html_table(_metric_rows(by_type, "type")),
    ]
    if answers is not None:
        parts += _answers_html(answers)
    if s.unresolved:
        parts.append("<h2>Unresolved gold references</h2><ul>")
        parts += [
            f"<li>line {u.line} <code>{esc(u.item_id)}</code>: {esc(u.reference)} — "
            f"{esc(u.reason)}</li>"
            for u in s.unresolved
        ]
        parts.append("</ul>")
    missed = misses(run)
    parts.append(f"<h2>Not ranked first ({len(missed)}; first {MISSES_SHOWN} shown)</h2>")
    parts.append(
        "<table><tr><th>id</th><th>question</th><th>rank</th><th>gold</th>"
        "<th>retrieved instead</th></tr>"
    )
    for r in missed[:MISSES_SHOWN]:
        rank = str(r.first_rank) if r.first_rank is not None else "miss"
        gold = "<br>".join(esc(a.canonical) for a in r.item.article_gold)
        got = "<br>".join(
            f"{i}. {esc(p.address.canonical)} — {esc(p.title)} ({p.score:.3g})"
            for i, p in enumerate(r.retrieved[:5], start=1)
        )
        parts.append(
            f"<tr><td>{esc(r.item.id)}</td><td>{esc(r.item.question)}</td>"
            f"<td class='{'miss' if r.first_rank is None else ''}'>{rank}</td>"
            f"<td>{gold}</td><td>{got}</td></tr>"
        )
    parts.append("</table></body></html>")
    return "\n".join(parts)


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
