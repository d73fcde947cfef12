"""The services the web UI and the CLI share: a thin facade over the real components.

The UI never talks to Qdrant or vLLM itself; it calls these services, which call the
components built by :mod:`app.wiring` (store, ingest pipeline, retriever, answer service).
One module a feature, each service taking typed collaborators in its constructor:

* :mod:`~app.services.answers` – :class:`QAService`: ask a question (streaming); follow-ups
  use the previous question.
* :mod:`~app.services.uploads` – :class:`IngestService`: ingest uploaded files, one result
  per file, progress callback.
* :mod:`~app.services.corpus` – :class:`CorpusService`: documents, chapters, articles and an
  article's full text; :mod:`~app.services.store_corpus` reads them from the index.
* :mod:`~app.services.feedback` – :class:`FeedbackService`: append-only JSONL for later eval.
* :mod:`~app.services.status` – :class:`StatusService`: index size, embedder, LLM reachable.
* :mod:`~app.services.bundle` – :class:`UIServices`: the bundle the UI holds, and how the
  real services are built.

The names below are the ones the UI, the tests and ``bench/`` import from here.
"""

from app.services.answers import (
    QAResult,
    QAService,
    Source,
    Turn,
    answer_markdown,
    result_from_answer,
    retrieval_query,
)
from app.services.bundle import UIServices
from app.services.corpus import ArticleInfo, ArticleView, ClauseText, CorpusService, DocumentInfo
from app.services.feedback import Feedback, FeedbackService
from app.services.status import StatusService, probe_llm
from app.services.store_corpus import StoreCorpus
from app.services.uploads import UPLOAD_SUFFIXES, IngestService, check_upload

__all__ = [
    "UPLOAD_SUFFIXES",
    "ArticleInfo",
    "ArticleView",
    "ClauseText",
    "CorpusService",
    "DocumentInfo",
    "Feedback",
    "FeedbackService",
    "IngestService",
    "QAResult",
    "QAService",
    "Source",
    "StatusService",
    "StoreCorpus",
    "Turn",
    "UIServices",
    "answer_markdown",
    "check_upload",
    "probe_llm",
    "result_from_answer",
    "retrieval_query",
]
