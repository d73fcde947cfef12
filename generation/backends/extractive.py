"""No LLM: quote the clauses that best match the question, each with its citation.

The result is labelled as *extracted*, not generated. Clauses are ranked by how many of the
question's words (diacritics folded, function words dropped) they contain, ties kept in
retrieval order; every quote is verified by construction (it *is* a given passage).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from generation.answer import Citation
from generation.verify import quote_text
from legal.textnorm import fold
from retrieval.types import Passage

EXTRACTIVE_HEADER = (
    "Trích nguyên văn các quy định liên quan nhất (chế độ trích dẫn, không phải câu trả lời "
    "do mô hình ngôn ngữ tạo ra):"
)

_STOP_WORDS = """
la co khong duoc va hoac cua cho the nao bao nhieu gi ai khi neu thi trong tai ve
theo nhung cac mot nay do voi den tu ma nhu o bi da se dang phai can hay
"""
_STOP = frozenset(_STOP_WORDS.split())


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", fold(text)) if w not in _STOP and len(w) > 1}


def _bigrams(text: str) -> set[tuple[str, str]]:
    ws = [w for w in re.findall(r"\w+", fold(text)) if len(w) > 1]
    return set(itertools.pairwise(ws))


def overlap_score(question: str, text: str) -> float:
    """Share of the question's content words (and word pairs, weighted double) in ``text``."""
    q, t = _words(question), _words(text)
    qb, tb = _bigrams(question), _bigrams(text)
    if not q:
        return 0.0
    return (len(q & t) + 2 * len(qb & tb)) / (len(q) + 2 * max(len(qb), 1))


@dataclass(frozen=True)
class Extract:
    text: str
    passages: tuple[Passage, ...]
    citations: tuple[Citation, ...]


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, max_quotes: int = 3) -> None:
        self.max_quotes = max_quotes

    def rank(self, question: str, passages: Sequence[Passage]) -> list[Passage]:
        scored = [
            (overlap_score(question, f"{p.article_title}\n{p.text}"), -i, p)
            for i, p in enumerate(passages)
        ]
        scored.sort(key=lambda x: (x[0], x[1]), reverse=True)
        return [p for _, _, p in scored]

    def extract(self, question: str, passages: Sequence[Passage]) -> Extract:
        chosen = tuple(self.rank(question, passages)[: self.max_quotes])
        return render_extract(EXTRACTIVE_HEADER, chosen)


def render_extract(header: str, chosen: Sequence[Passage]) -> Extract:
    """The quoted clauses under ``header``, each cited by its number: "[1] khoản 1 Điều 105
    … (title):" then the quote."""
    lines = [header, ""]
    cites: list[Citation] = []
    for n, p in enumerate(chosen, 1):
        quote = quote_text(p.text)
        display = p.display_citation()
        title = f" ({p.article_title})" if p.article_title else ""
        guide = "Hướng dẫn — " if p.role.value == "guidance" else ""
        lines += [f"[{n}] {guide}{display}{title}:", f"“{quote}”", ""]
        cites.append(Citation(p.address, quote, display, f"[{n}]", n))
    return Extract("\n".join(lines).strip(), tuple(chosen), tuple(cites))
