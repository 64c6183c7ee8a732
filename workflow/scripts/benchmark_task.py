"""Rule benchmark_task: the lm-eval tasks (one per scoring and split) asking one
benchmark in one prompt template, its few-shot exemplars from its own dev items or
from another benchmark's (``fewshot_from``)."""

from unlearning_audit import layout
from unlearning_audit.data import write_tasks
from unlearning_audit.jobs import job

with job(snakemake):
    benchmark, prompt_format = snakemake.wildcards.benchmark, snakemake.wildcards.prompt_format
    data_files = dict(zip(layout.SPLITS, snakemake.input.splits))
    fewshot = snakemake.input.fewshot[0] if snakemake.input.fewshot else None
    write_tasks(benchmark, prompt_format, data_files, layout.template(prompt_format), fewshot)
    print(f"{benchmark} as {prompt_format}: {data_files}, exemplars from {fewshot or 'dev'}")
