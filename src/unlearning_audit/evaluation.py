"""Benchmark scoring through lm-eval's own Python API."""

from __future__ import annotations

import json
from pathlib import Path

import lm_eval
from lm_eval.models.huggingface import HFLM
from lm_eval.tasks import TaskManager
from lm_eval.utils import handle_non_serializable


def evaluate_checkpoint(
    checkpoint: str | Path,
    task: str,
    tasks_dir: str | Path,
    *,
    batch_size: int,
    num_fewshot: int = 0,
    device: str = "cpu",
    trust_remote_code: bool = False,
) -> dict:
    """Score one checkpoint on one task; returns lm-eval's results and the headline numbers."""
    model = HFLM(
        pretrained=str(checkpoint),
        device=device,
        batch_size=batch_size,
        dtype="float32",
        trust_remote_code=trust_remote_code,
    )
    task_manager = TaskManager(include_path=str(tasks_dir), include_defaults=False)
    output = lm_eval.simple_evaluate(
        model=model,
        tasks=[task],
        num_fewshot=num_fewshot,
        task_manager=task_manager,
        log_samples=False,
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
