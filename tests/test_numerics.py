"""Pinned CPU numerics (unlearning_audit.numerics): the workflow's pin wins over the
kernels the caller's environment asks for, and the tiny base model has the digest
written down here on any x86-64 CPU with AVX2."""

import json
import os
import platform
import shutil
import subprocess

import pytest
import yaml
from conftest import copy_study, make_workdir, snakemake_command

from unlearning_audit import layout, provenance

# The tiny base model's folder digest (weights, tokenizer, training record; not its
# provenance record) under the pin. Measured 2026-12-04 on an AMD EPYC (Zen 4, with
# AVX-512) with torch 2.13.0 and transformers 5.23.0: a change of either, or of the
# tiny config or of training, changes it; then measure it again and say why.
EXPECTED_TINY_BASE = "22f25a078123f68fc172beaff00021a4985063d3ee2fdbbfc574c21ba7bce2bd"
BASE = layout.checkpoint("base")


def has_avx2() -> bool:
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            return any(line.startswith("flags") and " avx2" in line for line in cpuinfo)
    except OSError:
        return False


needs_avx2 = pytest.mark.skipif(
    not has_avx2(), reason="the pin names AVX2 paths: only an x86-64 CPU with AVX2 runs them"
)


def start_training(study, capability: str) -> subprocess.Popen:
    """Train the study's base model again in a subprocess whose caller asks for
    ``capability``; ``trained`` waits for it."""
    shutil.rmtree(study / BASE, ignore_errors=True)
    env = os.environ | {"ATEN_CPU_CAPABILITY": capability}
    return subprocess.Popen(
        snakemake_command("--cores", "1", BASE),
        cwd=study,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def trained(study, training: subprocess.Popen) -> tuple[str, dict]:
    """The folder's digest and its record, once ``training`` has finished."""
    _, stderr = training.communicate()
    assert training.returncode == 0, stderr.decode()[-3000:]
    return provenance.digest(study / BASE), provenance.load_record(study / BASE)


@pytest.fixture(scope="module")
def pinned_and_native(tiny_study, tmp_path_factory):
    """The tiny study's base model (trained pinned, the caller asking for nothing: the
    CPU's best kernels), and on two copies of the study trained again with the caller
    asking for the scalar kernels: pinned, and native. The two train side by side
    (one core each, as the study trains its base model and oracle)."""
    folder = tmp_path_factory.mktemp("numerics")
    pinned, native = (copy_study(tiny_study, folder / name) for name in ("pinned", "native"))
    config = yaml.safe_load((native / "config/config.yaml").read_text())
    make_workdir(native, config | {"cpu_numerics": "native"})
    trainings = {study: start_training(study, "default") for study in (pinned, native)}
    return {
        "pinned": (provenance.digest(tiny_study / BASE), provenance.load_record(tiny_study / BASE)),
        "pinned, caller default": trained(pinned, trainings[pinned]),
        "native, caller default": trained(native, trainings[native]),
    }


@pytest.mark.slow
@needs_avx2
def test_the_pin_wins_over_the_callers_kernels(pinned_and_native):
    (first, record), (second, _) = (
        pinned_and_native["pinned"],
        pinned_and_native["pinned, caller default"],
    )
    assert first == second
    numerics = record["numerics"]
    assert numerics["environment"]["ATEN_CPU_CAPABILITY"] == "avx2"
    assert numerics["torch_cpu_capability"] == "AVX2"
    # The check can fail: unpinned, the scalar kernels train another model.
    native, native_record = pinned_and_native["native, caller default"]
    assert native_record["numerics"]["torch_cpu_capability"] == "DEFAULT"
    assert native != first


@pytest.mark.slow
@needs_avx2
def test_the_tiny_base_model_has_the_expected_digest(pinned_and_native):
    digest, record = pinned_and_native["pinned"]
    assert digest == EXPECTED_TINY_BASE, (
        "the tiny base model trained to another digest on "
        f"{json.dumps(record['numerics'])}: report it, do not loosen this test"
    )
