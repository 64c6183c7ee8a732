"""The tiny config through `snakemake --profile slurm`, against a real Slurm on localhost.

tests/slurm/localhost-slurm.sh starts a single-node cluster (root only; CI installs
its Debian packages first). Elsewhere this test is skipped with the reason.

Slurm adds seconds to every job (submission, status polls), so the cluster runs
the part of the tiny study that holds every kind of job once or more: the data,
the tokenizer, the base model and its oracle, their evaluations and the gate
table, one unlearned model (RMU), and the base model relearned on unrelated data
and evaluated. Relearning the base model, not RMU, makes that four waves of jobs
where the executor waits on its status checks, not five. The Snakefile's local
rules (data files, tables) run in the submitting process.
"""

import json
import os
import shutil
import subprocess
import time

import pandas as pd
import pytest
from conftest import REPO, load_tiny_config, make_workdir, snakemake_command

from unlearning_audit import layout, lineage, numerics

SLURM = REPO / "tests" / "slurm" / "localhost-slurm.sh"
# Rules that load a model ask for a GPU in the tiny config; they must land on the
# GPU partition, the others on the CPU partition.
GPU_RULES = {"train_base", "unlearn", "relearn", "evaluate", "evaluate_relearning"}
LOCAL_RULES = {"toy_world", "prompt_template", "benchmark_task", "rephrase", "gate_table"}
RELEARNED = "base.relearn-unrelated-10"
ENDPOINTS = [
    layout.table("gate"),
    layout.checkpoint("rmu"),
    layout.evaluation(RELEARNED, "cyber", "cloze"),
]


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root to start a localhost Slurm (tests/slurm/localhost-slurm.sh)"
    missing = [d for d in ("munged", "slurmctld", "slurmd", "sbatch") if not shutil.which(d)]
    if missing:
        return f"Slurm not installed ({', '.join(missing)}): run `{SLURM} install` as root"
    return None


@pytest.fixture(scope="module")
def slurm_cluster():
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    subprocess.run([SLURM, "start"], check=True)
    yield
    subprocess.run([SLURM, "stop"], check=True)


@pytest.fixture(scope="module")
def slurm_study(slurm_cluster, tmp_path_factory):
    workdir = make_workdir(tmp_path_factory.mktemp("slurm_study"), load_tiny_config())
    env = os.environ | {
        "UNLEARNING_AUDIT_SLURM_GPU_PARTITION": "gpu",
        "UNLEARNING_AUDIT_SLURM_CPU_PARTITION": "cpu",
    }
    command = snakemake_command(
        "--profile", "slurm", "--directory", str(workdir),
        # This test cluster keeps no accounting database: ask squeue, send no account.
        "--slurm-status-command", "squeue", "--slurm-no-account",
        # Poll every few seconds, not every 40: these jobs take seconds.
        "--slurm-init-seconds-before-status-checks", "2",
        *ENDPOINTS,
    )  # fmt: skip
    started = time.monotonic()
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-5000:]
    print(f"part of the tiny study through Slurm: {time.monotonic() - started:.0f} s")
    return workdir


def _records(study, monkeypatch):
    monkeypatch.chdir(study)
    nodes = [n for path in ENDPOINTS for n in lineage.walk(lineage.trace(path))]
    return {n.path: n.record for n in nodes if n.record}


@pytest.mark.slow
def test_every_job_ran_as_a_slurm_job_on_its_partition(slurm_study, monkeypatch):
    records = _records(slurm_study, monkeypatch)
    assert {r["rule"] for r in records.values()} >= GPU_RULES | LOCAL_RULES | {"train_tokenizer"}
    for path, record in records.items():
        if record["rule"] in LOCAL_RULES:
            assert record["slurm_job_id"] is None, path
            continue
        assert record["slurm_job_id"], path
        expected = "gpu" if record["rule"] in GPU_RULES else "cpu"
        assert record["slurm_partition"] == expected, path
        # The cluster job read the Snakefile again and pinned its kernels as a local one.
        assert record["numerics"]["environment"] == numerics.PINNED_ENVIRONMENT, path
        if record["rule"] in GPU_RULES:
            assert record["numerics"]["torch_cpu_capability"] == "AVX2", path
    # One Slurm job per Snakemake job: one per model trained, one per model evaluated.
    jobs = {
        rule: {r["slurm_job_id"] for r in records.values() if r["rule"] == rule}
        for rule in GPU_RULES
    }
    assert {rule: len(ids) for rule, ids in jobs.items()} == {
        "train_base": 2,  # the base model and its oracle
        "unlearn": 1,
        "relearn": 1,
        "evaluate": 2,  # the base model and the oracle, for the gate
        "evaluate_relearning": 1,
    }


@pytest.mark.slow
def test_slurm_results_match_a_local_run(slurm_study, tiny_study):
    """The same numbers as the local tiny study, for everything the cluster ran."""
    gate = [pd.read_csv(study / layout.table("gate")) for study in (slurm_study, tiny_study)]
    pd.testing.assert_frame_equal(*gate)
    evaluations = sorted((slurm_study / layout.EVALS).rglob("*.json"))
    assert any(RELEARNED in str(path) for path in evaluations)
    for path in evaluations:
        ours = json.loads(path.read_text())
        theirs = json.loads((tiny_study / path.relative_to(slurm_study)).read_text())
        assert (ours["accuracy"], ours["items"]) == (theirs["accuracy"], theirs["items"]), path
