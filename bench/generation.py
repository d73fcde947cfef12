"""Generation speed of the served answer model: time to first token and decode tokens/s.

Real prompts: for each question (the ALQAC 2022 dev questions when ../shared is present,
else questions written from the demo corpus' article titles) the answer service's own
prompt is built from the index's retrieved passages and sent, streaming, to the vLLM server.
With ``--url`` it measures a server already running; without, it serves the demo model
itself (``--demo``, with our adapter when it exists) or ``--model DIR`` on a free port, and
stops it afterwards. On a GPU the same script measures whatever ``--model`` names (e.g. a
Llama-3.1-8B-shaped checkpoint); say which in the report.

The last line printed is one JSON object:
``{"model", "n", "ttft_p50_ms", "ttft_p95_ms", "tokens_per_s_p50", "prompt_tokens_p50", …}``.

    .venv/bin/python -m bench.generation --index .luatqa/index [--url URL --model NAME]
        [--demo | --model DIR] [--n 20] [--max-tokens 128]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEV = REPO.parent / "shared" / "corpus" / "alqac2022" / "questions.dev.json"


def questions(services: Any, n: int) -> list[str]:
    if DEV.is_file():
        return [q["text"] for q in json.loads(DEV.read_text(encoding="utf-8"))][:n]
    from app.first_screen import example_questions
    from app.services import StoreCorpus

    corpus = StoreCorpus(services.store)
    docs = [(d.label, [a.title for a in corpus.articles(d.doc_id)]) for d in corpus.documents()]
    return example_questions(docs, n)


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))], 2)


@contextmanager
def served(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """(base URL, model name): the given server, or one started for the run."""
    if args.url:
        yield args.url, args.model_name or "auto"
        return
    from app.commands.llm import DEMO_ADAPTER_NAME, demo_adapter_dir
    from finetune.demo_model import SERVED_NAME, default_dir, prepare_demo_model
    from generation.server import Adapter, ServeSpec, running_vllm

    if args.demo:
        model = prepare_demo_model(default_dir()).path
        own = demo_adapter_dir(Path(".luatqa"))
        adapters = (
            (Adapter(DEMO_ADAPTER_NAME, own),) if (own / "adapter_config.json").is_file() else ()
        )
        spec = ServeSpec(model, SERVED_NAME, adapters)
        name = adapters[0].name if adapters else SERVED_NAME
    else:
        spec = ServeSpec(args.model, "bench")
        name = "bench"
    with running_vllm(spec, Path("/tmp/luatqa-bench-vllm.log")) as server:
        yield server.url, name


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--index", type=Path, default=Path(".luatqa/index"))
    p.add_argument("--url", help="a running OpenAI-compatible server (…/v1)")
    p.add_argument("--model-name", help="with --url: the model to ask (default: auto)")
    p.add_argument("--demo", action="store_true", help="serve the demo model for the run")
    p.add_argument("--model", help="serve this checkpoint for the run")
    p.add_argument("--n", type=int, default=20)
    p.add_argument("--max-tokens", type=int, default=128)
    p.add_argument("--max-model-len", type=int, default=1024)
    args = p.parse_args()
    if not (args.url or args.demo or args.model):
        p.error("give --url, --demo or --model")

    from app.settings import load_settings
    from app.wiring import Services
    from generation.backends.base import ChatRequest
    from generation.backends.vllm import VLLMBackend
    from generation.budget import ServerTokenizerCounter, fit_prompt
    from generation.client import VLLMClient

    settings = load_settings({"index": {"dir": str(args.index)}})
    rows: list[dict[str, float]] = []
    with served(args) as (url, name), Services(settings) as services:
        client = VLLMClient(url, timeout_s=300, max_retries=0)  # one client for every request
        backend = VLLMBackend(url, name, temperature=0.0, client=client)
        model = backend.resolve_model()
        counter = ServerTokenizerCounter(client, model)
        for q in questions(services, args.n):
            passages = services.retriever.search(q, 8).passages
            budget = fit_prompt(
                q, passages, counter, max_model_len=args.max_model_len,
                max_answer_tokens=args.max_tokens,
            )  # fmt: skip
            started = time.perf_counter()
            done = backend.complete(ChatRequest(budget.messages, args.max_tokens), _sink)
            rows.append(
                {
                    "ttft_ms": (done.first_token_s or 0.0) * 1000,
                    "tokens_per_s": done.tokens_per_s or 0.0,
                    "prompt_tokens": float(done.prompt_tokens or 0),
                    "completion_tokens": float(done.completion_tokens or 0),
                    "total_s": time.perf_counter() - started,
                }
            )
            print(json.dumps({"question": q[:60], **{k: round(v, 2) for k, v in rows[-1].items()}},
                             ensure_ascii=False))  # fmt: skip
    out = {
        "model": model,
        "n": len(rows),
        "ttft_p50_ms": pct([r["ttft_ms"] for r in rows], 50),
        "ttft_p95_ms": pct([r["ttft_ms"] for r in rows], 95),
        "tokens_per_s_p50": pct([r["tokens_per_s"] for r in rows], 50),
        "prompt_tokens_p50": pct([r["prompt_tokens"] for r in rows], 50),
        "completion_tokens_mean": round(statistics.fmean(r["completion_tokens"] for r in rows), 1)
        if rows
        else None,
        "device": "gpu" if _gpu() else "cpu",
    }
    print(json.dumps(out))


def _sink(_: str) -> None:
    return None


def _gpu() -> bool:
    from generation.server import has_gpu

    return has_gpu()


if __name__ == "__main__":
    main()
