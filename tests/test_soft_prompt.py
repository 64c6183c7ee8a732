"""The soft-prompt attack (unlearning_audit.soft_prompt): lm-eval's two calls through
the wrapper (forward and generate) agree with each other, and fitting moves only the
prompt."""

import copy

import torch

from unlearning_audit.soft_prompt import SoftPrompted, initial_prompt, train_soft_prompt


def greedy(wrapped, ids: list[int], new: int) -> list[int]:
    """Greedy continuation by repeated forward calls on one unpadded sequence."""
    ids = list(ids)
    for _ in range(new):
        with torch.no_grad():
            logits = wrapped(torch.tensor([ids])).logits
        ids.append(int(logits[0, -1].argmax()))
    return ids


def test_generate_writes_what_the_forward_pass_scores_on_a_left_padded_batch(
    tiny_model, tiny_tokenizer
):
    """lm-eval scores log-likelihoods with forward and answers with generate, on a
    left-padded batch with its mask (or, without one, padding where the pad token
    stands): both must see the prompt the same way."""
    wrapped = SoftPrompted(tiny_model, initial_prompt(tiny_model, 3, seed=0)).eval()
    pad = tiny_tokenizer.pad_token_id
    prompts = [
        tiny_tokenizer(t).input_ids for t in ("The capital of", "Dr. Mira Holt works on the")
    ]
    width = max(map(len, prompts))
    batch = torch.tensor([[pad] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
    for masks in ({"attention_mask": mask}, {}):
        with torch.no_grad():
            written = wrapped.generate(
                batch, max_length=width + 5, pad_token_id=pad, do_sample=False, **masks
            )
        assert written.shape == (2, width + 5)
        assert torch.equal(written[:, :width], batch)  # the prompt tokens, then what it wrote
        for row, prompt in enumerate(prompts):
            assert written[row, width:].tolist() == greedy(wrapped, prompt, 5)[len(prompt) :]


def test_fitting_lowers_the_answers_loss_and_changes_only_the_prompt(tiny_model, tiny_tokenizer):
    before = copy.deepcopy(tiny_model.state_dict())
    texts = [("The capital of Avaria is", " Belo"), ("Dr. Mira Holt works on", " prions")]
    sequences = []
    for prompt, answer in texts:
        whole = tiny_tokenizer(prompt + answer).input_ids
        sequences.append((whole, len(whole) - len(tiny_tokenizer(prompt).input_ids)))
    wrapped, losses = train_soft_prompt(
        tiny_model, tiny_tokenizer, sequences, tokens=2, steps=50, lr=0.5, seed=0
    )
    # An untrained model follows a prompt of 2 vectors only a little: 6.07 -> 5.86 here.
    assert losses[-1] < losses[0] - 0.1
    assert all(torch.equal(before[k], v) for k, v in tiny_model.state_dict().items())
    assert not torch.equal(wrapped.prompt, initial_prompt(tiny_model, 2, seed=0))
