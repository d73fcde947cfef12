"""The eval run as markdown: metrics tables, breakdowns by law and question type, answers,
unresolved gold references and the questions not ranked first (``report.md``).

Split out of :mod:`eval.report` (the run folder); :mod:`eval.report_html` builds the HTML
report from the same tables. The cell helpers are public for those two.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eval.harness import EvalRun, QuestionResult, breakdown
from eval.metrics import RECALL_KS, LevelMetrics

if TYPE_CHECKING:
    from eval.answer_harness import AnswerRun

MISSES_SHOWN = 100


def law_of(r: QuestionResult) -> str:
    return r.law


def type_of(r: QuestionResult) -> str:
    return r.qtype


def fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def metric_rows(levels: dict[str, LevelMetrics], first: str = "level") -> list[str]:
    head = [first, "n", *(f"R@{k}" for k in RECALL_KS), "MRR@10", "nDCG@10", "P", "R", "F2"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, m in levels.items():
        cells = [
            name,
            str(m.n),
            *(fmt(m.recall.get(k)) for k in RECALL_KS),
            fmt(m.mrr10),
            fmt(m.ndcg10),
            fmt(m.precision),
            fmt(m.set_recall),
            fmt(m.f2),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def misses(run: EvalRun) -> list[QuestionResult]:
    """Questions whose gold article is not first: misses (not in the top k) first."""
    out = [r for r in run.results if r.first_rank != 1]
    return sorted(out, key=lambda r: (r.first_rank is not None, r.first_rank or 0, r.item.id))


def cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def retrieved_line(r: QuestionResult, n: int = 3) -> str:
    got = [f"{p.address.canonical} {p.title} ({p.score:.3g})" for p in r.retrieved[:n]]
    return cell("; ".join(got)) or "—"


# ---- answers ----------------------------------------------------------------------------


def answer_rows(answers: AnswerRun) -> list[str]:
    """The answer metrics as a markdown table (metric | value | n | note)."""
    s = answers.summary.to_json()
    rows = ["| metric | value | n | note |", "|---|---|---|---|"]

    def row(name: str, value: float | None, n: object = "", note: str = "") -> None:
        rows.append(f"| {name} | {fmt(value)} | {n} | {cell(note)} |")

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
    rows.append(f"| latency p50 / p95 ms | {fmt(lat['p50'])} / {fmt(lat['p95'])} | | |")
    g = s["generated"]
    if g["n"]:
        models = ", ".join(f"{k} {v}" for k, v in g["models"].items())
        row("citation validity (model's own)", g["citation_validity"], g["citations_written"])
        row("faithfulness (claims supported)", g["faithfulness"], g["claims"], models)
        row("quotes found verbatim", g["quotes_verbatim"], g["quotes"])
        row("structured replies unreadable", g["structured_unparsed"], g["n"], "visible warning")
        ttft = g["first_token_ms"]
        rows.append(
            f"| time to first token p50 / p95 ms | {fmt(ttft['p50'])} / {fmt(ttft['p95'])} "
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


def answers_markdown(answers: AnswerRun) -> list[str]:
    missed = answer_misses(answers)
    lines = ["## Answers", "", *answer_rows(answers), ""]
    lines += [f"### Gold short answer not in the answer ({len(missed)}; first 50 shown)", ""]
    lines += ["| id | gold | mode | answer |", "|---|---|---|---|"]
    lines += [f"| {cell(i)} | {cell(g)} | {m} | {cell(t)} |" for i, g, m, t in missed[:50]]
    return [*lines, ""]


def render_markdown(run: EvalRun, answers: AnswerRun | None = None) -> str:
    s = run.summary
    lines = [
        f"# luatqa eval — {run.gold.path.name}",
        "",
        f"- questions scored: **{s.n}** of {s.n_items} (k = {s.k}); "
        f"ALQAC submitted set: {s.submit_rule}",
        f"- latency per question: p50 {fmt(s.latency_p50)} ms, p95 {fmt(s.latency_p95)} ms",
        f"- unresolved gold references: {len(s.unresolved)}",
        "",
        "## Metrics",
        "",
        *metric_rows({"article": s.article, "clause": s.clause}),
        "",
        "## By law (article level)",
        "",
        *metric_rows(breakdown(run.results, law_of), "law"),
        "",
        "## By question type (article level)",
        "",
        *metric_rows(breakdown(run.results, type_of), "type"),
        "",
    ]
    if answers is not None:
        lines += answers_markdown(answers)
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
        lines.append(f"| {cell(r.item.id)} | {rank} | {gold} | {retrieved_line(r)} |")
    return "\n".join(lines) + "\n"
