"""``luatqa eval``: score retrieval on a gold file, or compare two saved runs.

    luatqa --index DIR eval --gold FILE [--k 10] [--json] [--out DIR] [--limit N] [--strict]
                            [--answers [--backend auto|extractive|vllm]] [--as-of YYYY-MM-DD]
    luatqa eval --compare RUN_A RUN_B [--json]

A thin layer over :mod:`eval.harness` (the run), :mod:`eval.answer_harness` (``--answers``:
the answer service on every question), :mod:`eval.report` (the folder, its reports by
:mod:`eval.report_md` and :mod:`eval.report_html`) and :mod:`eval.compare`. With ``--json``
stdout carries exactly one JSON object; progress (:mod:`app.progress`) and anything the
pipeline prints go to stderr.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.commands.asof import AsOf, checked_as_of
from app.context import CliState
from app.progress import progress_bars
from eval.split import DEFAULT_VAL_RATIO, Split
from generation.service import Backend
from legal.errors import GoldError, StoreError

if TYPE_CHECKING:
    from eval.answer_harness import Answerer, AnswerRun
    from eval.gold import GoldSet, ReferenceResolver
    from eval.harness import EvalRun, Retriever


@contextlib.contextmanager
def open_retriever(
    state: CliState, backend: Backend | None = None
) -> Iterator[tuple[Retriever, ReferenceResolver, Answerer | None]]:
    """The configured retriever, a resolver that knows the index's documents and, with a
    ``backend`` (``--answers``), the answer service on it; the services (and the embedded
    store's lock) are released on exit."""
    from eval.gold import RegistryResolver

    settings = state.settings()
    if backend is not None:
        llm = settings.llm.model_copy(update={"backend": backend})
        settings = settings.model_copy(update={"llm": llm})
    with state.services(settings) as services:
        retriever = services.retriever
        if not retriever.documents():
            where = settings.index.qdrant_url or settings.index.dir
            raise StoreError(
                f"the index at {where} holds no documents: nothing to evaluate",
                hint="ingest the laws first (`luatqa --index DIR ingest FILES`) or point "
                "--index / --qdrant-url at the right index",
            )
        answerer = services.answers if backend is not None else None
        yield retriever, RegistryResolver(retriever.registry), answerer


def _selected(gold: GoldSet, split: Split, val_ratio: float, limit: int | None) -> GoldSet:
    """One side of the split (``all``: every item), then the first ``limit`` items."""
    from eval.split import select_split

    gold = select_split(gold, split, val_ratio)
    return gold if limit is None else replace(gold, items=gold.items[:limit])


def _run(
    state: CliState,
    gold_path: Path,
    k: int,
    limit: int | None,
    strict: bool,
    submit_top: int,
    submit_rel: float,
    progress: bool,
    backend: Backend | None = None,
    split: Split = "all",
    val_ratio: float = DEFAULT_VAL_RATIO,
    as_of: str | None = None,
) -> tuple[EvalRun, AnswerRun | None, dict[str, Any] | None]:
    """The retrieval run, with ``backend`` set (``--answers``) the answer run, and for a
    gold set on dates (``as_of`` in the file or ``--as-of``) the validity comparison."""
    from eval.answer_harness import run_answers
    from eval.gold import load_gold
    from eval.harness import SubmitRule, run_eval

    rule = SubmitRule(max_n=submit_top, min_rel_score=submit_rel)
    with open_retriever(state, backend) as (retriever, resolver, answerer):
        gold = _selected(load_gold(gold_path, resolver, strict=strict), split, val_ratio, limit)
        dated = as_of is not None or any(i.as_of for i in gold.items)
        validity = True if dated else None
        with progress_bars(progress, transient=True) as bars:
            run = run_eval(
                retriever, gold, k=k, rule=rule, progress=bars, as_of=as_of, validity=validity
            )
        compared = _validity_comparison(retriever, gold, run, k, rule) if dated else None
        if answerer is None or backend is None:
            return run, None, compared
        with progress_bars(progress, transient=True) as bars:
            answered = run_answers(answerer, gold, backend=backend, progress=bars)
            return run, answered, compared


def _validity_comparison(
    retriever: Retriever, gold: GoldSet, run: EvalRun, k: int, rule: Any
) -> dict[str, Any]:
    """Retrieval with the feature (``run``) and without it (no as-of filter, no guidance),
    and the validity accuracy (:mod:`eval.validity`)."""
    from eval.harness import run_eval, search_text
    from eval.validity import validity_accuracy

    baseline = run_eval(retriever, gold, k=k, rule=rule, validity=False, warmup=False)
    labels = validity_accuracy(retriever, gold.items, k, search_text)
    return {
        "with": run.summary.to_json()["article"],
        "without": baseline.summary.to_json()["article"],
        "n": run.summary.n,
        "labels": labels.to_json(),
    }


def _print_validity(compared: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    def fmt(x: float | None) -> str:
        return "—" if x is None else f"{x:.3f}"

    labels = compared["labels"]
    table = Table(title=f"validity and guidance (issue 11): {compared['n']} questions scored")
    for col in ("run", "R@1", "R@10", "MRR@10", f"validity accuracy ({labels['citations']})"):
        table.add_column(col, justify="left" if col == "run" else "right")
    for name, key, acc in (
        ("with as-of + guidance", "with", labels["accuracy"]),
        ("without (before)", "without", labels["accuracy_without"]),
    ):
        m = compared[key]
        table.add_row(
            name, fmt(m.get("recall@1")), fmt(m.get("recall@10")), fmt(m.get("mrr@10")), fmt(acc)
        )
    Console().print(table)


def _print_answers(answers: AnswerRun) -> None:
    from rich.console import Console
    from rich.table import Table

    from eval.report_md import answer_rows

    table = Table(title=f"answers ({answers.summary.n} questions)")
    for col in ("metric", "value", "n", "note"):
        table.add_column(col)
    for row in answer_rows(answers)[2:]:
        table.add_row(*[c.strip() for c in row.strip().strip("|").split("|")])
    Console().print(table)


def _print_summary(run: EvalRun, out: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from eval.metrics import RECALL_KS

    s = run.summary
    console = Console()
    table = Table(title=f"{run.gold.path.name}: {s.n} of {s.n_items} questions, k = {s.k}")
    for col in ("level", "n", *(f"R@{k}" for k in RECALL_KS), "MRR@10", "nDCG@10", "F2"):
        table.add_column(col, justify="right" if col != "level" else "left")

    def fmt(x: float | None) -> str:
        return "—" if x is None else f"{x:.3f}"

    levels = [("article", s.article), ("clause", s.clause)]
    if s.decline is not None:  # requests to decline, scored apart (article level)
        levels.append(("decline", s.decline))
    for name, m in levels:
        table.add_row(
            name,
            str(m.n),
            *(fmt(m.recall.get(k)) for k in RECALL_KS),
            fmt(m.mrr10),
            fmt(m.ndcg10),
            fmt(m.f2),
        )
    console.print(table)
    console.print(
        f"latency p50 {fmt(s.latency_p50)} ms · p95 {fmt(s.latency_p95)} ms · "
        f"F2 set: {s.submit_rule} · unresolved references: {len(s.unresolved)}"
    )
    for u in s.unresolved[:10]:
        console.print(f"  line {u.line} {u.item_id}: {u.reference} — {u.reason}", markup=False)
    if len(s.unresolved) > 10:
        console.print(f"  … {len(s.unresolved) - 10} more (see --json or --out)")
    if out is not None:
        console.print(f"report: {out / 'report.html'}", markup=False)


def _compare(pair: tuple[Path, Path], as_json: bool) -> None:
    from eval.compare import compare_runs, render_comparison
    from eval.report import load_run

    comparison = compare_runs(load_run(pair[0]), load_run(pair[1]))
    if as_json:
        typer.echo(json.dumps(comparison.to_json(), ensure_ascii=False))
    else:
        typer.echo(render_comparison(comparison), nl=False)


# the longer option declarations of eval_command, named to keep its signature readable
SubmitRelOption = Annotated[
    float,
    typer.Option(
        "--submit-rel",
        min=0.0,
        max=1.0,
        help="ALQAC F2: also submit provisions scoring ≥ this × the top score.",
    ),
]
AnswersOption = Annotated[
    bool,
    typer.Option(
        "--answers",
        help="Also answer every question and score the answers (accuracy, containment, "
        "token F1, citations, abstention).",
    ),
]
SplitOption = Annotated[
    Split,
    typer.Option(
        "--split",
        help="Only the questions of one side of the fine-tuning split (by question hash): "
        "val = never trained on.",
    ),
]


def eval_command(
    ctx: typer.Context,
    gold: Annotated[
        Path | None,
        typer.Option("--gold", help="Gold questions: ALQAC .json or .jsonl (docs/gold-format.md)."),
    ] = None,
    k: Annotated[int, typer.Option("--k", min=1, help="Provisions retrieved per question.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print only metrics, as JSON.")] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write results.jsonl, summary.json, report.md, report.html."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Only the first N questions.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail on a gold reference that does not resolve.")
    ] = False,
    submit_top: Annotated[
        int, typer.Option("--submit-top", min=1, help="ALQAC F2: submit at most N provisions.")
    ] = 1,
    submit_rel: SubmitRelOption = 1.0,
    answers: AnswersOption = False,
    backend: Annotated[
        Backend, typer.Option("--backend", help="With --answers: where answers come from.")
    ] = "auto",
    compare: Annotated[
        tuple[Path, Path] | None,
        typer.Option("--compare", help="Compare two --out folders: RUN_A RUN_B."),
    ] = None,
    split: SplitOption = "all",
    val_ratio: Annotated[
        float, typer.Option("--val-ratio", min=0.0, max=1.0, help="The split's validation share.")
    ] = DEFAULT_VAL_RATIO,
    as_of: AsOf = None,
) -> None:
    """Score retrieval against gold questions (Recall@k, MRR, nDCG, ALQAC F2, latency);
    with --answers also the answers (accuracy, containment, token F1, citations)."""
    state: CliState = ctx.obj
    if compare is not None:
        if gold is not None:
            raise GoldError("give either --gold FILE or --compare RUN_A RUN_B, not both")
        _compare(compare, as_json)
        return
    if gold is None:
        raise GoldError(
            "nothing to do", hint="give --gold FILE to evaluate or --compare RUN_A RUN_B"
        )
    # with --json, stdout carries the JSON object and nothing else
    sink: Any = contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext()
    with sink:
        run, answer_run, compared = _run(
            state,
            gold,
            k,
            limit,
            strict,
            submit_top,
            submit_rel,
            progress=sys.stderr.isatty(),
            backend=backend if answers else None,
            split=split,
            val_ratio=val_ratio,
            as_of=checked_as_of(as_of),
        )
        if out is not None:
            from eval.report import write_run

            write_run(run, out, answer_run)
            if compared is not None:  # the validity comparison (issue 11) beside the run
                (out / "validity.json").write_text(
                    json.dumps(compared, ensure_ascii=False, indent=1), encoding="utf-8"
                )
    _emit(run, answer_run, compared, as_json, out)


def _emit(
    run: EvalRun,
    answer_run: AnswerRun | None,
    compared: dict[str, Any] | None,
    as_json: bool,
    out: Path | None,
) -> None:
    """One JSON object on stdout, or the tables."""
    if as_json:
        data = run.summary.to_json()
        if answer_run is not None:
            data["answer"] = answer_run.summary.to_json()
        if compared is not None:
            data["validity"] = compared
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    _print_summary(run, out)
    if compared is not None:
        _print_validity(compared)
    if answer_run is not None:
        _print_answers(answer_run)


def register(cli: typer.Typer) -> None:
    cli.command("eval")(eval_command)
