"""The data card written next to train.jsonl / val.jsonl: counts by source and type, and a
token-length histogram in the tokens of the model to be trained (Llama 3.1's tokenizer when
it is available, else the configured one, else a word-based estimate — the card says which).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from finetune.builder import BuildReport, SFTExample

BINS = (256, 512, 1024, 2048, 4096, 8192)


class LengthCounter(Protocol):
    name: str

    def lengths(self, messages: Sequence[dict[str, str]]) -> tuple[int, int]:
        """(tokens of the whole example, tokens of the assistant reply)."""
        ...


class TokenizerLengths:
    """Exact lengths with a Hugging Face tokenizer and its chat template."""

    def __init__(self, tokenizer: Any, name: str) -> None:
        self.tokenizer = tokenizer
        self.name = name

    def lengths(self, messages: Sequence[dict[str, str]]) -> tuple[int, int]:
        from finetune.masking import tokenize_example

        ex = tokenize_example(self.tokenizer, messages)
        return len(ex.input_ids), ex.reply_tokens


class EstimateLengths:
    """No tokenizer: 3 tokens per word (generation's estimate), 40 for the template."""

    name = "estimate (3 tokens/word)"

    def lengths(self, messages: Sequence[dict[str, str]]) -> tuple[int, int]:
        words = [len(m["content"].split()) for m in messages]
        return 40 + 3 * sum(words) + 8 * len(messages), 3 * words[-1] + 1


def load_length_counter(candidates: Sequence[str]) -> LengthCounter:
    """The first tokenizer of ``candidates`` that loads offline, else the estimate."""
    for name in candidates:
        try:
            from transformers import AutoTokenizer

            tok = AutoTokenizer.from_pretrained(name, local_files_only=True)
        except Exception:  # any failure means "not available here"
            continue
        if getattr(tok, "chat_template", None):
            return TokenizerLengths(tok, name)
    return EstimateLengths()


@dataclass(frozen=True)
class Histogram:
    bins: tuple[str, ...]
    counts: tuple[int, ...]

    def to_json(self) -> dict[str, int]:
        return dict(zip(self.bins, self.counts, strict=True))


def histogram(values: Sequence[int]) -> Histogram:
    labels = [f"≤{b}" for b in BINS] + [f">{BINS[-1]}"]
    counts = [0] * len(labels)
    for v in values:
        i = next((k for k, b in enumerate(BINS) if v <= b), len(BINS))
        counts[i] += 1
    return Histogram(tuple(labels), tuple(counts))


def _counts(examples: Sequence[SFTExample]) -> dict[str, Any]:
    return {
        "total": len(examples),
        "by_source": dict(sorted(Counter(e.source for e in examples).items())),
        "by_kind": dict(sorted(Counter(e.kind for e in examples).items())),
        "by_source_kind": dict(sorted(Counter(f"{e.source}/{e.kind}" for e in examples).items())),
        "corpus_templates": dict(
            sorted(Counter(e.template for e in examples if e.template).items())
        ),
        "gold_injected": sum(1 for e in examples if not e.gold_retrieved),
        "context_truncated": sum(1 for e in examples if e.truncated),
    }


def data_card(
    train: Sequence[SFTExample],
    val: Sequence[SFTExample],
    report: BuildReport,
    counter: LengthCounter,
    settings: dict[str, Any],
) -> dict[str, Any]:
    totals: list[int] = []
    replies: list[int] = []
    for e in [*train, *val]:
        total, reply = counter.lengths(e.messages)
        totals.append(total)
        replies.append(reply)
    ordered = sorted(totals)
    return {
        "train": _counts(train),
        "val": _counts(val),
        "excluded_eval_questions": report.excluded,
        "duplicates_dropped": report.duplicates,
        "skipped": dict(report.skipped),
        "tasks": report.tasks,
        "tokenizer": counter.name,
        "tokens": {
            "histogram": histogram(totals).to_json(),
            "reply_histogram": histogram(replies).to_json(),
            "max": max(totals, default=0),
            "median": ordered[len(ordered) // 2] if ordered else 0,
            "mean_reply": round(sum(replies) / len(replies), 1) if replies else 0.0,
        },
        "settings": settings,
    }


def card_markdown(card: dict[str, Any]) -> str:
    lines = ["# Fine-tuning data card", ""]
    for split in ("train", "val"):
        c = card[split]
        lines.append(f"## {split}: {c['total']} examples")
        lines.append("")
        lines.append("| source / type | examples |")
        lines.append("|---|---:|")
        lines += [f"| {k} | {v} |" for k, v in c["by_source_kind"].items()]
        lines.append("")
        if c["corpus_templates"]:
            tmpl = ", ".join(f"{k}: {v}" for k, v in c["corpus_templates"].items())
            lines.append(f"Corpus templates: {tmpl}.")
        lines.append(
            f"Gold passage put into the context (retrieval missed it): {c['gold_injected']}; "
            f"last passage cut to fit: {c['context_truncated']}."
        )
        lines.append("")
    t = card["tokens"]
    lines.append(f"## Length in tokens ({card['tokenizer']})")
    lines.append("")
    lines.append("| tokens | examples | replies |")
    lines.append("|---|---:|---:|")
    for b, n in t["histogram"].items():
        lines.append(f"| {b} | {n} | {t['reply_histogram'][b]} |")
    lines.append("")
    lines.append(f"Max {t['max']}, median {t['median']}, mean reply {t['mean_reply']}.")
    lines.append("")
    lines.append(
        f"Refused (in an excluded eval gold file): {card['excluded_eval_questions']}; "
        f"duplicates dropped: {card['duplicates_dropped']}; skipped: {card['skipped'] or 'none'}."
    )
    return "\n".join(lines) + "\n"
