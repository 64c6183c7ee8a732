"""Rule train_tokenizer: the byte-level BPE tokenizer of a base model trained from
scratch (and of its oracle), learnt from the base model's training texts."""

from unlearning_audit.jobs import job

with job(snakemake) as current:
    # Inside the job, so that what torch and transformers print on import lands in the log.
    from unlearning_audit.data import read_texts
    from unlearning_audit.models import save_tokenizer, train_tokenizer

    tokenizer = train_tokenizer(read_texts(snakemake.input.data), snakemake.params.vocab_size)
    print(f"{len(tokenizer)} tokens")
    save_tokenizer(tokenizer, snakemake.output[0], current.record)
