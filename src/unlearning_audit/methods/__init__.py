"""Unlearning methods. Each takes (model, tokenizer, data, params) and updates
the model in place; ``data`` is an ``UnlearningData``. Each gradient method is its
loss on the one loop of ``common.training_loop``. The config schema's method list
(workflow/schemas/config.schema.yaml) is these and ``released`` (tests/test_config.py)."""

from unlearning_audit.methods.common import UnlearningData
from unlearning_audit.methods.distill import distill
from unlearning_audit.methods.gradient_ascent import gradient_ascent
from unlearning_audit.methods.gradient_difference import gradient_difference
from unlearning_audit.methods.llmu import llmu
from unlearning_audit.methods.npo import npo
from unlearning_audit.methods.rmu import rmu

METHODS = {
    "rmu": rmu,
    "llmu": llmu,
    "gradient_ascent": gradient_ascent,
    "gradient_difference": gradient_difference,
    "npo": npo,
    "distill": distill,
}

__all__ = ["METHODS", "UnlearningData"]
