"""Rule perplexity_task: the documents of an unrelated corpus that perplexity is
scored on (all, or a seeded random draw of ``documents``), and the lm-eval task
that scores them."""

import random

from unlearning_audit.data import read_texts, write_perplexity_task
from unlearning_audit.io import write_jsonl
from unlearning_audit.jobs import job

with job(snakemake):
    corpus, count = snakemake.params.corpus, snakemake.params.documents
    texts = read_texts([snakemake.input.corpus])
    if count is not None and count < len(texts):
        texts = random.Random(snakemake.params.seed).sample(texts, count)
    write_jsonl(snakemake.output.documents, [{"text": t} for t in texts])
    write_perplexity_task(snakemake.output.task, snakemake.output.documents)
    print(f"perplexity on {len(texts)} documents of {corpus}: {snakemake.output.task}")
