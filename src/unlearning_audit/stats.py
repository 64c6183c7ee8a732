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


def cluster_effective_count(correct, clusters) -> float:
    """The effective number of independent items behind an accuracy whose items come
    in clusters (the toy world's facts share an entity; a model that misses one fact
    of an entity tends to miss its others): n over the design effect, the ratio of the
    cluster-robust variance of the mean to the binomial one. n itself where clusters
    are single items, or where every item agrees (no variance to inflate); never more
    than n."""
    import numpy as np

    correct = np.asarray(correct, float)
    n, mean = len(correct), correct.mean() if len(correct) else 0.0
    binomial = mean * (1 - mean) / n if n else 0.0
    if binomial == 0:
        return float(n)
    _, codes = np.unique(np.asarray(clusters, str), return_inverse=True)
    residual = np.bincount(codes, weights=correct - mean)
    robust = (residual**2).sum() / n**2
    return float(min(n, n * binomial / robust)) if robust > 0 else float(n)


def _resample(values, clusters, iterations: int, seed: int):
    """Bootstrap resamples of whole clusters: for each row of ``values`` (items in the
    last axis) and each resample, the sum over the drawn clusters' items and how many
    items they hold. ``clusters``: each item's cluster label (None: every item its own,
    the ordinary bootstrap over items)."""
    import numpy as np

    values = np.atleast_2d(np.asarray(values, float))
    n = values.shape[-1]
    labels = np.arange(n) if clusters is None else np.asarray(clusters, str)
    _, codes = np.unique(labels, return_inverse=True)
    k = codes.max() + 1
    sums = np.stack([np.bincount(codes, weights=row, minlength=k) for row in values])
    sizes = np.bincount(codes, minlength=k).astype(float)
    drawn = np.random.default_rng(seed).integers(0, k, (iterations, k))
    return sums[:, drawn].sum(axis=-1), sizes[drawn].sum(axis=-1)


def recovery(
    attacked, base, oracle, chance=0.0, clusters=None, iterations=2000, seed=0, confidence=0.95
):
    """How much of what the base model shows under an attack the attacked model shows:
    R = (attacked - b) / (base - b), with b the knowledge-free baseline under the same
    attack: the higher of the oracle's accuracy and ``chance`` (a model that knows the
    answer format but no fact guesses among the options; restoring the format alone
    is not recovered knowledge). ``attacked``, ``base``: per-item correctness (0/1) on
    the same items, in the same order; ``oracle``: the same for a model without the
    knowledge, or None (b is chance). Returns R and its bootstrap interval
    (``confidence``, two-sided), resampling whole ``clusters`` (items that share an
    entity) with every model's answers to them together; NaN where the base model does
    not beat the baseline (the interval also where it fails to in more resamples than
    one tail holds)."""
    import numpy as np

    oracle = np.zeros(len(base)) if oracle is None else oracle  # b is then chance
    rows = np.asarray([attacked, base, oracle], float)
    sums, sizes = _resample(rows, clusters, iterations, seed)

    def ratio(a, k, o):
        b = np.maximum(o, chance)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(k > b, (a - b) / (k - b), np.nan)

    point = float(ratio(*rows.mean(axis=-1)))
    spread = ratio(*(sums / sizes))
    # Resamples where the base model does not beat the baseline have no R; an interval
    # over the rest would hide that, so beyond one tail's share of them there is none.
    tail = (1 - confidence) / 2
    if math.isnan(point) or np.isnan(spread).mean() > tail:
        return point, math.nan, math.nan
    low, high = np.nanpercentile(spread, [100 * tail, 100 * (1 - tail)])
    return point, float(low), float(high)


def paired_difference(
    first, second, weights=None, clusters=None, iterations=2000, seed=0, confidence=0.95
):
    """Accuracy of ``first`` minus that of ``second`` on the same items (per-item 0/1,
    same order), with its bootstrap interval (``confidence``, two-sided) resampling
    whole ``clusters`` of items (None: single items); ``weights``: the items' weights
    (a benchmark averaged over subjects), else equal."""
    import numpy as np

    difference = np.asarray(first, float) - np.asarray(second, float)
    weights = np.ones_like(difference) if weights is None else np.asarray(weights, float)
    sums, _ = _resample([difference * weights, weights], clusters, iterations, seed)
    spread = sums[0] / sums[1]  # the weighted mean of each resample
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(spread, [tail, 100 - tail])
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
