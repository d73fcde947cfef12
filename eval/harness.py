"""Run a retriever over gold questions and score it (article and clause level).

What counts as a retrieved *unit*:

* article level – the distinct Điều of the returned provisions, in the retriever's order;
* clause level – the distinct Khoản of the returned passages, provision by provision in the
  retriever's order (a Điểm counts as its Khoản; a passage holding a whole Điều without Khoản
  counts as that Điều and matches every gold Khoản inside it). Only questions whose gold names
  a Khoản are scored at clause level.

The *submitted set* for the ALQAC precision/recall/F2 (ALQAC scores the set a system
submits, not a ranking) is chosen by :class:`SubmitRule`: the top provision, plus the next
ones among the top ``max_n`` whose score is at least ``min_rel_score`` × the top score.
The default (``max_n=1``) submits the top-1 provision, the best choice when, as in ALQAC,
almost every question has a single gold article. At clause level the submitted set is the
passages of the submitted provisions.

Questions with no resolved gold reference (abstentions, unresolved laws) are not scored.
Requests to evade the law or harm someone (gold ``decline``) are searched and scored like the
others but summarised apart (:attr:`Summary.decline`): their gold is the provision that forbids
what is asked, a different task from answering a question.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from eval.gold import GoldItem, GoldSet, Unresolved
from eval.metrics import (
    LevelMetrics,
    QuestionScores,
    aggregate,
    first_rank,
    hit_at,
    percentile,
)
from legal.address import LegalAddress
from legal.progress import Progress, ProgressEvent
from retrieval.types import Provision, SearchResult


class Retriever(Protocol):
    def search(self, query: str, k: int) -> SearchResult: ...


@dataclass(frozen=True)
class SubmitRule:
    max_n: int = 1
    min_rel_score: float = 1.0

    def __post_init__(self) -> None:
        if self.max_n < 1 or not 0 <= self.min_rel_score <= 1:
            raise ValueError("SubmitRule needs max_n ≥ 1 and 0 ≤ min_rel_score ≤ 1")

    def submit(self, provisions: Sequence[Provision]) -> tuple[Provision, ...]:
        if not provisions:
            return ()
        top = provisions[0].score
        chosen = [provisions[0]]
        for p in provisions[1 : self.max_n]:
            if top > 0 and p.score >= self.min_rel_score * top:
                chosen.append(p)
        return tuple(chosen)

    def describe(self) -> str:
        if self.max_n == 1:
            return "top-1 provision"
        return f"top provision + those in the top {self.max_n} scoring ≥ {self.min_rel_score:g}×top"


@dataclass(frozen=True)
class RetrievedPassage:
    address: LegalAddress
    score: float


@dataclass(frozen=True)
class RetrievedProvision:
    address: LegalAddress
    score: float
    title: str
    role: str
    passages: tuple[RetrievedPassage, ...]


@dataclass(frozen=True)
class QuestionResult:
    item: GoldItem
    retrieved: tuple[RetrievedProvision, ...]
    article: QuestionScores
    clause: QuestionScores | None  # None when the gold names no Khoản
    submitted: tuple[LegalAddress, ...]
    latency_ms: float
    k: int

    @property
    def hit(self) -> bool:
        """A gold article is within the top k."""
        return hit_at(self.article.ranks, self.k)

    @property
    def first_rank(self) -> int | None:
        return first_rank(self.article.ranks)

    @property
    def law(self) -> str:
        gold = self.item.article_gold
        return gold[0].doc if gold else (self.item.law_hint or "?")

    @property
    def qtype(self) -> str:
        return self.item.type or "—"


@dataclass(frozen=True)
class Summary:
    n: int  # questions scored
    n_items: int  # questions in the gold file (after --limit)
    k: int
    article: LevelMetrics
    clause: LevelMetrics
    latency_p50: float | None
    latency_p95: float | None
    unresolved: tuple[Unresolved, ...]
    submit_rule: str
    decline: LevelMetrics | None = None  # gold-decline items, article level; None: no such

    def to_json(self) -> dict[str, Any]:
        """Exactly the object ``luatqa eval --json`` prints (``decline`` only when the gold
        file has requests to decline)."""
        out: dict[str, Any] = {
            "n": self.n,
            "article": self.article.to_json(),
            "clause": self.clause.to_json(),
            "latency_ms": {"p50": self.latency_p50, "p95": self.latency_p95},
            "unresolved": [u.to_json() for u in self.unresolved],
        }
        if self.decline is not None:
            out["decline"] = {"n": self.decline.n, "article": self.decline.to_json()}
        return out


@dataclass(frozen=True)
class EvalRun:
    gold: GoldSet
    results: tuple[QuestionResult, ...]
    summary: Summary
    skipped: tuple[tuple[str, str], ...] = field(default=())  # (item id, why)


# ---- units and ranks --------------------------------------------------------------------


def article_units(provisions: Sequence[Provision]) -> list[LegalAddress]:
    return list(dict.fromkeys(p.address.article_address() for p in provisions))


def _clause_unit(addr: LegalAddress) -> LegalAddress:
    return addr.clause_address() if addr.clause is not None else addr.article_address()


def clause_units(provisions: Sequence[Provision]) -> list[LegalAddress]:
    units: list[LegalAddress] = []
    for prov in provisions:
        addrs = [p.address for p in prov.passages] or [prov.address]
        units.extend(_clause_unit(a) for a in addrs)
    return list(dict.fromkeys(units))


def ranks_of(gold: Sequence[LegalAddress], units: Sequence[LegalAddress]) -> tuple[int | None, ...]:
    """1-based rank of the first unit that matches each gold unit (None: not retrieved)."""
    out: list[int | None] = []
    for g in gold:
        out.append(next((i for i, u in enumerate(units, start=1) if u.overlaps(g)), None))
    return tuple(out)


def score_level(
    gold: Sequence[LegalAddress], units: Sequence[LegalAddress], submitted: Sequence[LegalAddress]
) -> QuestionScores:
    correct = sum(1 for s in submitted if any(s.overlaps(g) for g in gold))
    found = sum(1 for g in gold if any(s.overlaps(g) for s in submitted))
    return QuestionScores(
        ranks=ranks_of(gold, units),
        submitted=len(submitted),
        submitted_correct=correct,
        gold_found=found,
    )


def search_text(item: GoldItem) -> str:
    """What is searched for a gold question: the question, and for a multiple-choice question
    its choices too (they carry content), exactly as the answer service searches it."""
    if not item.choices:
        return item.question
    return item.question + "\n" + "\n".join(text.strip() for _, text in item.choices)


def score_question(
    item: GoldItem, result: SearchResult, k: int, latency_ms: float, rule: SubmitRule
) -> QuestionResult:
    provisions = result.provisions
    chosen = rule.submit(provisions)
    article = score_level(item.article_gold, article_units(provisions), article_units(chosen))
    clause = None
    if item.clause_gold:
        clause = score_level(item.clause_gold, clause_units(provisions), clause_units(chosen))
    return QuestionResult(
        item=item,
        retrieved=tuple(
            RetrievedProvision(
                address=p.address,
                score=p.score,
                title=p.article_title,
                role=str(p.role),
                passages=tuple(RetrievedPassage(x.address, x.score) for x in p.passages),
            )
            for p in provisions
        ),
        article=article,
        clause=clause,
        submitted=tuple(p.address for p in chosen),
        latency_ms=latency_ms,
        k=k,
    )


def summarize(
    results: Sequence[QuestionResult],
    *,
    n_items: int,
    k: int,
    unresolved: Sequence[Unresolved] = (),
    rule: SubmitRule | None = None,
) -> Summary:
    declined = [r.article for r in results if r.item.decline]
    results = [r for r in results if not r.item.decline]
    lat = [r.latency_ms for r in results]
    return Summary(
        n=len(results),
        n_items=n_items,
        k=k,
        article=aggregate([r.article for r in results]),
        clause=aggregate([r.clause for r in results if r.clause is not None]),
        latency_p50=percentile(lat, 50),
        latency_p95=percentile(lat, 95),
        unresolved=tuple(unresolved),
        submit_rule=(rule or SubmitRule()).describe(),
        decline=aggregate(declined) if declined else None,
    )


def breakdown(
    results: Sequence[QuestionResult], key: Callable[[QuestionResult], str]
) -> dict[str, LevelMetrics]:
    """Article-level metrics per group (law, question type), largest group first."""
    groups: dict[str, list[QuestionScores]] = defaultdict(list)
    for r in results:
        groups[key(r)].append(r.article)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return {name: aggregate(qs) for name, qs in ordered}


# ---- the run ----------------------------------------------------------------------------


def run_eval(
    retriever: Retriever,
    gold: GoldSet,
    *,
    k: int = 10,
    rule: SubmitRule | None = None,
    progress: Progress | None = None,
    warmup: bool = True,
    clock: Callable[[], float] = time.perf_counter,
    as_of: str | None = None,
    validity: bool | None = None,
) -> EvalRun:
    """Search every scorable gold question once and score the results.

    ``warmup`` runs one untimed, unscored search first (the first question), so that lazy
    model loading does not land in the latency percentiles. ``progress`` gets an event after
    each question (task ``eval``, the hits so far as its note); it never draws.

    ``validity`` (issue 11): True searches each question on its ``as_of`` (else ``as_of``)
    with the guidance of the implementation chain, False without either (the baseline);
    None (default) leaves the retriever's own defaults and dates nothing."""
    if k < 1:
        raise ValueError(f"k must be ≥ 1, got {k}")
    rule = rule or SubmitRule()
    todo = [i for i in gold.items if i.article_gold]
    skipped = tuple(
        (i.id, "abstain" if i.abstain else "no resolved reference")
        for i in gold.items
        if not i.article_gold
    )
    results: list[QuestionResult] = []
    if warmup and todo:
        retriever.search(search_text(todo[0]), k)

    def one(item: GoldItem) -> None:
        start = clock()
        options: dict[str, Any] = {}  # older retrievers (test doubles, baselines) take none
        if validity is not None:
            options["guidance"] = validity
            day = item.as_of or as_of
            if validity and day:
                options["as_of"] = day
        found = retriever.search(search_text(item), k, **options)
        elapsed = (clock() - start) * 1000.0
        results.append(score_question(item, found, k, elapsed, rule))

    hits = 0
    for done, item in enumerate(todo, start=1):
        one(item)
        hits += results[-1].hit
        if progress is not None:
            progress(ProgressEvent("eval", done, len(todo), "questions", f"hit@k {hits}"))
    summary = summarize(
        results, n_items=len(gold.items), k=k, unresolved=gold.unresolved, rule=rule
    )
    return EvalRun(gold=gold, results=tuple(results), summary=summary, skipped=skipped)
