"""Rule summary_markdown: the key numbers as a Markdown table, for the README."""

import pandas as pd

from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job

with job(snakemake):
    table = pd.read_csv(snakemake.input[0])
    table = table[table.prompt_format == snakemake.params.primary_format]
    purpose = {"hazard": "forget", "general": "capability"}
    cells = table.assign(
        cell=[f"{a:.2f} ± {s:.2f}" for a, s in zip(table.accuracy, table.stderr)],
        column=[
            f"{d} ({'forget' if r == 'hazard' else 'capability'})"
            for d, r in zip(table.domain, table.role)
        ],
    ).pivot(index="checkpoint", columns="column", values="cell")
    order = ["base"] + [c for c in cells.index if c != "base"]
    n = ", ".join(f"{d}: {k}" for d, k in table.groupby("domain").n.first().items())
    text = (
        f"Accuracy ± lm-eval stderr, zero-shot, {snakemake.params.primary_format} scoring; "
        f"chance {table.chance.iloc[0]:.2f}; test items per benchmark: {n}.\n\n"
        + cells.loc[order].to_markdown()
        + "\n"
    )
    print(text)
    with atomic_path(snakemake.output.markdown) as tmp:
        tmp.write_text(text)
