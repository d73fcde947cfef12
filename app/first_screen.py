"""What the chat page shows before the first question: which model answers (or that answers
are quoted verbatim), which documents are loaded, and a few example questions written from
their own article titles.

* :class:`AnswerModelService` asks the vLLM server which models it serves (``GET /models``,
  cached for ``ttl_s``) and names the one that answers: the configured model, or for
  ``model: auto`` the first LoRA adapter, else the base model — the same rule the backend
  applies (:meth:`generation.backends.vllm.VLLMBackend.resolve_model`).
* :func:`example_questions` turns article titles into questions ("Thời giờ làm việc bình
  thường được quy định như thế nào trong Bộ luật Lao động?"), skipping the boilerplate
  articles every statute has (scope, subjects, definitions, entry into force).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from legal.textnorm import fold

EXTRACTIVE_LABEL = "Trích nguyên văn (không dùng mô hình ngôn ngữ)"


@dataclass(frozen=True)
class AnswerModel:
    generated: bool  # False: answers are quoted clauses (extractive mode)
    label: str  # what the UI shows: "luatqa-demo (LoRA trên gemma3-270m)"
    detail: str = ""


def served_models(
    base_url: str, api_key: str | None = None, timeout: float = 2.0
) -> list[dict[str, Any]]:
    """The ``data`` of ``GET {base_url}/models`` (raises OSError/ValueError when down)."""
    req = urllib.request.Request(base_url.rstrip("/") + "/models")
    if api_key:
        req.add_header("Authorization", f"Bearer {api_key}")
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        body = json.loads(resp.read().decode("utf-8") or "{}")
    return [m for m in body.get("data", []) if isinstance(m, dict)]


def answering_model(configured: str, models: Sequence[dict[str, Any]]) -> AnswerModel:
    """Which served model answers requests for ``configured`` (``auto``: adapter first)."""
    by_id = {str(m.get("id")): m for m in models}
    if configured == "auto":
        adapters = [m for m in models if m.get("parent")]
        chosen: dict[str, Any] = (adapters or list(models) or [{}])[0]
    else:
        chosen = by_id.get(configured, {})
    name = str(chosen.get("id") or configured)
    if not chosen:
        return AnswerModel(False, EXTRACTIVE_LABEL, f"the server does not serve {configured!r}")
    parent = chosen.get("parent")
    label = f"{name} (LoRA trên {parent})" if parent else name
    return AnswerModel(True, label, "served: " + ", ".join(by_id))


class AnswerModelService:
    def __init__(
        self,
        *,
        backend: str,
        base_url: str | None,
        model: str,
        api_key: str | None = None,
        ttl_s: float = 30.0,
        fetch: Callable[[str, str | None], list[dict[str, Any]]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._backend = backend
        self._base_url = base_url
        self._model = model
        self._api_key = api_key
        self._ttl_s = ttl_s
        self._fetch = fetch or (lambda url, key: served_models(url, key))
        self._clock = clock
        self._cached: tuple[float, AnswerModel] | None = None

    def current(self) -> AnswerModel:
        if self._backend == "extractive" or not self._base_url:
            return AnswerModel(False, EXTRACTIVE_LABEL, "no LLM configured")
        now = self._clock()
        if self._cached and now - self._cached[0] < self._ttl_s:
            return self._cached[1]
        try:
            found = answering_model(self._model, self._fetch(self._base_url, self._api_key))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            found = AnswerModel(
                False, EXTRACTIVE_LABEL, f"the LLM at {self._base_url} is not answering: {exc}"
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
