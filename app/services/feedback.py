"""Answer feedback for later eval: append-only JSONL, one object per line, fsync'ed after
every write (a crash never leaves half a line)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from legal.errors import InputError

Verdict = Literal["useful", "wrong"]


@dataclass(frozen=True)
class Feedback:
    question: str
    answer: str
    verdict: Verdict
    comment: str = ""
    mode: str = ""
    citations: tuple[str, ...] = ()  # canonical addresses of the verified sources
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


class FeedbackService:
    """Append-only JSONL, one object per line, fsync'ed after every write."""

    def __init__(self, path: Path, *, enabled: bool = True) -> None:
        self.path = path
        self.enabled = enabled  # privacy.feedback: off, nothing is written (the UI hides the form)

    def record(self, fb: Feedback) -> None:
        if not self.enabled:
            return
        if fb.verdict not in ("useful", "wrong"):
            raise InputError(f"unknown verdict {fb.verdict!r}", hint="use 'useful' or 'wrong'")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(asdict(fb), ensure_ascii=False) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def all(self) -> list[Feedback]:
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                data = json.loads(line)
                data["citations"] = tuple(data.get("citations") or ())
                out.append(Feedback(**data))
        return out
