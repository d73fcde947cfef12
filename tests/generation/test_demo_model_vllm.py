"""The real demo model end to end: Gemma 3 270M from its registry package, prepared into a
checkpoint, served by the real vLLM (CPU), answering a Đúng/Sai question over the demo index
through the answer service, with guided JSON and a verified citation.

Runs in CI (marker ``vllm``): the package comes with ``make install`` (extra ``demo``) and the
server from ``.venv-vllm``. Missing either: skipped with a reason locally, a failure in CI.
The checkpoint is cached in the project's data folder (``.luatqa/models``, as
``luatqa llm prepare --demo`` writes it); the server is always shut down.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from generation.answer import AnswerMode, QuestionType
from generation.server import ServeSpec, VllmProcess

pytestmark = [pytest.mark.vllm, pytest.mark.timeout(900)]

NAME = "gemma3-270m"


@pytest.fixture(scope="module")
def checkpoint(demo_checkpoint: Path) -> Path:
    return demo_checkpoint


def test_prepare_is_cached_and_keeps_the_licence(checkpoint: Path) -> None:
    from finetune.demo_model import prepare_demo_model

    started = time.perf_counter()
    again = prepare_demo_model(checkpoint)
    assert again.cached and time.perf_counter() - started < 5
    assert (checkpoint / "LICENSE-gemma" / "GEMMA_TERMS.html").is_file()
    generation = json.loads((checkpoint / "generation_config.json").read_text())
    assert 106 in generation["eos_token_id"]  # <end_of_turn> stops generation
    assert "quantization_config" not in json.loads((checkpoint / "config.json").read_text())
    assert "<start_of_turn>" in (checkpoint / "chat_template.jinja").read_text()


@pytest.fixture(scope="module")
def server(
    checkpoint: Path,
    tmp_path_factory: pytest.TempPathFactory,
    vllm_launcher: Callable[..., AbstractContextManager[VllmProcess]],
) -> Iterator[VllmProcess]:
    spec = ServeSpec(checkpoint, NAME, max_model_len=1024, enforce_eager=True)
    log = tmp_path_factory.mktemp("gemma-vllm") / "vllm.log"
    with vllm_launcher(spec, log, 600) as running:
        yield running
    assert not running.alive(), "the vLLM server must be shut down"


def test_true_false_answer_is_json_with_a_verified_citation(
    server: VllmProcess, demo_index: Path, tmp_path: Path
) -> None:
    from app.settings import load_settings
    from app.wiring import Services

    settings = load_settings(
        overrides={
            "index": {"dir": str(demo_index), "qdrant_url": None},
            "data_dir": str(tmp_path),
            "llm": {
                "backend": "vllm",
                "base_url": server.url,
                "model": "auto",
                "tokenizer": "server",
                "max_model_len": 1024,
                "max_answer_tokens": 160,
                "temperature": 0.0,
                "timeout_s": 300,
            },
        }
    )
    question = "Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày."
    with Services(settings) as services:
        answer = services.answers.ask(question, qtype=QuestionType.TRUE_FALSE)
    assert answer.mode is AnswerMode.GENERATED, answer.warnings
    assert answer.model == NAME
    payload: dict[str, Any] = json.loads(answer.text)
    assert payload["label"] in ("Đúng", "Sai") and answer.label == payload["label"]
    assert answer.citations, answer.warnings
    assert not answer.unverified
    assert all(1 <= c.passage_index <= len(answer.passages) for c in answer.citations)
