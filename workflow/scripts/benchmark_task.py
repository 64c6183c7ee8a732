"""Rule benchmark_task: the lm-eval tasks (one per scoring and split) asking one
benchmark in one prompt template."""

from unlearning_audit import layout
from unlearning_audit.data import write_tasks
from unlearning_audit.jobs import job

with job(snakemake):
    benchmark, prompt_format = snakemake.wildcards.benchmark, snakemake.wildcards.prompt_format
    data_files = dict(zip(layout.SPLITS, snakemake.input.splits))
    write_tasks(benchmark, prompt_format, data_files, layout.template(prompt_format))
    print(f"{benchmark} as {prompt_format}: {data_files}")
