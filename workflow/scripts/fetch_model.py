"""Rule fetch_model: a Hugging Face model at a pinned revision -> a safetensors
checkpoint: a pretrained base model, or a released unlearned one (cais/Zephyr_RMU).

Needs hub access (or a local folder as `name`); name and revision are recorded with it.
"""

from unlearning_audit.jobs import job

with job(snakemake) as current:
    # Inside the job, so that what torch and transformers print on import lands in the log.
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from unlearning_audit.models import save_checkpoint

    model, dtype = snakemake.params.model, snakemake.params.dtype
    options = {
        "revision": model["revision"],
        "trust_remote_code": model.get("trust_remote_code", False),
    }
    tokenizer = AutoTokenizer.from_pretrained(model["name"], **options)
    loaded = AutoModelForCausalLM.from_pretrained(
        model["name"], dtype=getattr(torch, dtype), use_safetensors=True, **options
    )
    print(f"{model['name']}@{model['revision']}: {loaded.num_parameters():,} parameters")
    record = {"source": model["name"], "revision": model["revision"]}
    save_checkpoint(loaded, tokenizer, snakemake.output[0], record, current.record)
