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
    return max(0.0, centre - half), min(1.0, centre + half)
