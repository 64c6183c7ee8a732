"""Rule rewrite: one model-written rephrasing of one benchmark (both splits), as its
own lm-eval task, asked in the primary format (or, where that is the benchmark's
own lm-eval task, in the template its prompt matches). The generator checkpoint
is an input and the prompt a parameter, so both are in the record."""

from unlearning_audit.jobs import job

with job(snakemake):
    # Inside the job, so that what torch and transformers print on import lands in the log.
    from unlearning_audit import layout
    from unlearning_audit.data import read_rows, write_rephrased_tasks
    from unlearning_audit.io import write_jsonl
    from unlearning_audit.models import load_checkpoint
    from unlearning_audit.rewrite import generate_rewrites, rewritten_items

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
    data_files = {split: snakemake.output[split] for split in layout.SPLITS}
    write_rephrased_tasks(
        benchmark, name, data_files, p.primary_format, snakemake.input.benchmark_table
    )
