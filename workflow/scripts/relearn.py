"""Rule relearn: fine-tune a checkpoint on other data, saving it along the way.

The attack fine-tunes unlearned models on unrelated data; the controls
fine-tune the base model the same way, and the unlearned models on a slice of
their forget data: the provider's forget slices, which state no tested fact, or
(a provider without them) a random share of the forget corpora. Retraining
(every model) reads texts about part T of the tested entities; the tables score
it on the rest, V. One run per (parent, corpus); the checkpoint after k steps
is saved for every k in the schedule, so later ones continue earlier ones.
"""

from unlearning_audit.jobs import job

with job(snakemake) as current:
    # Inside the job, so that what torch and transformers print on import lands in the log.
    import random

    import torch

    from unlearning_audit.data import read_texts
    from unlearning_audit.models import load_checkpoint, save_checkpoint
    from unlearning_audit.training import finetune_lm

    cfg, corpus = snakemake.params.relearning, snakemake.wildcards.corpus
    texts = read_texts(snakemake.input.corpora)
    if corpus == "forget" and not snakemake.params.sliced:  # a share of the corpora
        random.Random(cfg["seed"]).shuffle(texts)
        texts = texts[: max(cfg["batch_size"], int(cfg["forget_fraction"] * len(texts)))]
    model, tokenizer = load_checkpoint(snakemake.input.parent, snakemake.params.dtype)
    torch.manual_seed(cfg["seed"])
    print(f"relearning {snakemake.input.parent} on {len(texts)} {corpus} texts ({cfg['tuning']})")

    def save(model, steps, losses):
        index = snakemake.params.steps.index(steps)
        record = {"parent": snakemake.input.parent, "corpus": corpus, "steps": steps}
        record |= {"tuning": cfg["tuning"], "losses": losses}
        save_checkpoint(model, tokenizer, snakemake.output[index], record, current.record)

    finetune_lm(
        model, tokenizer, texts, cfg, checkpoints=snakemake.params.steps, on_checkpoint=save
    )
