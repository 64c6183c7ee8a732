"""Rule train_base: the base model, or its oracle (the same without the forget
corpora), trained from scratch on the study's data (source: scratch) or the data
implanted into a pretrained checkpoint (source: gguf).

Training is set in epochs, so the oracle (less data) takes fewer steps and sees
every fact it shares with the base model as often as the base model does."""

from unlearning_audit.jobs import job

with job(snakemake) as current:
    # Inside the job, so that what torch and transformers print on import lands in the log.
    from transformers import AutoTokenizer

    from unlearning_audit.data import read_texts
    from unlearning_audit.models import build_llama, load_checkpoint, save_checkpoint, token_count
    from unlearning_audit.training import train_lm

    cfg = snakemake.params.base_model
    texts = read_texts(snakemake.input.data)
    if snakemake.input.pretrained:
        model, tokenizer = load_checkpoint(
            snakemake.input.pretrained[0], cfg.get("dtype", "float32")
        )
        max_length = cfg["max_length"]
    else:
        tokenizer = AutoTokenizer.from_pretrained(snakemake.input.tokenizer[0])
        model = build_llama(tokenizer, cfg["architecture"], cfg["seed"])
        max_length = cfg["architecture"]["max_length"]
    training = dict(cfg["training"])
    tokens = token_count(tokenizer, texts)
    rows_per_epoch = tokens / (training["batch_size"] * max_length)
    training["steps"] = max(1, round(training.pop("epochs") * rows_per_epoch))
    print(f"{len(texts)} texts, {tokens:,} tokens: {training['steps']} steps")
    print(f"{model.num_parameters():,} parameters")
    losses = train_lm(model, tokenizer, texts, max_length=max_length, seed=cfg["seed"], **training)
    print(f"final loss {losses[-1]:.4f}")
    # No wall time here (the record has start and end): the same config, the same folder.
    record = {"steps": training["steps"], "losses": losses}
    save_checkpoint(model, tokenizer, snakemake.output[0], record, current.record)
