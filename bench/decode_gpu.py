"""Answer latency on the real Llama-3.1-8B architecture (one GPU), without vLLM.

``bench/generation.py`` measures a served model through vLLM. Where vLLM cannot be installed
(the lent GPU machine has no package index, and vLLM's CUDA wheel is far over what can be
carried there), this script gives the same two figures for the production shapes with plain
transformers: time to first token (the prefill of a prompt as long as our answer prompts) and
decode tokens/s, greedy, batch 1 — then the decode throughput of a small batch. The weights
are random (built from ``LlamaConfig``; nothing is downloaded), which is all timing needs.
transformers' eager ``generate`` has no paged attention or CUDA graphs, so these are lower
bounds on what vLLM serves on the same card.

    python -m bench.decode_gpu                       # prompt 1536 tokens, 128 new, 5 runs
    python -m bench.decode_gpu --prompt-len 3072 --batch 8 --json out.json

The last line printed is one JSON object. Exits with code 2 when no CUDA device is present.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def _finetune_bench() -> Any:
    """The fine-tuning benchmark beside this file: the architecture and the torch check are
    kept there (one copy)."""
    path = Path(__file__).with_name("finetune_gpu.py")
    spec = importlib.util.spec_from_file_location("finetune_gpu_bench", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NO_CUDA = (
    "No CUDA device: this benchmark times the Llama-3.1-8B architecture on one GPU; "
    "on CPU use bench/generation.py with the served demo model."
)


def _llama31_8b() -> dict[str, Any]:
    return dict(_finetune_bench().LLAMA31_8B)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--prompt-len", type=int, default=1536, help="tokens in each prompt")
    p.add_argument("--new-tokens", type=int, default=128, help="tokens generated per answer")
    p.add_argument("--runs", type=int, default=5, help="timed answers (after one warm-up)")
    p.add_argument("--batch", type=int, default=8, help="batch for the throughput figure")
    p.add_argument("--json", type=Path, default=None, help="write the result here too")
    p.add_argument("--cpu-smoke", action="store_true", help="tests only: toy sizes on CPU")
    return p.parse_args(argv)


def _model(torch: Any, smoke: bool) -> tuple[Any, Any, float]:
    from transformers import LlamaConfig, LlamaForCausalLM

    values = _llama31_8b()
    if smoke:
        values.update(
            vocab_size=512, hidden_size=64, intermediate_size=128, num_attention_heads=4,
            num_key_value_heads=2, num_hidden_layers=2, bos_token_id=0, eos_token_id=[1],
        )  # fmt: skip
    values["attn_implementation"] = "sdpa"
    config = LlamaConfig(**values)
    device = torch.device("cpu" if smoke else "cuda")
    torch.manual_seed(0)
    started = time.perf_counter()
    with torch.device(device):
        model = LlamaForCausalLM(config)
    model = model.to(torch.bfloat16).eval()
    return model, device, time.perf_counter() - started


def _timed(torch: Any, fn: Any) -> float:
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - t0


def _peak_gib(torch: Any) -> float | None:
    if not torch.cuda.is_available():
        return None
    return round(torch.cuda.max_memory_allocated() / 2**30, 2)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    torch = _finetune_bench().load_torch("bench/decode_gpu.py", NO_CUDA, args.cpu_smoke)
    if torch is None:
        return 2
    model, device, build_s = _model(torch, args.cpu_smoke and not torch.cuda.is_available())
    vocab = model.config.vocab_size
    gen = torch.Generator(device=device).manual_seed(0)

    def prompt(batch: int) -> Any:
        return torch.randint(2, vocab, (batch, args.prompt_len), device=device, generator=gen)

    def answer(ids: Any, new: int) -> None:
        with torch.inference_mode():
            model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=new,
                           min_new_tokens=new, do_sample=False, pad_token_id=0)  # fmt: skip

    answer(prompt(1), 8)  # warm-up: kernels, allocator
    ttft, decode = [], []
    for _ in range(args.runs):
        ids = prompt(1)
        first = _timed(torch, lambda ids=ids: answer(ids, 1))
        whole = _timed(torch, lambda ids=ids: answer(ids, args.new_tokens))
        ttft.append(first)
        decode.append((args.new_tokens - 1) / max(whole - first, 1e-9))
    ids = prompt(args.batch)
    batch_s = _timed(torch, lambda: answer(ids, args.new_tokens))
    ttft_ms = sorted(t * 1000 for t in ttft)
    result = {
        "engine": "transformers generate (eager, sdpa, bf16): a lower bound for vLLM",
        "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu (smoke)",
        "layers": model.config.num_hidden_layers,
        "prompt_tokens": args.prompt_len,
        "new_tokens": args.new_tokens,
        "runs": args.runs,
        "ttft_p50_ms": round(statistics.median(ttft_ms), 1),
        "ttft_p95_ms": round(ttft_ms[min(len(ttft_ms) - 1, int(0.95 * len(ttft_ms)))], 1),
        "tokens_per_s_p50": round(statistics.median(decode), 1),
        "batch": args.batch,
        "batch_tokens_per_s": round(args.batch * args.new_tokens / batch_s, 1),
        "peak_memory_gib": _peak_gib(torch),
        "model_build_s": round(build_s, 1),
    }
    print(json.dumps(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
