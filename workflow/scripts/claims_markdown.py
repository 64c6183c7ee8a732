"""Rule claims_markdown: the paper's three claims, measured and decided by the rules in
the config's `claims` (unlearning_audit.claims), as results/tables/claims.md."""

import pandas as pd

from unlearning_audit.claims import TABLES, claims_markdown
from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job

with job(snakemake):
    tables = {name: pd.read_csv(snakemake.input[name]) for name in TABLES}
    text = claims_markdown(tables, **dict(snakemake.params.items()))
    print(text)
    with atomic_path(snakemake.output.markdown) as tmp:
        tmp.write_text(text)
