"""Benchmark scoring through lm-eval's own Python API."""

from __future__ import annotations

import json
from pathlib import Path

import lm_eval
import lm_eval.evaluator
from lm_eval.models.huggingface import HFLM
from lm_eval.tasks import TaskManager
from lm_eval.utils import handle_non_serializable

from unlearning_audit.models import DEVICE

# simple_evaluate collects the environment on every call (torch's collect_env, which
# runs pip and more): seconds per call, and an evaluate job makes one per variant.
# We keep none of it; every record already holds the package versions and device.
lm_eval.evaluator.add_env_info = lambda results: None


def load_lm(
    checkpoint: str | Path, *, batch_size: int, dtype: str = "float32", trust_remote_code=False
) -> HFLM:
    return HFLM(
        pretrained=str(checkpoint),
        device=DEVICE,
        batch_size=batch_size,
        dtype=dtype,
        trust_remote_code=trust_remote_code,
    )


def task_manager(task_dirs: list[str | Path], include_defaults: bool = False) -> TaskManager:
    """lm-eval's index of task folders, and of its built-in tasks if asked (indexing
    those takes seconds; tasks given by the path of their YAML need no index)."""
    return TaskManager(
        include_path=[str(d) for d in task_dirs] or None, include_defaults=include_defaults
    )


def score(
    lm: HFLM,
    spec: str,
    task: str,
    tasks: TaskManager,
    num_fewshot: int = 0,
    chat_template: bool = False,
) -> dict:
    """Score one loaded model on one task (``spec``: its name or the path of its YAML;
    ``task``: its name); lm-eval's results and the headline numbers.

    Few-shot exemplars come from the task's ``fewshot_split`` (the benchmark's
    dev split) through lm-eval's own sampler, seeded by lm-eval's default. With
    ``chat_template``, lm-eval renders the prompt in the model's chat template, each
    exemplar an earlier user/assistant exchange.
    """
    output = lm_eval.simple_evaluate(
        model=lm,
        tasks=[spec],
        num_fewshot=num_fewshot,
        task_manager=tasks,
        log_samples=False,
        apply_chat_template=chat_template,
        fewshot_as_multiturn=chat_template,
    )
    metrics = output["results"][task]
    lm_eval_output = {
        key: output[key] for key in ("results", "configs", "versions", "n-shot", "n-samples")
    }
    return {
        "task": task,
        "num_fewshot": num_fewshot,
        "chat_template": chat_template,
        "accuracy": metrics["acc,none"],
        "stderr": metrics["acc_stderr,none"],
        "n": _sample_count(output, task),
        # Round-trip through lm-eval's own serializer: its configs hold callables.
        "lm_eval": json.loads(json.dumps(lm_eval_output, default=handle_non_serializable)),
    }


def _sample_count(output: dict, task: str) -> int:
    """Questions scored: a task's own count, or the sum over a group's subtasks."""
    if task in output["n-samples"]:
        return output["n-samples"][task]["effective"]
    return sum(_sample_count(output, sub) for sub in output["group_subtasks"][task])
