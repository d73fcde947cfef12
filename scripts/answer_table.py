"""One markdown table from ``luatqa eval --answers --json`` outputs: systems side by side.

    .venv/bin/python scripts/answer_table.py runs/answers {extractive,base,lora}

reads ``DIR/SYSTEM-SET.json`` for SET in 2022, 2024, ooc (what docs/answers.md's commands
write) and prints the table docs/answers.md and the README show.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SETS = ("2022", "2024", "ooc")


def _get(data: dict[str, Any] | None, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _fmt(x: Any, digits: int = 2) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


ROWS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Đúng/Sai accuracy (ALQAC 2024)", "2024", ("true_false", "accuracy")),
    ("multiple-choice accuracy (ALQAC 2024)", "2024", ("multiple_choice", "accuracy")),
    ("short-answer containment (ALQAC 2022)", "2022", ("short_answer", "containment")),
    ("citation recall, article (ALQAC 2022)", "2022", ("citation", "recall")),
    ("citation precision, article (ALQAC 2022)", "2022", ("citation", "precision")),
    (
        "citation validity: model's citations verified (2022+2024)",
        "*",
        ("generated", "citation_validity"),
    ),
    ("faithfulness: sentences supported (2022+2024)", "*", ("generated", "faithfulness")),
    ("quotes verbatim in the cited clause (2022+2024)", "*", ("generated", "quotes_verbatim")),
    ("abstained on out-of-corpus questions", "ooc", ("abstention", "recall")),
    ("answerable questions abstained (2022+2024)", "*", ("modes", "abstained")),
    ("shown citations all verified", "*", ("shown_citations_verified",)),
    ("time to first token p50, ms (2022)", "2022", ("generated", "first_token_ms", "p50")),
    ("decode tokens/s p50 (2022)", "2022", ("generated", "tokens_per_s", "p50")),
]


def _pooled(runs: dict[str, dict[str, Any]], path: tuple[str, ...]) -> Any:
    """Over 2022 + 2024: ratios weighted by their counts; abstentions as a share."""
    parts = [runs[s] for s in ("2022", "2024") if s in runs]
    if not parts:
        return None
    if path == ("modes", "abstained"):
        return sum(p["modes"]["abstained"] for p in parts) / sum(p["n"] for p in parts)
    if path == ("shown_citations_verified",):
        vals = [(p["shown_citations_verified"], p["n"]) for p in parts]
        return sum(v * n for v, n in vals if v is not None) / sum(n for _, n in vals)
    weights = {"citation_validity": "citations_written", "faithfulness": "claims",
               "quotes_verbatim": "quotes"}  # fmt: skip
    num = den = 0.0
    for p in parts:
        value, weight = _get(p, *path), _get(p, "generated", weights[path[-1]])
        if value is not None and weight:
            num, den = num + value * weight, den + weight
    return num / den if den else None


def main() -> None:
    folder, systems = Path(sys.argv[1]), sys.argv[2:]
    runs = {
        name: {
            s: json.loads((folder / f"{name}-{s}.json").read_text())["answer"]
            for s in SETS
            if (folder / f"{name}-{s}.json").is_file()
            and (folder / f"{name}-{s}.json").stat().st_size
        }
        for name in systems
    }
    print("| figure | " + " | ".join(systems) + " |")
    print("|---|" + "---|" * len(systems))
    for label, where, path in ROWS:
        cells = []
        for name in systems:
            mine = runs[name]
            value = _pooled(mine, path) if where == "*" else _get(mine.get(where), *path)
            cells.append(_fmt(value))
        print(f"| {label} | " + " | ".join(cells) + " |")
    for name in systems[:1]:
        for key, label in (("majority_true_false", "Đúng/Sai"), ("majority_multiple_choice", "MC")):
            base = _get(runs[name].get("2024"), "generated", key) or {}
            if base.get("accuracy") is not None:
                print(f"| {label} majority class ({base['label']}) | {_fmt(base['accuracy'])} | |")
    ns = {s: _get(runs[systems[0]].get(s), "n") for s in SETS}
    print(f"\nQuestions: ALQAC 2022 val {ns['2022']}, ALQAC 2024 val {ns['2024']}, "
          f"out-of-corpus val {ns['ooc']}.")  # fmt: skip


if __name__ == "__main__":
    main()
