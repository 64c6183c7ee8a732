"""Rule rephrased_file: one rephrasing of one forget benchmark (both splits) read from a
file written elsewhere (attacks.rephrased_files), checked against its sha256, as its
own lm-eval task in the primary format. Each item takes its question and options from
its row of the file; rejected rows leave the item as it was, and are counted."""

from unlearning_audit import layout
from unlearning_audit.data import read_rows, write_rephrased_tasks
from unlearning_audit.io import write_jsonl
from unlearning_audit.jobs import job
from unlearning_audit.providers.hub import checked_local_file
from unlearning_audit.rewrite import supplied_items

with job(snakemake):
    name, benchmark = snakemake.wildcards.supplied, snakemake.wildcards.benchmark
    rows = [dict(row) for row in read_rows([checked_local_file(snakemake.params.file)])]
    for split, source in zip(layout.SPLITS, snakemake.input.splits):
        items, rejected = supplied_items([dict(row) for row in read_rows([source])], rows)
        write_jsonl(snakemake.output[split], items)
        changed = sum(item["rewritten"] for item in items)
        print(
            f"{benchmark} {split} as {name}: {changed} of {len(items)} rephrased, "
            f"{rejected} rows rejected"
        )
    data_files = {split: snakemake.output[split] for split in layout.SPLITS}
    write_rephrased_tasks(
        benchmark,
        name,
        data_files,
        snakemake.params.primary_format,
        snakemake.input.benchmark_table,
    )
