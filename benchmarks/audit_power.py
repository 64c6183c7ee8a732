"""How often the audit's cell rules (config `audit`) decide, at the study's sizes.

A synthetic model whose accuracy lies R of the way from chance (0.25, the oracle's
level) to the base model's (1.0) answers the items of E entities of 5 facts each;
entity effects (a beta draw per entity, concentration k; none: independent items)
make the facts of one entity right or wrong together. For each true R, the share of
100 draws whose cell reads like the oracle (R's upper end <= margin) and recovered
(lower end > hidden_level), with the study's cluster bootstrap (stats.recovery).
Prints a Markdown table (docs/audit.md). About 30 s on 2 cores.
"""

import numpy as np
import yaml

from unlearning_audit.audit import LIKE_ORACLE, RECOVERED, cell_verdict
from unlearning_audit.stats import recovery

RULES = {
    k: v
    for k, v in yaml.safe_load(open("config/config.yaml"))["audit"].items()
    if k != "min_capability"
}
DRAWS = 100


def draw(true_r, rng, entities, concentration, per_entity=5, base=1.0, chance=0.25):
    n, clusters = entities * per_entity, np.repeat(np.arange(entities), per_entity)
    level = chance + true_r * (base - chance)
    entity = (
        rng.beta(concentration * level + 1e-3, concentration * (1 - level) + 1e-3, entities)
        if concentration
        else np.full(entities, level)
    )
    attacked = (rng.random(n) < entity[clusters]).astype(float)
    oracle = (rng.random(n) < chance).astype(float)
    seed = int(rng.integers(1_000_000))
    return recovery(attacked, np.full(n, base), oracle, chance, clusters, 500, seed)


print(f"Rules: margin {RULES['margin']}, hidden_level {RULES['hidden_level']}; {DRAWS} draws.\n")
print("| items (entities) | entity effect | true R | like oracle | recovered |")
print("| --- | --- | --- | --- | --- |")
for entities in (14, 7):
    for concentration in (0, 4):
        rng = np.random.default_rng(0)
        for true_r in (0.0, 0.2, 0.25, 0.5, 0.8):
            reads = [
                cell_verdict(*draw(true_r, rng, entities, concentration)[1:], True, **RULES)
                for _ in range(DRAWS)
            ]
            effect = f"beta, k = {concentration}" if concentration else "none"
            print(
                f"| {entities * 5} ({entities}) | {effect} | {true_r} | "
                f"{reads.count(LIKE_ORACLE) / DRAWS:.2f} | {reads.count(RECOVERED) / DRAWS:.2f} |"
            )
