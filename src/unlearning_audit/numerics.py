"""Pinned CPU numerics: the same config gives the same numbers on any x86-64 CPU.

torch's own vectorised kernels (ATen), MKL's BLAS and oneDNN each pick a code path
by the CPU they find (AVX-512 here, AVX2 there), and paths differ in the last bits
of a float sum; thousands of training steps amplify those bits into another model.
Pinned, every job runs torch's and MKL's AVX2 paths, which every current x86-64 CPU
has; MKL's strict mode also makes its results independent of the thread count. The Snakefile
sets these variables before any job starts, over whatever the caller set, so local
jobs inherit them and a cluster job sets them again when it reads the Snakefile.

Measured (docs/reproducibility.md): on an AVX-512 CPU the pin gives the digest of
the AVX2 path whatever ``ATEN_CPU_CAPABILITY`` the caller set; MKL took its AVX2
path there anyway, so its pin is untested on a CPU where it would not.
"""

from __future__ import annotations

import os
import platform
import sys

# The config key and its values: pinned (default) or native (each CPU's fastest
# paths: the numbers then move with the CPU).
CONFIG_KEY = "cpu_numerics"
PINNED, NATIVE = "pinned", "native"
PINNED_ENVIRONMENT = {
    "ATEN_CPU_CAPABILITY": "avx2",  # torch's vectorised kernels
    "MKL_CBWR": "AVX2,STRICT",  # MKL: conditional numerical reproducibility, strict
}
# Not oneDNN (ONEDNN_MAX_CPU_ISA=AVX2): float32 linear layers run through MKL, and
# capping oneDNN made a bfloat16 linear layer 8x slower here (no AVX-512 BF16).


def mode(config: dict) -> str:
    return config.get(CONFIG_KEY, PINNED)


def pin(config: dict) -> dict[str, str]:
    """Set the pinned variables for this process and every job it starts (x86-64
    only: the values name x86 instruction sets). Return what was set."""
    if mode(config) != PINNED or platform.machine().lower() not in ("x86_64", "amd64"):
        return {}
    os.environ.update(PINNED_ENVIRONMENT)
    return dict(PINNED_ENVIRONMENT)


def cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def state() -> dict:
    """What a provenance record says of a job's numerics: the variables that choose
    code paths, as the job saw them, the kernels torch actually ran (where the job
    imported it: a CPU without AVX2 runs below the pin) and the CPU."""
    torch = sys.modules.get("torch")
    return {
        "environment": {name: os.environ.get(name) for name in PINNED_ENVIRONMENT},
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability() if torch else None,
        "cpu": cpu_model(),
        "machine": platform.machine(),
    }
