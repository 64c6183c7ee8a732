"""Rule activations_table: the logit lens and the probes of every reference and
attacked model, per layer, on entities V, each against the base model (R = 1) and
the oracle (R = 0) at the same layer, under the gate at that layer
(unlearning_audit.tables.attack_table). ``unattacked`` is the model itself (the lens
at its last layer); ``selected`` marks the layer chosen on entities T, among those the
gate passes."""

import json

import numpy as np
import pandas as pd

from unlearning_audit.activations import LENS, PROBE
from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job
from unlearning_audit.provenance import digest
from unlearning_audit.tables import attack_table

SCORED_AS = {LENS: "loglikelihood", PROBE: "probe"}


def layer_rows(path: str) -> list[dict]:
    result = json.loads(open(path).read())
    rows = []
    for benchmark, read in result["benchmarks"].items():
        items = pd.DataFrame(read["items"])
        held_out = (items.split == "V").to_numpy()
        ids = items.id[held_out].to_numpy()
        clusters = pd.Series(items.cluster[held_out].to_numpy(), index=ids)
        on_v = {
            attack: [
                pd.Series(np.asarray(layer["correct"])[held_out], index=ids)
                for layer in read[attack]
            ]
            for attack in (LENS, PROBE)
        }
        itself = on_v[LENS][-1]  # at its last layer, the lens is the model
        for attack in (LENS, PROBE):
            for index, layer in enumerate(read[attack]):
                rows.append(
                    {
                        "attack": attack,
                        "parent": result["checkpoint"],
                        "setting": f"layer {index + 1}",
                        "layer": index + 1,
                        "benchmark": benchmark,
                        "role": read["role"],
                        "scoring": SCORED_AS[attack],
                        "baseline": read["baseline"],
                        "correct": on_v[attack][index],
                        "clusters": clusters,
                        "unattacked": itself,
                        "t_accuracy": layer["t_accuracy"],
                        "source": path,
                        "source_sha256": digest(path),
                    }
                )
    return rows


with job(snakemake):
    frame = pd.DataFrame([row for path in snakemake.input.evaluations for row in layer_rows(path)])
    tables = [
        attack_table(frame[frame.attack == attack], attack, snakemake.params.min_gap)
        for attack in (LENS, PROBE)
    ]
    keys = ["checkpoint", "attack", "setting", "benchmark"]
    layers = frame.rename(columns={"parent": "checkpoint"})[[*keys, "layer", "t_accuracy"]]
    table = pd.concat(tables).merge(layers, on=keys)
    table = table.sort_values(["attack", "checkpoint", "benchmark", "layer"], ignore_index=True)
    # The layer reported: the best on T among those the gate passes (at the others the
    # base model does not stand clear of the baseline), the first of equals.
    ranked = table.sort_values(["informative", "t_accuracy"], ascending=False, kind="stable")
    table["selected"] = table.index.isin(
        ranked.drop_duplicates(["checkpoint", "attack", "benchmark"]).index
    )
    shown = [
        "attack",
        "checkpoint",
        "benchmark",
        "layer",
        "accuracy",
        "recovery",
        "selected",
        "informative",
    ]
    print(table[shown].to_string(index=False))
    with atomic_path(snakemake.output.table) as tmp:
        table.to_csv(tmp, index=False)
