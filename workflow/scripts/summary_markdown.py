"""Rule summary_markdown: the key numbers of the study as Markdown, for the README
(unlearning_audit.report), as results/tables/summary.md."""

import pandas as pd

from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job
from unlearning_audit.plan import BUILT_ATTACKS
from unlearning_audit.report import TABLES, summary_markdown

with job(snakemake):
    gate = pd.read_csv(snakemake.input.gate)
    # The white-box attacks' tables where the study runs them.
    white_box = [name for name in (*BUILT_ATTACKS, "activations") if name in snakemake.input.keys()]
    tables = {name: pd.read_csv(snakemake.input[name]) for name in (*TABLES, *white_box)}
    # Where the study scores perplexity.
    scored = "perplexity" in snakemake.input.keys()
    perplexity = pd.read_csv(snakemake.input.perplexity) if scored else None
    text = summary_markdown(gate, tables, perplexity, **dict(snakemake.params.items()))
    print(text)
    with atomic_path(snakemake.output.markdown) as tmp:
        tmp.write_text(text)
