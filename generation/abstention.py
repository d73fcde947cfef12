"""When to abstain: is anything retrieved relevant enough to answer from?

Three signals, all per question:

* ``phrase`` (default): the largest share of the question's word pairs (consecutive words,
  diacritics folded) found in one retrieved passage (its article title + text). A passage
  that shares the question's *phrases* ("hoa lợi", "người tổ chức", "quản chế") talks about
  its concept; one that shares its words one by one ("quản lý … chế độ") often does not.
  Evidence (#14, dev data, 5-fold cross-validated, docs/abstention.md): at the threshold that
  answers 97 % of the answerable questions of each style, out-of-corpus questions abstained
  80.5 % against 77.4 % for ``lexical``, with more answerable questions answered (factoid
  97.8 % vs 96.6 %, scenario 97.7 % both).
* ``lexical``: the largest share of the question's content words (diacritics
  folded, function words dropped, word pairs counted double) found in one retrieved passage
  (its article title + text). In [0, 1], comparable across indexes and fusion settings.
* ``retrieval``: the best search score of a hit. With RRF fusion this is rank-based
  (``1/(k+rank)`` summed over the dense and sparse lists) and says little about absolute
  relevance; use it only with DBSF fusion or a reranker.

The threshold (``LUATQA_LLM__MIN_RELEVANCE``) is calibrated on dev questions:
:func:`calibrate` picks the highest threshold that still answers a target share of the
answerable questions; see docs/abstention.md and scripts/calibrate_abstention.py.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from generation.backends.extractive import overlap_score
from legal.citations import fold_keep_length
from legal.textnorm import fold
from retrieval.types import Passage, PassageRole, SearchResult

Signal = Literal["phrase", "lexical", "retrieval"]


def retrieval_relevance(result: SearchResult) -> float:
    """The best score of a search hit (passages fetched because the question names them or
    a hit refers to them do not count)."""
    scores = [p.score for p in result.passages if p.role is PassageRole.HIT]
    scores += [prov.score for prov in result.provisions if prov.role is PassageRole.HIT]
    return max(scores, default=0.0)


def _hits(result: SearchResult) -> list[Passage]:
    return [p for p in result.passages if p.role is PassageRole.HIT]


def _segments(question: str) -> list[str]:
    """The whole question, and each of its sentences / lines of 3+ words when it has several
    (a scenario's question sentence, the statute phrases its everyday words map to)."""
    parts = [s.strip() for s in re.split(r"[\n?.!;]+", question) if len(s.split()) >= 3]
    return [question, *parts] if len(parts) > 1 else [question]


def lexical_relevance(question: str, result: SearchResult) -> float:
    """Best share of the question's content words found in one retrieved passage; for a
    question of several sentences, the best of the whole and of each sentence (the factoid
    one-sentence questions of ALQAC score exactly as before)."""
    texts = [f"{p.article_title}\n{p.text}" for p in _hits(result)]
    return max(
        (overlap_score(q, t) for q in _segments(question) for t in texts),
        default=0.0,
    )


def _pairs(text: str) -> set[tuple[str, str]]:
    words = [w for w in re.findall(r"\w+", fold(text)) if len(w) > 1]
    return set(itertools.pairwise(words))


def phrase_relevance(question: str, result: SearchResult) -> float:
    """Best share of the question's word pairs found in one retrieved passage; for a
    question of several sentences, the best of the whole and of each sentence."""
    texts = [_pairs(f"{p.article_title}\n{p.text}") for p in _hits(result)]
    best = 0.0
    for segment in _segments(question):
        pairs = _pairs(segment)
        if pairs:
            best = max(best, *(len(pairs & t) / len(pairs) for t in texts), 0.0)
    return best


def relevance(question: str, result: SearchResult, signal: Signal = "phrase") -> float:
    if signal == "retrieval":
        return retrieval_relevance(result)
    if signal == "lexical":
        return lexical_relevance(question, result)
    return phrase_relevance(question, result)


@dataclass(frozen=True)
class Calibration:
    threshold: float
    answered_answerable: float  # share of answerable questions still answered
    abstained_unanswerable: float  # share of unanswerable questions abstained on
    n_answerable: int
    n_unanswerable: int
    auc: float  # P(score of an answerable > score of an unanswerable)

    def evaluate(self, answerable: Sequence[float], unanswerable: Sequence[float]) -> Calibration:
        """This threshold's rates on other (held-out) questions."""
        return Calibration(
            self.threshold,
            _share(answerable, lambda s: s >= self.threshold),
            _share(unanswerable, lambda s: s < self.threshold),
            len(answerable),
            len(unanswerable),
            auc(answerable, unanswerable),
        )


def _share(xs: Sequence[float], pred: object) -> float:
    assert callable(pred)
    return sum(1 for x in xs if pred(x)) / len(xs) if xs else 0.0


def auc(answerable: Sequence[float], unanswerable: Sequence[float]) -> float:
    if not answerable or not unanswerable:
        return float("nan")
    wins = sum((a > u) + 0.5 * (a == u) for a in answerable for u in unanswerable)
    return wins / (len(answerable) * len(unanswerable))


def calibrate(
    answerable: Sequence[float], unanswerable: Sequence[float], keep: float = 0.95
) -> Calibration:
    """The highest threshold that still answers at least ``keep`` of the answerable
    questions (a wrong abstention costs the user an answer; a missed one only costs a
    verified-or-flagged answer from weak context)."""
    if not answerable:
        raise ValueError("calibration needs answerable questions")
    ranked = sorted(answerable)
    drop = int((1.0 - keep) * len(ranked) + 1e-9)  # answerable questions we may abstain on
    threshold = ranked[drop]
    return Calibration(threshold, 0.0, 0.0, 0, 0, 0.0).evaluate(answerable, unanswerable)


# ---- requests to evade the law or harm someone ------------------------------------------

# On folded text (diacritics dropped). A request is flagged only when the asker wants it
# (first person or "how do I …") *and* it names an evasion, a deception, a harm to a
# protected person, or a demand to guarantee a case's outcome: statute-style questions about
# offences ("Người nào trốn thuế … bị phạt …") name no asker and are never flagged.
_ASKER = re.compile(
    r"\b(?:toi|chung toi|minh|em|ben toi|cong ty toi)\b[^.?!]{0,30}"
    r"\b(?:muon|can|dinh|tinh|phai lam)\b|\bco cach nao\b|\blam (?:sao|the nao)\b|"
    r"\bnen lam the nao\b|\bgiup (?:toi|minh|em)\b"
)
_IMPROPER = {
    "evade": re.compile(
        r"\blach\b|\bne tranh\b|\btron tranh\b|\bne (?:nghia vu|viec tra|trach nhiem)\b|"
        r"\bkhong phai (?:tra|dong|boi thuong|chiu)\b"
    ),
    "deceive": re.compile(
        r"\bbia\b|\bgia mao\b|\blam gia\b|\bkhai man\b|\bche giau\b|\bcho kin\b|"
        r"\bkhong (?:ai|ho) biet\b|\bkhong bi phat hien\b|\bqua mat\b"
    ),
    "harm": re.compile(
        r"\bloai\b[^.?!]{0,40}\b(?:hiv|mang thai|co thai|co bau|khuyet tat|ton giao|dan toc|"
        r"gioi tinh|cong doan)\b|\bgiu\b[^.?!]{0,30}\b(?:cccd|can cuoc|giay to|van bang|"
        r"chung chi|ho chieu)\b[^.?!]{0,50}\bde\b|\bde (?:ho|nhan vien|nguoi lao dong) "
        r"khong (?:the )?(?:bo viec|nghi viec|nghi)\b"
    ),
}
_GUARANTEE = re.compile(
    r"\b(?:khang dinh|cam ket|dam bao|bao dam)\b[^.?!]{0,50}\b(?:chac chan|thang kien|"
    r"se thang)\b|\bchac chan (?:se )?thang\b"
)
ImproperKind = Literal["evade", "deceive", "harm", "guarantee"]


def improper_request(question: str) -> ImproperKind | None:
    """Why a question asks for help the service must decline (None: it does not).

    Evidence (#14 dev sets): flags the 5 requests the labor-law dev set marks
    ``abstain_required`` and none of its 44 other questions, nor any of the 744 ALQAC 2022 /
    2024 dev questions (tests/generation/test_decline.py)."""
    text = fold(" ".join(question.split()))
    if _GUARANTEE.search(text):
        return "guarantee"
    if not _ASKER.search(text):
        return None
    for kind in ("deceive", "harm", "evade"):
        if _IMPROPER[kind].search(text):
            return kind
    return None


# what a request to decline adds to its subject: the asker's wish, the evasion or deception,
# "how do I …", and a demand for a guaranteed outcome (the clause that holds it)
_WISH = re.compile(
    r"\b(?:toi|chung toi|minh|em|ben toi|cong ty toi)\s+(?:muon|can|dinh|tinh)\b|"
    r"\blach luat(?:\s+de)?\b|\bne tranh\b|\btron tranh\b|\bbia(?:\s+ly do)?(?:\s+de)?\b|"
    r"\bgia mao\b|\blam gia\b|\bcho kin\b|\bkhong (?:ai|ho) biet\b|\bkhong bi phat hien\b|"
    r"\bkhong phai\b|\bkhong muon\b|\bco cach nao\b|\b(?:nen )?lam (?:sao|the nao)\b|"
    r"\bco duoc khong\b|\bkhong\s*(?=\?)"
)
_GUARANTEED = re.compile(r"[^,.?!]*\b(?:khang dinh|cam ket|dam bao|bao dam|chac chan)\b[^.?!]*")


def request_subject(question: str) -> str:
    """What a request to decline is about, to search the law that governs it: the request
    without the wish to evade ("Công ty tôi muốn lách luật để không phải trả trợ cấp thôi
    việc …" → "trả trợ cấp thôi việc …"). Searched as asked, the evasion's words pull in
    provisions on *unlawful* termination instead of the subject (#14 dev: the gold article
    ranked 4th → 1st for that request)."""
    text = " ".join(question.split())
    folded = fold_keep_length(text)
    keep = [True] * len(text)
    for m in (*_GUARANTEED.finditer(folded), *_WISH.finditer(folded)):
        keep[m.start() : m.end()] = [False] * (m.end() - m.start())
    rest = " ".join("".join(c for c, k in zip(text, keep, strict=True) if k).split())
    rest = re.sub(r"\s+([,.?!])", r"\1", rest).strip(" ,.?!")
    return rest if len(rest.split()) >= 3 else text


DECLINE_NOTES: dict[str, str] = {
    "evade": "Yêu cầu này nhằm né tránh nghĩa vụ pháp luật quy định; luatqa không hỗ trợ "
    "việc lách luật.",
    "deceive": "Yêu cầu này đòi hỏi gian dối hoặc che giấu hành vi trái luật; luatqa không hỗ "
    "trợ việc đó.",
    "harm": "Yêu cầu này xâm phạm quyền của người khác mà pháp luật bảo vệ; luatqa không hỗ "
    "trợ việc đó.",
    "guarantee": "Không thể khẳng định chắc chắn kết quả của một vụ tranh chấp: kết quả phụ "
    "thuộc vào chứng cứ và đánh giá của cơ quan có thẩm quyền.",
}
DECLINE_TAIL = "Các quy định pháp luật liên quan mà bạn cần tuân thủ:"


def decline_note(kind: str) -> str:
    """The first lines of a declined answer (both modes): why, then the law."""
    return f"{DECLINE_NOTES.get(kind, DECLINE_NOTES['evade'])}\n{DECLINE_TAIL}"
