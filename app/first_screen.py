"""What the chat page shows before the first question: which model answers (or that answers
are quoted verbatim), which documents are loaded, and a few example questions written from
their own article titles.

* :class:`AnswerModelService` asks the vLLM server which models it serves (``GET /v1/models``
  through the server's one client, :class:`generation.client.VLLMClient`; cached for
  ``ttl_s``) and names the one that answers: the configured model, or for
  ``model: auto`` the first LoRA adapter, else the base model — the same rule the backend
  applies (:meth:`generation.backends.vllm.VLLMBackend.resolve_model`).
* :func:`example_questions` turns article titles into questions ("Thời giờ làm việc bình
  thường được quy định như thế nào trong Bộ luật Lao động?"), skipping the boilerplate
  articles every statute has (scope, subjects, definitions, entry into force).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from generation.client import PROBE_TIMEOUT_S, ModelLister, ServedModel
from legal.errors import GenerationError
from legal.textnorm import fold

EXTRACTIVE_LABEL = "Trích nguyên văn (không dùng mô hình ngôn ngữ)"


@dataclass(frozen=True)
class AnswerModel:
    generated: bool  # False: answers are quoted clauses (extractive mode)
    label: str  # what the UI shows: "luatqa-demo (LoRA trên gemma3-270m)"
    detail: str = ""
    down: bool = False  # an LLM is configured but does not answer (answers fall back)


def answering_model(configured: str, models: Sequence[ServedModel]) -> AnswerModel:
    """Which served model answers requests for ``configured`` (``auto``: adapter first)."""
    by_id = {m.id: m for m in models}
    chosen: ServedModel | None = by_id.get(configured)
    if configured == "auto":
        adapters = [m for m in models if m.parent]
        chosen = next(iter(adapters or models), None)
    if chosen is None:
        return AnswerModel(False, EXTRACTIVE_LABEL, f"the server does not serve {configured!r}")
    label = f"{chosen.id} (LoRA trên {chosen.parent})" if chosen.parent else chosen.id
    return AnswerModel(True, label, "served: " + ", ".join(by_id))


class AnswerModelService:
    """Names the model that answers, asking the server (``client``) at most once per
    ``ttl_s``; ``client`` None (no server configured, or the backend is ``extractive``):
    answers are quoted clauses and nothing is asked."""

    def __init__(
        self,
        *,
        client: ModelLister | None,
        model: str,
        ttl_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._model = model
        self._ttl_s = ttl_s
        self._clock = clock
        self._cached: tuple[float, AnswerModel] | None = None

    def current(self) -> AnswerModel:
        if self._client is None:
            return AnswerModel(False, EXTRACTIVE_LABEL, "no LLM configured")
        now = self._clock()
        if self._cached and now - self._cached[0] < self._ttl_s:
            return self._cached[1]
        try:
            found = answering_model(self._model, self._client.models(timeout_s=PROBE_TIMEOUT_S))
        except GenerationError as exc:
            found = AnswerModel(
                False,
                EXTRACTIVE_LABEL,
                f"the LLM at {self._client.base_url} is not answering: {exc.message}",
                down=True,
            )
        self._cached = (now, found)
        return found


_BOILERPLATE = (
    "pham vi dieu chinh",
    "doi tuong ap dung",
    "giai thich tu ngu",
    "hieu luc thi hanh",
    "quy dinh chuyen tiep",
    "dieu khoan chuyen tiep",
    "ap dung",
    "nguyen tac",
    "chinh sach cua nha nuoc",
    "trach nhiem thi hanh",
    "sua doi, bo sung",
    "bai bo",
)


def _good_title(title: str) -> bool:
    folded = fold(title).lower().strip()
    words = folded.split()
    return 3 <= len(words) <= 12 and not any(folded.startswith(b) for b in _BOILERPLATE)


def example_questions(documents: Sequence[tuple[str, Sequence[str]]], n: int = 4) -> list[str]:
    """Up to ``n`` questions from the loaded documents ``(document name, article titles)``,
    spread over the documents and over each one's articles (deterministic)."""
    per_doc: list[list[str]] = []
    for name, all_titles in documents:
        titles = [t.strip().rstrip(".") for t in all_titles if _good_title(t or "")]
        if not titles:
            continue
        step = max(1, len(titles) // 4)
        picks = titles[step // 2 :: step][:n]
        per_doc.append([f"{t} được quy định như thế nào trong {name}?" for t in picks])
    out: list[str] = []
    for i in range(n):
        for qs in per_doc:
            if i < len(qs) and len(out) < n:
                out.append(qs[i])
    return out


def loaded_summary(names: Sequence[str], limit: int = 6) -> str:
    """'3 văn bản: Bộ luật Lao động 2019, Luật Công đoàn 2024, …'."""
    if not names:
        return "Chưa nạp văn bản nào."
    shown = ", ".join(names[:limit]) + (
        f" và {len(names) - limit} văn bản khác" if len(names) > limit else ""
    )
    return f"{len(names)} văn bản: {shown}"
