"""Direction ablation as an attack (Łucki et al. 2024; Arditi, "Unlearning via RMU is
mostly shallow"): project a few directions out of the residual stream after every
decoder block from the first one the unlearning method changed, and score the ablated
model like any checkpoint. If a method hides knowledge behind a direction it added,
removing that direction brings the knowledge back.

Directions, one set per block, estimated on the forget benchmarks' prompts of entities
T only (the attack is scored on V, as retraining on T is):

* ``mean_difference``: the attacked model's mean residual minus the base model's, over
  every token of those prompts. For the base model itself it is zero and nothing is
  ablated (its row is the reference, R = 1); for the oracle it is whatever separates a
  model that never learned the facts from the base model.
* ``random``: a random unit vector per block (seeded): the control. Ablating one
  direction of a residual stream should change nothing measurable.
* ``rmu_steering``: RMU's own steering vectors (one per forget corpus), which its seed
  reproduces (``methods.rmu.steering_vectors``), at every block from the first changed.

Nothing is written: the evaluation loads the parent and hooks the projection onto its
blocks (forward hooks, so lm-eval scores and generates through them unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping

MEAN_DIFFERENCE, RANDOM, RMU_STEERING = "mean_difference", "random", "rmu_steering"
DIRECTIONS = (MEAN_DIFFERENCE, RANDOM, RMU_STEERING)


def _blocks(model):
    return model.model.layers


def first_changed_block(model, reference) -> int | None:
    """The first decoder block whose weights differ from the reference's (changed
    embeddings count as block 0); None where no weight differs."""
    import torch

    embeddings = model.get_input_embeddings().weight, reference.get_input_embeddings().weight
    if not torch.equal(*embeddings):
        return 0
    for i, (block, other) in enumerate(zip(_blocks(model), _blocks(reference))):
        if any(not torch.equal(a, b) for a, b in zip(block.parameters(), other.parameters())):
            return i
    return None


def mean_residuals(model, tokenizer, prompts: list[str], batch_size: int):
    """Each block's output (the residual stream after it) averaged over every token of
    ``prompts``: shape (blocks, hidden)."""
    import torch

    sums = [0.0] * len(_blocks(model))
    captured = {}

    def capture(block):
        def hook(_module, _inputs, output):
            captured[block] = output[0] if isinstance(output, tuple) else output

        return hook

    hooks = [b.register_forward_hook(capture(i)) for i, b in enumerate(_blocks(model))]
    tokens = 0
    try:
        with torch.no_grad():
            for start in range(0, len(prompts), batch_size):
                prompt_batch = prompts[start : start + batch_size]
                batch = tokenizer(prompt_batch, padding=True, return_tensors="pt")
                mask = batch["attention_mask"].to(model.device)
                model(input_ids=batch["input_ids"].to(model.device), attention_mask=mask)
                for i, hidden in captured.items():
                    sums[i] = sums[i] + (hidden.float() * mask[..., None]).sum(dim=(0, 1))
                tokens += int(mask.sum())
    finally:
        for hook in hooks:
            hook.remove()
    return torch.stack(sums) / tokens


def random_directions(blocks: int, hidden: int, seed: int):
    """One random unit vector per block, shape (blocks, 1, hidden)."""
    import torch

    vectors = torch.randn(blocks, 1, hidden, generator=torch.Generator().manual_seed(seed))
    return vectors / vectors.norm(dim=-1, keepdim=True)


def ablate(model, directions: Mapping[int, object]) -> list:
    """Project each block's directions (a (k, hidden) tensor, any norm; all-zero rows
    are skipped) out of the residual stream after that block. Returns the hooks."""
    import torch

    hooks = []
    for block, vectors in directions.items():
        vectors = vectors[vectors.norm(dim=-1) > 0]
        if not len(vectors):
            continue
        basis = torch.linalg.qr(vectors.T.double()).Q.to(model.device, model.dtype)

        def project(_module, _inputs, output, basis=basis):
            hidden = output[0] if isinstance(output, tuple) else output
            hidden = hidden - (hidden @ basis) @ basis.T
            return (hidden, *output[1:]) if isinstance(output, tuple) else hidden

        hooks.append(_blocks(model)[block].register_forward_hook(project))
    return hooks
