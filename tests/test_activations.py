"""Activation attacks (unlearning_audit.activations): the logit lens reads the model
itself at its last layer, and the probe finds a direction where there is one, finds
none where there is none, and cannot learn which answers tend to be right."""

import numpy as np
import torch

from unlearning_audit.activations import centered, chosen, probe_answers, read_layers

OPTIONS = 4


def test_the_lens_at_the_last_layer_is_the_models_own_score(tiny_model):
    generator = torch.Generator().manual_seed(0)
    sequences = [
        (torch.randint(3, 400, (n,), generator=generator).tolist(), k)
        for n, k in ((9, 2), (12, 1), (7, 3))
    ]
    scores, features = read_layers(tiny_model, sequences, batch_size=2, pad_id=0)
    assert scores.shape == (3, 3) and features.shape == (3, 3, 64)  # 3 layers, 3 sequences
    for i, (tokens, n_option) in enumerate(sequences):
        with torch.no_grad():
            logits = tiny_model(torch.tensor([tokens])).logits[0].log_softmax(-1)
        own = sum(
            logits[t - 1, tokens[t]].item() for t in range(len(tokens) - n_option, len(tokens))
        )
        assert abs(scores[-1, i] - own) < 1e-4
        assert abs(scores[0, i] - own) > 1e-3  # an earlier layer reads otherwise


def synthetic_items(signal: float, seed: int = 0, items: int = 80):
    """Items of 4 options whose features hold ``signal`` times a fixed direction where
    the option is right; option texts are values that are right in T and wrong in V."""
    rng = np.random.default_rng(seed)
    answers = rng.integers(0, OPTIONS, items)
    train = np.arange(items) < items // 2
    groups = np.arange(items) // 4  # entities of 4 items
    right = np.tile(np.arange(OPTIONS), items) == np.repeat(answers, OPTIONS)
    features = rng.normal(size=(items * OPTIONS, 16))
    features[:, 0] += signal * right
    # Value identity: texts right in T are distractors in V (as in the toy world).
    in_train = np.repeat(train, OPTIONS)
    texts = np.where(
        right == in_train, "often right", [f"v{i % 7}" for i in range(items * OPTIONS)]
    )
    features[:, 1] += 3.0 * (texts == "often right")
    return features, texts, answers, train, groups


def test_the_probe_finds_a_direction_where_there_is_one_and_none_where_there_is_none():
    for signal, expected in ((3.0, (0.8, 1.0)), (0.0, (0.1, 0.45))):
        features, texts, answers, train, groups = synthetic_items(signal)
        picked, cv = probe_answers(
            centered(features, texts), answers, train, groups, OPTIONS, 1.0, 4
        )
        accuracy = (picked == answers)[~train].mean()
        assert expected[0] <= accuracy <= expected[1], (signal, accuracy)


def test_centering_by_option_text_keeps_the_probe_from_learning_which_values_are_right():
    features, texts, answers, train, groups = synthetic_items(0.0)
    raw, _ = probe_answers(features, answers, train, groups, OPTIONS, 1.0, 4)
    fair, _ = probe_answers(centered(features, texts), answers, train, groups, OPTIONS, 1.0, 4)
    assert (raw == answers)[~train].mean() < 0.1  # below chance: it learned the values
    assert (fair == answers)[~train].mean() > 0.1


def test_chosen_is_the_option_of_highest_score():
    assert chosen([0.1, 0.5, 0.2, 0.0, 3, 2, 1, 0], OPTIONS).tolist() == [1, 0]
