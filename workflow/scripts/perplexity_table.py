"""Rule perplexity_table: each scored checkpoint's word perplexity on the held-out
documents, with its 95 % bootstrap interval (documents resampled), and its ratio
to the base model's on the same documents (resampled paired: above 1, unlearning
made ordinary text less likely)."""

import json

import pandas as pd

from unlearning_audit import layout
from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job
from unlearning_audit.provenance import EMBED_KEY, digest
from unlearning_audit.stats import perplexity

with job(snakemake):
    results = {path: json.loads(open(path).read()) for path in snakemake.input}
    by_checkpoint = {r["checkpoint"]: r for r in results.values()}
    rows = []
    for path, result in results.items():
        # The base model of the checkpoint's own seed replica, where there is one.
        base = by_checkpoint[layout.replica_reference("base", result["checkpoint"], by_checkpoint)]
        items = result["items"]
        assert [i["id"] for i in items] == [i["id"] for i in base["items"]], path
        ll, words = [i["loglikelihood"] for i in items], [i["words"] for i in items]
        value, low, high = perplexity(ll, words)
        ratio = perplexity(ll, words, reference=[i["loglikelihood"] for i in base["items"]])
        inputs = {i["path"]: i["sha256"] for i in result[EMBED_KEY]["inputs"]}
        rows.append(
            {
                "checkpoint": result["checkpoint"],
                "corpus": result["corpus"],
                "documents": result["documents"],
                "words": sum(words),
                "word_perplexity": value,  # lm-eval's, recomputed from its items
                "ci_low": low,
                "ci_high": high,
                "vs_base": ratio[0],
                "vs_base_low": ratio[1],
                "vs_base_high": ratio[2],
                "byte_perplexity": result["byte_perplexity"],
                "bits_per_byte": result["bits_per_byte"],
                "source": path,
                "source_sha256": digest(path),
                "checkpoint_path": result["checkpoint_path"],
                "checkpoint_sha256": inputs[result["checkpoint_path"]],
            }
        )
        assert abs(value - result["word_perplexity"]) <= 1e-6 * value, (path, value)
    table = pd.DataFrame(rows)
    print(table.drop(columns=["source_sha256", "checkpoint_sha256"]).to_string(index=False))
    with atomic_path(snakemake.output.table) as tmp:
        table.to_csv(tmp, index=False)
