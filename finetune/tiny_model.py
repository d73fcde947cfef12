"""A tiny Llama-3.1-architecture model with random weights, for tests that need a *real*
model served by a *real* vLLM (CPU) without downloading anything.

What makes it "Llama 3.1" for the serving stack:

* ``LlamaForCausalLM`` with grouped-query attention (4 query heads, 2 KV heads, head size 32 —
  vLLM CPU needs a head size of at least 32), RoPE θ = 500 000 and ``llama3`` rope scaling;
* a byte-level BPE tokenizer *trained on Vietnamese text* with the Llama 3 special tokens
  (``<|begin_of_text|>``, ``<|eot_id|>``, ``<|start_header_id|>`` …) and the Llama 3.1 chat
  template; bos/eos = ``<|begin_of_text|>`` / ``<|eot_id|>``; ``generation_config.json`` stops on
  ``<|end_of_text|>``, ``<|eom_id|>`` and ``<|eot_id|>`` like the real model.

The weights are random, so the model writes gibberish: exactly what a test of citation
verification wants. API (stable, used by generation and finetune tests)::

    build_tiny_llama(out_dir, corpus_texts=None, seed=0) -> out_dir
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

from legal.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"

BOS = "<|begin_of_text|>"
EOS_TEXT = "<|end_of_text|>"
EOT = "<|eot_id|>"
EOM = "<|eom_id|>"
PAD = "<|finetune_right_pad_id|>"
# Llama 3 special tokens, in Llama 3.1's order (ids 128000… there; 0… here).
SPECIAL_TOKENS: tuple[str, ...] = (
    BOS,
    EOS_TEXT,
    "<|reserved_special_token_0|>",
    "<|reserved_special_token_1|>",
    PAD,
    "<|reserved_special_token_2|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    EOM,
    EOT,
    "<|python_tag|>",
    *(f"<|reserved_special_token_{i}|>" for i in range(3, 11)),
)

# The Llama 3.1 Instruct chat template without the tool-calling branches: the same system
# header (knowledge cut-off and date), the same role headers and <|eot_id|> terminators.
LLAMA31_CHAT_TEMPLATE = (
    "{{- bos_token }}\n"
    "{%- if not date_string is defined %}{%- set date_string = '26 Jul 2024' %}{%- endif %}\n"
    "{%- if messages[0]['role'] == 'system' %}\n"
    "    {%- set system_message = messages[0]['content'] | trim %}\n"
    "    {%- set messages = messages[1:] %}\n"
    "{%- else %}\n"
    "    {%- set system_message = '' %}\n"
    "{%- endif %}\n"
    "{{- '<|start_header_id|>system<|end_header_id|>\\n\\n' }}\n"
    "{{- 'Cutting Knowledge Date: December 2023\\n' }}\n"
    "{{- 'Today Date: ' + date_string + '\\n\\n' }}\n"
    "{{- system_message }}\n"
    "{{- '<|eot_id|>' }}\n"
    "{%- for message in messages %}\n"
    "    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
    " + message['content'] | trim + '<|eot_id|>' }}\n"
    "{%- endfor %}\n"
    "{%- if add_generation_prompt %}\n"
    "    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}\n"
    "{%- endif %}\n"
)

# Used only when neither texts are given nor a corpus is found: enough Vietnamese legal prose
# for a small BPE to learn syllables and the "Điều/khoản/điểm" vocabulary.
_FALLBACK_TEXT = """\
Điều 35. Quyền đơn phương chấm dứt hợp đồng lao động của người lao động
1. Người lao động có quyền đơn phương chấm dứt hợp đồng lao động nhưng phải báo trước cho \
người sử dụng lao động như sau:
a) Ít nhất 45 ngày nếu làm việc theo hợp đồng lao động không xác định thời hạn;
b) Ít nhất 30 ngày nếu làm việc theo hợp đồng lao động xác định thời hạn có thời hạn từ 12 \
tháng đến 36 tháng;
c) Ít nhất 03 ngày làm việc nếu làm việc theo hợp đồng lao động xác định thời hạn có thời hạn \
dưới 12 tháng;
2. Người lao động có quyền đơn phương chấm dứt hợp đồng lao động không cần báo trước trong \
trường hợp sau đây: không được bố trí theo đúng công việc, địa điểm làm việc hoặc không được \
bảo đảm điều kiện làm việc theo thỏa thuận.
Điều 105. Thời giờ làm việc bình thường
1. Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày và không quá 48 giờ trong 01 \
tuần.
2. Người sử dụng lao động có quyền quy định thời giờ làm việc theo ngày hoặc tuần nhưng phải \
thông báo cho người lao động biết; trường hợp theo tuần thì thời giờ làm việc bình thường không \
quá 10 giờ trong 01 ngày và không quá 48 giờ trong 01 tuần.
Điều 3. Giải thích từ ngữ
Trong Bộ luật này, các từ ngữ dưới đây được hiểu như sau: Người lao động là người làm việc \
cho người sử dụng lao động theo thỏa thuận, được trả lương và chịu sự quản lý, điều hành, \
giám sát của người sử dụng lao động. Theo quy định tại khoản 1 Điều này và pháp luật có liên \
quan, Nhà nước bảo đảm quyền và lợi ích hợp pháp của người lao động.
"""


def _corpus_law_texts(limit: int) -> Iterator[str]:
    """Article texts from the shared ALQAC law.json files, if they are there."""
    for name in ("alqac2022", "alqac2024"):
        path = SHARED_CORPUS / name / "law.json"
        if not path.is_file():
            continue
        try:
            laws = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        count = 0
        for law in laws:
            for art in law.get("articles", []):
                text = art.get("text")
                if isinstance(text, str) and text.strip():
                    yield text
                    count += 1
                    if count >= limit:
                        break
            if count >= limit:
                break


def _demo_texts() -> Iterator[str]:
    demo = PROJECT_ROOT / "data" / "demo"
    if demo.is_dir():
        for path in sorted(demo.rglob("*")):
            if path.suffix.lower() in {".txt", ".md"} and path.is_file():
                yield path.read_text(encoding="utf-8", errors="replace")


def default_training_texts(limit: int = 400) -> list[str]:
    """Vietnamese text to train the tokenizer on: the shared corpus if present, else
    ``data/demo``, else a built-in paragraph of the Labor Code."""
    texts = list(_corpus_law_texts(limit))
    if not texts:
        texts = list(islice(_demo_texts(), limit))
    if not texts:
        texts = [_FALLBACK_TEXT]
    return texts


def train_tokenizer(texts: Iterable[str], vocab_size: int = 3000) -> object:
    """A byte-level BPE (``tokenizers.Tokenizer``) with the Llama 3 special tokens."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from tokenizers.trainers import BpeTrainer

    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    bos_id = tok.token_to_id(BOS)
    # Like Llama 3: encode() with special tokens prepends <|begin_of_text|>.
    tok.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", pair=f"{BOS} $A {BOS} $B", special_tokens=[(BOS, bos_id)]
    )
    return tok


@contextmanager
def _needs_llm_extra(what: str) -> Iterator[None]:
    """Imports of the ``llm`` extra: a missing one is a :class:`ConfigError` saying ``what``
    needs it and how to install it."""
    try:
        yield
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ConfigError(
            f"{what}: {exc}", hint="pip install -e '.[llm]' (transformers, tokenizers, safetensors)"
        ) from exc


def save_tiny_tokenizer(
    out_dir: Path, corpus_texts: Iterable[str] | None = None, *, vocab_size: int = 3000
) -> Any:
    """Train the Vietnamese byte-level BPE and save it to ``out_dir`` as a Llama 3.1
    tokenizer (special tokens, chat template, bos/eos). Returns the transformers tokenizer."""
    with _needs_llm_extra("building the tiny tokenizer needs transformers"):
        from transformers import PreTrainedTokenizerFast

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    texts = list(corpus_texts) if corpus_texts is not None else default_training_texts()
    if not any(t.strip() for t in texts):
        raise ConfigError("no text to train the tiny model's tokenizer on", path=out_dir)

    raw_tok = train_tokenizer(texts, vocab_size=vocab_size)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw_tok,
        bos_token=BOS,
        eos_token=EOT,
        pad_token=PAD,
        model_max_length=2048,
        clean_up_tokenization_spaces=False,
    )
    tokenizer.chat_template = LLAMA31_CHAT_TEMPLATE
    tokenizer.save_pretrained(out_dir)
    # Llama 3.1 keeps its template in tokenizer_config.json; newer transformers write
    # chat_template.jinja instead. Put it in both places so any loader finds it.
    cfg_path = out_dir / "tokenizer_config.json"
    tok_cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    tok_cfg["chat_template"] = LLAMA31_CHAT_TEMPLATE
    tok_cfg["tokenizer_class"] = "PreTrainedTokenizerFast"
    cfg_path.write_text(json.dumps(tok_cfg, ensure_ascii=False, indent=2), encoding="utf-8")
    return tokenizer


# Llama 3.1's rope: θ = 500 000 and ``llama3`` scaling (original length scaled to the toy size)
ROPE: dict[str, Any] = {
    "rope_type": "llama3",
    "rope_theta": 500000.0,
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 256,
}
HEAD_DIM = 32  # vLLM CPU needs a head size of at least 32


def _llama_config(
    config_cls: Any, vocab: int, ids: dict[str, int], hidden_size: int, num_layers: int
) -> Any:
    """A ``LlamaConfig`` of Llama 3.1's shape at toy size: grouped-query attention (half as
    many KV heads as query heads), untied embeddings, stopping on every Llama 3 end token."""
    config = config_cls(
        vocab_size=vocab,
        hidden_size=hidden_size,
        intermediate_size=hidden_size * 2,
        num_hidden_layers=num_layers,
        num_attention_heads=hidden_size // HEAD_DIM,
        num_key_value_heads=max(1, hidden_size // HEAD_DIM // 2),
        head_dim=HEAD_DIM,
        max_position_embeddings=2048,
        rms_norm_eps=1e-5,
        hidden_act="silu",
        tie_word_embeddings=False,
        bos_token_id=ids[BOS],
        eos_token_id=_eos_ids(ids),
        pad_token_id=None,
    )
    if hasattr(config, "rope_parameters"):
        config.rope_parameters = dict(ROPE)
    else:  # pragma: no cover - transformers < 5
        config.rope_theta = ROPE["rope_theta"]
        config.rope_scaling = _rope_scaling()
    return config


def _eos_ids(ids: dict[str, int]) -> list[int]:
    return [ids[EOS_TEXT], ids[EOM], ids[EOT]]


def _rope_scaling() -> dict[str, Any]:
    return {k: v for k, v in ROPE.items() if k != "rope_theta"}


def _write_rope_both_ways(out_dir: Path) -> None:
    """Write the rope settings both ways (old: rope_theta + rope_scaling, new:
    rope_parameters) so serving stacks pinned to either transformers generation read the
    same model."""
    cfg = json.loads((out_dir / "config.json").read_text(encoding="utf-8"))
    cfg["rope_theta"] = ROPE["rope_theta"]
    cfg["rope_scaling"] = _rope_scaling()
    cfg["torch_dtype"] = "bfloat16"
    cfg["architectures"] = ["LlamaForCausalLM"]
    (out_dir / "config.json").write_text(json.dumps(cfg, indent=2), encoding="utf-8")


def build_tiny_llama(
    out_dir: Path,
    corpus_texts: Iterable[str] | None = None,
    seed: int = 0,
    *,
    vocab_size: int = 3000,
    hidden_size: int = 128,
    num_layers: int = 2,
) -> Path:
    """Write a random-weight Llama 3.1-style model + trained tokenizer to ``out_dir``.

    Deterministic for a given ``seed`` and texts. Returns ``out_dir``, loadable with
    ``AutoModelForCausalLM.from_pretrained`` / ``AutoTokenizer.from_pretrained`` and servable
    by vLLM (``--model out_dir``). Weights are saved in bf16; ``generation_config.json``
    samples like the real model (temperature 0.6, top-p 0.9)."""
    with _needs_llm_extra("building the tiny model needs torch and transformers"):
        import torch
        from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    out_dir = Path(out_dir)
    tokenizer = save_tiny_tokenizer(out_dir, corpus_texts, vocab_size=vocab_size)
    ids: dict[str, int] = {
        t: int(tokenizer.convert_tokens_to_ids(t)) for t in (BOS, EOS_TEXT, EOM, EOT, PAD)
    }
    config = _llama_config(LlamaConfig, len(tokenizer), ids, hidden_size, num_layers)
    torch.manual_seed(seed)
    model: Any = LlamaForCausalLM(config)
    model = model.to(torch.bfloat16)
    model.save_pretrained(out_dir, safe_serialization=True)
    GenerationConfig(
        bos_token_id=ids[BOS],
        eos_token_id=_eos_ids(ids),
        do_sample=True,
        temperature=0.6,
        top_p=0.9,
    ).save_pretrained(out_dir)
    _write_rope_both_ways(out_dir)
    return out_dir
