"""Rule exemplar_task: the lm-eval tasks (one per scoring and split) asking one
benchmark in one prompt template, its few-shot exemplars the first dev items of
another benchmark (attacks.few_shot_from), as the paper's WMDP prompts showed MMLU's."""

from unlearning_audit import layout
from unlearning_audit.data import write_tasks
from unlearning_audit.jobs import job
from unlearning_audit.plan import exemplar_variant

with job(snakemake):
    benchmark, prompt_format = snakemake.wildcards.benchmark, snakemake.wildcards.prompt_format
    variant = exemplar_variant(prompt_format, snakemake.wildcards.source)
    data_files = dict(zip(layout.SPLITS, snakemake.input.splits))
    write_tasks(
        benchmark, variant, data_files, layout.template(prompt_format), snakemake.input.fewshot
    )
    print(f"{benchmark} as {variant}: {data_files}, exemplars from {snakemake.input.fewshot}")
