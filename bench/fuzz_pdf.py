"""Fuzz the PDF reader with mutated real PDFs: only our own errors may ever escape.

Each mutant is a real statute PDF with a few random edits (bytes flipped, a range
overwritten, deleted, duplicated or zeroed, the file cut short), made from a seed so that
any finding is reproduced with ``--seed``. ``ingest.load.load_documents`` either returns
documents or raises :class:`legal.errors.InputError`; anything else is a finding (exit 1).
A mutant that parses with fewer articles than the original is counted: PDF damage that the
engine repairs silently can drop a page. The reader then warns that articles are missing
(``fewer_flagged``) when the numbering has a hole, or that the end may be missing when the
text stops before a closing provision; a loss it cannot see is ``fewer_unflagged``.

    .venv/bin/python -m bench.fuzz_pdf [--iterations 500] [--seconds 600] [--seed 0]
        [PDF ...]          # default: the text-layer PDFs of ../shared/corpus/pdfs

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ingest.load import load_documents
from legal.errors import InputError

REPO = Path(__file__).resolve().parent.parent
PDFS = REPO.parent / "shared" / "corpus" / "pdfs"
DEFAULT = (
    "10-2020-TT-BLDTBXH_thong-tu.pdf",
    "50-2024-QH15_luat-cong-doan_cong-bao.pdf",
    "45-2019-QH14_bo-luat-lao-dong.pdf",
)


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to three random edits of ``data``."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        n = len(buf)
        at = rng.randrange(n)
        span = rng.randint(1, max(1, min(4096, n - at)))
        op = rng.choice(("flip", "flip", "overwrite", "delete", "duplicate", "zero", "cut"))
        if op == "flip":
            for _ in range(rng.randint(1, 32)):
                buf[rng.randrange(n)] ^= 1 << rng.randrange(8)
        elif op == "overwrite":
            buf[at : at + span] = rng.randbytes(span)
        elif op == "delete":
            del buf[at : at + span]
        elif op == "duplicate":
            buf[at:at] = buf[at : at + span]
        elif op == "zero":
            buf[at : at + span] = bytes(span)
        else:
            del buf[max(1, at) :]
    return bytes(buf)


def fuzz(sources: Sequence[Path], iterations: int, seconds: float, seed: int) -> dict[str, Any]:
    """Run mutants until ``iterations`` or ``seconds``; outcomes and findings."""
    originals = {p: (p.read_bytes(), len(load_documents(p)[0].articles)) for p in sources}
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    findings: list[str] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="luatqa-fuzz-") as tmp:
        for i in range(iterations):
            if time.monotonic() - started > seconds:
                break
            source = sources[i % len(sources)]
            data, articles = originals[source]
            path = Path(tmp) / f"mutant-{i}.pdf"
            path.write_bytes(mutate(data, random.Random(seed * 1_000_003 + i)))
            try:
                docs = load_documents(path)
            except InputError as exc:
                outcomes["refused"] += 1
                reasons[exc.message.split("(")[0].strip()[:60]] += 1
                continue
            except Exception:  # a finding: only our errors may escape
                outcomes["escaped"] += 1
                findings.append(f"seed {seed} iteration {i} ({source.name}):\n"
                                + traceback.format_exc(limit=3))  # fmt: skip
                continue
            n = sum(len(d.articles) for d in docs)
            flagged = any(
                "missing from the text" in w or "end of the document may be missing" in w
                for d in docs
                for w in d.warnings
            )
            outcomes["parsed"] += 1
            outcomes["same_or_more" if n >= articles else
                     "fewer_flagged" if flagged else "fewer_unflagged"] += 1  # fmt: skip
    return {
        "mutants": outcomes["refused"] + outcomes["parsed"] + outcomes["escaped"],
        "seconds": round(time.monotonic() - started, 1),
        "outcomes": dict(outcomes),
        "refusals": dict(reasons.most_common(8)),
        "findings": findings,
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pdfs", nargs="*", type=Path)
    ap.add_argument("--iterations", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=600.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    sources = list(args.pdfs) or [PDFS / name for name in DEFAULT if (PDFS / name).is_file()]
    if not sources:
        print(f"no PDF given and none found in {PDFS}", file=sys.stderr)
        return 2
    result = fuzz(sources, args.iterations, args.seconds, args.seed)
    for f in result["findings"]:
        print("FINDING:", f, file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False))
    return 1 if result["findings"] else 0


if __name__ == "__main__":
    sys.exit(main())
