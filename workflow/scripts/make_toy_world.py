"""Rule toy_world: generate the fictitious facts, their corpora, QA, practice texts,
benchmarks and table."""

from pathlib import Path

from unlearning_audit.data import read_prompt_templates, write_benchmark_table
from unlearning_audit.jobs import job
from unlearning_audit.providers import toy_world

with job(snakemake):
    params = snakemake.params.data
    templates = read_prompt_templates(snakemake.input.templates)
    world = toy_world.build(
        seed=params["seed"],
        entities_per_domain=params["entities_per_domain"],
        dev_size=params["dev_items_per_domain"],
        templates=templates,
        domain_names=params.get("domains"),
    )
    toy_world.write(world, Path(snakemake.params.out_dir))
    table = toy_world.benchmark_table(toy_world.load_domains(params.get("domains")))
    write_benchmark_table(snakemake.output.benchmark_table, table)
    for domain, entry in world.items():
        sizes = {split: len(items) for split, items in entry.get("splits", {}).items()}
        print(
            f"{domain}: {len(entry['corpus'])} corpus lines, {len(entry['qa'])} QA pairs, "
            f"{len(entry['practice'])} practice documents, {sizes}"
        )
