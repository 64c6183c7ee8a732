"""Job sizes and site settings for cluster runs (`snakemake --profile slurm`).

Sizes (runtime, memory, GPUs) belong to the study and live in its config, so the
paper config asks for hours and tens of GB while the toy world asks for minutes.
Site settings (account, partitions, QOS, GPU model) belong to the cluster and come
from environment variables, so no tracked file is edited per site.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

# Environment variable -> Slurm executor resource it sets (unset or empty: not sent).
SITE_VARIABLES = {
    "UNLEARNING_AUDIT_SLURM_ACCOUNT": "slurm_account",
    "UNLEARNING_AUDIT_SLURM_QOS": "qos",
}
GPU_PARTITION = "UNLEARNING_AUDIT_SLURM_GPU_PARTITION"
CPU_PARTITION = "UNLEARNING_AUDIT_SLURM_CPU_PARTITION"
GPU_MODEL = "UNLEARNING_AUDIT_SLURM_GPU_MODEL"


def job_resources(
    rule: str, sizes: Mapping[str, Mapping], environ: Mapping[str, str] = os.environ
) -> dict:
    """Snakemake resources of one rule: its size from the config, the site's settings.

    Rules that ask for a GPU go to the GPU partition (and GPU model, if set); the
    others to the CPU partition.
    """
    size = {**sizes["default"], **sizes.get(rule, {})}
    resources = {"runtime": size["runtime"], "mem_mb": size["mem_mb"]}
    site = {resource: environ.get(variable) for variable, resource in SITE_VARIABLES.items()}
    if size["gpu"]:
        resources["gpu"] = size["gpu"]
        site |= {
            "slurm_partition": environ.get(GPU_PARTITION),
            "gpu_model": environ.get(GPU_MODEL),
        }
    else:
        site["slurm_partition"] = environ.get(CPU_PARTITION)
    return resources | {key: value for key, value in site.items() if value}
