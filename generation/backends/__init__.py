"""Answer backends: an LLM served by vLLM (OpenAI-compatible API), or extractive (no LLM)."""
