"""Rule evaluate: one checkpoint x one benchmark task, scored by lm-eval."""

from pathlib import Path

from unlearning_audit.evaluation import evaluate_checkpoint
from unlearning_audit.io import write_json
from unlearning_audit.jobs import job
from unlearning_audit.provenance import EMBED_KEY, json_digest

with job(snakemake) as current:
    result = evaluate_checkpoint(
        snakemake.input.checkpoint,
        snakemake.wildcards.task,
        Path(snakemake.input.task).parent,
        batch_size=snakemake.params.batch_size,
    )
    print(f"{snakemake.wildcards.task}: acc {result['accuracy']:.3f} (n={result['n']})")
    result["checkpoint"] = snakemake.wildcards.checkpoint
    result["checkpoint_path"] = snakemake.input.checkpoint
    result["wall_time_s"] = current.elapsed()
    result[EMBED_KEY] = current.record(json_digest(result))
    write_json(snakemake.output[0], result)
