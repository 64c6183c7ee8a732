"""Benchmark (not a test): which true effects the verdict rules detect at a study's size.

Each rule that decides a claim must be able to come out either way at the study's
size. This script draws synthetic studies whose true effects are known and counts
how often each rule reaches each verdict:

* claim (a): RMU and LLMU answer a capability benchmark with a true difference d and
  a forget benchmark with a true difference f; the rule of ``claims.capability_verdict``
  with the config's ``forget_margin``;
* claim (c) (and (b), one attack): an unlearned model whose true recovery is R
  against a base model at ``--base`` and a knowledge-free baseline at chance.

Items come in clusters (``--entities`` entities, ``--items`` items in all), and
answers within an entity are correlated (an entity-level effect on the logit scale,
standard deviation ``--entity-sd``), as the toy world's facts are. Every interval is
the pipeline's own cluster bootstrap. The default and full studies both ask 70 test
items of 14 entities per forget benchmark (their capability benchmark: 80 of 16).

    .venv/bin/python benchmarks/verdict_power.py
    .venv/bin/python benchmarks/verdict_power.py --items 34 --entities 7 --margin 0.2
"""

from __future__ import annotations

import argparse
from collections import Counter

import numpy as np

from unlearning_audit import claims
from unlearning_audit.stats import paired_difference, recovery


def answers(rng, accuracy, entity_effect, entities):
    """0/1 answers whose mean is near ``accuracy``, correlated within entities."""
    accuracy = np.clip(accuracy, 0.005, 0.995)
    p = 1 / (1 + np.exp(-(np.log(accuracy / (1 - accuracy)) + entity_effect[entities])))
    return (rng.random(len(entities)) < p).astype(int)


def capability_verdicts(args, d, f, rng):
    entities = np.arange(args.items) % args.entities
    verdicts = Counter()
    for _ in range(args.draws):
        effect = rng.normal(0, args.entity_sd, args.entities)  # shared by both models
        llmu_kept = answers(rng, args.capability, effect, entities)
        rmu_kept = answers(rng, args.capability + d, effect, entities)
        llmu_forget = answers(rng, args.forget, effect, entities)
        rmu_forget = answers(rng, args.forget + f, effect, entities)
        capability = paired_difference(rmu_kept, llmu_kept, clusters=entities, iterations=500)
        forgetting = paired_difference(
            rmu_forget, llmu_forget, clusters=entities, iterations=500, confidence=0.90
        )
        verdicts[claims.capability_verdict(capability, forgetting, args.margin)] += 1
    return verdicts


def recovery_verdicts(args, r, threshold, rng):
    entities = np.arange(args.items) % args.entities
    chance = 0.25
    verdicts = Counter()
    for _ in range(args.draws):
        effect = rng.normal(0, args.entity_sd, args.entities)
        base = answers(rng, args.base, effect, entities)
        attacked = answers(rng, chance + r * (args.base - chance), effect, entities)
        low, high = recovery(attacked, base, None, chance, entities, iterations=500)[1:]
        verdicts[claims.verdict(low, high, threshold)] += 1
    return verdicts


def shares(counter, draws):
    return ", ".join(f"{v.strip('*')} {n / draws:.0%}" for v, n in counter.most_common())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=70)
    parser.add_argument("--entities", type=int, default=14)
    parser.add_argument("--entity-sd", type=float, default=1.0)
    parser.add_argument("--margin", type=float, default=0.15)
    parser.add_argument("--capability", type=float, default=0.8)
    parser.add_argument("--forget", type=float, default=0.3)
    parser.add_argument("--base", type=float, default=0.95)
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(
        f"{args.items} items in {args.entities} entities (entity sd {args.entity_sd} on "
        f"the logit scale), {args.draws} synthetic studies per row\n"
    )
    print(
        f"claim (a): LLMU capability {args.capability}, forget {args.forget}; "
        f"forget_margin {args.margin}"
    )
    for f in (0.0, 0.1, 0.2):
        for d in (-0.2, -0.1, 0.0, 0.1, 0.2):
            counts = capability_verdicts(args, d, f, rng)
            print(
                f"  true forget diff {f:+.1f}, capability diff {d:+.1f}: "
                f"{shares(counts, args.draws)}"
            )
    for name, threshold in (("(b)", 0.5), ("(c)", 0.9)):
        print(f"\nclaim {name}: R against {threshold}, base {args.base}, chance 0.25, one attack")
        for r in (0.0, 0.25, 0.5, 0.75, 1.0):
            counts = recovery_verdicts(args, r, threshold, rng)
            print(f"  true R {r:.2f}: {shares(counts, args.draws)}")


if __name__ == "__main__":
    main()
