"""Many lawyers at once: concurrent sessions through the services the Streamlit pages use.

One process, one :class:`app.services.UIServices` (as ``st.cache_resource`` holds it), real
threads, a real embedded index (a copy: the source is never written). At each level N of
``--levels`` N sessions ask questions (each a conversation: follow-ups carry that session's
previous question) and leave feedback; meanwhile one more session browses the corpus and
leaves feedback, and at the last level another uploads and ingests a statute.

Checked, any failure making the run fail (exit 1):

* nothing raises;
* no mixing: every answer is the answer to its own session's question and history — its
  question, its retrieval query, and its text and sources equal to those of the same
  conversation asked alone (before the upload, or after it: the new statute may change an
  answer, never into a third one);
* every feedback line is whole JSON and each one recorded is there exactly once;
* the index is consistent after (:func:`ingest.audit.audit_index`) and holds the upload.

Latency is the time of one ``QAService.ask`` (extractive answers: retrieval + quote
choice; no LLM). The last line printed is one JSON object.

    .venv/bin/python -m bench.load --index IDX [--levels 1,4,16] [--rounds 3] [--answers 48]
        [--upload FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.services import Feedback, QAResult, Turn, UIServices, retrieval_query
from app.settings import Settings
from app.wiring import Services
from ingest.audit import audit_index
from legal.address import LegalAddress

REPO = Path(__file__).resolve().parent.parent
# questions on data/demo (labour, civil, criminal, cybersecurity excerpts)
QUESTIONS = (
    "Thời giờ làm việc bình thường không quá bao nhiêu giờ trong một ngày?",
    "Người lao động được nghỉ hằng năm bao nhiêu ngày?",
    "Hợp đồng lao động phải có những nội dung chủ yếu nào?",
    "Người sử dụng lao động có được đơn phương chấm dứt hợp đồng lao động không?",
    "Năng lực hành vi dân sự của cá nhân là gì?",
    "Thời hiệu khởi kiện về hợp đồng là bao lâu?",
    "Tội trộm cắp tài sản bị phạt tù bao nhiêu năm?",
    "Hành vi bị nghiêm cấm về an ninh mạng gồm những gì?",
    "Tiền lương làm thêm giờ vào ngày nghỉ lễ được tính thế nào?",
    "Ai chịu trách nhiệm bồi thường thiệt hại do người làm công gây ra?",
    "Thử việc được bao nhiêu ngày?",
    "Bảo vệ dữ liệu cá nhân trên không gian mạng như thế nào?",
)
# the statute uploaded during the load when no --upload is given: our own short text, on a
# subject none of the questions asks about (a library law), so it may not change answers
UPLOAD_NAME = "luat-thu-vien-trich.txt"
UPLOAD_TEXT = """QUỐC HỘI
Luật số: 46/2019/QH14
LUẬT THƯ VIỆN
Chương I
NHỮNG QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Luật này quy định về thành lập, hoạt động thư viện; quyền, nghĩa vụ của người sử dụng thư viện.
Điều 2. Giải thích từ ngữ
1. Thư viện là thiết chế văn hóa, thông tin, giáo dục, khoa học.
2. Tài nguyên thông tin là tập hợp tài liệu, thông tin được thu thập, xử lý, lưu giữ.
Điều 3. Chức năng, nhiệm vụ của thư viện
1. Thư viện có chức năng giữ gìn di sản thư tịch.
2. Thư viện có nhiệm vụ xây dựng tài nguyên thông tin phù hợp với người sử dụng.
Điều 4. Quyền của người sử dụng thư viện
1. Được sử dụng tài nguyên thông tin miễn phí tại chỗ.
2. Được hướng dẫn về kỹ năng tìm kiếm thông tin.
"""

BROWSE_PAUSE_S = 0.05
Conversation = tuple[str, ...]  # the questions of one session, in order
Seen = tuple[str, tuple[str, ...]]  # an answer's text and its sources' canonical addresses


def seen(result: QAResult) -> Seen:
    return result.text, tuple(s.address.canonical for s in result.sources)


def conversations(n: int, rounds: int, questions: Sequence[str] = QUESTIONS) -> list[Conversation]:
    """Session i asks questions i, i+1, … (distinct openings up to len(questions))."""
    return [tuple(questions[(i + r) % len(questions)] for r in range(rounds)) for i in range(n)]


def replay(services: UIServices, conv: Conversation) -> list[Seen]:
    """One conversation asked alone: what each of its answers must be."""
    history: list[Turn] = []
    out = []
    for q in conv:
        r = services.qa.ask(q, history)
        out.append(seen(r))
        history.append(Turn(q, r.text))
    return out


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)  # the comments recorded
    answers: list[tuple[int, Conversation, int, Seen]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, who: str, what: str) -> None:
        with self.lock:
            self.errors.append(f"{who}: {what}")


def asking(services: UIServices, sid: int, conv: Conversation, out: Outcome) -> None:
    history: list[Turn] = []
    for i, q in enumerate(conv):
        started = time.perf_counter()
        r = services.qa.ask(q, history)
        took = (time.perf_counter() - started) * 1000.0
        if r.question != q or r.retrieval_query != retrieval_query(q, history):
            out.fail(f"session {sid}", f"answer to another question: {r.question!r}")
        comment = f"s{sid}-q{i}-{time.monotonic_ns()}"
        services.feedback.record(Feedback(q, r.text, "useful", comment, r.mode))
        with out.lock:
            out.latencies_ms.append(took)
            out.feedback.append(comment)
            out.answers.append((sid, conv, i, seen(r)))
        history.append(Turn(q, r.text))


def browsing(services: UIServices, stop: threading.Event, out: Outcome) -> None:
    n = 0
    while not stop.is_set():
        for doc in services.corpus.documents():
            for art in services.corpus.articles(doc.doc_id)[:5]:
                if services.corpus.article(LegalAddress(doc.doc_id, art.number)) is None:
                    out.fail("browser", f"{doc.doc_id} Điều {art.number} listed but not found")
                stop.wait(BROWSE_PAUSE_S)  # a reader, not a loop: it reads what it opens
        comment = f"browse-{n}-{time.monotonic_ns()}"
        services.feedback.record(Feedback("(duyệt)", "", "wrong", comment))
        with out.lock:
            out.feedback.append(comment)
        n += 1


def guarded(target: Any, who: str, out: Outcome, *args: Any) -> threading.Thread:
    def run() -> None:
        try:
            target(*args)
        except Exception as exc:
            out.fail(who, f"{type(exc).__name__}: {exc}")

    return threading.Thread(target=run, name=who)


def run_level(
    services: UIServices, n: int, rounds: int, upload: tuple[str, bytes] | None
) -> tuple[Outcome, list[Any]]:
    """N asking sessions, one browsing, and (``upload``) one ingesting, all at once."""
    out, stop, ingested = Outcome(), threading.Event(), []
    asks = [
        guarded(asking, f"session {i}", out, services, i, c, out)
        for i, c in enumerate(conversations(n, rounds))
    ]
    others = [guarded(browsing, "browser", out, services, stop, out)]
    if upload is not None:
        ingest = services.ingest.ingest_uploads
        others.append(guarded(lambda: ingested.extend(ingest([upload])), "upload", out))
    for t in others + asks:
        t.start()
    for t in asks + others[1:]:
        t.join()
    stop.set()
    others[0].join()
    return out, ingested


def mixed(out: Outcome, expected: dict[Conversation, list[list[Seen]]]) -> list[str]:
    """Answers that are not what their conversation gets when asked alone (before or after
    the upload)."""
    return [
        f"session {sid}: answer {i} differs from the same conversation asked alone"
        for sid, conv, i, got in out.answers
        if all(got != runs[i] for runs in expected[conv])
    ]


def pct(values: Sequence[float], q: float) -> float:
    xs = sorted(values)
    return round(xs[min(len(xs) - 1, int(q * len(xs)))], 1) if xs else 0.0


def feedback_problems(path: Path, recorded: Sequence[str]) -> list[str]:
    """Every line whole JSON, and the comments recorded each there exactly once."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    comments = []
    for i, line in enumerate(lines, 1):
        try:
            comments.append(json.loads(line)["comment"])
        except (ValueError, KeyError) as exc:
            return [f"feedback line {i} is not whole: {exc}: {line[:80]!r}"]
    if sorted(comments) != sorted(recorded):
        return [f"{len(comments)} feedback lines for {len(recorded)} recorded"]
    return []


def settings_for(index: Path, data: Path) -> Settings:
    return Settings.model_validate(
        {"index": {"dir": str(index)}, "data_dir": str(data), "llm": {"backend": "extractive"}}
    )


def rounds_at(n: int, rounds: int, answers: int) -> int:
    """Questions per session at level n: at least ``rounds``, and enough for ``answers``
    answers in all (so that p95 rests on as many answers at 1 session as at 16)."""
    return max(rounds, -(-answers // n))


def run(
    source_index: Path, levels: Sequence[int], rounds: int, upload: tuple[str, bytes],
    answers: int = 0,
) -> dict[str, Any]:  # fmt: skip
    """The whole load test on a copy of ``source_index``: figures and problems found."""
    with tempfile.TemporaryDirectory(prefix="luatqa-load-") as tmp:
        index, data = Path(tmp) / "index", Path(tmp) / "data"
        shutil.copytree(source_index, index, ignore=shutil.ignore_patterns(".lock"))
        settings = settings_for(index, data)
        with Services(settings) as components:
            ui = UIServices.from_services(components, settings)
            plan = {n: rounds_at(n, rounds, answers) for n in levels}
            return _levels(ui, components, plan, upload, data / "feedback.jsonl")


def _levels(
    ui: UIServices, components: Services, plan: dict[int, int],
    upload: tuple[str, bytes], feedback: Path,
) -> dict[str, Any]:  # fmt: skip
    levels = sorted(plan)
    convs = {c for n, r in plan.items() for c in conversations(n, r)}
    before: dict[Conversation, list[Seen]] = {}
    docs_before = {d.doc_id for d in ui.corpus.documents()}
    problems: list[str] = []
    figures: dict[str, Any] = {}
    recorded: list[str] = []
    outcomes = []
    ingested: list[Any] = []
    for n in levels:
        if n == levels[-1] and not before:
            # the conversations alone, on the index before the upload; when there are
            # several levels, the first runs before this, cold: the sessions' first questions
            # arrive together on services that have built nothing yet (as a UI just started)
            before = {c: replay(ui, c) for c in convs}
        out, ingested = run_level(ui, n, plan[n], upload if n == levels[-1] else None)
        outcomes.append(out)
        problems += out.errors
        recorded += out.feedback
        figures[str(n)] = {"p50_ms": pct(out.latencies_ms, 0.5),
                           "p95_ms": pct(out.latencies_ms, 0.95),
                           "answers": len(out.latencies_ms)}  # fmt: skip
        print(f"{n:>3} sessions: {figures[str(n)]}", file=sys.stderr)
    after = {c: replay(ui, c) for c in convs}
    expected = {c: [before[c], after[c]] for c in convs}
    for out in outcomes:
        problems += mixed(out, expected)
    problems += [f"upload: {r.message}" for r in ingested if not r.ok] or (
        [] if ingested else ["upload: no result"]
    )
    problems += feedback_problems(feedback, recorded)
    docs_after = {d.doc_id for d in ui.corpus.documents()}
    new = {d for r in ingested for d in r.documents}
    if not new or docs_after != docs_before | new:
        problems.append(f"documents after: {sorted(docs_after)}; uploaded: {sorted(new)}")
    problems += [f"index: {p}" for p in audit_index(components.store)]
    changed = sum(before[c] != after[c] for c in convs)
    return {"levels": figures, "rounds": {str(n): r for n, r in plan.items()}, "problems": problems,
            "feedback_lines": len(recorded), "documents_after": len(docs_after),
            "conversations_changed_by_upload": changed}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, required=True, help="an index of data/demo (copied)")
    ap.add_argument("--levels", default="1,4,16", help="concurrent sessions, comma-separated")
    ap.add_argument("--rounds", type=int, default=3, help="questions per session, at least")
    ap.add_argument("--answers", type=int, default=48, help="answers per level, at least")
    ap.add_argument("--upload", type=Path, help="the statute uploaded at the last level")
    args = ap.parse_args(argv)
    upload = (
        (args.upload.name, args.upload.read_bytes())
        if args.upload
        else (UPLOAD_NAME, UPLOAD_TEXT.encode("utf-8"))
    )
    levels = sorted(int(x) for x in args.levels.split(","))
    loadavg = os.getloadavg()[0]  # the machine's load before: figures are only comparable alike
    result = run(args.index, levels, args.rounds, upload, args.answers)
    result["load_average_before"] = round(loadavg, 2)
    result["cpus"] = os.cpu_count()
    for p in result["problems"]:
        print("PROBLEM:", p, file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
