"""Rule fetch_base: a Hugging Face model at a pinned revision -> a safetensors checkpoint.

Needs hub access (or a local folder as `name`); the revision is recorded with it.
"""

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from unlearning_audit.jobs import job
from unlearning_audit.models import save_checkpoint

with job(snakemake) as current:
    p = snakemake.params
    options = {"revision": p.revision, "trust_remote_code": p.trust_remote_code}
    tokenizer = AutoTokenizer.from_pretrained(p.name, **options)
    model = AutoModelForCausalLM.from_pretrained(
        p.name, dtype=getattr(torch, p.dtype), use_safetensors=True, **options
    )
    print(f"{p.name}@{p.revision}: {model.num_parameters():,} parameters")
    record = {"source": p.name, "revision": p.revision}
    save_checkpoint(model, tokenizer, snakemake.output[0], record, current.record)
