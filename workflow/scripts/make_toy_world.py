"""Rule toy_world: generate the fictitious facts, corpora, benchmarks and lm-eval tasks."""

from pathlib import Path

from unlearning_audit import toy_world
from unlearning_audit.jobs import job

with job(snakemake):
    params = snakemake.params.toy_world
    world = toy_world.build(
        seed=params["seed"],
        entities_per_domain=params["entities_per_domain"],
        dev_size=params["dev_items_per_domain"],
    )
    toy_world.write(world, Path(snakemake.params.out_dir), snakemake.params.prompt_formats)
    for domain, entry in world.items():
        sizes = {split: len(items) for split, items in entry.get("splits", {}).items()}
        print(f"{domain}: {len(entry['corpus'])} corpus lines, {len(entry['qa'])} facts, {sizes}")
