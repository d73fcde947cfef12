"""The eval run as one self-contained HTML page (``report.html``): the markdown report's
tables, plots (PNG, base64-embedded: recall@k curve, per-law and per-question-type recall)
and the misses with what was retrieved instead.

Split out of :mod:`eval.report`; matplotlib is imported only when a plot is drawn.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from eval.harness import EvalRun, breakdown
from eval.metrics import RECALL_KS, LevelMetrics, recall_curve
from eval.report_md import (
    MISSES_SHOWN,
    answer_misses,
    answer_rows,
    fmt,
    law_of,
    metric_rows,
    misses,
    type_of,
)

if TYPE_CHECKING:
    from eval.answer_harness import AnswerRun


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
    by_law = breakdown(run.results, law_of)
    by_type = breakdown(run.results, type_of)
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
        f"{esc(s.submit_rule)}. Latency p50 {fmt(s.latency_p50)} ms, "
        f"p95 {fmt(s.latency_p95)} ms. Unresolved gold references: {len(s.unresolved)}.</p>",
        "<h2>Metrics</h2>",
        _html_table(metric_rows({"article": s.article, "clause": s.clause})),
        _img(plot_recall_curve(run), "recall@k curve"),
        "<h2>By law</h2>",
        _img(plot_breakdown(by_law, "Recall by law (article level)", s.k), "recall by law"),
        _html_table(metric_rows(by_law, "law")),
        "<h2>By question type</h2>",
        _img(plot_breakdown(by_type, "Recall by question type", s.k), "recall by type"),
        _html_table(metric_rows(by_type, "type")),
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
