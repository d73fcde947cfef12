"""AnswerService: retrieve → (abstain | budget → LLM → parse → verify | extract).

* Abstains *without calling the model* when retrieval finds nothing relevant enough (top
  hit score below ``min_relevance``, calibrated on dev data: docs/abstention.md), or when
  the question is about a law the index does not hold (``SearchResult.missing_laws``); the
  answer lists the nearest provisions.
* Backend ``auto``: no LLM configured → extractive; LLM configured but down, slow or
  returning nothing → extractive with a visible warning. Never a crash, never a blank
  answer. Backend ``vllm`` is strict: LLM errors are raised (for eval runs).
* Every citation of a generated answer is verified against the passages given to the
  model (:mod:`generation.reply`); unverified ones are reported as warnings and never
  become sources.
* A request to evade the law or harm someone (:func:`generation.abstention.improper_request`)
  is never abstained on: in both modes the answer says why it declines, then states the
  provisions that forbid the request (``Answer.declined``).
* Extractive answers quote the clauses chosen for the question (party, situation, rank:
  :mod:`generation.quotes`), matched against the legal issue as it was searched.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol, TypedDict, Unpack

from generation.abstention import (
    Signal,
    decline_note,
    improper_request,
    relevance,
    request_subject,
)
from generation.answer import Answer, AnswerMode, QuestionType
from generation.backends.base import ChatBackend, ChatRequest, Completion, TokenSink
from generation.backends.extractive import EXTRACTIVE_HEADER, ExtractiveAnswerer
from generation.backends.vllm import answer_schema
from generation.budget import Budget, EstimateCounter, TokenCounter, fit_prompt
from generation.prompt import choice_letter, decline_question
from generation.quotes import ClauseChooser
from generation.reply import read_reply, reply_warnings
from legal.bridge import stream_from_thread
from legal.errors import GenerationError, QuestionError
from retrieval.types import Passage, PassageRole, SearchResult

Backend = Literal["auto", "vllm", "extractive"]

NOT_FOUND = (
    "Không tìm thấy quy định đủ liên quan trong các văn bản đã lập chỉ mục "
    "(not found in the indexed documents)."
)
NOT_INDEXED = (
    "Câu hỏi nêu {laws}: văn bản này chưa được nạp vào chỉ mục, nên luatqa không trả lời "
    "dựa trên văn bản khác (the law asked about is not in the index)."
)
MODEL_NOT_FOUND_LEAD = (
    "Mô hình không tìm thấy căn cứ trả lời trong các đoạn luật được cung cấp "
    "(the model found no answer in the passages it was given)."
)
TRUE_FALSE_LABELS = ("Đúng", "Sai")


class Retriever(Protocol):
    """What the answer service needs from retrieval (see :mod:`retrieval`)."""

    def search(self, query: str, k: int, docs: Sequence[str] = ()) -> SearchResult: ...


@dataclass(frozen=True)
class AnswerConfig:
    backend: Backend = "auto"
    top_k: int = 8
    min_relevance: float = 0.0  # abstain when the relevance signal is below this
    relevance_signal: Signal = "phrase"  # see generation.abstention
    max_model_len: int = 8192
    max_answer_tokens: int = 768
    nearest: int = 3  # provisions listed when abstaining
    max_quotes: int = 3  # extractive mode


def labels_for(qtype: QuestionType, choices: Sequence[str]) -> tuple[str, ...]:
    if qtype is QuestionType.TRUE_FALSE:
        return TRUE_FALSE_LABELS
    return tuple(choice_letter(i) for i in range(len(choices) or 4))


def _cited_in_question(result: SearchResult) -> bool:
    return any(p.role is PassageRole.CITED for p in result.passages)


class AskOptions(TypedDict, total=False):
    """The options of :meth:`AnswerService.ask` that :meth:`AnswerService.stream` passes on."""

    qtype: QuestionType
    choices: Sequence[str]
    docs: Sequence[str]
    retrieval_query: str | None
    as_of: str | None


class AnswerService:
    def __init__(
        self,
        retriever: Retriever,
        config: AnswerConfig | None = None,
        *,
        llm: ChatBackend | None = None,
        counter: TokenCounter | None = None,
        extractive: ExtractiveAnswerer | None = None,
    ) -> None:
        self.retriever = retriever
        self.config = config or AnswerConfig()
        self.llm = llm
        self.counter = counter or EstimateCounter()
        self.extractive = extractive or ClauseChooser(self.config.max_quotes)
        if self.config.backend == "vllm" and llm is None:
            raise GenerationError(
                "backend 'vllm' needs a server URL",
                hint="set LUATQA_LLM__BASE_URL=http://HOST:8000/v1 or use backend 'auto'",
            )

    # ---- public API ---------------------------------------------------------------------
    def ask(
        self,
        question: str,
        *,
        qtype: QuestionType = QuestionType.FREE,
        choices: Sequence[str] = (),
        docs: Sequence[str] = (),
        retrieval_query: str | None = None,
        on_token: TokenSink | None = None,
        as_of: str | None = None,
    ) -> Answer:
        """The answer; ``as_of`` (ISO date) restricts retrieval to the provisions in force that
        day and labels the citations for it (today otherwise)."""
        answer = self._ask(question, qtype, choices, docs, retrieval_query, on_token, as_of)
        return replace(answer, as_of=as_of)

    def _ask(
        self,
        question: str,
        qtype: QuestionType,
        choices: Sequence[str],
        docs: Sequence[str],
        retrieval_query: str | None,
        on_token: TokenSink | None,
        as_of: str | None,
    ) -> Answer:
        question = question.strip()
        if not question:
            raise QuestionError("the question is empty", hint="ask a question about the law")
        if qtype is QuestionType.MULTIPLE_CHOICE and not (2 <= len(choices) <= 8):
            raise QuestionError(
                "a multiple-choice question needs 2 to 8 choices",
                hint="pass them with --choices 'A text' --choices 'B text' ...",
            )
        started = time.perf_counter()
        query = (retrieval_query or question).strip()
        improper = improper_request(question)  # answered with the law that forbids it
        if improper is not None:
            query = request_subject(query)  # the subject, not the wish to evade it
        if qtype is QuestionType.MULTIPLE_CHOICE:
            query += "\n" + "\n".join(c.strip() for c in choices)  # the choices carry content
        dated: dict[str, Any] = {"as_of": as_of} if as_of else {}  # older retrievers take none
        result = self.retriever.search(query, self.config.top_k, docs=tuple(docs), **dated)
        timings = {"retrieve": round((time.perf_counter() - started) * 1000, 1)}
        # the legal issue in the statute's words (retrieval.scenario), as it was searched
        searched = result.search_text or query
        asked = result.content_text or searched  # without "Công ty bắt tôi …"
        if result.missing_laws and improper is None and not _cited_in_question(result):
            lead = NOT_INDEXED.format(laws=", ".join(result.missing_laws))
            return self._abstain(question, qtype, result.passages, timings, lead)
        if not result.passages or (
            relevance(asked, result, self.config.relevance_signal) < self.config.min_relevance
            and not _cited_in_question(result)
            and improper is None
        ):
            return self._abstain(question, qtype, result.passages, timings)
        answer = self._answer(question, searched, qtype, choices, result, on_token, timings)
        if improper is None:
            return answer
        if answer.mode is AnswerMode.GENERATED:
            answer = replace(answer, text=f"{decline_note(improper)}\n{answer.text}")
        return replace(answer, declined=True)

    def _answer(
        self,
        question: str,
        searched: str,
        qtype: QuestionType,
        choices: Sequence[str],
        result: SearchResult,
        on_token: TokenSink | None,
        timings: dict[str, float],
    ) -> Answer:
        """Generated when an LLM is configured (extractive fallback), else extracted; a
        request to decline is put to the model with the instruction to state the law and
        decline (prompt.DECLINE_INSTRUCTION)."""
        improper = improper_request(question)
        if self.llm is None or self.config.backend == "extractive":
            return self._extract(question, searched, qtype, result, (), timings)
        asked = decline_question(question) if improper else question
        try:
            return self._generate(asked, qtype, choices, result.passages, on_token, timings)
        except GenerationError as exc:
            if self.config.backend == "vllm":
                raise
            warning = (
                "Mô hình ngôn ngữ không trả lời được, nên hiển thị trích dẫn nguyên văn thay thế "
                f"(LLM unavailable, extractive fallback): {exc.message}"
            )
            return self._extract(question, searched, qtype, result, (warning,), timings)

    def stream(self, question: str, **options: Unpack[AskOptions]) -> Iterator[str | Answer]:
        """Text pieces as the model writes them, then the final :class:`Answer` (always last;
        errors are raised in the caller's thread). The options are :meth:`ask`'s."""

        def work(emit: TokenSink) -> Answer:
            return self.ask(question, on_token=emit, **options)

        answer = yield from stream_from_thread(work, name="luatqa-answer")
        yield answer

    # ---- modes --------------------------------------------------------------------------
    def _abstain(
        self,
        question: str,
        qtype: QuestionType,
        found: Sequence[Passage],
        timings: dict[str, float],
        lead: str = NOT_FOUND,
    ) -> Answer:
        nearest = tuple(sorted(found, key=lambda p: p.score, reverse=True)[: self.config.nearest])
        lines = [lead]
        if nearest:
            lines.append("Các quy định gần nhất tìm được (không đủ liên quan để trả lời):")
            lines += [
                f"- {p.display_citation()}" + (f" ({p.article_title})" if p.article_title else "")
                for p in nearest
            ]
        else:
            lines.append("Chỉ mục chưa có văn bản nào khớp với câu hỏi.")
        return Answer(
            question=question,
            text="\n".join(lines),
            mode=AnswerMode.ABSTAINED,
            question_type=qtype,
            nearest=nearest,
            timings_ms=timings,
        )

    def _extract(
        self,
        question: str,
        searched: str,
        qtype: QuestionType,
        result: SearchResult,
        warnings: tuple[str, ...],
        timings: dict[str, float],
    ) -> Answer:
        """Quotes chosen for the question (party, situation, rank: generation.quotes); a
        request to decline gets the note first and the provisions that forbid it."""
        improper = improper_request(question)
        if isinstance(self.extractive, ClauseChooser):
            extract = self.extractive.extract_for(
                searched,
                result.passages,
                party=result.party,
                decline=improper is not None,
                header=decline_note(improper) if improper else EXTRACTIVE_HEADER,
            )
        else:
            extract = self.extractive.extract(searched, result.passages)
        if qtype is not QuestionType.FREE:
            warnings += (
                "Chế độ trích dẫn không tự chọn đáp án (Đúng/Sai hoặc phương án); "
                "hãy đọc các quy định được trích.",
            )
        return Answer(
            question=question,
            text=extract.text,
            mode=AnswerMode.EXTRACTIVE,
            citations=extract.citations,
            passages=extract.passages,
            warnings=warnings,
            question_type=qtype,
            timings_ms=timings,
        )

    def _generate(
        self,
        question: str,
        qtype: QuestionType,
        choices: Sequence[str],
        passages: Sequence[Passage],
        on_token: TokenSink | None,
        timings: dict[str, float],
    ) -> Answer:
        """Budget the prompt, ask the model, read and verify its reply (generation.reply).
        A free reply that says the passages hold no answer is shown as an abstention."""
        assert self.llm is not None
        budget = self._fit(question, qtype, choices, passages, timings)
        labels = labels_for(qtype, choices) if qtype is not QuestionType.FREE else None
        completion = self._complete(budget, labels, on_token, timings)
        text = completion.text.strip()
        if not text:
            raise GenerationError(f"{self.llm.name} returned an empty answer")
        reply = read_reply(text, budget.passages, labels)
        if reply.says_not_found():
            # the model itself found nothing in the passages: an abstention, shown as one
            answer = self._abstain(question, qtype, budget.passages, timings, MODEL_NOT_FOUND_LEAD)
            return replace(answer, model=completion.model)
        return Answer(
            question=question,
            text=text,
            mode=AnswerMode.GENERATED,
            citations=reply.verified,
            unverified=reply.unverified,
            passages=budget.passages,
            warnings=reply_warnings(reply, completion, budget),
            claims=reply.claims,
            label=reply.label,
            reasoning=reply.reasoning,
            question_type=qtype,
            model=completion.model,
            timings_ms=timings,
        )

    def _fit(
        self,
        question: str,
        qtype: QuestionType,
        choices: Sequence[str],
        passages: Sequence[Passage],
        timings: dict[str, float],
    ) -> Budget:
        """The passages that fit the model's context next to the question and the answer;
        none fitting is an error (the caller falls back to extractive in ``auto``)."""
        t0 = time.perf_counter()
        budget = fit_prompt(
            question,
            passages,
            self.counter,
            max_model_len=self.config.max_model_len,
            max_answer_tokens=self.config.max_answer_tokens,
            qtype=qtype,
            choices=choices,
        )
        timings["budget"] = round((time.perf_counter() - t0) * 1000, 1)
        if not budget.passages:
            raise GenerationError(
                f"no retrieved passage fits in the model's context ({budget.max_model_len} "
                "tokens) next to the question and the answer",
                hint="serve the model with a larger --max-model-len, or lower "
                "LUATQA_LLM__MAX_ANSWER_TOKENS",
            )
        return budget

    def _complete(
        self,
        budget: Budget,
        labels: tuple[str, ...] | None,
        on_token: TokenSink | None,
        timings: dict[str, float],
    ) -> Completion:
        """One call of the model; a structured question (``labels``) is answered under a JSON
        schema whose reasoning is kept short enough for the JSON to close within max_tokens."""
        assert self.llm is not None
        schema = None
        if labels is not None:
            chars = max(40, min(600, (budget.answer_tokens - 24) * 2))
            schema = answer_schema(labels, chars, passages=len(budget.passages))
        t1 = time.perf_counter()
        completion = self.llm.complete(
            ChatRequest(budget.messages, budget.answer_tokens, schema), on_token
        )
        timings["generate"] = round((time.perf_counter() - t1) * 1000, 1)
        if completion.first_token_s is not None:
            timings["first_token"] = round(completion.first_token_s * 1000, 1)
        if completion.tokens_per_s is not None:
            timings["tokens_per_s"] = round(completion.tokens_per_s, 2)
        if completion.completion_tokens is not None:
            timings["completion_tokens"] = float(completion.completion_tokens)
        return completion
