"""Rule audit_table: hidden or removed? One cell per checkpoint, forget benchmark,
scoring and attack family, and a verdict per run by the rules in the config's `audit`
(unlearning_audit.audit), as results/tables/audit.csv and audit.md."""

import pandas as pd

from unlearning_audit.audit import audit_markdown, audit_table
from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job

with job(snakemake):
    tables = {name: pd.read_csv(path) for name, path in snakemake.input.items()}
    params, rules = snakemake.params, snakemake.params.rules
    cells = audit_table(tables, params.primary_format, params.scorings, params.runs, **rules)
    text = audit_markdown(cells, params.runs, params.scorings[0], **rules)
    print(text)
    with atomic_path(snakemake.output.table) as tmp:
        cells.to_csv(tmp, index=False)
    with atomic_path(snakemake.output.markdown) as tmp:
        tmp.write_text(text)
