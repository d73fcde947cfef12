"""The linear projections a LoRA adapter may target so that vLLM serves it (``--enable-lora``).

A module of its own, with no imports: ``bench/finetune_gpu.py`` uses it on GPU machines that
have torch, transformers and peft but none of the project's other dependencies (the lent H200
has no pydantic), and :mod:`finetune.config` validates configs against it.
"""

VLLM_LORA_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
