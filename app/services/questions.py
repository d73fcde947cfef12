"""The question log: what was asked in the UI, kept only when ``privacy.question_log`` is on.

Decision: off by default (client questions are confidential; app/settings_security.py). When
on, one JSON object a line in ``<data_dir>/questions.jsonl`` — time, question, answer mode and
the cited provisions, never the answer text — appended and fsync'ed like the feedback file.
When off nothing is written: :meth:`QuestionLog.record` returns at once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path


class QuestionLog:
    def __init__(self, path: Path | None) -> None:
        self.path = path  # None: the log is off

    @classmethod
    def off(cls) -> QuestionLog:
        return cls(None)

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def record(self, question: str, mode: str, citations: Sequence[str] = ()) -> None:
        if self.path is None:
            return
        at = datetime.now(UTC).isoformat(timespec="seconds")
        row = {"at": at, "question": question, "mode": mode, "citations": list(citations)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
