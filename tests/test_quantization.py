"""Weight-only quantization (unlearning_audit.quantization): what it changes in a model,
and the mechanism Zhang et al. describe: small updates do not cross a bucket."""

import copy

import torch

from unlearning_audit.quantization import block_weights, changed_fraction, quantize


def logits(model, seed=0):
    ids = torch.randint(
        3, model.config.vocab_size, (2, 12), generator=torch.Generator().manual_seed(seed)
    )
    with torch.no_grad():
        return model(ids).logits


def test_eight_bits_change_the_outputs_less_than_four_and_leave_head_and_embedding(tiny_model):
    reference = logits(tiny_model)
    errors = {}
    for bits in (8, 4):
        model = quantize(copy.deepcopy(tiny_model), bits, group_size=32)
        errors[bits] = (logits(model) - reference).abs().max().item()
        assert type(model.lm_head.weight) is torch.nn.Parameter  # the head stays as it is
        assert torch.equal(model.model.embed_tokens.weight, tiny_model.model.embed_tokens.weight)
        codes = torch.cat([c.flatten() for c in block_weights(model).values()])
        assert -(2 ** (bits - 1)) <= codes.min() and codes.max() <= 2 ** (bits - 1) - 1
        assert len(codes.unique()) > 2 ** (bits - 1)  # the range is used, not a few values
    assert 0 < errors[8] < errors[4]


def nudged(model, scale):
    """The model with every block weight moved by ``scale`` times its own size."""
    model = copy.deepcopy(model)
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for weight in block_weights(model).values():
            noise = torch.randn(weight.shape, generator=generator)
            weight.add_(scale * weight.abs().mean() * noise)
    return model


def test_small_updates_stay_in_their_buckets_and_large_ones_do_not(tiny_model):
    """The check can fail either way: at full precision every weight moved; after 4-bit
    quantization few of a small update's weights change bucket, most of a large one's."""
    for scale, survives in ((1e-3, False), (1.0, True)):
        moved = nudged(tiny_model, scale)
        full = changed_fraction(block_weights(moved), block_weights(tiny_model))
        pair = [quantize(copy.deepcopy(m), 4, 32) for m in (moved, tiny_model)]
        after = changed_fraction(*map(block_weights, pair))
        assert full > 0.999
        assert (after > 0.5) is survives, (scale, after)
