"""Answer metrics (pure functions): how good is a generated answer, given the gold item.

* ``true_false`` / ``choice`` accuracy: the verdict ("Đúng"/"Sai") or choice letter read from
  the answer text (:func:`extract_true_false`, :func:`extract_choice`) equals the gold one.
* ``containment``: the gold short answer appears in the generated answer, after
  normalisation (NFC, one tone placement, lower case, punctuation and spacing collapsed).
* ``token_f1``: SQuAD-style bag-of-words F1 between answer and gold, on underthesea
  word-segmented text ("lao_động" is one token), lower-cased, punctuation dropped.
* citation precision / recall: a cited provision is correct when it overlaps a gold
  reference at the chosen level (article by default: "khoản 2 Điều 35" is right for gold
  "Điều 35", and vice versa); recall is the share of gold references some citation matches.
* abstention precision / recall over a question set: precision = abstained where the gold
  says abstain / all abstentions; recall = abstained where the gold says abstain / all such
  questions.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from legal.address import LegalAddress
from legal.textnorm import fold, normalize_for_index

Tokenizer = Callable[[str], list[str]]
Level = Literal["article", "clause", "exact"]

_PUNCT = re.compile(r"[^\w\s]")


def normalize_answer(text: str) -> str:
    t = normalize_for_index(unicodedata.normalize("NFC", text)).lower()
    return " ".join(_PUNCT.sub(" ", t).split())


def segment_words(text: str) -> list[str]:
    """underthesea word segmentation: compound words joined by '_'."""
    from underthesea import word_tokenize

    return str(word_tokenize(normalize_for_index(text), format="text")).split()


def _tokens(text: str, tokenizer: Tokenizer) -> list[str]:
    out = []
    for tok in tokenizer(text):
        t = _PUNCT.sub("", tok.lower().replace("_", " ")).strip()
        if t:
            out.append("_".join(t.split()))
    return out


def token_f1(prediction: str, gold: str, tokenizer: Tokenizer = segment_words) -> float:
    pred, ref = _tokens(prediction, tokenizer), _tokens(gold, tokenizer)
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def contains_answer(prediction: str, gold: str) -> bool:
    g = normalize_answer(gold)
    return bool(g) and f" {g} " in f" {normalize_answer(prediction)} "


# ---- verdicts and choices ---------------------------------------------------------------

_TF = re.compile(r"\b(dung|sai)\b")
_TF_LEAD = re.compile(
    r"^\W*(?:(?:dap an|tra loi|ket luan|khang dinh nay|menh de nay)\W*)?"
    r"(?:la\s+)?(dung|sai)\b"
)


def extract_true_false(text: str) -> str | None:
    """'Đúng'/'Sai' from an answer: the leading verdict ("Sai. Theo khoản 2 …") if there is
    one, else the only verdict word used; None when absent or both appear without a lead."""
    folded = fold(text)
    m = _TF_LEAD.match(folded)
    if m:
        return "Đúng" if m.group(1) == "dung" else "Sai"
    found = {w for w in _TF.findall(folded)}
    if len(found) == 1:
        return "Đúng" if found.pop() == "dung" else "Sai"
    return None


def extract_choice(text: str, letters: Sequence[str] = ("A", "B", "C", "D")) -> str | None:
    """The choice letter an answer picks: "Đáp án: D", "D.", "(B)", "phương án C"."""
    alts = "".join(re.escape(x) for x in letters)
    patterns = (
        rf"(?:dap an|phuong an|lua chon|chon)\s*(?:dung\s*)?(?:la\s*)?[:\-]?\s*\(?([{alts}])\b",
        rf"^\W*\(?([{alts}])(?:[\.\):]|\s*$|\s+-)",
        rf"\(([{alts}])\)",
    )
    folded = fold(text)
    for pat in patterns:
        m = re.search(pat, folded, flags=re.IGNORECASE | re.MULTILINE)
        if m:
            return m.group(1).upper()
    return None


def _norm_verdict(text: str) -> str:
    return fold(text).strip().rstrip(".").strip()


def verdict_correct(prediction: str, gold: str, qtype: str | None) -> bool | None:
    """True/False for Đúng/Sai and multiple-choice items; None for other types."""
    kind = fold(qtype or "")
    if kind.startswith("dung/sai") or _norm_verdict(gold) in {"dung", "sai"}:
        got = extract_true_false(prediction)
        return got is not None and _norm_verdict(got) == _norm_verdict(gold)
    if kind.startswith("trac nghiem") or re.fullmatch(r"[A-Za-z]", gold.strip()):
        got = extract_choice(prediction)
        return got is not None and got == gold.strip().upper()
    return None


# ---- citations and abstention -----------------------------------------------------------


def _at(level: Level, a: LegalAddress) -> LegalAddress:
    if level == "article":
        return a.article_address()
    if level == "clause":
        return a.clause_address() if a.clause is not None else a.article_address()
    return a


@dataclass(frozen=True)
class PR:
    precision: float | None
    recall: float | None


def citation_scores(
    cited: Sequence[LegalAddress], gold: Sequence[LegalAddress], level: Level = "article"
) -> PR:
    """Precision of the citations an answer makes, recall of the gold references."""
    c = list(dict.fromkeys(_at(level, a) for a in cited))
    g = list(dict.fromkeys(_at(level, a) for a in gold))
    precision = sum(1 for x in c if any(x.overlaps(y) for y in g)) / len(c) if c else None
    recall = sum(1 for y in g if any(x.overlaps(y) for x in c)) / len(g) if g else None
    return PR(precision, recall)


def abstention_scores(pairs: Sequence[tuple[bool, bool]]) -> PR:
    """``pairs`` = (abstained, gold says abstain) per question."""
    abstained = sum(1 for a, _ in pairs if a)
    should = sum(1 for _, g in pairs if g)
    both = sum(1 for a, g in pairs if a and g)
    return PR(both / abstained if abstained else None, both / should if should else None)
