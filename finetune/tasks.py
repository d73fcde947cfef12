"""Where training questions come from, before any context is retrieved.

* gold files with answers — ALQAC 2022 (short extractive answers), ALQAC 2024 (Đúng/Sai,
  multiple choice, free text) and our JSONL gold format — read with :func:`eval.gold.load_gold`;
* questions written from the corpus itself by templates over a clause: what an article
  says, the cases/conditions it lists, a deadline or an amount it sets. The clause is the
  answer's source.

A :class:`QATask` is one question with what the answer must say and cite; the builder turns
it into a chat example with the real retriever's context.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.split import normalize_question
from generation.answer import QuestionType
from legal.address import LegalAddress
from legal.textnorm import normalize_for_index
from retrieval.types import Passage


@dataclass(frozen=True)
class QATask:
    id: str
    source: str  # "alqac2022", "alqac2024", "gold:<file name>", "corpus"
    question: str
    qtype: QuestionType = QuestionType.FREE
    choices: tuple[str, ...] = ()  # multiple choice: texts in A, B, C, D order
    answer: str | None = None  # short answer, label ("Đúng"/"Sai"/"A".."D") or answer text
    gold: tuple[LegalAddress, ...] = ()  # provisions the answer rests on
    abstain: bool = False  # the gold says: the law given does not answer this
    template: str | None = None  # corpus questions: which template wrote it


# ---- gold files -------------------------------------------------------------------------
_TYPE_MAP = {
    "đúng/sai": QuestionType.TRUE_FALSE,
    "dung-sai": QuestionType.TRUE_FALSE,
    "true_false": QuestionType.TRUE_FALSE,
    "trắc nghiệm": QuestionType.MULTIPLE_CHOICE,
    "trac-nghiem": QuestionType.MULTIPLE_CHOICE,
    "multiple_choice": QuestionType.MULTIPLE_CHOICE,
}


def question_type(raw: str | None, has_choices: bool) -> QuestionType:
    if raw:
        found = _TYPE_MAP.get(normalize_for_index(raw).strip().lower())
        if found is not None:
            return found
    return QuestionType.MULTIPLE_CHOICE if has_choices else QuestionType.FREE


def gold_source_name(path: Path) -> str:
    text = str(path).lower()
    for name in ("alqac2022", "alqac2024"):
        if name in text:
            return name
    return f"gold:{path.name}"


def tasks_from_gold(path: str | Path, limit: int | None = None) -> list[QATask]:
    """Every item with an answer (or marked abstain) of a gold file. Laws keep the names the
    file gives them, which are the document ids of an index built from the same corpus
    (ALQAC law.json ids)."""
    from eval.gold import load_gold

    p = Path(path)
    gold = load_gold(p, limit=limit)
    source = gold_source_name(p)
    out: list[QATask] = []
    for item in gold.items:
        if not item.abstain and not (item.answer and item.references):
            continue
        qtype = question_type(item.type, bool(item.choices))
        choices = tuple(text for _, text in item.choices)
        answer = item.answer
        if qtype is QuestionType.TRUE_FALSE and answer:
            answer = "Đúng" if normalize_question(answer).startswith("đúng") else "Sai"
        if qtype is QuestionType.MULTIPLE_CHOICE:
            letters = [letter.upper() for letter, _ in item.choices]
            if not answer or answer.strip().upper()[:1] not in letters:
                continue
            answer = answer.strip().upper()[:1]
        out.append(
            QATask(
                id=f"{source}:{item.id}",
                source=source,
                question=item.question,
                qtype=qtype,
                choices=choices,
                answer=answer,
                gold=item.references,
                abstain=item.abstain,
            )
        )
    return out


# ---- corpus templates -------------------------------------------------------------------
_DURATION = re.compile(
    r"(?:trong thời hạn|trong vòng|thời hạn|ít nhất|chậm nhất|tối đa|không quá)\s+"
    r"(?:là\s+)?\d+\s*(?:ngày làm việc|ngày|tháng|năm|giờ)",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"(?:bằng|ít nhất|tối thiểu|tối đa|không quá|không thấp hơn|không cao hơn|mức)\s+"
    r"(?:là\s+)?(?:bằng\s+)?\d[\d.,]*\s*(?:%|phần trăm|đồng|lần)",
    re.IGNORECASE,
)
_CASES = re.compile(r"(?:trường hợp|điều kiện|hành vi)[^.:;]{0,60}sau đây", re.IGNORECASE)
_CLAUSE_NUMBER = re.compile(r"^\s*(?:\d+[a-zđ]?\.|[a-zđ]\))\s*")


def _sentence_with(text: str, match: re.Match[str]) -> str:
    start = max(text.rfind(".", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
    ends = [i for i in (text.find(".", match.end()), text.find("\n", match.end())) if i != -1]
    end = min(ends) if ends else len(text)
    return _CLAUSE_NUMBER.sub("", text[start:end].strip()).strip(" ;:")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


@dataclass(frozen=True)
class CorpusQuestion:
    template: str
    question: str
    focus: str  # the sentence of the clause that answers it ("" = the whole clause)


def corpus_questions(p: Passage) -> list[CorpusQuestion]:
    """Every template that applies to a clause passage."""
    label = p.address.display(p.doc_label)
    title = p.article_title.strip().rstrip(".")
    text = p.text.strip()
    out: list[CorpusQuestion] = []
    if p.address.clause is None and title:
        asked = f"Điều {p.address.article} {p.doc_label} quy định gì?"
        out.append(CorpusQuestion("article", asked, ""))
    elif title:
        out.append(
            CorpusQuestion(
                "clause",
                f"Khoản {p.address.clause} Điều {p.address.article} {p.doc_label} "
                f"({_lower_first(title)}) quy định gì?",
                "",
            )
        )
    if title and p.address.clause in (None, "1") and p.address.point is None:
        # the question a client asks: no provision named, the article's subject in words
        asked = f"Theo {p.doc_label}, {_lower_first(title)} được quy định như thế nào?"
        out.append(CorpusQuestion("title", asked, ""))
    if _CASES.search(text):
        kind = _CASES.search(text)
        assert kind is not None
        first = kind.group(0).split()[0].lower()
        noun = {"trường": "trường hợp", "điều": "điều kiện", "hành": "hành vi"}[first]
        out.append(
            CorpusQuestion(
                "cases",
                f"Theo {label}, những {noun} nào được quy định"
                + (f" về {_lower_first(title)}" if title else "")
                + "?",
                "",
            )
        )
    m = _DURATION.search(text)
    if m:
        out.append(
            CorpusQuestion(
                "deadline",
                f"Thời hạn được quy định tại {label}"
                + (f" về {_lower_first(title)}" if title else "")
                + " là bao lâu?",
                _sentence_with(text, m),
            )
        )
    m = _AMOUNT.search(text)
    if m:
        out.append(
            CorpusQuestion(
                "amount",
                f"Mức được quy định tại {label}"
                + (f" về {_lower_first(title)}" if title else "")
                + " là bao nhiêu?",
                _sentence_with(text, m),
            )
        )
    return out


def tasks_from_corpus(passages: Sequence[Passage], n: int, seed: int = 0) -> list[QATask]:
    """Up to ``n`` template questions over the given clause passages, spread across
    passages (at most one question per passage, the specific templates preferred)."""
    rng = random.Random(seed)
    pool = [p for p in passages if p.address.article is not None and len(p.text.split()) >= 6]
    rng.shuffle(pool)
    order = {"deadline": 0, "amount": 0, "cases": 1, "title": 2, "clause": 2, "article": 2}
    picked: list[tuple[Passage, CorpusQuestion]] = []
    for p in pool:
        options = corpus_questions(p)
        if options:
            best = min(order[q.template] for q in options)
            picked.append((p, rng.choice([q for q in options if order[q.template] == best])))
    # specific questions (deadlines, amounts, listed cases) first, up to half of the set
    specific = [x for x in picked if order[x[1].template] < 2][: n // 2]
    general = [x for x in picked if order[x[1].template] == 2]
    out: list[QATask] = []
    for p, choice in (specific + general)[:n]:
        out.append(
            QATask(
                id=f"corpus:{p.address.canonical}:{choice.template}",
                source="corpus",
                question=choice.question,
                answer=choice.focus or None,
                gold=(p.address,),
                template=choice.template,
            )
        )
    return out


def exclusion_set(paths: Iterable[str | Path]) -> set[str]:
    """Normalised question texts of eval gold files that must never be trained on."""
    from eval.gold_file import read_raw

    out: set[str] = set()
    for path in paths:
        for _, obj in read_raw(Path(path)):
            if isinstance(obj, dict):
                text = obj.get("question") or obj.get("text")
                if isinstance(text, str) and text.strip():
                    out.add(normalize_question(text))
    return out
