"""The soft-prompt attack (Lester et al. 2021's prompt tuning, used as an attack on
unlearning by Schwinn et al. 2024; Chen et al. 2025, *Soft Token Attacks Cannot
Reliably Audit Unlearning*): a few trainable embedding vectors before every prompt,
optimised with the model frozen to raise the likelihood of the correct answers of
the forget benchmarks' items of entities T, and scored on entities V, which it never
saw. On the oracle it measures what the attack "finds" where there is nothing: its
false positives, the reason Chen et al. doubt it.

``SoftPrompted`` wraps the model so that lm-eval scores and generates through the
prompt unchanged: its forward prepends the vectors to the embedded tokens and drops
their logits; its generate does the same, and returns the prompt tokens and what was
written, as a model's generate does.
"""

from __future__ import annotations

import copy

import torch

from unlearning_audit.models import padded_batch


class SoftPrompted(torch.nn.Module):
    """``model`` with ``prompt`` (tokens x hidden) before every input."""

    def __init__(self, model, prompt: torch.Tensor):
        super().__init__()
        self.model = model
        self.prompt = torch.nn.Parameter(prompt.to(model.device, model.dtype))

    def __getattr__(self, name):
        """Everything else lm-eval asks of a model (config, device, tie_weights, ...)
        is the wrapped model's."""
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(super().__getattr__("model"), name)

    def _prefixed(self, input_ids, attention_mask):
        embeds = self.model.get_input_embeddings()(input_ids)
        prompt = self.prompt.expand(len(input_ids), -1, -1)
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        ones = attention_mask.new_ones((len(input_ids), len(self.prompt)))
        return torch.cat([prompt, embeds], dim=1), torch.cat([ones, attention_mask], dim=1)

    def forward(self, input_ids, attention_mask=None, **kwargs):
        embeds, mask = self._prefixed(input_ids, attention_mask)
        output = self.model(inputs_embeds=embeds, attention_mask=mask, **kwargs)
        output.logits = output.logits[:, len(self.prompt) :]
        return output

    def generate(self, input_ids, max_length, pad_token_id, stopping_criteria=(), **kwargs):
        # lm-eval passes the mask of its left-padded batch; without one, padding is
        # where the pad token stands (as transformers' generate assumes).
        mask = kwargs.pop("attention_mask", None)
        if mask is None:
            mask = (input_ids != pad_token_id).long()
        embeds, mask = self._prefixed(input_ids, mask)
        # From embeddings, generate returns the written tokens only, and its stopping
        # criteria see only those: lm-eval's count the prompt's tokens first.
        criteria = []
        for criterion in stopping_criteria:
            criterion = copy.copy(criterion)
            if hasattr(criterion, "initial_decoder_input_length"):
                criterion.initial_decoder_input_length = 0
            criteria.append(criterion)
        written = self.model.generate(
            inputs_embeds=embeds,
            attention_mask=mask,
            max_new_tokens=max_length - input_ids.shape[1],
            stopping_criteria=criteria,
            pad_token_id=pad_token_id,
            **kwargs,
        )
        return torch.cat([input_ids, written], dim=1)


def initial_prompt(model, tokens: int, seed: int) -> torch.Tensor:
    """Embeddings of ``tokens`` vocabulary entries drawn at random (Lester et al.'s
    initialisation from real tokens)."""
    embeddings = model.get_input_embeddings().weight.detach()
    ids = torch.randint(len(embeddings), (tokens,), generator=torch.Generator().manual_seed(seed))
    return embeddings[ids].clone()


def train_soft_prompt(model, tokenizer, sequences, tokens: int, steps: int, lr: float, seed: int):
    """A soft prompt of ``tokens`` vectors fitted to ``sequences`` (token ids of prompt
    and answer, and how many of them are the answer's) by Adam on the answers' mean
    negative log-likelihood, every step on all of them, the model frozen. Returns the
    wrapped model and the loss of every step."""
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    wrapped = SoftPrompted(model, initial_prompt(model, tokens, seed))
    rows = [(ids, [-100] * (len(ids) - answer) + ids[-answer:]) for ids, answer in sequences]
    batch = padded_batch(tokenizer, rows)
    ids, mask, labels = (
        batch[k].to(model.device) for k in ("input_ids", "attention_mask", "labels")
    )
    optimizer = torch.optim.Adam([wrapped.prompt], lr=lr)
    losses = []
    for _ in range(steps):
        logits = wrapped(ids, attention_mask=mask).logits
        loss = torch.nn.functional.cross_entropy(
            logits[:, :-1].flatten(0, 1).float(), labels[:, 1:].flatten(), ignore_index=-100
        )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    wrapped.prompt.requires_grad_(False)
    return wrapped.eval(), losses
