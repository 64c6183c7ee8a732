"""Direction ablation (unlearning_audit.ablation): what it removes from the residual
stream, which blocks it finds changed, and that RMU's steering directions come back
from its seed."""

import copy

import torch

from unlearning_audit.ablation import (
    ablate,
    first_changed_block,
    mean_residuals,
    random_directions,
)
from unlearning_audit.methods.rmu import steering_vectors

PROMPTS = ["The capital of Avaria is", "Dr. Mira Holt works on", "The protocol uses port"]


def block_outputs(model, tokenizer):
    """Every block's output on PROMPTS, through whatever hooks the model has."""
    outputs = {}
    hooks = [
        block.register_forward_hook(
            lambda _m, _i, out, i=i: outputs.__setitem__(
                i, out[0] if isinstance(out, tuple) else out
            )
        )
        for i, block in enumerate(model.model.layers)
    ]
    with torch.no_grad():
        model(**tokenizer(PROMPTS, padding=True, return_tensors="pt"))
    for hook in hooks:
        hook.remove()
    return outputs


def test_an_ablated_direction_is_gone_from_every_block_it_is_ablated_after(
    tiny_model, tiny_tokenizer
):
    directions = random_directions(len(tiny_model.model.layers), tiny_model.config.hidden_size, 0)
    before = block_outputs(tiny_model, tiny_tokenizer)
    hooks = ablate(tiny_model, {1: directions[1], 2: directions[2]})
    after = block_outputs(tiny_model, tiny_tokenizer)
    for block in (1, 2):
        u = directions[block, 0]
        assert (before[block] @ u).abs().max() > 1e-2  # it was there
        assert (after[block] @ u).abs().max() < 1e-4  # and is gone
    # Block 0 is before the first ablated block: untouched.
    assert torch.equal(before[0], after[0])
    for hook in hooks:
        hook.remove()
    assert torch.equal(block_outputs(tiny_model, tiny_tokenizer)[2], before[2])


def test_a_zero_direction_ablates_nothing(tiny_model, tiny_tokenizer):
    """The base model's mean difference from itself is zero: its ablated model is itself."""
    means = mean_residuals(tiny_model, tiny_tokenizer, PROMPTS, batch_size=2)
    same = mean_residuals(copy.deepcopy(tiny_model), tiny_tokenizer, PROMPTS, batch_size=3)
    difference = (means - same)[:, None]
    assert torch.allclose(difference, torch.zeros_like(difference), atol=1e-5)
    assert ablate(tiny_model, {b: torch.zeros_like(difference[b]) for b in range(3)}) == []


def test_the_first_changed_block_is_found(tiny_model):
    assert first_changed_block(tiny_model, copy.deepcopy(tiny_model)) is None
    changed = copy.deepcopy(tiny_model)
    with torch.no_grad():
        changed.model.layers[2].mlp.down_proj.weight.add_(1e-3)
    assert first_changed_block(changed, tiny_model) == 2
    with torch.no_grad():
        changed.model.embed_tokens.weight.add_(1e-3)
    assert first_changed_block(changed, tiny_model) == 0


def test_rmu_steering_directions_are_the_ones_its_seed_draws():
    """RMU draws one vector per forget corpus from a generator seeded with its seed;
    ablation redraws them from the recorded seed, in the same order."""
    generator = torch.Generator().manual_seed(42)
    drawn = [torch.rand(64, generator=generator) for _ in range(2)]
    assert torch.equal(steering_vectors(64, 42, 2), torch.stack(drawn))
    assert not torch.equal(steering_vectors(64, 43, 2), torch.stack(drawn))
