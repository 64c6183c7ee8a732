"""Rule rewrite: one model-written rephrasing of one benchmark (both splits), as its
own lm-eval task, asked in the primary format (or, where that is the benchmark's
own lm-eval task, in the template its prompt matches). The generator checkpoint
is an input and the prompt a parameter, so both are in the record."""

from unlearning_audit import layout, rephrase
from unlearning_audit.data import read_benchmark_table, read_rows, write_tasks
from unlearning_audit.io import write_jsonl
from unlearning_audit.jobs import job
from unlearning_audit.models import load_checkpoint
from unlearning_audit.rewrite import generate_rewrites, rewritten_items

with job(snakemake):
    p, name = snakemake.params, snakemake.wildcards.rewrite
    benchmark = snakemake.wildcards.benchmark
    model, tokenizer = load_checkpoint(snakemake.input.generator, p.dtype)
    for split, source in zip(layout.SPLITS, snakemake.input.splits):
        items = [dict(row) for row in read_rows([source])]
        questions = [item["question"] for item in items]
        rewrites = generate_rewrites(
            model, tokenizer, questions, p.prompt, p.max_new_tokens, p.batch_size
        )
        items, rejected = rewritten_items(items, rewrites)
        write_jsonl(snakemake.output[split], items)
        print(f"{benchmark} {split} rewritten as {name}: {rejected} of {len(items)} rejected")
    primary = p.primary_format
    if primary == layout.OWN_TASK:
        primary = read_benchmark_table(snakemake.input.benchmark_table)[benchmark]["format"]
    data_files = {split: snakemake.output[split] for split in layout.SPLITS}
    template = layout.template(rephrase.asked_format(name, primary))
    write_tasks(benchmark, f"rephrase_{name}", data_files, template)
