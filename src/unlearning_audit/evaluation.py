"""Benchmark scoring through lm-eval's own Python API."""

from __future__ import annotations

import json
from pathlib import Path

import lm_eval
from lm_eval.models.huggingface import HFLM
from lm_eval.tasks import TaskManager
from lm_eval.utils import handle_non_serializable


def load_lm(
    checkpoint: str | Path, *, batch_size: int, device: str = "cpu", trust_remote_code=False
) -> HFLM:
    return HFLM(
        pretrained=str(checkpoint),
        device=device,
        batch_size=batch_size,
        dtype="float32",
        trust_remote_code=trust_remote_code,
    )


def task_manager(task_dirs: list[str | Path]) -> TaskManager:
    """lm-eval's index of the pipeline's own task YAMLs (not its built-in tasks)."""
    return TaskManager(include_path=[str(d) for d in task_dirs], include_defaults=False)


def score(lm: HFLM, task: str, tasks: TaskManager, num_fewshot: int = 0) -> dict:
    """Score one loaded model on one task; lm-eval's results and the headline numbers.

    Few-shot exemplars come from the task's ``fewshot_split`` (the benchmark's
    dev split) through lm-eval's own sampler, seeded by lm-eval's default.
    """
    output = lm_eval.simple_evaluate(
        model=lm, tasks=[task], num_fewshot=num_fewshot, task_manager=tasks, log_samples=False
    )
    metrics = output["results"][task]
    lm_eval_output = {
        key: output[key] for key in ("results", "configs", "versions", "n-shot", "n-samples")
    }
    return {
        "task": task,
        "num_fewshot": num_fewshot,
        "accuracy": metrics["acc,none"],
        "stderr": metrics["acc_stderr,none"],
        "n": output["n-samples"][task]["effective"],
        # Round-trip through lm-eval's own serializer: its configs hold callables.
        "lm_eval": json.loads(json.dumps(lm_eval_output, default=handle_non_serializable)),
    }
