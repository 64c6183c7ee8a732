"""Activation attacks: the logit lens and linear probes, layer by layer, from one pass of
a model over a benchmark's items (Łucki et al. 2024 read both on RMU's WMDP models).

Each item is asked as its lm-eval task asks it (prompt, options, target delimiter): the
model reads the prompt followed by each option. At every layer l (the residual stream
after decoder block l):

* **logit lens**: the residual at each position decoded through the final norm and
  the unembedding; an option scores the sum of its tokens' log-probabilities, as
  lm-eval scores the model itself (at the last layer the lens is the model), and the
  option of highest score is the answer.
* **linear probe**: logistic regression (scikit-learn) on the residual at the prompt's
  last token, where the model is about to answer, reading each option through its
  unembedding vector: the features of an option are the (normed) residual times the
  unembedding row of the option's first token, element by element, so the probe is a
  reweighting of the lens's dot product, learned per layer. It is trained to tell the
  correct option from the others on the items of entities T and scored on entities V,
  which it never saw (the split retraining on T uses); the option of highest probe
  score is the answer, and chance is one over the options, as for the model. A probe
  with a class per answer value would not do: in the toy world an attribute's values
  are shared out among its entities, each the answer for one or two, so the values
  right in T are mostly not right in V. For the same reason each option's features
  are taken relative to their mean over every item that offers the same option text
  (no label is read): uncentred, the probe learned which values were right in T, the
  distractors of V, and scored 0.03 on the default study's oracle (layer 1, entities
  V) where chance is 0.25.

Layers are chosen on T items only (attack tables: ``selected``): the lens's accuracy
on T, the probe's cross-validated accuracy on T with folds by entity.
"""

from __future__ import annotations

import numpy as np

LENS, PROBE = "logit_lens", "probe"


def option_sequences(task, docs, tokenizer) -> tuple[list[tuple[list[int], int]], list[str]]:
    """Token ids of each doc's prompt followed by each of its options, and how many of
    them are the option's, split as lm-eval splits context and continuation; and each
    option's text."""
    sequences, texts = [], []
    for doc in docs:
        context = task.doc_to_text(doc)
        for choice in task.doc_to_choice(doc):
            whole = tokenizer(context + task.config.target_delimiter + choice).input_ids
            prompt = tokenizer(context).input_ids
            assert len(whole) > len(prompt), f"option {choice!r} adds no token"
            sequences.append((whole, len(whole) - len(prompt)))
            texts.append(choice)
    return sequences, texts


def read_layers(model, sequences, batch_size: int, pad_id: int):
    """Per layer (after each block): every sequence's lens score (sum of its option
    tokens' log-probabilities read through that layer) and its probe features (the
    normed residual at the prompt's last token times the unembedding row of the
    option's first token). Returns arrays of shape (layers, sequences) and (layers,
    sequences, hidden)."""
    import torch

    with torch.no_grad():
        device = next(model.parameters()).device
        scores, features = [], []
        for start in range(0, len(sequences), batch_size):
            batch = sequences[start : start + batch_size]
            length = max(len(ids) for ids, _ in batch)
            ids = torch.full((len(batch), length), pad_id, dtype=torch.long)
            mask = torch.zeros((len(batch), length), dtype=torch.long)
            for row, (tokens, _) in enumerate(batch):
                ids[row, : len(tokens)] = torch.tensor(tokens)
                mask[row, : len(tokens)] = 1
            out = model(ids.to(device), attention_mask=mask.to(device), output_hidden_states=True)
            # hidden_states: the embeddings, then each block's output; the last one already
            # passed through the final norm (the model's own logits are lm_head of it).
            blocks = out.hidden_states[1:]
            last = len(blocks) - 1
            batch_scores, batch_features = [], []
            for layer, hidden in enumerate(blocks):
                normed = hidden if layer == last else model.model.norm(hidden)
                logprobs = torch.log_softmax(model.lm_head(normed).float(), dim=-1)
                row_scores, row_features = [], []
                for row, (tokens, n_option) in enumerate(batch):
                    end = len(tokens)
                    targets = torch.tensor(tokens[end - n_option :], device=device)
                    predicted = logprobs[row, end - n_option - 1 : end - 1]
                    row_scores.append(predicted.gather(1, targets[:, None]).sum().item())
                    unembedding = model.lm_head.weight[tokens[end - n_option]]
                    reading = normed[row, end - n_option - 1] * unembedding
                    row_features.append(reading.float().cpu().numpy())
                batch_scores.append(row_scores)
                batch_features.append(row_features)
            scores.append(np.array(batch_scores))
            features.append(np.array(batch_features))
    return np.concatenate(scores, axis=1), np.concatenate(features, axis=1)


def chosen(scores, options: int):
    """The option of highest score for each item (scores: one per item and option)."""
    return np.asarray(scores).reshape(-1, options).argmax(axis=1)


def centered(features, option_texts):
    """Each row minus the mean of the rows of the same option text."""
    features = np.asarray(features, float)
    _, codes = np.unique(np.asarray(option_texts), return_inverse=True)
    sums = np.zeros((codes.max() + 1, features.shape[1]))
    np.add.at(sums, codes, features)
    return features - (sums / np.bincount(codes)[:, None])[codes]


def probe_answers(features, answers, train, groups, options: int, c: float, folds: int):
    """One layer's probe: the answer it picks for every item, fitted on the ``train``
    items (a boolean mask), and its accuracy on them cross-validated over ``folds``
    folds of whole groups (entities). ``features``: one row per item and option,
    ``centered`` by option text."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    answers, train, groups = np.asarray(answers), np.asarray(train), np.asarray(groups)
    per_option = np.repeat(np.arange(len(answers)), options)
    labels = (np.tile(np.arange(options), len(answers)) == answers[per_option]).astype(int)

    def fit(items):
        rows = np.isin(per_option, items)
        probe = make_pipeline(
            StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        )
        return probe.fit(features[rows], labels[rows])

    def answer(probe, items):
        rows = np.isin(per_option, items)
        return chosen(probe.decision_function(features[rows]), options)

    trained = np.flatnonzero(train)
    hits = []
    for fold_train, fold_test in GroupKFold(n_splits=folds).split(trained, groups=groups[trained]):
        held = trained[fold_test]
        hits += list(answer(fit(trained[fold_train]), held) == answers[held])
    return answer(fit(trained), np.arange(len(answers))), float(np.mean(hits))
