"""jobs.job: everything a rule script prints, its imports' warnings included, goes to
the rule's log, and torch runs on the rule's threads."""

import subprocess
import sys
import textwrap


def test_a_job_that_imports_torch_prints_nothing_on_the_terminal_and_runs_on_its_threads(
    tmp_path,
):
    log = tmp_path / "job.log"
    script = textwrap.dedent(f"""
        from types import SimpleNamespace
        from unlearning_audit.jobs import job
        snakemake = SimpleNamespace(log=[{str(log)!r}], threads=1, output=[])
        with job(snakemake):
            import torch
            from transformers import LlamaForCausalLM
            print("torch threads", torch.get_num_threads())
    """)
    # Two threads where the rule asks for one: the job must set it.
    env = {"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert result.returncode == 0, log.read_text()[-3000:]
    assert (result.stdout, result.stderr) == ("", "")
    assert "torch threads 1" in log.read_text()
