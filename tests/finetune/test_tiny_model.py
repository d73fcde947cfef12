"""The tiny random-weight Llama 3.1 used by vLLM and finetune tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from finetune.tiny_model import EOT, SPECIAL_TOKENS, build_tiny_llama

transformers = pytest.importorskip("transformers", reason="needs the 'llm' extra")
torch = pytest.importorskip("torch")

TEXTS = [
    "Điều 35. Quyền đơn phương chấm dứt hợp đồng lao động của người lao động\n"
    "1. Người lao động có quyền đơn phương chấm dứt hợp đồng lao động.\n"
    "a) Ít nhất 45 ngày nếu làm việc theo hợp đồng lao động không xác định thời hạn;",
    "Điều 105. Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày.",
] * 20


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_llama(tmp_path_factory.mktemp("tiny"), TEXTS, seed=0)


def test_loads_with_transformers_as_llama31(tiny_dir: Path) -> None:
    cfg = transformers.AutoConfig.from_pretrained(tiny_dir)
    assert cfg.model_type == "llama"
    assert cfg.num_attention_heads == 4 and cfg.num_key_value_heads == 2  # GQA
    assert cfg.head_dim >= 32  # vLLM CPU needs head size >= 32
    raw = json.loads((tiny_dir / "config.json").read_text())
    assert raw["rope_theta"] == 500000.0
    assert raw["rope_scaling"]["rope_type"] == "llama3"
    model = transformers.AutoModelForCausalLM.from_pretrained(tiny_dir)
    assert (tiny_dir / "model.safetensors").is_file()
    out = model(torch.tensor([[0, 5, 6, 7]]))
    assert out.logits.shape == (1, 4, cfg.vocab_size)


def test_tokenizer_has_llama3_specials_and_chat_template(tiny_dir: Path) -> None:
    tok = transformers.AutoTokenizer.from_pretrained(tiny_dir)
    assert tok.bos_token == "<|begin_of_text|>" and tok.eos_token == EOT
    for special in SPECIAL_TOKENS:
        assert len(tok(special, add_special_tokens=False)["input_ids"]) == 1, special
    text = tok.apply_chat_template(
        [{"role": "system", "content": "Hệ thống"}, {"role": "user", "content": "Điều 35?"}],
        tokenize=False,
        add_generation_prompt=True,
    )
    assert text.startswith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>")
    assert "<|start_header_id|>user<|end_header_id|>\n\nĐiều 35?<|eot_id|>" in text
    assert text.endswith("<|start_header_id|>assistant<|end_header_id|>\n\n")
    assert "chat_template" in json.loads((tiny_dir / "tokenizer_config.json").read_text())
    gen = json.loads((tiny_dir / "generation_config.json").read_text())
    assert tok.convert_tokens_to_ids(EOT) in gen["eos_token_id"]


def test_bpe_is_trained_on_vietnamese(tiny_dir: Path) -> None:
    tok = transformers.AutoTokenizer.from_pretrained(tiny_dir)
    sentence = "Người lao động có quyền đơn phương chấm dứt hợp đồng lao động"
    ids = tok(sentence, add_special_tokens=False)["input_ids"]
    # bytes would be ~90 tokens; a trained BPE merges whole Vietnamese syllables
    assert len(ids) <= 20
    assert tok.decode(ids) == sentence


def test_deterministic_for_a_seed(tmp_path: Path, tiny_dir: Path) -> None:
    other = build_tiny_llama(tmp_path / "again", TEXTS, seed=0)
    assert (other / "model.safetensors").read_bytes() == (
        tiny_dir / "model.safetensors"
    ).read_bytes()
