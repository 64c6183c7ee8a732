"""Rule perplexity: one checkpoint's perplexity on the held-out documents of the
study's unrelated corpus (evaluation.perplexity), scored by lm-eval."""

from unlearning_audit.jobs import job

with job(snakemake) as current:
    # Inside the job, so that what torch and transformers print on import lands in the log.
    from unlearning_audit.evaluation import load_lm, perplexity, task_manager
    from unlearning_audit.io import write_json
    from unlearning_audit.provenance import EMBED_KEY, json_digest

    checkpoint, spec = snakemake.input.checkpoint, snakemake.input.task
    p = snakemake.params
    lm = load_lm(checkpoint, batch_size=p.batch_size, dtype=p.dtype, max_length=p.max_length)
    result = perplexity(lm, spec, snakemake.params.task, task_manager([]))
    print(
        f"{checkpoint}: word perplexity {result['word_perplexity']:.2f}, "
        f"{result['bits_per_byte']:.3f} bits per byte ({result['documents']} documents)"
    )
    result |= {
        "checkpoint": snakemake.wildcards.model,
        "checkpoint_path": checkpoint,
        "corpus": snakemake.params.corpus,
        "wall_time_s": current.elapsed(),
    }
    inputs = [checkpoint, spec, snakemake.input.documents, snakemake.input.template]
    result[EMBED_KEY] = current.record(json_digest(result), inputs=inputs)
    write_json(snakemake.output[0], result)
