"""Rule train_base: the base model, or its oracle (the same without the forget
corpora), trained from scratch on the study's data (source: scratch) or the data
implanted into a pretrained checkpoint (source: gguf)."""

from transformers import AutoTokenizer

from unlearning_audit.data import read_texts
from unlearning_audit.jobs import job
from unlearning_audit.models import build_llama, load_checkpoint, save_checkpoint, train_tokenizer
from unlearning_audit.training import train_lm

with job(snakemake) as current:
    cfg = snakemake.params.base_model
    texts = read_texts(snakemake.input.data)
    if snakemake.input.pretrained:
        model, tokenizer = load_checkpoint(
            snakemake.input.pretrained[0], cfg.get("dtype", "float32")
        )
        max_length = cfg["max_length"]
    else:
        if snakemake.input.tokenizer:
            tokenizer = AutoTokenizer.from_pretrained(snakemake.input.tokenizer[0])
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
