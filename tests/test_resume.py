"""A study killed inside a model job resumes, as the README says, to the same tables."""

import os
import shutil
import signal
import subprocess
import sys
import time

from conftest import REPO, assert_same_tables, copy_study

# Inside a model job: the base model's evaluation has scored a variant, written nothing.
KILL_WHEN_LOGGED = "results/logs/evaluate/base.log"


def snakemake(study, *args, **kwargs):
    command = [sys.executable, "-m", "snakemake", "-s", REPO / "Snakefile", "--cores", "2"]
    return subprocess.Popen([*command, *args], cwd=study, **kwargs)


def test_a_study_killed_inside_a_model_job_resumes_to_the_same_tables(tiny_study, tmp_path):
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
    deadline = time.monotonic() + 900
    while not (log.exists() and " acc " in log.read_text()):
        assert run.poll() is None, "the study ended before the kill point"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)  # the whole process group, as a power loss would
    run.wait()
    # The job had scored some variants: it left none of its JSONs, not a subset.
    assert not list((study / "results/evals/base/bio").glob("**/*.json"))

    # The README's command first says what to run, in one line.
    check = subprocess.run(
        [sys.executable, "-m", "unlearning_audit", "check-lock"],
        cwd=study,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 1
    assert check.stderr.count("\n") == 1 and "snakemake --unlock" in check.stderr
    assert snakemake(study, "--unlock", stdout=subprocess.DEVNULL).wait() == 0
    resumed = snakemake(study, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, stderr = resumed.communicate()
    assert resumed.returncode == 0, stderr[-3000:]
    assert_same_tables(study, tiny_study)


def test_check_lock_names_the_study_a_killed_run_left_locked(tmp_path):
    """A cell of a matrix config, in its own folder: the hint repeats how it was run."""
    locks = tmp_path / ".snakemake" / "locks"
    locks.mkdir(parents=True)
    (locks / "0.input.lock").write_text("results/x\n")
    flags = ["--configfile", "config/paper.yaml", "--cell", "llama3_wmdp"]
    check = subprocess.run(
        [sys.executable, "-m", "unlearning_audit", "check-lock", *flags, "--directory", tmp_path],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 1 and check.stderr.count("\n") == 1
    unlock = "--unlock --configfile config/paper.yaml --config cell=llama3_wmdp"
    assert f"{unlock} --directory {tmp_path}`" in check.stderr
