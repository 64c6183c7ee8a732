"""Rule unlearn: apply one unlearning method to the base checkpoint."""

from unlearning_audit.jobs import job

with job(snakemake) as current:
    # Inside the job, so that what torch and transformers print on import lands in the log.
    from pathlib import Path

    import torch

    from unlearning_audit.data import read_qa, read_texts
    from unlearning_audit.methods import METHODS, UnlearningData
    from unlearning_audit.models import load_checkpoint, save_checkpoint

    inputs, hparams = snakemake.input, snakemake.params.hparams
    model, tokenizer = load_checkpoint(inputs.base, snakemake.params.dtype)
    distilled = "teacher" in inputs.keys()  # a distilled run: its teacher and texts
    data = UnlearningData(
        forget_corpora={Path(p).stem: read_texts([p]) for p in inputs.forget_corpora},
        forget_qa=read_qa(inputs.forget_qa),
        retain_corpus=read_texts(inputs.retain_corpus),
        retain_qa=read_qa(inputs.retain_qa),
        other_corpora={
            name.removesuffix("_corpus"): read_texts(inputs[name])
            for name in inputs.keys()
            if name in ("capability_corpus", "unrelated_corpus")
        },
        teacher=load_checkpoint(inputs.teacher, snakemake.params.dtype)[0] if distilled else None,
    )
    torch.manual_seed(hparams["seed"])
    stats = METHODS[snakemake.params.method](model, tokenizer, data, hparams)
    print({k: v for k, v in stats.items() if k != "steps"}, "last step:", stats["steps"][-1])
    record = {"method": snakemake.params.method, "parent": inputs.base}
    if distilled:
        record["teacher"] = inputs.teacher
    record |= stats
    save_checkpoint(model, tokenizer, snakemake.output[0], record, current.record)
