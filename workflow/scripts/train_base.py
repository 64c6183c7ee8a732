"""Rule train_base: a model trained from scratch on the study's corpora and QA (source:
scratch), or the same data implanted into a pretrained checkpoint (source: gguf)."""

from unlearning_audit.data import read_texts
from unlearning_audit.jobs import job
from unlearning_audit.models import build_llama, load_checkpoint, save_checkpoint, train_tokenizer
from unlearning_audit.training import train_lm

with job(snakemake) as current:
    cfg = snakemake.params.base_model
    # Every corpus, plus its question/answer pairs.
    texts = read_texts(snakemake.input.corpora + snakemake.input.qa)
    if snakemake.input.pretrained:
        model, tokenizer = load_checkpoint(
            snakemake.input.pretrained[0], cfg.get("dtype", "float32")
        )
        max_length = cfg["max_length"]
    else:
        tokenizer = train_tokenizer(texts, cfg["tokenizer_vocab_size"])
        model = build_llama(tokenizer, cfg["architecture"], cfg["seed"])
        max_length = cfg["architecture"]["max_length"]
    print(f"{len(texts)} texts, {model.num_parameters():,} parameters")
    losses = train_lm(
        model, tokenizer, texts, max_length=max_length, seed=cfg["seed"], **cfg["training"]
    )
    print(f"final loss {losses[-1]:.4f}")
    record = {"wall_time_s": current.elapsed(), "losses": losses}
    save_checkpoint(model, tokenizer, snakemake.output[0], record, current.record)
