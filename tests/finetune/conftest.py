"""Fixtures of the fine-tuning tests, built once per session: a tiny Llama-3.1-architecture
model, a small real index (20 articles of the Labor Code), SFT data built from it by
``luatqa finetune data`` and a LoRA adapter trained by ``luatqa finetune train``."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

VI_TEXTS = [
    "Điều 35. Quyền đơn phương chấm dứt hợp đồng lao động của người lao động\n"
    "1. Người lao động có quyền đơn phương chấm dứt hợp đồng lao động nhưng phải báo trước "
    "cho người sử dụng lao động như sau:\n"
    "a) Ít nhất 45 ngày nếu làm việc theo hợp đồng lao động không xác định thời hạn;",
    "Điều 105. Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày và không quá "
    "48 giờ trong 01 tuần. Căn cứ khoản 2 Điều 35 Bộ luật Lao động 2019 [1].",
    "Không tìm thấy quy định trong các văn bản được cung cấp. Đúng Sai label reasoning "
    'citations {"label": "Đúng", "reasoning": "Theo", "citations": [1]}',
] * 30


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Llama 3.1 (tokenizer trained on a little Vietnamese legal text)."""
    pytest.importorskip("transformers", reason="needs the 'finetune' extra")
    from finetune.tiny_model import build_tiny_llama

    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"), VI_TEXTS, seed=0)


LABOR = "45/2019/QH14"
ARTICLES = 20


@pytest.fixture(scope="session")
def small_index(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.settings import load_settings
    from app.wiring import Services
    from ingest.readers.lawjson import read_alqac

    (doc,) = [d for d in read_alqac(shared_corpus / "alqac2022" / "law.json") if d.doc_id == LABOR]
    doc = replace(doc, articles=doc.articles[:ARTICLES])
    index = tmp_path_factory.mktemp("ft-index") / "index"
    with Services(load_settings(overrides={"index": {"dir": index}})) as services:
        report = services.pipeline.ingest_document(doc)
    assert report.chunks > ARTICLES
    return index


@pytest.fixture(scope="session")
def gold_files(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """ALQAC 2022 dev questions on those articles; the last two also form an eval file."""
    items = json.loads((shared_corpus / "alqac2022" / "questions.dev.json").read_text("utf-8"))
    mine = [
        q
        for q in items
        if q["relevant_articles"][0]["law_id"] == LABOR
        and int(q["relevant_articles"][0]["article_id"]) <= ARTICLES
    ]
    folder = tmp_path_factory.mktemp("ft-gold")
    gold = folder / "alqac2022-labor.json"
    gold.write_text(json.dumps(mine, ensure_ascii=False), encoding="utf-8")
    held_out = folder / "eval.jsonl"
    held_out.write_text(
        "".join(
            json.dumps(
                {
                    "id": q["id"],
                    "question": q["text"],
                    "references": [
                        {"doc": LABOR, "article": q["relevant_articles"][0]["article_id"]}
                    ],
                },
                ensure_ascii=False,
            )
            + "\n"
            for q in mine[-2:]
        ),
        encoding="utf-8",
    )
    return gold, held_out


def _cli(args: list[str]) -> str:
    from typer.testing import CliRunner

    from app.cli import _register, cli

    _register()
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


@pytest.fixture(scope="session")
def sft_data(
    small_index: Path,
    gold_files: tuple[Path, Path],
    tiny_llama: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    gold, held_out = gold_files
    out = tmp_path_factory.mktemp("ft-data")
    _cli(
        [
            "--index", str(small_index), "finetune", "data", "--out", str(out),
            "--gold", str(gold), "--exclude", str(held_out), "--from-corpus", "16",
            "--tokenizer", str(tiny_llama), "--max-model-len", "1024",
            "--max-answer-tokens", "160", "--abstain-ratio", "0.2", "--val-ratio", "0.15",
        ]
    )  # fmt: skip
    return out


@pytest.fixture(scope="session")
def trained_adapter(
    sft_data: Path, tiny_llama: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A LoRA adapter for the tiny model trained by ``luatqa finetune train`` (30 steps)."""
    out = tmp_path_factory.mktemp("ft-adapter") / "luatqa-tiny"
    config = Path(__file__).resolve().parents[2] / "finetune" / "configs" / "tiny-cpu.yaml"
    _cli(
        [
            "finetune", "train", "--config", str(config),
            "--set", f"model.name_or_path={tiny_llama}",
            "--set", f"data.train_file={sft_data / 'train.jsonl'}",
            "--set", f"data.val_file={sft_data / 'val.jsonl'}",
            "--set", f"train.output_dir={out}",
            "--set", "data.max_length=1024",
            "--set", "train.max_steps=30",
            "--set", "train.per_device_train_batch_size=2",
            "--set", "train.logging_steps=3",
        ]
    )  # fmt: skip
    return out
