"""Rule corpus: one text corpus (a hub dataset split, or a local file checked by its
sha256) as results/data/hub/corpora/<name>.jsonl with a `text` column."""

from unlearning_audit.data import load_hub_rows, read_local_corpus
from unlearning_audit.io import write_jsonl
from unlearning_audit.jobs import job

with job(snakemake):
    source = snakemake.params.source
    if "local" in source:
        texts = read_local_corpus(source["local"])
    else:
        texts = load_hub_rows(source["hub"])["text"]
    # Empty lines (wikitext's paragraph breaks) teach nothing.
    texts = [t.strip() for t in texts if t.strip()]
    write_jsonl(snakemake.output[0], [{"text": t} for t in texts])
    print(f"{snakemake.wildcards.name}: {len(texts)} texts")
