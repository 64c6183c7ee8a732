"""A study killed inside a model job resumes with the same command to the same tables;
a run that is still alive keeps its study, refusing a second command in one line."""

import os
import shutil
import signal
import subprocess
import time

import pytest
from conftest import (
    assert_same_tables,
    copy_study,
    load_tiny_config,
    make_workdir,
    snakemake_command,
)

from unlearning_audit import resume

# Inside a model job: the base model's evaluation has scored a variant, written nothing.
KILL_WHEN_LOGGED = "results/logs/evaluate/base.log"


def snakemake(study, *args, **kwargs):
    return subprocess.Popen(snakemake_command("--cores", "2", *args), cwd=study, **kwargs)


def wait_for(condition, run, what):
    deadline = time.monotonic() + 900
    while not condition():
        assert run.poll() is None, f"the run ended before {what}"
        assert time.monotonic() < deadline, f"no {what} in 15 minutes"
        time.sleep(0.05)


@pytest.mark.slow
def test_a_study_killed_inside_a_model_job_resumes_with_the_same_command(tiny_study, tmp_path):
    # The finished tiny study without the base model's evaluation and the gate table
    # (what reads it first): the run redoes that job and what depends on it (the
    # tables and figures), and is killed inside it.
    study = copy_study(tiny_study, tmp_path / "study")
    shutil.rmtree(study / "results/evals/base")
    (study / "results/tables/gate.csv").unlink()
    (study / KILL_WHEN_LOGGED).unlink()
    run = snakemake(
        study, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    log = study / KILL_WHEN_LOGGED
    wait_for(lambda: log.exists() and " acc " in log.read_text(), run, "the kill point")
    os.killpg(run.pid, signal.SIGKILL)  # the whole process group, as a power loss would
    run.wait()
    # The job had scored some variants: it left none of its JSONs, not a subset; and
    # Snakemake's lock, which alone would refuse the next run.
    assert not list((study / "results/evals/base/bio").glob("**/*.json"))
    assert any((study / resume.SNAKEMAKE_LOCKS).iterdir())

    resumed = snakemake(study, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, stderr = resumed.communicate()
    assert resumed.returncode == 0, stderr[-3000:]
    assert "removed the lock of a run that no longer runs" in stderr
    assert_same_tables(study, tiny_study)


def test_a_live_runs_lock_refuses_a_second_command_in_one_line(tmp_path):
    study = make_workdir(tmp_path / "study", load_tiny_config())
    first = snakemake(
        study, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        lock = study / resume.LOCK_FILE
        wait_for(lambda: lock.exists() and lock.read_text().strip(), first, "the study lock")
        second = subprocess.run(
            snakemake_command("--cores", "1"),
            cwd=study,
            capture_output=True,
            text=True,
        )
        assert second.returncode == 1
        refusal = [line for line in second.stderr.splitlines() if "another Snakemake run" in line]
        assert refusal == [second.stderr.strip().splitlines()[-1]], second.stderr
        assert f"process {first.pid}" in refusal[0]
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
