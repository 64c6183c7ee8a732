"""Rule benchmark_task: the lm-eval tasks (one per scoring and split) asking one
benchmark in one prompt template, its few-shot exemplars from its own dev items or
from another benchmark's (a hub benchmark's ``fewshot_from``, or a prompt variant of
``attacks.few_shot_from``: Study.fewshot_items)."""

from unlearning_audit import layout
from unlearning_audit.data import write_tasks
from unlearning_audit.jobs import job

with job(snakemake):
    benchmark, variant = snakemake.wildcards.benchmark, snakemake.wildcards.prompt_variant
    data_files = dict(zip(layout.SPLITS, snakemake.input.splits))
    fewshot = snakemake.input.fewshot[0] if snakemake.input.fewshot else None
    write_tasks(benchmark, variant, data_files, snakemake.params.template, fewshot)
    print(f"{benchmark} as {variant}: {data_files}, exemplars from {fewshot or 'dev'}")
