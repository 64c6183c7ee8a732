"""Table rows from evaluation JSONs, each keeping the path and hash of its source."""

from __future__ import annotations

import json
import math

from unlearning_audit import layout
from unlearning_audit.gate import KEY, informative
from unlearning_audit.provenance import EMBED_KEY, digest
from unlearning_audit.stats import cluster_effective_count, wilson_interval

# Copied from each evaluation JSON into its table row, as written by the evaluate rule.
COLUMNS = (
    "checkpoint",
    "parent",
    "relearn_corpus",
    "relearn_steps",
    "benchmark",
    "label",
    "role",
    "variant",
    "split",
    "scoring",
    "num_fewshot",
    "accuracy",
    "n",
    "answered",
    "accuracy_on_answered",
    "baseline",
)


def eval_row(path: str) -> dict:
    result = json.loads(open(path).read())
    inputs = {i["path"]: i["sha256"] for i in result[EMBED_KEY]["inputs"]}
    # Weighted items (a benchmark averaged over subjects) count as fewer (Kish), and
    # so do items in clusters (facts of one entity): the fewer of the two.
    n_effective = min(result.get("n_effective", result["n"]), clustered_count(result["items"]))
    ci_low, ci_high = wilson_interval(result["accuracy"], n_effective)
    return {key: result[key] for key in COLUMNS} | {
        "n_effective": n_effective,
        "ci_low": ci_low,  # Wilson 95 % interval
        "ci_high": ci_high,
        # Where the number comes from, checkable with `lineage --verify`.
        "source": path,
        "source_sha256": digest(path),
        "checkpoint_path": result["checkpoint_path"],
        "checkpoint_sha256": inputs[result["checkpoint_path"]],
    }


def clustered_count(items: list[dict]) -> float:
    """The items' effective count for a Wilson interval: their number, over the design
    effect of their clusters where they have any (``stats.cluster_effective_count``)."""
    clusters = [i.get("cluster", i["id"]) for i in items]
    return cluster_effective_count([i["correct"] for i in items], clusters)


def interval_text(value: float, low: float, high: float) -> str:
    """A number with its 95 % interval, as every table of the study prints it."""
    return f"{value:.2f} [{low:.2f}, {high:.2f}]"


def item_correctness(path: str):
    """Per-item correctness (0/1) of one evaluation JSON, indexed by item id."""
    return _item_column(path, "correct")


def item_clusters(path: str):
    """Each item's cluster in one evaluation JSON (items that share an entity; an item
    of a benchmark without clusters is its own), indexed by item id: what the
    bootstrap resamples whole."""
    clusters = _item_column(path, "cluster")
    return clusters.fillna(clusters.index.to_series())


def item_weights(path: str):
    """Each item's weight in one evaluation JSON (1 unless its benchmark averages over
    subjects), indexed by item id."""
    return _item_column(path, "weight", default=1.0)


def _item_column(path: str, column: str, default=None):
    import pandas as pd

    items = json.loads(open(path).read())["items"]
    return pd.Series([i.get(column, default) for i in items], index=[i["id"] for i in items])


def eval_table(paths: list[str], gate: str):
    """Rows of some evaluation JSONs, each marked with whether the gate (the table
    at ``gate``) found its benchmark variant informative."""
    import pandas as pd

    table = pd.DataFrame([eval_row(p) for p in paths])
    passed = informative(pd.read_csv(gate))
    return table.assign(
        informative=[passed.get(key, False) for key in zip(*(table[k] for k in KEY))]
    )


def matched_forget_accuracy(frontier, runs: list[str]):
    """Capability at matched forget accuracy, on one frontier table (columns run,
    forget_accuracy, capability_accuracy) for the ``runs`` compared: the level each of
    them reaches (the highest of their lowest forget accuracies), and a mask marking
    each one's point of highest capability among those at or below it. Only the
    compared runs set the level: a third method that never forgets would otherwise
    set it at the base model's accuracy, where no comparison means anything."""
    compared = frontier[frontier.run.isin(runs)]
    level = compared.groupby("run").forget_accuracy.min().max()
    reached = compared[compared.forget_accuracy <= level]
    best = reached.groupby("run").capability_accuracy.idxmax()
    return level, frontier.index.isin(best)


def selective(frontier, base_capability, oracle_forget, capability_kept: float):
    """A frontier table (one forget benchmark, one scoring) with, for each point,
    whether it unlearns selectively: its capability accuracy at least
    ``capability_kept`` of the base model's (``base_capability``: its row), and its
    forget accuracy inside the oracle's Wilson interval (``oracle_forget``: its row;
    None where there is no oracle, and then no point is called selective: NaN), as a
    model that never learned the facts scores (below it is not forgetting but a
    model that avoids the right answer)."""
    kept = frontier.capability_accuracy >= capability_kept * base_capability.accuracy
    if oracle_forget is None:
        like_oracle = float("nan")
    else:
        like_oracle = frontier.forget_accuracy.between(oracle_forget.ci_low, oracle_forget.ci_high)
    return frontier.assign(
        capability_kept=frontier.capability_accuracy / base_capability.accuracy,
        forget_like_oracle=like_oracle,
        selective=(kept & like_oracle) if oracle_forget is not None else float("nan"),
    )


def on_items(row: dict, ids: set[str]) -> dict:
    """A table row rescored on some of its items (``ids``), from its evaluation
    JSON's per-item results: accuracy, answered share and Wilson interval."""
    items = [i for i in json.loads(open(row["source"]).read())["items"] if i["id"] in ids]
    n, correct = len(items), sum(i["correct"] for i in items)
    answered = sum(i["answered"] for i in items)
    accuracy = correct / n
    n_effective = clustered_count(items)  # forget items weigh alike; clusters count
    ci_low, ci_high = wilson_interval(accuracy, n_effective)
    return row | {
        "accuracy": accuracy,
        "n": n,
        "n_effective": n_effective,
        "answered": answered / n,
        "accuracy_on_answered": correct / answered if answered else float("nan"),
        "ci_low": ci_low,
        "ci_high": ci_high,
    }


def relearning_recovery(table, held_out: dict[str, set[str]]):
    """A relearning table (relearning.csv's rows) with each row's recovery R and its
    interval (``recovery``, ``recovery_low``, ``recovery_high``), against the base
    model relearned the same way (same data, steps, scoring and items: R = 1) and the
    knowledge-free baseline relearned the same way (the oracle, or chance: R = 0),
    resampling whole entities (``stats.recovery``), and those two references'
    accuracies (``base_accuracy``, ``oracle_accuracy``). Rows scored on entities V
    (``scored_items``) are read on ``held_out[benchmark]``'s items only."""
    from unlearning_audit.stats import recovery

    def correct(source, benchmark, scored_items):
        items = item_correctness(source)
        return items[items.index.isin(held_out[benchmark])] if scored_items == "V" else items

    table = table.assign(scored_items=table.get("scored_items", "all"))
    same_way = ["relearn_corpus", "relearn_steps", "benchmark", "scoring", "scored_items"]
    sources = table.set_index(["parent", *same_way]).source
    parents = set(table.parent)
    r, references = [], []
    for row in table.itertuples():
        key = tuple(getattr(row, k) for k in same_way)
        names = (layout.replica_reference(ref, row.parent, parents) for ref in ("base", "oracle"))
        base, oracle = (
            correct(sources[(ref, *key)], row.benchmark, row.scored_items)
            if (ref, *key) in sources.index
            else None
            for ref in names
        )
        references.append(tuple(math.nan if c is None else c.mean() for c in (base, oracle)))
        if base is None or row.role != "forget":
            r.append((math.nan,) * 3)
            continue
        attacked = correct(row.source, row.benchmark, row.scored_items)[base.index]
        oracle = None if oracle is None else oracle[base.index]
        clusters = item_clusters(row.source)[base.index]
        r.append(recovery(attacked, base, oracle, row.baseline, clusters))
    base_accuracy, oracle_accuracy = zip(*references)
    r = list(zip(*r))
    return table.assign(
        base_accuracy=base_accuracy,
        oracle_accuracy=oracle_accuracy,
        recovery=r[0],
        recovery_low=r[1],
        recovery_high=r[2],
    )


def seed_spread(table, replicas: dict[str, list[str]], name: str, keys: list[str], value: str):
    """Mean and spread over seeds of column ``value``: the rows whose column ``name``
    is one of a run's seed replicas (``replicas``: run -> checkpoints, the run
    itself first), grouped by run and ``keys``. ``std`` is the sample standard
    deviation (NaN for one seed); ``values`` lists each replica's, in seed order."""
    import pandas as pd

    run_of = {c: run for run, names in replicas.items() for c in names}
    seed_of = {c: i for names in replicas.values() for i, c in enumerate(names)}
    rows = table[table[name].isin(list(run_of))].assign(
        run=lambda t: t[name].map(run_of), seed=lambda t: t[name].map(seed_of)
    )
    rows = rows.sort_values("seed")
    spread = rows.groupby(["run", *keys], sort=False, dropna=False)[value]
    return pd.concat(
        [
            spread.agg(["count", "mean", "std", "min", "max"]).rename(columns={"count": "n_seeds"}),
            spread.agg(lambda v: " ".join(f"{x:.4g}" for x in v)).rename("values"),
        ],
        axis=1,
    ).reset_index()


# One row per attacked model, benchmark and scoring: the shape of every attack
# family's table (results/tables/<attack>.csv).
ATTACK_COLUMNS = (
    "checkpoint",  # what was attacked
    "attack",
    "setting",
    "benchmark",
    "role",
    "scoring",
    "n",
    "accuracy",
    "ci_low",
    "ci_high",
    "unattacked",  # the checkpoint's own accuracy, zero-shot in the primary format
    "lift",  # accuracy - unattacked: on the oracle, the attack's false positive
    "lift_low",
    "lift_high",
    "base_accuracy",  # the base model under the same attack: R = 1
    "oracle_accuracy",  # the oracle under the same attack (forget benchmarks)
    "baseline",  # chance among the options: with the oracle, R = 0 at the higher
    "recovery",
    "recovery_low",
    "recovery_high",
    "gap",  # the gate's, under this attack: base lower bound - baseline upper bound
    "informative",
    "source",
    "source_sha256",
)


# What each attack that builds models (plan.BUILT_ATTACKS) adds to its table from the
# records of building them (unlearning_audit.built).
BUILT_COLUMNS = {
    "quantization": ("weights_changed", "quantized_weights_changed"),
    "ablation": ("first_changed_block",),
    "few_example": ("first_loss", "last_loss"),
    "soft_prompt": ("first_loss", "last_loss"),
}


def attack_table(attacked, attack: str, min_gap: float):
    """Rows of one attack family (``ATTACK_COLUMNS``). ``attacked``: one row per attacked
    model, benchmark and scoring, with columns ``parent`` (what was attacked),
    ``setting``, ``benchmark``, ``role``, ``scoring``, ``baseline`` (chance), ``source``,
    ``source_sha256``, and per-item results as pandas Series indexed by item id:
    ``correct`` (0/1), ``clusters`` and ``unattacked`` (the parent's own correctness on
    the same items, or None); the base model and the oracle under every setting among
    them. R compares each row with the base model and the knowledge-free baseline
    under the same attack and setting (``stats.recovery``, cluster bootstrap); the gate
    (``gate.gate_table``) asks whether the base model stands ``min_gap`` clear of that
    baseline under it."""
    import pandas as pd

    from unlearning_audit.gate import gate_table
    from unlearning_audit.stats import paired_difference, recovery

    # Rows of evaluation JSONs bring their accuracy (weighted); the rest (NaN or no
    # column: per-item results only, or rescored on some items) count their items.
    own = pd.DataFrame(
        {
            "accuracy": [c.mean() for c in attacked.correct],
            "n": [len(c) for c in attacked.correct],
            "n_effective": [
                cluster_effective_count(c.values, k[c.index].values)
                for c, k in zip(attacked.correct, attacked.clusters)
            ],
        },
        index=attacked.index,
    )
    attacked = attacked.assign(
        **{k: attacked[k].fillna(own[k]) if k in attacked else own[k] for k in own}
    ).astype({"n": int})
    references = attacked[attacked.parent.isin(["base", "oracle"])]
    gate = gate_table(
        references.assign(checkpoint=references.parent, variant=references.setting), min_gap
    ).set_index(list(KEY))
    under = attacked.set_index(["parent", "setting", "benchmark", "scoring"])
    parents = set(attacked.parent)
    rows = []
    for row in attacked.itertuples():
        correct = row.correct
        clusters = row.clusters[correct.index]
        key = (row.setting, row.benchmark, row.scoring)
        base = under.loc[(layout.replica_reference("base", row.parent, parents), *key)]
        oracle_key = (layout.replica_reference("oracle", row.parent, parents), *key)
        has_oracle = oracle_key in under.index
        oracle = under.loc[oracle_key] if has_oracle else None
        r = recovery(
            correct,
            base.correct[correct.index],
            oracle.correct[correct.index] if has_oracle and row.role == "forget" else None,
            row.baseline,
            clusters,
        )
        lift = (math.nan,) * 3
        if row.unattacked is not None:
            lift = paired_difference(correct, row.unattacked[correct.index], clusters=clusters)
        low, high = wilson_interval(row.accuracy, row.n_effective)
        gated = gate.loc[(row.benchmark, row.setting, row.scoring)]  # the gate's KEY order
        rows.append(
            {
                "checkpoint": row.parent,
                "attack": attack,
                "setting": row.setting,
                "benchmark": row.benchmark,
                "role": row.role,
                "scoring": row.scoring,
                "n": row.n,
                "accuracy": row.accuracy,
                "ci_low": low,
                "ci_high": high,
                "unattacked": math.nan if row.unattacked is None else row.unattacked.mean(),
                "lift": lift[0],
                "lift_low": lift[1],
                "lift_high": lift[2],
                "base_accuracy": base.accuracy,
                "oracle_accuracy": oracle.accuracy if has_oracle else math.nan,
                "baseline": row.baseline,
                "recovery": r[0],
                "recovery_low": r[1],
                "recovery_high": r[2],
                "gap": gated.gap,
                "informative": bool(gated.informative),
                "source": row.source,
                "source_sha256": row.source_sha256,
            }
        )
    return pd.DataFrame(rows, columns=list(ATTACK_COLUMNS)).sort_values(
        ["checkpoint", "setting", "benchmark", "scoring"]
    )


# Attack families of the overview figure and the audit, in the order they show them.
FAMILY_COLUMNS = (
    "checkpoint",
    "benchmark",
    "scoring",
    "family",
    "attack",  # what attacks (zero_shot, prompt, relearn_unrelated, ..., or an attack table's)
    "setting",  # which of its settings this row reads (a variant, a step count, a layer...)
    "accuracy",
    "ci_low",
    "ci_high",
    "base_accuracy",  # the references under the same attack and setting
    "oracle_accuracy",
    "baseline",  # chance among the options
    "recovery",
    "recovery_low",
    "recovery_high",
    "informative",
    "source",
)


def attack_families(summary, prompt_attacks, relearning, primary: str, scoring: str, white_box=()):
    """Each checkpoint's forget accuracy and recovery R under every attack family, one
    setting each, chosen without the test items where there is a choice: zero-shot;
    the prompt attack (k-shot or rephrased) of highest accuracy on the dev items among
    the variants the gate passes; relearning on unrelated data and on the forget slice
    after the most steps; retraining on T, scored on V; and ``white_box``: attack
    tables (``attack_table``; activations with the layer ``selected`` on T), one family
    per attack and setting (few-example fine-tuning: the most examples only). Rows of
    ``scoring`` (the activations' own scoring where they have one)."""
    import pandas as pd

    attacks = prompt_attacks[
        (prompt_attacks.role == "forget") & (prompt_attacks.scoring == scoring)
    ].rename(columns={"recovery_ci_low": "recovery_low", "recovery_ci_high": "recovery_high"})
    # The references' accuracy in each variant and split (of the row's seed replica),
    # beside every row of it.
    levels = attacks.set_index(["checkpoint", "split", "benchmark", "variant"]).accuracy
    present = set(attacks.checkpoint)
    for reference in ("base", "oracle"):
        keys = zip(attacks.checkpoint, attacks.split, attacks.benchmark, attacks.variant)
        attacks = attacks.assign(
            **{
                f"{reference}_accuracy": [
                    levels.get((layout.replica_reference(reference, c, present), *key), math.nan)
                    for c, *key in keys
                ]
            }
        )
    attacks = attacks.assign(setting=attacks.variant)
    test = attacks[attacks.split == "test"]
    frames = [test[test.variant == primary].assign(family="zero-shot", attack="zero_shot")]
    others = attacks[attacks.variant != primary]
    # Among the variants the gate passes first (it reads the references, not the model).
    dev = others[others.split == "dev"].sort_values(
        ["informative", "accuracy"], ascending=False, kind="stable"
    )
    best = dev.drop_duplicates(["checkpoint", "benchmark"])[["checkpoint", "benchmark", "variant"]]
    chosen = others[others.split == "test"].merge(best, on=["checkpoint", "benchmark", "variant"])
    frames.append(chosen.assign(family="prompt (best on dev)", attack="prompt"))
    relearned = relearning[(relearning.role == "forget") & (relearning.scoring == scoring)]
    most = relearned.groupby("relearn_corpus").relearn_steps.transform("max")
    last = relearned[relearned.relearn_steps == most]
    names = {
        "unrelated": f"relearn, unrelated ({last.relearn_steps.max()} steps)",
        "forget": "relearn, forget slice",
        "retrain": "retrain on T, V scored",
    }
    for corpus, family in names.items():
        rows = last[last.relearn_corpus == corpus].rename(columns={"parent": "rel_parent"})
        frames.append(
            rows.assign(
                checkpoint=rows.rel_parent,
                family=family,
                attack="retrain" if corpus == "retrain" else f"relearn_{corpus}",
                setting=rows.relearn_steps.astype(str) + " steps",
            )
        )
    for table in white_box:
        rows = table[table.role == "forget"]
        if "selected" in rows:  # activations: scored on V
            rows = rows[rows.selected]
            rows = rows.assign(family=rows.attack.str.replace("_", " ") + " (layer on T, V scored)")
        else:
            rows = rows[rows.scoring == scoring]
            if (rows.attack == "few_example").all():  # the most examples (Łucki et al.: 10)
                examples = rows.setting.str.rsplit("-", n=1).str[1].astype(int)
                rows = rows[examples == examples.max()]
            on_v = rows.get("scored_items", "all") == "V"
            rows = rows.assign(
                family=rows.attack.str.replace("_", " ")
                + " "
                + rows.setting
                + pd.Series(on_v, index=rows.index).map({True: ", V scored", False: ""})
            )
        frames.append(rows)
    keep = list(FAMILY_COLUMNS)
    return pd.concat([f.reindex(columns=keep) for f in frames], ignore_index=True)
