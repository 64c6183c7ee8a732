"""Rule toy_world: generate the fictitious facts, their corpora, QA, practice texts,
benchmarks and table."""

import functools
from pathlib import Path

from unlearning_audit.data import read_prompt_templates, write_benchmark_table
from unlearning_audit.jobs import job
from unlearning_audit.providers import toy_world


def chat_template(tokenizer_dir: str):
    """The model's own chat template, as lm-eval's HFLM applies it to a conversation."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    if not tokenizer.chat_template:
        raise ValueError(f"{tokenizer_dir}: the tokenizer has no chat template")
    return functools.partial(tokenizer.apply_chat_template, tokenize=False)


with job(snakemake):
    params = snakemake.params.data
    templates = read_prompt_templates(snakemake.input.templates)
    chat = snakemake.input.chat_tokenizer
    world = toy_world.build(
        seed=params["seed"],
        entities_per_domain=params["entities_per_domain"],
        dev_size=params["dev_items_per_domain"],
        templates=templates,
        domain_names=params.get("domains"),
        chat_template=chat_template(chat[0]) if chat else None,
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
