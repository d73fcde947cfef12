"""Loss on the reply only, computed from the reply's logits only.

Only the assistant's tokens carry loss (:mod:`finetune.masking`), yet a causal LM computes
vocabulary logits for *every* position. With a large vocabulary that projection dominates a
small model's step: Gemma 3 270M has 262,144 tokens × 640 dims (168M of its 268M parameters
sit in the tied embedding / LM head), so per token the head costs 2×168M FLOPs against ~2×100M
for all transformer layers together. Asking the model for the logits of the last ``k``
positions (``logits_to_keep``, supported by transformers' causal LMs) where ``k`` spans the
labelled reply removes that waste without changing the loss: the cross-entropy is the same
sum over the same labelled tokens, divided by the same count.

Measured on the 2-core CPU (Gemma 3 270M, fp32, LoRA r=16 on all linear layers, batch 1,
prompt ~600 tokens, reply ~100): see docs/finetune.md ("CPU demo run").
"""

from __future__ import annotations

from typing import Any

IGNORE = -100


def reply_window(labels: Any) -> int:
    """How many final positions' logits are needed: from the one before the first labelled
    token to the end (at least 2)."""
    length = int(labels.shape[1])
    labelled = (labels != IGNORE).any(dim=0).nonzero()
    if labelled.numel() == 0:
        return length
    first = int(labelled[0].item())
    return min(length, max(2, length - first + 1))


def reply_loss(model: Any, inputs: dict[str, Any], num_items_in_batch: Any = None) -> Any:
    """Mean (or, with ``num_items_in_batch``, sum / that count) cross-entropy over labelled
    tokens, from the logits of the reply window only."""
    import torch
    import torch.nn.functional as F

    labels = inputs["labels"]
    keep = reply_window(labels)
    forward = {k: v for k, v in inputs.items() if k != "labels"}
    outputs = model(**forward, logits_to_keep=keep, use_cache=False)
    logits = outputs.logits[:, :-1, :].float()
    target = labels[:, labels.shape[1] - keep + 1 :]
    total = F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]),
        target.reshape(-1).to(logits.device),
        ignore_index=IGNORE,
        reduction="sum",
    )
    if num_items_in_batch is not None:
        count = torch.as_tensor(num_items_in_batch, device=total.device, dtype=total.dtype)
    else:
        count = (target != IGNORE).sum().to(total.dtype).clamp(min=1)
    return total / count, outputs


def trainer_class() -> type:
    """TRL's SFTTrainer whose loss reads the reply's logits only (see module doc)."""
    from trl import SFTTrainer

    class ReplyLossTrainer(SFTTrainer):
        def compute_loss(
            self,
            model: Any,
            inputs: dict[str, Any],
            return_outputs: bool = False,
            num_items_in_batch: Any = None,
        ) -> Any:
            # with the count over the whole accumulated batch the Trainer does not divide
            # again; without it (model takes no loss kwargs) it divides by the steps itself
            count = num_items_in_batch if self.model_accepts_loss_kwargs else None
            loss, outputs = reply_loss(model, inputs, count)
            return (loss, outputs) if return_outputs else loss

    return ReplyLossTrainer
