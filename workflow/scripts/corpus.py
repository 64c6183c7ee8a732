"""Rule corpus (hub provider): one text corpus (a hub dataset split, or a local file
checked by its sha256) as JSONL with a `text` column, and its texts split into
question/answer pairs for methods that need them (LLMU)."""

from unlearning_audit.io import write_jsonl
from unlearning_audit.jobs import job
from unlearning_audit.providers.hub import load_hub_rows, qa_from_texts, read_local_corpus

with job(snakemake):
    source = snakemake.params.source
    if "local" in source:
        texts = read_local_corpus(source["local"])
    else:
        texts = load_hub_rows(source["hub"])["text"]
    # Empty lines (wikitext's paragraph breaks) teach nothing.
    texts = [t.strip() for t in texts if t.strip()]
    write_jsonl(snakemake.output.corpus, [{"text": t} for t in texts])
    write_jsonl(snakemake.output.qa, qa_from_texts(texts))
    print(f"{snakemake.wildcards.name}: {len(texts)} texts")
