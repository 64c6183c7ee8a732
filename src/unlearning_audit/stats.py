"""Intervals for accuracies: every accuracy the study reports carries one."""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # two-sided 95 %


def wilson_interval(accuracy: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion (``accuracy`` of ``n`` items): unlike
    the normal approximation (lm-eval's stderr), it stays inside [0, 1] and is not
    zero-width at 0 or 1, which is where gates and unlearned models sit."""
    if n <= 0:
        return 0.0, 1.0
    centre = (accuracy + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(accuracy * (1 - accuracy) / n + z * z / (4 * n * n))
    # min/max: at 0 or 1 rounding can put the bound a hair inside the point itself.
    return min(accuracy, max(0.0, centre - half)), max(accuracy, min(1.0, centre + half))


def subject_weights(subjects: list[str]) -> list[float]:
    """Item weights making a weighted mean the mean over subjects of each subject's
    mean: 1 / (subjects x the item's subject's items), scaled to average 1."""
    from collections import Counter

    counts = Counter(subjects)
    return [len(subjects) / (len(counts) * counts[s]) for s in subjects]


def effective_count(weights) -> float:
    """Kish's effective sample size of a weighted mean: (sum w)^2 / sum w^2, the n
    whose unweighted mean would be as precise (n itself for equal weights)."""
    return sum(weights) ** 2 / sum(w * w for w in weights)


def recovery(attacked, base, baseline, iterations: int = 2000, seed: int = 0):
    """How much of what the base model shows under an attack the attacked model shows:
    R = (attacked - b) / (base - b), with b the knowledge-free baseline under the same
    attack. ``attacked``, ``base``: per-item correctness (0/1) on the same items, in
    the same order; ``baseline``: the same for a model without the knowledge (the
    oracle), or a number (chance). Returns R and its 95 % paired bootstrap interval
    (items resampled together); NaN where the base model does not beat the baseline
    (the interval also where it fails to in over 2.5 % of the resamples)."""
    import numpy as np

    attacked, base = np.asarray(attacked, float), np.asarray(base, float)
    baseline = np.broadcast_to(np.asarray(baseline, float), base.shape)

    def ratio(a, k, b):
        gap = k.mean(axis=-1) - b.mean(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(gap > 0, (a.mean(axis=-1) - b.mean(axis=-1)) / gap, np.nan)

    samples = np.random.default_rng(seed).integers(0, len(base), (iterations, len(base)))
    point = float(ratio(attacked, base, baseline))
    spread = ratio(attacked[samples], base[samples], baseline[samples])
    # Resamples where the base model does not beat the baseline have no R; an interval
    # over the rest would hide that, so beyond 2.5 % of them there is none.
    if math.isnan(point) or np.isnan(spread).mean() > 0.025:
        return point, math.nan, math.nan
    low, high = np.nanpercentile(spread, [2.5, 97.5])
    return point, float(low), float(high)


def paired_difference(first, second, weights=None, iterations: int = 2000, seed: int = 0):
    """Accuracy of ``first`` minus that of ``second`` on the same items (per-item 0/1,
    same order), with its 95 % paired bootstrap interval; ``weights``: the items'
    weights (a benchmark averaged over subjects), else equal."""
    import numpy as np

    difference = np.asarray(first, float) - np.asarray(second, float)
    weights = np.ones_like(difference) if weights is None else np.asarray(weights, float)
    samples = np.random.default_rng(seed).integers(
        0, len(difference), (iterations, len(difference))
    )
    spread = np.average(difference[samples], weights=weights[samples], axis=1)
    low, high = np.percentile(spread, [2.5, 97.5])
    return float(np.average(difference, weights=weights)), float(low), float(high)


def mcnemar(first, second) -> float:
    """Exact two-sided McNemar test of two conditions on the same items: the p-value
    that items one gets right and the other wrong split as unevenly as they do by
    chance (a binomial test on the discordant pairs)."""
    only_first = sum(1 for a, b in zip(first, second) if a and not b)
    only_second = sum(1 for a, b in zip(first, second) if b and not a)
    discordant = only_first + only_second
    if discordant == 0:
        return 1.0
    tail = sum(math.comb(discordant, k) for k in range(min(only_first, only_second) + 1))
    return min(1.0, 2 * tail / 2**discordant)


def perplexity(loglikelihoods, counts, reference=None, iterations: int = 2000, seed: int = 0):
    """Perplexity exp(-sum(loglikelihoods) / sum(counts)) of some documents (per word
    or per byte, as ``counts`` count), with its 95 % bootstrap interval (documents
    resampled). With ``reference`` (another model's log-likelihoods of the same
    documents), the ratio of this perplexity to that one instead, resampled paired."""
    import numpy as np

    ll, counts = np.asarray(loglikelihoods, float), np.asarray(counts, float)
    ref = None if reference is None else np.asarray(reference, float)
    samples = np.random.default_rng(seed).integers(0, len(ll), (iterations, len(ll)))

    def statistic(index):
        # exp of the mean negative log-likelihood; the ratio is exp of the difference
        total = counts[index].sum(axis=-1)
        nll = -ll[index].sum(axis=-1) / total
        return np.exp(nll if ref is None else nll + ref[index].sum(axis=-1) / total)

    low, high = np.percentile(statistic(samples), [2.5, 97.5])
    return float(statistic(np.arange(len(ll)))), float(low), float(high)
