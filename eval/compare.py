"""Two eval runs side by side: what changed, question by question, and the metric deltas.

Questions are matched by id. With k the runs' cut-off, each common question is

* ``fixed``      – a gold article in B's top k, not in A's;
* ``broken``     – in A's top k, not in B's;
* ``both_miss``  – in neither;
* ``both_hit``   – in both (``rank_changes`` lists those whose best gold rank moved).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eval.report import SavedRun

METRIC_KEYS = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "f2")


@dataclass(frozen=True)
class RankChange:
    id: str
    rank_a: int | None
    rank_b: int | None
    gold: tuple[str, ...]
    top_a: str | None
    top_b: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rank_a": self.rank_a,
            "rank_b": self.rank_b,
            "gold": list(self.gold),
            "top_a": self.top_a,
            "top_b": self.top_b,
        }


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    fixed: tuple[RankChange, ...]
    broken: tuple[RankChange, ...]
    both_miss: tuple[RankChange, ...]
    rank_changes: tuple[RankChange, ...]  # both hit, best rank differs
    both_hit: int
    only_a: tuple[str, ...]
    only_b: tuple[str, ...]
    deltas: dict[str, dict[str, tuple[float | None, float | None, float | None]]]

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "fixed": [c.to_json() for c in self.fixed],
            "broken": [c.to_json() for c in self.broken],
            "both_miss": [c.to_json() for c in self.both_miss],
            "rank_changes": [c.to_json() for c in self.rank_changes],
            "both_hit": self.both_hit,
            "only_a": list(self.only_a),
            "only_b": list(self.only_b),
            "deltas": {
                level: {k: {"a": a, "b": b, "delta": d} for k, (a, b, d) in vals.items()}
                for level, vals in self.deltas.items()
            },
        }


def _top(r: dict[str, Any]) -> str | None:
    retrieved = r.get("retrieved") or []
    return retrieved[0]["address"] if retrieved else None


def _metric_deltas(
    a: dict[str, Any], b: dict[str, Any]
) -> dict[str, dict[str, tuple[float | None, float | None, float | None]]]:
    out: dict[str, dict[str, tuple[float | None, float | None, float | None]]] = {}
    for level in ("article", "clause"):
        la, lb = a.get(level) or {}, b.get(level) or {}
        vals: dict[str, tuple[float | None, float | None, float | None]] = {}
        for key in METRIC_KEYS:
            x, y = la.get(key), lb.get(key)
            vals[key] = (x, y, (y - x) if x is not None and y is not None else None)
        out[level] = vals
    la, lb = a.get("latency_ms") or {}, b.get("latency_ms") or {}
    out["latency_ms"] = {}
    for key in ("p50", "p95"):
        x, y = la.get(key), lb.get(key)
        out["latency_ms"][key] = (x, y, (y - x) if x is not None and y is not None else None)
    return out


def compare_runs(a: SavedRun, b: SavedRun) -> Comparison:
    ra, rb = a.by_id(), b.by_id()
    fixed, broken, both_miss, changes = [], [], [], []
    both_hit = 0
    for qid, x in ra.items():
        y = rb.get(qid)
        if y is None:
            continue
        change = RankChange(
            id=qid,
            rank_a=x.get("rank"),
            rank_b=y.get("rank"),
            gold=tuple(x.get("gold_articles") or ()),
            top_a=_top(x),
            top_b=_top(y),
        )
        hit_a, hit_b = bool(x.get("hit")), bool(y.get("hit"))
        if hit_b and not hit_a:
            fixed.append(change)
        elif hit_a and not hit_b:
            broken.append(change)
        elif not hit_a:
            both_miss.append(change)
        else:
            both_hit += 1
            if change.rank_a != change.rank_b:
                changes.append(change)
    changes.sort(key=lambda c: ((c.rank_b or 0) - (c.rank_a or 0), c.id))
    return Comparison(
        a=str(a.path),
        b=str(b.path),
        fixed=tuple(fixed),
        broken=tuple(broken),
        both_miss=tuple(both_miss),
        rank_changes=tuple(changes),
        both_hit=both_hit,
        only_a=tuple(q for q in ra if q not in rb),
        only_b=tuple(q for q in rb if q not in ra),
        deltas=_metric_deltas(a.summary, b.summary),
    )


def _f(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _d(x: float | None) -> str:
    return "—" if x is None else f"{x:+.3f}"


def render_comparison(c: Comparison, max_rows: int = 50) -> str:
    """Markdown: metric deltas, then fixed / broken / rank changes / both miss."""
    lines = [f"# A: {c.a}\n# B: {c.b}", "", "| metric | A | B | Δ |", "|---|---|---|---|"]
    for level, vals in c.deltas.items():
        for key, (x, y, d) in vals.items():
            lines.append(f"| {level} {key} | {_f(x)} | {_f(y)} | {_d(d)} |")
    lines += [
        "",
        f"fixed {len(c.fixed)} · broken {len(c.broken)} · both miss {len(c.both_miss)} · "
        f"both hit {c.both_hit} (rank changed {len(c.rank_changes)})"
        + (
            f" · only in A {len(c.only_a)} · only in B {len(c.only_b)}"
            if c.only_a or c.only_b
            else ""
        ),
    ]

    def section(title: str, rows: tuple[RankChange, ...]) -> None:
        if not rows:
            return
        lines.extend(
            [
                "",
                f"## {title} ({len(rows)})",
                "",
                "| id | rank A | rank B | gold | top A | top B |",
                "|---|---|---|---|---|---|",
            ]
        )
        for r in rows[:max_rows]:
            lines.append(
                f"| {r.id} | {r.rank_a or 'miss'} | {r.rank_b or 'miss'} | {', '.join(r.gold)} "
                f"| {r.top_a or '—'} | {r.top_b or '—'} |"
            )
        if len(rows) > max_rows:
            lines.append(f"| … {len(rows) - max_rows} more | | | | | |")

    section("fixed (B finds, A missed)", c.fixed)
    section("broken (A found, B misses)", c.broken)
    section("rank changes (both find)", c.rank_changes)
    section("both miss", c.both_miss)
    return "\n".join(lines) + "\n"
