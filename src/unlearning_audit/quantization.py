"""Weight-only quantization as an attack (Zhang et al. 2025, *Catastrophic Failure of
LLM Unlearning via Quantization*): unlearning that moves weights less than a
quantization step leaves them in the buckets the base model's weights fall in, so
the quantized unlearned model answers like the quantized base model.

Round-to-nearest, symmetric, in groups of ``group_size`` input weights with a scale
per group, at ``bits`` bits (torchao's ``IntxWeightOnlyConfig``: maintained by the
PyTorch team, and the same code runs on CPU and CUDA, where bitsandbytes' 4-bit path
and optimum-quanto are GPU-first or unmaintained). Every linear layer of the decoder
blocks is quantized; the embedding and output head stay as they are (as weight-only
schemes for LLMs usually leave them). Nothing is written: an evaluation builds the
quantized model from its parent checkpoint and the recorded settings.
"""

from __future__ import annotations

import torch

LIBRARY = "torchao"
# Modules inside the decoder blocks (Llama-style models name them model.layers.<i>).
BLOCKS = ".layers."


def _in_blocks(module: torch.nn.Module, name: str) -> bool:
    return isinstance(module, torch.nn.Linear) and BLOCKS in f".{name}"


def quantize(model: torch.nn.Module, bits: int, group_size: int) -> torch.nn.Module:
    """The model with its decoder blocks' linear weights quantized in place."""
    from torchao.quantization import IntxWeightOnlyConfig, quantize_
    from torchao.quantization.granularity import PerGroup

    config = IntxWeightOnlyConfig(
        weight_dtype=getattr(torch, f"int{bits}"), granularity=PerGroup(group_size)
    )
    quantize_(model, config, filter_fn=_in_blocks)
    return model


def block_weights(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The decoder blocks' linear weights: as they are, or, where quantized, their
    integer codes (which bucket each weight fell in; the group's scale aside)."""
    weights = {}
    for name, module in model.named_modules():
        if _in_blocks(module, name):
            weight = module.weight
            weights[name] = weight.qdata if hasattr(weight, "qdata") else weight.detach()
    return weights


def changed_fraction(weights: dict[str, torch.Tensor], reference: dict[str, torch.Tensor]):
    """The share of weights that differ from the reference's (the mechanism above:
    unlearning changes nearly every weight at full precision; quantized, only the
    changes that moved a weight into another bucket remain)."""
    changed = sum(int((weights[n] != reference[n]).sum()) for n in reference)
    return changed / sum(w.numel() for w in reference.values())


def weights_changed(load, parent: str, reference: str, bits: int, group_size: int) -> dict:
    """How much of the parent's departure from the reference survives quantization:
    the share of block weights that differ from the reference's at full precision and
    after both are quantized alike. ``load``: checkpoint folder -> model."""
    full = {path: block_weights(load(path)) for path in (parent, reference)}
    quantized = {
        path: block_weights(quantize(load(path), bits, group_size)) for path in (parent, reference)
    }
    return {
        "weights_changed": changed_fraction(full[parent], full[reference]),
        "quantized_weights_changed": changed_fraction(quantized[parent], quantized[reference]),
    }
