"""LoRA training throughput on the real Llama-3.1-8B architecture (one GPU).

The weights are random (built from ``LlamaConfig``, nothing is downloaded), which is all a
throughput and memory measurement needs: the same shapes, kernels and optimizer state as
``finetune/configs/llama31-8b-lora.yaml`` — bf16, LoRA r=16 on q/k/v/o/gate/up/down,
gradient checkpointing, sequence length 2048.

    python -m bench.finetune_gpu                 # 50 steps, seq 2048, batch 1
    python -m bench.finetune_gpu --steps 20 --seq-len 4096 --batch 2 --json out.json

Prints tokens/s (trained tokens per second, warm-up steps excluded) and peak GPU memory.
Exits with a clear message (code 2) when no CUDA device is present.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

# Llama-3.1-8B (meta-llama/Llama-3.1-8B-Instruct config.json)
LLAMA31_8B: dict[str, Any] = {
    "vocab_size": 128256,
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "max_position_embeddings": 131072,
    "rms_norm_eps": 1e-5,
    "rope_theta": 500000.0,
    "rope_scaling": {
        "rope_type": "llama3",
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192,
    },
    "tie_word_embeddings": False,
    "bos_token_id": 128000,
    "eos_token_id": [128001, 128008, 128009],
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--warmup", type=int, default=5, help="steps left out of the timing")
    p.add_argument("--seq-len", type=int, default=2048)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--rank", type=int, default=16)
    p.add_argument("--layers", type=int, default=None, help="fewer layers for a quick try")
    p.add_argument("--no-checkpointing", action="store_true")
    p.add_argument("--attn", default="sdpa", help="sdpa or flash_attention_2")
    p.add_argument("--json", type=Path, default=None, help="write the result here too")
    p.add_argument(
        "--cpu-smoke",
        action="store_true",
        help="tests only: a scaled-down model on CPU, to check the script itself runs",
    )
    return p.parse_args(argv)


NO_CUDA = (
    "No CUDA device: this benchmark trains LoRA on the Llama-3.1-8B architecture and "
    "needs one GPU with ≥ 40 GB (80 GB recommended). Run it on a GPU machine; "
    "on CPU use `luatqa finetune train --config finetune/configs/tiny-cpu.yaml`."
)


def load_torch(script: str, no_cuda: str, cpu_smoke: bool) -> Any:
    """torch, or None after saying on stderr why ``script`` cannot run here: torch is not
    installed, or there is no CUDA device and this is not the CPU smoke test (the caller
    exits with code 2). Shared with bench/decode_gpu.py."""
    try:
        import torch
    except ImportError:
        print(f"{script} needs torch: pip install -e '.[finetune]'", file=sys.stderr)
        return None
    if not torch.cuda.is_available() and not cpu_smoke:
        print(no_cuda, file=sys.stderr)
        return None
    return torch


def _llama_config(args: argparse.Namespace, smoke: bool) -> Any:
    """Llama-3.1-8B's config; in the CPU smoke test the same architecture at toy sizes."""
    from transformers import LlamaConfig

    cfg_values = dict(LLAMA31_8B)
    if smoke:  # same architecture, toy sizes
        cfg_values.update(
            vocab_size=512, hidden_size=64, intermediate_size=128, num_attention_heads=4,
            num_key_value_heads=2, num_hidden_layers=2, bos_token_id=0, eos_token_id=[1],
        )  # fmt: skip
    if args.layers:
        cfg_values["num_hidden_layers"] = args.layers
    cfg_values["attn_implementation"] = args.attn
    return LlamaConfig(**cfg_values)


def _lora_model(
    torch: Any, args: argparse.Namespace, config: Any, device: Any, dtype: Any
) -> tuple[Any, float]:
    """Random weights built on the device, gradient checkpointing unless turned off, and LoRA
    on the modules vLLM serves (alpha = 2r, dropout 0.05), as the production config trains.
    Returns the model and the seconds the random weights took to build (LoRA not counted)."""
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaForCausalLM

    from finetune.lora_targets import VLLM_LORA_MODULES

    torch.manual_seed(0)
    started = time.perf_counter()
    with torch.device(device):
        model: Any = LlamaForCausalLM(config)
    model = model.to(dtype)
    build_s = time.perf_counter() - started
    model.config.use_cache = False
    if not args.no_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.enable_input_require_grads()
    lora = LoraConfig(
        r=args.rank,
        lora_alpha=2 * args.rank,
        lora_dropout=0.05,
        target_modules=list(VLLM_LORA_MODULES),
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, lora), build_s


def _train(
    torch: Any, args: argparse.Namespace, model: Any, vocab: int, device: Any, dtype: Any
) -> tuple[list[float], int, float]:
    """``args.steps`` optimizer steps on random tokens with half of each sequence masked
    (assistant-only loss); returns the losses and the tokens and seconds of the steps after
    the warm-up. Each step is timed between device synchronisations."""
    optim = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=1e-4, fused=device.type == "cuda"
    )
    model.train()
    gen = torch.Generator(device=device).manual_seed(0)
    shape = (args.batch, args.seq_len)

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize()

    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    losses: list[float] = []
    timed_tokens = 0
    timed_s = 0.0
    for step in range(args.steps):
        ids = torch.randint(0, vocab, shape, device=device, generator=gen)
        labels = ids.clone()
        labels[:, : args.seq_len // 2] = -100  # assistant-only loss: half the tokens masked
        sync()
        t0 = time.perf_counter()
        with torch.autocast(device.type, dtype=dtype):
            loss = model(input_ids=ids, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        optim.zero_grad(set_to_none=True)
        sync()
        dt = time.perf_counter() - t0
        losses.append(float(loss.detach()))
        if step >= args.warmup:
            timed_tokens += args.batch * args.seq_len
            timed_s += dt
        if step % 10 == 0 or step == args.steps - 1:
            print(f"step {step:3d}  loss {losses[-1]:.3f}  {dt * 1000:.0f} ms", flush=True)
    return losses, timed_tokens, timed_s


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    torch = load_torch("bench/finetune_gpu.py", NO_CUDA, args.cpu_smoke)
    if torch is None:
        return 2
    smoke = args.cpu_smoke and not torch.cuda.is_available()
    device = torch.device("cpu" if smoke else "cuda")
    dtype = torch.bfloat16 if smoke or torch.cuda.is_bf16_supported() else torch.float16
    config = _llama_config(args, smoke)
    model, build_s = _lora_model(torch, args, config, device, dtype)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    losses, timed_tokens, timed_s = _train(torch, args, model, config.vocab_size, device, dtype)
    cuda = device.type == "cuda"
    result = {
        "device": torch.cuda.get_device_name(0) if cuda else "cpu (smoke)",
        "dtype": str(dtype).removeprefix("torch."),
        "layers": config.num_hidden_layers,
        "seq_len": args.seq_len,
        "batch": args.batch,
        "lora_rank": args.rank,
        "gradient_checkpointing": not args.no_checkpointing,
        "attn": args.attn,
        "steps": args.steps,
        "timed_steps": max(0, args.steps - args.warmup),
        "tokens_per_s": round(timed_tokens / timed_s, 1) if timed_s else None,
        "s_per_step": round(timed_s / max(1, args.steps - args.warmup), 3),
        "peak_memory_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2) if cuda else None,
        "trainable_params": trainable,
        "total_params": total,
        "model_build_s": round(build_s, 1),
        "first_loss": losses[0],
        "last_loss": losses[-1],
    }
    print(json.dumps(result))  # the last line: one JSON object
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
