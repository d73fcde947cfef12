"""Query understanding for questions asked as scenarios, requests and drafts (#14).

ALQAC questions are short and written in the statute's words; lawyers and their clients tell a
situation ("Công ty bắt tôi làm thêm 5 tiếng mỗi ngày …"), ask "is this legal?", or ask for a
checklist or a draft. :meth:`QueryUnderstanding.plan` turns such a question into a
:class:`QueryPlan`:

* the **legal issue**: greetings and drafting instructions ("Hãy viết câu trả lời tư vấn cho
  …", "lập bảng", "checklist") dropped, a question quoted inside a request taken out, and a
  long narrative cut to its question sentences and the sentences that use the law's words;
  the narrative itself stays with the caller, for the answer;
* the **search text**: the issue in the statute's words (acronyms spelled out, "5 tiếng" →
  "05 giờ") plus the statute phrases of the everyday words it uses (:mod:`retrieval.lexicon`);
* for a request to argue one side only, the **rights and duties of every party named** (a
  fair answer weighs both);
* the **party** the question is about (who acts: "Người sử dụng lao động đơn phương chấm dứt
  …" → người sử dụng lao động; "Người lao động *bị* công ty …" → người lao động), used to
  rank the provision stating *that* party's rights or duties above the other party's
  (Điều 41 before Điều 40) and to choose the clauses to quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from legal.textnorm import fold
from retrieval.lexicon import Lexicon, statute_numbers

# drafting and formatting instructions: what the asker wants done, not what the law says
_TASK = re.compile(
    r"^(?:hãy|xin|vui lòng|bạn hãy)?\s*(?:(?:viết|soạn|lập|đưa ra|làm)\s+(?:giúp\s+)?"
    r"(?:một\s+)?(?:đoạn(?: văn)?|câu trả lời|bảng|bản|lập luận(?: pháp lý)?|hướng dẫn|"
    r"checklist|danh sách)?(?!\w)(?:\s+(?:ngắn|ngắn gọn|từng bước|tư vấn|giải thích))*"
    r"(?:\s+(?:cho|để|về))?\s*)?",
    re.IGNORECASE,
)
# "Tôi là chủ công ty, hãy viết …": who asks, before the instruction (dropped with it)
_INTRO = re.compile(
    r"^(?:tôi|em|mình|chúng tôi) là [^,.?!]{1,40}[,.]\s*(?=(?:hãy|xin|vui lòng|bạn hãy)\s)",
    re.IGNORECASE,
)
_FORMAT = re.compile(
    r",?\s*(?:bằng ngôn ngữ dễ hiểu[^.?!,]*|thành checklist[^.?!,]*|"
    r"dưới dạng (?:bảng|checklist)[^.?!,]*|một cách ngắn gọn)",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^(?:(?:xin )?chào(?: luật sư| anh| chị| bạn)?[,.!]?\s*|"
    r"(?:luật sư |anh |chị )?cho (?:em|tôi|mình) hỏi[,:]?\s*)+",
    re.IGNORECASE,
)
_THANKS = re.compile(r"\s*(?:xin )?(?:cảm ơn|cám ơn)[^.?!]*[.!]?\s*$", re.IGNORECASE)
# "is this legal?" asks: they carry no content the statute could match
_LEGALITY = re.compile(
    r"[,.]?\s*(?:(?:việc|yêu cầu|điều khoản|hành vi|quyết định)(?: \w+)?(?: này| đó)?\s+)?"
    r"(?:như vậy\s+)?(?:(?:có|là)\s+(?:đúng luật|đúng pháp luật|hợp pháp|trái luật|"
    r"trái pháp luật|vi phạm pháp luật|ổn|rủi ro pháp lý gì|vấn đề gì)|ổn)"
    r"(?:\s+(?:không|hay không))?\s*\??\s*$|[,.]?\s*(?:tôi|em|mình) nên làm gì\s*\??\s*$",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"(?:hỏi|rằng|là)\s*:?\s*[“\"](?P<inner>[^”\"]{15,})[”\"]")
_SENTENCE = re.compile(r"(?<=[.?!])\s+")
_ASKING = re.compile(
    r"\?|\b(?:có được|có phải|hay không|bao nhiêu|bao lâu|thế nào|như thế nào|ra sao|"
    r"những gì|là gì|khi nào|ai|nào|không)\s*\??$",
    re.IGNORECASE,
)
# on folded text. Before a party: it undergoes the act ("công ty *bắt* tôi", "chấm dứt hợp
# đồng *với* người lao động") or is a possessor ("hợp đồng *của* nhân viên"); after it, in the
# same clause: "nhân viên … *bị* công ty chấm dứt"
_PATIENT_BEFORE = re.compile(
    r"\b(?:bat|buoc|ep|yeu cau|voi|doi voi|sa thai|duoi|cua|cho)\s*(?:\w+\s+)?$"
)
_PATIENT_AFTER = re.compile(r"^[^,.;?]{0,60}?\bbi\b")

# a brief for one side only (on folded text): the law weighs both parties, so the rights and
# duties of every party named are searched with the issue
_ONE_SIDED = re.compile(
    r"\bco loi nhat cho\b|\bchi co loi cho\b|\bthien vi\b|"
    r"\bkhong can (?:xet|quan tam|tinh den|nghi den) (?:den )?(?:phia|quyen loi|loi ich|ben)\b|"
    r"\bchi (?:xet|bao ve|noi) (?:den )?(?:quyen loi|loi ich|phia|ben)\b"
)

_ASKER_WORDS = re.compile(r"(?<!\w)(?:tôi|chúng tôi|em|mình|bạn)(?!\w)", re.IGNORECASE)

LONG_NARRATIVE_WORDS = 60  # longer questions are cut to their issue sentences


@dataclass(frozen=True)
class QueryPlan:
    question: str  # as asked
    issue: str  # the legal issue (the question when nothing was dropped)
    search_text: str  # what is embedded and matched: the issue in statute words + expansions
    party: str | None = None  # the statute's name of the party the question is about
    expansions: tuple[str, ...] = ()
    # the search text without the asker's own words (pronouns, everyday names of the
    # parties: "Công ty bắt tôi …"): what the relevance signal of the answer service matches
    content: str = ""
    # a one-sided request: "quyền và nghĩa vụ của X" for every party named, looked up by
    # heading and put first (retrieval.ranking.headings_first)
    sides: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.search_text != self.question


def _issue_sentences(text: str, lexicon: Lexicon) -> str:
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    if len(text.split()) <= LONG_NARRATIVE_WORDS or len(sentences) < 3:
        return text
    keep = [
        s
        for s in sentences
        if _ASKING.search(s.strip())
        or lexicon.expansions(s)
        or any(t in fold(s) for t in lexicon.terms if len(t) > 12)
    ]
    return " ".join(keep) if keep else text


def reduce_to_issue(question: str, lexicon: Lexicon) -> str:
    """The legal issue of a question: greetings, thanks and drafting instructions dropped, a
    quoted question taken out of a request, a long narrative cut to its issue sentences."""
    text = " ".join(question.split())
    quoted = _QUOTED.search(text)
    if quoted:
        text = quoted.group("inner")
    text = _GREETING.sub("", text)
    text = _THANKS.sub("", text) or text
    text = _TASK.sub("", _INTRO.sub("", text, count=1), count=1)
    text = _FORMAT.sub("", text)
    bare = _LEGALITY.sub("", text).strip(" ,;:")
    if len(bare.split()) >= 4:
        text = bare + ("?" if text.rstrip().endswith("?") and not bare.endswith("?") else "")
    if "\n" not in question.strip():  # lines: a question with its choices, kept whole
        text = _issue_sentences(text, lexicon)
    text = text.strip(" ,;:")
    if len(text.split()) < 2:
        return " ".join(question.split())
    return text[0].upper() + text[1:]


def acting_party(text: str, lexicon: Lexicon) -> str | None:
    """The party that acts in the question: the first party named that does not undergo the
    act, looked for in the question sentence first, then in the whole text."""
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    asked = [s for s in sentences if "?" in s] or sentences[-1:]
    for scope in (" ".join(asked), text):
        mentions = lexicon.party_mentions(scope)
        folded = fold(scope)
        for start, end, party in mentions:
            before, after = folded[max(0, start - 24) : start], folded[end : end + 80]
            if _PATIENT_BEFORE.search(before) or _PATIENT_AFTER.search(after):
                continue
            return party
        named = {party for *_, party in mentions}
        if len(named) == 1:
            # the one party named undergoes the act: the question is about it
            return named.pop()
        if named:
            return None  # several parties, none acting ("phân biệt quyền của A và của B")
    return None


class QueryUnderstanding:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def plan(self, question: str) -> QueryPlan:
        issue = reduce_to_issue(question, self.lexicon)
        statute = statute_numbers(self.lexicon.expand_acronyms(issue))
        both = self._both_sides(question)
        expansions = tuple(self.lexicon.expansions(statute)) + both
        search = statute + ("\n" + "; ".join(expansions) if expansions else "")
        # one side only asked for: no party is preferred
        party = None if both else acting_party(self.lexicon.expand_acronyms(issue), self.lexicon)
        content = _ASKER_WORDS.sub(" ", search)
        for alias in self.lexicon.aliases:
            content = re.sub(rf"(?<!\w){re.escape(alias)}(?!\w)", " ", content, flags=re.I)
        return QueryPlan(
            question, issue, search, party, expansions, " ".join(content.split()), both
        )

    def _both_sides(self, question: str) -> tuple[str, ...]:
        """For a one-sided request ("viết câu trả lời có lợi nhất cho công ty …, không cần
        xét phía nhân viên"): "quyền và nghĩa vụ của X" for each party named — the
        provisions a fair answer starts from (#14 dev: LBR_094's gold, Điều 5, was not in
        the top 30 without them)."""
        if not _ONE_SIDED.search(fold(question)):
            return ()
        parties = dict.fromkeys(p for *_, p in self.lexicon.party_mentions(question))
        return tuple(f"quyền và nghĩa vụ của {p}" for p in parties)

    def heading_words(self, plan: QueryPlan, title: str) -> int:
        """How many words a heading has when the question uses every one of them (0 when it
        misses one, or the heading is shorter than 3 words: "Thưởng", "Tiền lương" name
        topics too broad to tell articles apart)."""
        words = set(fold(title).split())
        if len(words) < 3:
            return 0
        asked = set(re.findall(r"\w+", fold(plan.search_text)))
        return len(words) if words <= asked else 0

    def party_matches(self, plan: QueryPlan, title: str) -> bool:
        """The heading states the rights or duties of the party the question is about."""
        if plan.party is None:
            return False
        return self.lexicon.title_party(title) == plan.party
