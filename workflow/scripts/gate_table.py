"""Rule gate_table: which benchmark variants can show knowledge (see unlearning_audit.gate)."""

import pandas as pd

from unlearning_audit.gate import gate_table
from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job
from unlearning_audit.tables import eval_row

with job(snakemake):
    evaluations = pd.DataFrame([eval_row(p) for p in snakemake.input])
    gate = gate_table(evaluations, snakemake.params.min_gap)
    print(gate.to_string(index=False))
    with atomic_path(snakemake.output.table) as tmp:
        gate.to_csv(tmp, index=False)
