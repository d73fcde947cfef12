"""Token budgeting with the estimate and with the served model's own tokenizer."""

from __future__ import annotations

from pathlib import Path

import pytest

from generation.budget import (
    EstimateCounter,
    LocalTokenizerCounter,
    ServerTokenizerCounter,
    fit_prompt,
)
from generation.client import VLLMClient, server_root
from generation.prompt import build_messages
from legal.address import LegalAddress
from legal.errors import GenerationError
from retrieval.types import Passage

BLLD = "Bộ luật Lao động 2019"
CLAUSE = (
    "Người sử dụng lao động có quyền quy định thời giờ làm việc theo ngày hoặc tuần nhưng phải "
    "thông báo cho người lao động biết; trường hợp theo tuần thì thời giờ làm việc bình thường "
    "không quá 10 giờ trong 01 ngày và không quá 48 giờ trong 01 tuần. "
)
PASSAGES = [
    Passage(LegalAddress("45/2019/QH14", "105", str(i)), CLAUSE * 2, "Thời giờ làm việc", BLLD)
    for i in range(1, 7)
]
QUESTION = "Thời giờ làm việc bình thường tối đa bao nhiêu giờ một ngày?"


def test_estimate_is_three_tokens_per_word() -> None:
    c = EstimateCounter()
    assert c.count_text("Thời giờ làm việc") == 12
    assert c.count_messages([{"role": "user", "content": "một hai"}]) > 6


def test_keeps_best_passages_and_leaves_room_for_the_answer() -> None:
    c = EstimateCounter()
    b = fit_prompt(QUESTION, PASSAGES, c, max_model_len=1200, max_answer_tokens=200)
    assert 0 < len(b.passages) < len(PASSAGES)
    assert b.passages == tuple(PASSAGES[: len(b.passages)])  # best first, order kept
    assert b.prompt_tokens + b.answer_tokens <= 1200
    assert b.answer_tokens == 200
    assert b.dropped == len(PASSAGES) - len(b.passages)
    assert b.prompt_tokens == c.count_messages(b.messages)


def test_everything_fits_in_a_large_context() -> None:
    b = fit_prompt(QUESTION, PASSAGES, EstimateCounter(), max_model_len=8192, max_answer_tokens=768)
    assert len(b.passages) == 6 and b.dropped == 0 and not b.truncated


def test_cuts_a_long_first_passage_at_a_word_boundary() -> None:
    long = Passage(LegalAddress("45/2019/QH14", "3"), CLAUSE * 12, "Giải thích từ ngữ", BLLD)
    b = fit_prompt(QUESTION, [long], EstimateCounter(), max_model_len=900, max_answer_tokens=100)
    assert b.passages == (long,) and b.truncated
    assert b.texts[0].endswith(" …") and len(b.texts[0]) < len(long.text)
    assert b.prompt_tokens + b.answer_tokens <= 900


def test_question_too_long_for_the_model_is_a_clear_error() -> None:
    with pytest.raises(GenerationError, match="max-model-len"):
        fit_prompt(
            QUESTION * 20, PASSAGES, EstimateCounter(), max_model_len=300, max_answer_tokens=64
        )


def test_answer_room_shrinks_before_failing() -> None:
    c = EstimateCounter()
    base = c.count_messages(build_messages(QUESTION, []))
    b = fit_prompt(QUESTION, PASSAGES, c, max_model_len=base + 100, max_answer_tokens=768)
    # half the room for the answer, the passages could not use the other half: it goes back
    assert b.passages == () and b.answer_tokens == 100
    b = fit_prompt(QUESTION, PASSAGES, c, max_model_len=base + 300, max_answer_tokens=768)
    assert len(b.passages) == 1 and b.answer_tokens >= 150
    assert b.prompt_tokens + b.answer_tokens <= base + 300


def test_local_tokenizer_counts_chat_template(tmp_path: Path) -> None:
    pytest.importorskip("transformers", reason="needs the 'llm' extra")
    from finetune.tiny_model import default_training_texts, save_tiny_tokenizer

    model = tmp_path / "tok"
    save_tiny_tokenizer(model, default_training_texts(60))
    local = LocalTokenizerCounter(model)
    msgs = build_messages(QUESTION, PASSAGES[:1])
    n = local.count_messages(msgs)
    # the Llama 3.1 template adds headers + the date lines: more than the bare contents
    assert n > local.count_text(msgs[0]["content"]) + local.count_text(msgs[1]["content"])
    b = fit_prompt(QUESTION, PASSAGES, local, max_model_len=512, max_answer_tokens=64)
    assert b.prompt_tokens == n or b.prompt_tokens <= 512 - 64
    assert local.count_messages(b.messages) + b.answer_tokens <= 512


def test_server_counter_unreachable_is_a_generation_error() -> None:
    c = ServerTokenizerCounter(VLLMClient("http://127.0.0.1:9/v1"), "m", timeout_s=1)
    with pytest.raises(
        GenerationError, match=r"cannot reach vLLM at http://127\.0\.0\.1:9/tokenize"
    ):
        c.count_text("một hai ba")
    assert server_root("http://h:8000/v1/") == "http://h:8000"


def test_server_without_tokenize_falls_back_to_the_estimate() -> None:
    """A proxy in front of vLLM that only routes /v1: HTTP 404 on /tokenize."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class NotFound(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = HTTPServer(("127.0.0.1", 0), NotFound)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        c = ServerTokenizerCounter(VLLMClient(f"http://127.0.0.1:{httpd.server_port}/v1"), "m")
        assert c.count_text("một hai ba") == 9
        assert c.fallback_reason and "404" in c.fallback_reason
        assert c.server_max_len() is None
    finally:
        httpd.shutdown()
        httpd.server_close()
