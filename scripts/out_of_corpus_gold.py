"""Write an out-of-corpus gold file: questions the ALQAC 2022 index cannot answer.

ALQAC 2024 dev questions (free-text form: the question alone, no choices) whose law is not
among the four codes of ALQAC 2022 (so not the Civil Code or the Cybersecurity Law, which
both sets hold), validation side of the fine-tuning split only, each marked ``abstain``.
Asked against an index of ALQAC 2022, the right reply to each is "not found".
The file is written where you say (e.g. ``runs/``), never into the project.

    .venv/bin/python scripts/out_of_corpus_gold.py --out runs/ooc-val.jsonl [--split val]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from eval.split import DEFAULT_VAL_RATIO, split_of

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
IN_2022 = ("bộ luật dân sự", "luật an ninh mạng")  # laws both sets hold


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--split", choices=("all", "train", "val"), default="val")
    p.add_argument("--val-ratio", type=float, default=DEFAULT_VAL_RATIO)
    args = p.parse_args()
    rows = json.loads((CORPUS / "alqac2024" / "questions.dev.json").read_text(encoding="utf-8"))
    out = []
    for q in rows:
        laws = {a["law_id"].lower() for a in q.get("relevant_articles", [])}
        if not laws or laws & set(IN_2022):
            continue
        if args.split != "all" and split_of(q["text"], args.val_ratio) != args.split:
            continue
        out.append(
            {
                "id": f"ooc-{q['question_id']}",
                "question": q["text"],
                "references": [],
                "abstain": True,
                "type": "ngoài phạm vi",
            }
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8"
    )
    print(f"{len(out)} out-of-corpus questions → {args.out}")


if __name__ == "__main__":
    main()
