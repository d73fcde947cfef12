"""Build chat-format SFT examples with the real retriever's context.

For each :class:`~finetune.tasks.QATask` the builder asks the retriever for the question, as
the answer service does, fits the passages into the model's context with generation's own
:func:`generation.budget.fit_prompt` (so the system and user turns are *exactly* what is sent
at answer time), and writes the assistant turn citing the passages that hold the gold
provisions. When retrieval misses the gold provision, its passages are fetched from the index
and put among the top results (the model learns to cite the right passage, not to trust
rank 1). Abstention examples remove the gold article from the context and answer with the
system prompt's "not found" sentence.

Questions that appear in an eval gold file passed to ``exclude`` are refused (normalised text
match), duplicates are dropped, and the train/validation split is a hash of the normalised
question so a question (and its abstention twin) always lands on the same side.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from eval.split import normalize_question, split_of
from finetune.answers import assistant_turn, unverified_citations
from finetune.tasks import QATask
from generation.answer import QuestionType
from generation.budget import Budget, TokenCounter, fit_prompt
from legal.address import LegalAddress
from legal.errors import GenerationError, InputError
from legal.textnorm import normalize_for_index
from retrieval.articles import ArticleReader
from retrieval.store.base import VectorStore
from retrieval.types import Passage, SearchResult


class Searcher(Protocol):
    """The retriever role (``retrieval.retriever.Retriever``)."""

    def search(self, query: str, k: int) -> SearchResult: ...


class ProvisionSource(Protocol):
    """Reads provisions straight from the index (no search)."""

    def clause_passages(self) -> list[Passage]:
        """Every chunk of the index, for template questions."""
        ...

    def article_passages(self, address: LegalAddress) -> list[Passage]:
        """The chunks of the article holding ``address`` (or inside it)."""
        ...


class StoreProvisions:
    """:class:`ProvisionSource` over a :class:`VectorStore` (embedded or server), read through
    :class:`retrieval.articles.ArticleReader`, the one reader of the index's records."""

    def __init__(self, store: VectorStore) -> None:
        self.reader = ArticleReader(store)

    def clause_passages(self) -> list[Passage]:
        out = [c.passage() for c in self.reader.chunks() if c.text]
        return sorted(out, key=lambda p: p.address.sort_key())

    def article_passages(self, address: LegalAddress) -> list[Passage]:
        article = self.reader.article(address)
        return [p for p in article.passages(address) if p.text] if article else []


@dataclass(frozen=True)
class BuildOptions:
    val_ratio: float = 0.1
    abstain_ratio: float = 0.15  # extra abstention examples, per free-text question
    seed: int = 0
    max_model_len: int = 4096  # the context the examples must fit (≤ data.max_length)
    max_answer_tokens: int = 768
    max_cited: int = 3
    top_k: int = 8  # provisions asked of the retriever (the answer service's top_k)


@dataclass(frozen=True)
class SFTExample:
    id: str
    source: str
    kind: str  # "tu-luan" | "dung-sai" | "trac-nghiem" | "abstain"
    question: str
    messages: tuple[dict[str, str], ...]
    gold: tuple[str, ...]  # canonical addresses the answer rests on
    cited: tuple[int, ...]  # passage numbers the answer cites
    passages: tuple[str, ...]  # canonical addresses of the numbered context passages
    template: str | None = None
    gold_retrieved: bool = True  # False: the gold passage was put into the context
    truncated: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "kind": self.kind,
            "question": self.question,
            "messages": [dict(m) for m in self.messages],
            "gold": list(self.gold),
            "cited": list(self.cited),
            "passages": list(self.passages),
            "template": self.template,
            "gold_retrieved": self.gold_retrieved,
            "truncated": self.truncated,
        }


@dataclass
class BuildReport:
    examples: list[SFTExample] = field(default_factory=list)
    excluded: int = 0  # questions refused because an eval gold file holds them
    duplicates: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason → count
    tasks: int = 0


def _contains(haystack: str, needle: str) -> bool:
    return normalize_question(needle) in normalize_for_index(haystack).lower()


class DataBuilder:
    def __init__(
        self,
        retriever: Searcher,
        provisions: ProvisionSource,
        counter: TokenCounter,
        options: BuildOptions | None = None,
    ) -> None:
        self.retriever = retriever
        self.provisions = provisions
        self.counter = counter
        self.options = options or BuildOptions()
        self._rng = random.Random(self.options.seed)

    # ---- one example ------------------------------------------------------------------
    def _gold_hits(self, task: QATask, passages: Sequence[Passage]) -> list[int]:
        return [
            i for i, p in enumerate(passages, 1) if any(g.overlaps(p.address) for g in task.gold)
        ]

    def _order_cited(self, task: QATask, passages: Sequence[Passage], hits: list[int]) -> list[int]:
        """The passage that holds the answer first, then the other gold passages."""
        if task.answer and task.qtype is QuestionType.FREE:
            holding = [n for n in hits if _contains(passages[n - 1].text, task.answer)]
            hits = holding + [n for n in hits if n not in holding]
        return hits[: self.options.max_cited]

    def example(self, task: QATask, abstain: bool = False) -> SFTExample | str:
        """The example for a task (``abstain``: its abstention twin), or the reason it was
        skipped. A gold item marked abstain keeps the retrieved context as it is."""
        twin = abstain
        abstain = abstain or task.abstain
        if abstain and task.qtype is not QuestionType.FREE:
            return "abstain: only free-text questions can abstain"
        result = self.retriever.search(task.question, self.options.top_k)
        passages = list(result.passages)
        gold_retrieved = True
        if abstain:
            gold_articles = {g.article_address() for g in task.gold}
            passages = [p for p in passages if p.address.article_address() not in gold_articles]
            if not passages:
                return "abstain: nothing left in the context"
        elif not self._gold_hits(task, passages):
            gold_retrieved = False
            fetched: list[Passage] = []
            for g in task.gold:
                fetched.extend(self.provisions.article_passages(g))
            fetched = list({p.address.canonical: p for p in fetched}.values())
            if not fetched:
                return "gold provision not in the index"
            for p in fetched[: self.options.max_cited]:
                pos = self._rng.randint(0, min(2, len(passages)))
                passages.insert(pos, p)
        answer_tokens = self.options.max_answer_tokens
        for _ in range(3):
            made = self._compose(task, passages, abstain, answer_tokens)
            if isinstance(made, str):
                return made
            budget, kept, cited, reply, moved = made
            need = self.counter.count_text(reply) + 8  # + end-of-turn, spare
            if budget.prompt_tokens + need <= self.options.max_model_len:
                break
            answer_tokens = need  # a long reply: keep fewer passages
        else:
            return "reply does not fit the context"
        gold_retrieved = gold_retrieved and not moved
        kind = "abstain" if abstain else task.qtype.value
        messages = (*budget.messages, {"role": "assistant", "content": reply})
        return SFTExample(
            id=task.id + (":abstain" if twin else ""),
            source=task.source,
            kind=kind,
            question=task.question,
            messages=tuple(dict(m) for m in messages),
            gold=tuple(g.canonical for g in task.gold),
            cited=tuple(cited),
            passages=tuple(p.address.canonical for p in kept),
            template=task.template,
            gold_retrieved=gold_retrieved,
            truncated=budget.truncated,
        )

    def _compose(
        self, task: QATask, passages: list[Passage], abstain: bool, answer_tokens: int
    ) -> tuple[Budget, list[Passage], list[int], str, bool] | str:
        """Fit the context, find the cited passages, write the reply (or say why not)."""
        budget = self._fit(task, passages, answer_tokens)
        if budget is None:
            return "question too long for the context"
        kept = list(budget.passages)
        cited: list[int] = []
        moved = False
        if not abstain:
            cited = self._order_cited(task, kept, self._gold_hits(task, kept))
            if not cited:
                # retrieved, but ranked too low to fit: move the gold passages up
                gold = [passages[n - 1] for n in self._gold_hits(task, passages)]
                rest = [p for p in passages if p not in gold]
                for p in gold[: self.options.max_cited]:
                    rest.insert(self._rng.randint(0, min(2, len(rest))), p)
                budget = self._fit(task, rest, answer_tokens)
                if budget is None:
                    return "question too long for the context"
                kept = list(budget.passages)
                cited = self._order_cited(task, kept, self._gold_hits(task, kept))
                moved = True
            if not cited:
                return "gold passage does not fit the context"
        reply = assistant_turn(task, kept, cited, abstain)
        if cited and unverified_citations(reply, task.qtype, task.choices, kept):
            # the quoted law names a provision outside the context: cite without quoting
            # (a template question has no answer but the quote: skip it)
            if task.source == "corpus":
                return "quote cites a provision outside the context"
            reply = assistant_turn(task, kept, cited, False, quote=False)
            if unverified_citations(reply, task.qtype, task.choices, kept):
                return "answer fails citation verification"
        return budget, kept, cited, reply, moved

    def _fit(self, task: QATask, passages: Sequence[Passage], answer_tokens: int) -> Budget | None:
        try:
            return fit_prompt(
                task.question,
                passages,
                self.counter,
                max_model_len=self.options.max_model_len,
                max_answer_tokens=answer_tokens,
                qtype=task.qtype,
                choices=task.choices,
            )
        except GenerationError:
            return None

    # ---- many -------------------------------------------------------------------------
    def build(self, tasks: Iterable[QATask], exclude: Iterable[str] = ()) -> BuildReport:
        """Examples for every task not excluded, deduplicated by normalised question."""
        excluded = set(exclude)
        report = BuildReport()
        seen: set[str] = set()
        for task in tasks:
            report.tasks += 1
            key = normalize_question(task.question)
            if key in excluded:
                report.excluded += 1
                continue
            if key in seen:
                report.duplicates += 1
                continue
            seen.add(key)
            variants = [False]
            if (
                not task.abstain
                and task.qtype is QuestionType.FREE
                and self._rng.random() < self.options.abstain_ratio
            ):
                variants.append(True)
            for abstain in variants:
                made = self.example(task, abstain=abstain)
                if isinstance(made, str):
                    report.skipped[made] += 1
                else:
                    report.examples.append(made)
        leaked = [e.id for e in report.examples if normalize_question(e.question) in excluded]
        if leaked:  # pragma: no cover - guarded above; a last check before anything is written
            raise InputError(f"examples {leaked[:3]} hold questions of an excluded gold file")
        return report

    def split(self, examples: Sequence[SFTExample]) -> tuple[list[SFTExample], list[SFTExample]]:
        train: list[SFTExample] = []
        val: list[SFTExample] = []
        for e in examples:
            (val if split_of(e.question, self.options.val_ratio) == "val" else train).append(e)
        if not val and len(train) > 1 and self.options.val_ratio > 0:
            # tiny sets: move the last question's examples to validation
            last = normalize_question(train[-1].question)
            val = [e for e in train if normalize_question(e.question) == last]
            train = [e for e in train if normalize_question(e.question) != last]
        return train, val
