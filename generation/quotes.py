"""Choosing the clauses an extractive answer quotes: for the question, not only by rank (#14).

:class:`ClauseChooser` is the extractive backend with a better choice of quotes. A clause's
score adds up

* the **situation**: the share of the question's words, in the statute's words (the search
  text of :mod:`retrieval.scenario`), found in the clause and its article's heading;
* the **party**: the article's heading states the rights or duties of the party the question
  is about ("Nghĩa vụ *của người sử dụng lao động* khi …");
* the **retrieval rank** of its article (the retriever ranks articles better than word overlap
  does: on the ALQAC 2022 dev set the top article is right 95 % of the time);
* for a request to decline, **prohibitions**: an article whose heading forbids ("Các hành vi
  bị nghiêm cấm …", "… không được làm …") is preferred, and the rank counts half.

Weights were set on the dev sets (labor_golden dev, ALQAC 2022 dev): see README, "How good".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from generation.backends.extractive import (
    EXTRACTIVE_HEADER,
    Extract,
    ExtractiveAnswerer,
    render_extract,
)
from generation.backends.extractive import overlap_score as overlap
from legal.textnorm import fold
from retrieval.types import Passage, PassageRole

PARTY_WEIGHT = 0.25
RANK_WEIGHT = 0.3
RULE_WEIGHT = 0.2
# headings of prohibitions ("Các hành vi bị nghiêm cấm …", "Hành vi … không được làm …")
_RULE = re.compile(r"\bnghiem cam\b|\bbi cam\b|\bkhong duoc\b")


def states_party(title: str, party: str | None) -> bool:
    """The heading states the rights or duties of ``party`` ('… của người lao động')."""
    if not party:
        return False
    m = re.search(rf"\bcua {re.escape(fold(party))}(?!\w)", fold(title))
    if not m:
        return False
    # "của người lao động" is not "của người lao động thuê lại"
    rest = fold(title)[m.end() :].split(" khi ")[0].split(" trong ")[0].strip(" ,;")
    return not rest or rest.startswith(("khi", "trong", "doi voi", "ve"))


def _article_ranks(passages: Sequence[Passage]) -> dict[tuple[str, str | None], int]:
    ranks: dict[tuple[str, str | None], int] = {}
    for p in passages:
        ranks.setdefault((p.address.doc, p.address.article), len(ranks))
    return ranks


def with_guidance(chosen: Sequence[Passage], passages: Sequence[Passage]) -> tuple[Passage, ...]:
    """The chosen quotes, each statute clause followed by the first guiding provision the
    search brought for its article (issue 11: answers cite the statute and its guidance)."""
    out: list[Passage] = []
    for p in chosen:
        if p in out:
            continue
        out.append(p)
        guide = next(
            (
                g
                for g in passages
                if g.role is PassageRole.GUIDANCE
                and g not in out
                and any(a.doc == p.address.doc and a.article == p.address.article for a in g.guides)
            ),
            None,
        )
        if guide is not None:
            out.append(guide)
    return tuple(out)


class ClauseChooser(ExtractiveAnswerer):
    name = "extractive"

    def choose(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        party: str | None = None,
        decline: bool = False,
    ) -> list[Passage]:
        """``passages`` ordered best quote first; ``question`` in the statute's words."""
        ranks = _article_ranks(passages)
        scored = []
        for i, p in enumerate(passages):
            score = overlap(question, f"{p.article_title}\n{p.text}")
            # a request to decline names what it wants to evade: its words matter more than
            # the rank, which the request's phrasing ("lách luật", "bịa lý do") disturbs
            rank_weight = RANK_WEIGHT / 2 if decline else RANK_WEIGHT
            score += rank_weight / (1 + ranks[(p.address.doc, p.address.article)])
            if states_party(p.article_title, party):
                score += PARTY_WEIGHT
            if decline and _RULE.search(fold(p.article_title)):
                score += RULE_WEIGHT
            scored.append((score, -i, p))
        scored.sort(key=lambda x: (x[0], x[1]), reverse=True)
        return [p for _, _, p in scored]

    def rank(self, question: str, passages: Sequence[Passage]) -> list[Passage]:
        return self.choose(question, passages)

    def extract_for(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        party: str | None = None,
        decline: bool = False,
        header: str = EXTRACTIVE_HEADER,
    ) -> Extract:
        ranked = self.choose(question, passages, party=party, decline=decline)
        if decline:
            # the law that governs the request is spread over articles (the subject's rule,
            # the prohibition): one clause from each of the best articles
            best: dict[tuple[str, str | None], Passage] = {}
            for p in ranked:
                best.setdefault((p.address.doc, p.address.article), p)
            ranked = list(best.values())
        chosen = ranked[: self.max_quotes]
        return render_extract(header, with_guidance(chosen, passages))
