"""The assistant turn of a training example, in the format generation parses and verifies.

* Free-text answers cite the numbered context passages with brackets (``[2]``) and name the
  provision the way a lawyer writes it ("khoản 2 Điều 35 Bộ luật Lao động 2019"), then quote
  the sentence it rests on.
* Đúng/Sai and multiple-choice answers are the JSON object generation requests with
  ``response_format``: ``label``, a short ``reasoning`` that cites, and ``citations``
  (passage numbers).
* Abstentions (free-text questions) use the system prompt's exact sentence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from eval.split import normalize_question
from finetune.tasks import QATask
from generation.answer import QuestionType
from generation.prompt import MODEL_NOT_FOUND
from retrieval.types import Passage

ABSTAIN_TEXT = MODEL_NOT_FOUND + "."
MAX_QUOTE_WORDS = 80
_CLAUSE_NUMBER = re.compile(r"^\s*\d+[a-zđ]?\.\s*")


def _words(text: str, limit: int) -> str:
    words = text.split()
    return " ".join(words[:limit]) + (" …" if len(words) > limit else "")


def _sentence(text: str) -> str:
    return text.strip().rstrip(" .;:") + "."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def quote_of(passage: Passage, focus: str | None = None) -> str:
    """The passage's words to quote: the sentence (or list item) holding ``focus`` when the
    passage has it, else the passage text without its clause number; shortened."""
    body = _CLAUSE_NUMBER.sub("", passage.text.strip())
    if focus:
        wanted = normalize_question(focus)
        for piece in re.split(r"(?<=\.)\s+|\n+", body):
            if wanted and wanted in normalize_question(piece):
                body = piece
                break
    return _words(" ".join(body.split()), MAX_QUOTE_WORDS)


def cite(passages: Sequence[Passage], numbers: Sequence[int]) -> str:
    """'khoản 2 Điều 35 Bộ luật Lao động 2019 [1]' for each cited passage."""
    return "; ".join(f"{passages[n - 1].display_citation()} [{n}]" for n in numbers)


def free_answer(
    task: QATask, passages: Sequence[Passage], numbers: Sequence[int], quote: bool = True
) -> str:
    main = passages[numbers[0] - 1]
    label = main.display_citation()
    if not quote:
        head = _sentence(_capital(task.answer.strip())) + " " if task.answer else ""
        lines = [f"{head}Căn cứ: {label} [{numbers[0]}]."]
        if len(numbers) > 1:
            lines.append(f"Xem thêm {cite(passages, numbers[1:])}.")
        return "\n".join(lines)
    quote_text = quote_of(main, task.answer)
    if task.source == "corpus":
        lines = [f"Theo {label} [{numbers[0]}]: {_sentence(quote_text)}"]
    elif task.answer:
        lines = [
            f"{_sentence(_capital(task.answer.strip()))} Căn cứ: {label} [{numbers[0]}] quy "
            f'định: "{quote_text.rstrip(".")}".'
        ]
    else:  # pragma: no cover - tasks without an answer are filtered earlier
        lines = [f"Theo {label} [{numbers[0]}]: {_sentence(quote_text)}"]
    if len(numbers) > 1:
        lines.append(f"Xem thêm {cite(passages, numbers[1:])}.")
    return "\n".join(lines)


def max_reasoning_chars() -> int:
    """The ``maxLength`` generation's JSON schema puts on ``reasoning``."""
    from generation.backends.vllm import answer_schema

    return int(answer_schema(("Đúng", "Sai"))["properties"]["reasoning"]["maxLength"])


def structured_answer(
    task: QATask, passages: Sequence[Passage], numbers: Sequence[int], quote: bool = True
) -> str:
    main = passages[numbers[0] - 1]
    label = task.answer or ""
    if task.qtype is QuestionType.MULTIPLE_CHOICE:
        idx = "ABCDEFGH".index(label)
        chosen = task.choices[idx].strip().rstrip(".") if idx < len(task.choices) else ""
        verdict = f"Vì vậy phương án {label} ({chosen}) đúng."
    else:
        verdict = f"Vì vậy nhận định trên là {'đúng' if label == 'Đúng' else 'sai'}."
    limit = max_reasoning_chars()
    head = f"Theo {main.display_citation()} [{numbers[0]}]"
    reasoning = f"{head}. {verdict}"
    words = len(quote_of(main).split()) if quote else 0
    while words > 5:
        quoted = f"{head}: {_sentence(_words(quote_of(main), words))} {verdict}"
        if len(quoted) <= limit:
            reasoning = quoted
            break
        words -= 5
    reasoning = reasoning[:limit]
    # the order guided decoding writes them in (generation.backends.vllm.answer_schema)
    payload = {"label": label, "citations": list(numbers), "reasoning": reasoning}
    return json.dumps(payload, ensure_ascii=False)


def abstain_answer(task: QATask) -> str:
    """Free-text questions only: a structured answer must carry one of the labels."""
    return ABSTAIN_TEXT


def assistant_turn(
    task: QATask,
    passages: Sequence[Passage],
    numbers: Sequence[int],
    abstain: bool,
    quote: bool = True,
) -> str:
    if abstain or not numbers:
        return abstain_answer(task)
    if task.qtype is QuestionType.FREE:
        return free_answer(task, passages, numbers, quote)
    return structured_answer(task, passages, numbers, quote)


def unverified_citations(
    reply: str, qtype: QuestionType, choices: Sequence[str], passages: Sequence[Passage]
) -> list[str]:
    """The citations of a reply that generation's verifier would reject (what it shows as
    "không kiểm chứng được"), plus a structured label it cannot read."""
    from generation.parsing import parse_answer, parse_structured
    from generation.service import labels_for
    from generation.verify import verify_answer, verify_numbers

    if qtype is QuestionType.FREE:
        _, bad = verify_answer(parse_answer(reply), passages)
        return [u.marker for u in bad]
    structured = parse_structured(reply, labels_for(qtype, choices))
    problems = [f"label: {structured.problem}"] if structured.label is None else []
    _, bad_numbers = verify_numbers(((f"[{n}]", n) for n in structured.citations), passages)
    _, bad_written = verify_answer(parse_answer(structured.reasoning), passages)
    return problems + [u.marker for u in [*bad_numbers, *bad_written]]
