"""Rule rephrase: one rephrased copy of one benchmark, as its own lm-eval task."""

from pathlib import Path

from unlearning_audit import rephrase, toy_world
from unlearning_audit.data import read_rows
from unlearning_audit.io import write_jsonl
from unlearning_audit.jobs import job

with job(snakemake):
    name, benchmark = snakemake.wildcards.transform, snakemake.wildcards.benchmark
    for split in ("dev", "test"):
        items = [dict(row) for row in read_rows([snakemake.input[split]])]
        write_jsonl(
            snakemake.output[split], rephrase.transform_split(name, items, snakemake.params.seed)
        )
    prompt_format = rephrase.TRANSFORMS[name]["format"] or snakemake.params.primary_format
    task = toy_world.task_name(benchmark, f"rephrase_{name}")
    toy_world.write_task(
        Path(snakemake.output.task), task, Path(snakemake.output.test).parent, prompt_format
    )
    print(f"{task}: {len(items)} test items, scored as {prompt_format}")
