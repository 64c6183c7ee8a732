"""Benchmark scoring through lm-eval's own Python API."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import lm_eval
import lm_eval.evaluator
import torch
import yaml
from lm_eval.models.huggingface import HFLM
from lm_eval.tasks import TaskManager
from lm_eval.utils import handle_non_serializable

from unlearning_audit.models import load_checkpoint
from unlearning_audit.stats import effective_count

# simple_evaluate collects the environment on every call (torch's collect_env, which
# runs pip and more): seconds per call, and an evaluate job makes one per variant.
# We keep none of it; every record already holds the package versions and device.
lm_eval.evaluator.add_env_info = lambda results: None


class TimedHFLM(HFLM):
    """lm-eval's HF wrapper, counting the seconds spent in the model itself (its
    forward and generate calls), so a record can say what scoring cost beyond them."""

    model_seconds = 0.0

    def _timed(self, call, *args, **kwargs):
        start = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            if self.device.type == "cuda":  # kernels run asynchronously
                torch.cuda.synchronize()
            self.model_seconds += time.perf_counter() - start

    def _model_call(self, *args, **kwargs):
        return self._timed(super()._model_call, *args, **kwargs)

    def _model_generate(self, *args, **kwargs):
        return self._timed(super()._model_generate, *args, **kwargs)


def load_lm(
    checkpoint: str | Path,
    *,
    batch_size: int,
    dtype: str = "float32",
    trust_remote_code=False,
    max_length: int | None = None,
    build: Callable | None = None,
) -> TimedHFLM:
    """lm-eval's wrapper around a checkpoint loaded the project's way (safetensors only;
    a folder of LoRA adapters merged into its parent); ``max_length``: the tokens it
    reads at once (default: the model's context); ``build`` (model, tokenizer -> model):
    what an attack makes of it on loading (unlearning_audit.built)."""
    model, tokenizer = load_checkpoint(checkpoint, dtype, trust_remote_code)
    if build:
        model = build(model, tokenizer)
    return TimedHFLM(
        pretrained=model.eval(), tokenizer=tokenizer, batch_size=batch_size, max_length=max_length
    )


def items_of_entities(specs, tasks: TaskManager, split: str) -> list[tuple]:
    """Each task YAML of ``specs`` loaded, with its test items of entities ``split``
    (T or V): (task, docs) pairs."""
    loaded = []
    for spec in specs:
        task = next(iter(tasks.load([spec])["tasks"].values()))
        loaded.append((task, [d for d in task.test_docs() if d["retrain_split"] == split]))
    return loaded


def task_files(path: str) -> list[str]:
    """A task YAML, the files it includes, and the data files it names: what a score
    read besides the model."""
    config = yaml.safe_load(Path(path).read_text())
    files = [path, *config.get("dataset_kwargs", {}).get("data_files", {}).values()]
    includes = config.get("include", [])
    for include in includes if isinstance(includes, list) else [includes]:
        files += task_files(os.path.normpath(os.path.join(os.path.dirname(path), include)))
    return files


def task_manager(task_dirs: list[str | Path], include_defaults: bool = False) -> TaskManager:
    """lm-eval's index of task folders, and of its built-in tasks if asked (indexing
    those takes seconds; tasks given by the path of their YAML need no index)."""
    return TaskManager(
        include_path=[str(d) for d in task_dirs] or None, include_defaults=include_defaults
    )


def score(
    lm: TimedHFLM,
    spec: str,
    task: str,
    tasks: TaskManager,
    num_fewshot: int = 0,
    chat_template: bool = False,
) -> dict:
    """Score one loaded model on one task (``spec``: its name or the path of its YAML;
    ``task``: its name); lm-eval's results, the headline numbers and one record per
    item (``items``: what every paired statistic is computed from).

    Few-shot exemplars come from the task's ``fewshot_split`` (the benchmark's
    dev split) through lm-eval's own sampler, seeded by lm-eval's default. With
    ``chat_template``, lm-eval renders the prompt in the model's chat template, each
    exemplar an earlier user/assistant exchange.
    """
    start, model_start = time.perf_counter(), lm.model_seconds
    loaded = tasks.load([spec])
    task_objects = loaded["tasks"]  # name -> task, for each task's choices
    # A task goes to lm-eval as loaded here (loading reads its data); a group, whose
    # object lm-eval does not take, by its spec.
    evaluated = [spec] if loaded["groups"] else list(task_objects.values())
    output = lm_eval.simple_evaluate(
        model=lm,
        tasks=evaluated,
        num_fewshot=num_fewshot,
        task_manager=tasks,
        log_samples=True,
        apply_chat_template=chat_template,
        fewshot_as_multiturn=chat_template,
    )
    metrics = output["results"][task]
    generated = f"{GENERATE_METRIC},{GENERATE_FILTER}" in metrics
    items = per_item(output["samples"], task_objects)
    weights = [i.get("weight", 1.0) for i in items]
    weighted = any(w != 1.0 for w in weights)
    correct = sum(w * i["correct"] for w, i in zip(weights, items))
    answered = sum(w * i["answered"] for w, i in zip(weights, items))
    return {
        "task": task,
        "scoring": "generate" if generated else "loglikelihood",
        "num_fewshot": num_fewshot,
        "chat_template": chat_template,
        # lm-eval's own metric: exact match of the extracted answer, or log-likelihood acc;
        # over subjects where the items are weighted (their mean, from the same items).
        "accuracy": correct / sum(weights)
        if weighted
        else metrics[f"{GENERATE_METRIC},{GENERATE_FILTER}" if generated else "acc,none"],
        "n": _sample_count(output, task),
        # What the accuracy's interval counts: n, or less for unequal weights.
        "n_effective": effective_count(weights),
        # Questions answered with one of the options (always all of them under
        # log-likelihood scoring, which picks an option), and accuracy on those.
        "answered": answered / sum(weights),
        "accuracy_on_answered": correct / answered if answered else None,
        "items": items,
        **_cost_and_record(lm, start, model_start, output, ("n-shot", "n-samples")),
    }


def _cost_and_record(lm, start: float, model_start: float, output: dict, keys=()) -> dict:
    """What a scoring cost (in all, and in the model's own forward passes) and
    lm-eval's own record of it (results, configs, versions and ``keys``)."""
    record = {key: output[key] for key in ("results", "configs", "versions", *keys)}
    return {
        "seconds": {
            "total": round(time.perf_counter() - start, 3),
            "model": round(lm.model_seconds - model_start, 3),
        },
        # Round-trip through lm-eval's own serializer: its configs hold callables.
        "lm_eval": _relative_sources(
            json.loads(json.dumps(record, default=handle_non_serializable))
        ),
    }


def _relative_sources(record: dict) -> dict:
    """lm-eval's record with each task's ``config_source`` relative to the study folder
    (the job's working directory), so the same study elsewhere records the same JSON."""
    here = Path.cwd()
    for config in record.get("configs", {}).values():
        source = (config.get("metadata") or {}).get("config_source")
        if source and Path(source).is_absolute() and Path(source).is_relative_to(here):
            config["metadata"]["config_source"] = Path(source).relative_to(here).as_posix()
    return record


def perplexity(lm: TimedHFLM, spec: str, task: str, tasks: TaskManager) -> dict:
    """Score one loaded model's perplexity on one task of templates/_perplexity.yaml:
    lm-eval's word and byte perplexity and bits per byte, and each document's
    log-likelihood, word count and byte count (``items``: what the interval is
    resampled from)."""
    start, model_start = time.perf_counter(), lm.model_seconds
    # task_manager given: without it lm-eval indexes its thousands of built-in tasks
    # (5 s of a 17 s job in the paper-smoke study).
    output = lm_eval.simple_evaluate(
        model=lm,
        tasks=list(tasks.load([spec])["tasks"].values()),
        task_manager=tasks,
        log_samples=True,
    )
    metrics = output["results"][task]
    items = [
        {
            "id": str(sample["doc_id"]),
            "loglikelihood": float(sample["word_perplexity"][0]),
            "words": int(sample["word_perplexity"][1]),
            "bytes": int(sample["byte_perplexity"][1]),
        }
        for sample in sorted(output["samples"][task], key=lambda s: s["doc_id"])
    ]
    return {
        "task": task,
        **{m: metrics[f"{m},none"] for m in PERPLEXITY_METRICS},
        "documents": len(items),
        "items": items,
        **_cost_and_record(lm, start, model_start, output),
    }


# The metrics of workflow/tasks/templates/_perplexity.yaml.
PERPLEXITY_METRICS = ("word_perplexity", "byte_perplexity", "bits_per_byte")
# The metric and filter of workflow/tasks/templates/_generate.yaml.
GENERATE_METRIC, GENERATE_FILTER = "exact_match", "first_line"


def per_item(samples: dict, task_objects: dict) -> list[dict]:
    """lm-eval's logged samples, compact: item id, target and predicted option
    (indices into the choices; prediction None where a generated answer is none of
    them), whether it is correct, and the options' log-likelihoods or the generated text."""
    items = []
    single = len(task_objects) == 1  # else a group: ids name the subtask
    for name, task in sorted(task_objects.items()):
        for sample in sorted(samples[name], key=lambda s: s["doc_id"]):
            choices = list(task.doc_to_choice(sample["doc"]))
            target = sample["target"]
            target = choices.index(target) if isinstance(target, str) else int(target)
            doc_id = sample["doc_id"]
            item = {"id": str(doc_id) if single else f"{name}/{doc_id}", "target": target}
            if "weight" in sample["doc"]:  # a benchmark averaged over subjects
                item["weight"] = float(sample["doc"]["weight"])
            if "entity" in sample["doc"]:  # facts of one entity: one cluster for intervals
                item["cluster"] = str(sample["doc"]["entity"])
            response = sample["filtered_resps"][0]
            if isinstance(response, str):  # generated
                prediction = choices.index(response) if response in choices else None
                item |= {"generated": response, "correct": int(sample[GENERATE_METRIC])}
            else:
                loglikelihoods = [float(r[0]) for r in sample["filtered_resps"]]
                prediction = max(range(len(choices)), key=loglikelihoods.__getitem__)
                item |= {"loglikelihoods": loglikelihoods, "correct": int(sample["acc"])}
            items.append(item | {"prediction": prediction, "answered": prediction is not None})
    return items


def _sample_count(output: dict, task: str) -> int:
    """Questions scored: a task's own count, or the sum over a group's subtasks."""
    if task in output["n-samples"]:
        return output["n-samples"][task]["effective"]
    return sum(_sample_count(output, sub) for sub in output["group_subtasks"][task])
