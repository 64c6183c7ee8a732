"""Rule rephrase: one rephrased copy of one benchmark, as its own lm-eval task.

A transform that names no prompt format is asked in the primary format, or, where
the primary variant is the benchmark's own lm-eval task, in the template that
task's prompt matches (the benchmark table's `format`).
"""

from unlearning_audit import layout, rephrase
from unlearning_audit.data import read_rows, write_rephrased_tasks
from unlearning_audit.io import write_jsonl
from unlearning_audit.jobs import job

with job(snakemake):
    name, benchmark = snakemake.wildcards.transform, snakemake.wildcards.benchmark
    for split, source in zip(layout.SPLITS, snakemake.input.splits):
        items = [dict(row) for row in read_rows([source])]
        write_jsonl(
            snakemake.output[split], rephrase.transform_split(name, items, snakemake.params.seed)
        )
    data_files = {split: snakemake.output[split] for split in layout.SPLITS}
    prompt_format = write_rephrased_tasks(
        benchmark,
        name,
        data_files,
        snakemake.params.primary_format,
        snakemake.input.benchmark_table,
    )
    print(f"{benchmark} rephrased {name}: {len(items)} test items, asked as {prompt_format}")
