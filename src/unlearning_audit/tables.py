"""Table rows from evaluation JSONs, each keeping the path and hash of its source."""

from __future__ import annotations

import json

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
