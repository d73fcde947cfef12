"""The services the web UI uses, as one bundle, and how the real ones are built.

Decision (after private-gpt): each service takes its typed collaborators in its
constructor; :meth:`UIServices.from_services` is the one place that adapts the components
:mod:`app.wiring` builds. Tests build :class:`UIServices` directly from scripted parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.first_screen import AnswerModelService
from app.services.answers import GenerationAnswerer, QAService
from app.services.corpus import CorpusService
from app.services.feedback import FeedbackService
from app.services.questions import QuestionLog
from app.services.status import StatusService
from app.services.store_corpus import StoreCorpus
from app.services.uploads import IngestService, PipelineIngester

if TYPE_CHECKING:
    from app.settings import Settings
    from app.wiring import Services


@dataclass(frozen=True)
class UIServices:
    qa: QAService
    ingest: IngestService
    corpus: CorpusService
    feedback: FeedbackService
    status: StatusService
    model: AnswerModelService
    questions: QuestionLog = field(default_factory=QuestionLog.off)  # privacy.question_log

    @classmethod
    def from_settings(cls, settings: Settings) -> UIServices:
        """Adapt the real components that :mod:`app.wiring` builds from the settings."""
        from app.wiring import Services

        return cls.from_services(Services(settings), settings)

    @classmethod
    def from_services(cls, services: Services, settings: Settings) -> UIServices:
        location = settings.index.qdrant_url or str(settings.index.dir)
        return cls(
            qa=QAService(GenerationAnswerer(services)),
            ingest=IngestService(PipelineIngester(services)),
            corpus=CorpusService(StoreCorpus(services.store)),
            feedback=FeedbackService(
                Path(settings.data_dir) / "feedback.jsonl", enabled=settings.privacy.feedback
            ),
            status=StatusService(
                store=services.store,
                embedder_name=lambda: str(services.embedder.name),
                llm_backend=settings.llm.backend,
                llm=services.llm_client,
                location=location,
            ),
            model=AnswerModelService(client=services.llm_client, model=settings.llm.model),
            questions=QuestionLog(
                Path(settings.data_dir) / "questions.jsonl"
                if settings.privacy.question_log
                else None
            ),
        )
