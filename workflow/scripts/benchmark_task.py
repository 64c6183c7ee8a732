"""Rule benchmark_task: the lm-eval task asking one benchmark in one prompt template."""

from unlearning_audit import layout
from unlearning_audit.data import write_task
from unlearning_audit.jobs import job

with job(snakemake):
    benchmark, prompt_format = snakemake.wildcards.benchmark, snakemake.wildcards.prompt_format
    task = layout.task_name(benchmark, prompt_format)
    data_files = dict(zip(layout.SPLITS, snakemake.input.splits))
    write_task(snakemake.output.task, task, data_files, layout.template(prompt_format))
    print(f"{task}: {data_files}")
