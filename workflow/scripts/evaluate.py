"""Rules evaluate, evaluate_relearning: score checkpoints on benchmark variants with lm-eval.

One process scores a whole plan (one checkpoint's variants of one benchmark,
or one relearning run's checkpoints), so the model loads once per checkpoint.
"""

from itertools import groupby
from pathlib import Path

import yaml

from unlearning_audit.evaluation import load_lm, score, task_manager
from unlearning_audit.io import write_json
from unlearning_audit.jobs import job
from unlearning_audit.provenance import EMBED_KEY, json_digest

with job(snakemake) as current:
    # task or group name -> (YAML path, the data files it names), each YAML read once;
    # lm-eval's own tasks (lm_eval_tasks: true) are found in its index instead.
    task_files = {}
    for path in (p for p in snakemake.input if p.endswith(".yaml")):
        config = yaml.safe_load(Path(path).read_text())
        data_files = config.get("dataset_kwargs", {}).get("data_files", {})
        task_files[config.get("task", config.get("group"))] = [path, *data_files.values()]
    task_dirs = sorted({str(Path(files[0]).parent) for files in task_files.values()})
    tasks = task_manager(task_dirs, include_defaults=snakemake.params.lm_eval_tasks)
    plan = snakemake.params.plan
    for checkpoint, items in groupby(plan, key=lambda item: item["checkpoint"]):
        lm = load_lm(
            checkpoint, batch_size=snakemake.params.batch_size, dtype=snakemake.params.dtype
        )
        for item in items:
            result = score(lm, item["task"], tasks, item["num_fewshot"])
            print(f"{checkpoint} {item['variant']}: acc {result['accuracy']:.3f} (n={result['n']})")
            used = [checkpoint, *task_files.get(item["task"], [])]
            result |= {
                "checkpoint": Path(checkpoint).name,
                "checkpoint_path": checkpoint,
                "benchmark": item["benchmark"],
                "role": item["role"],
                "variant": item["variant"],
                "wall_time_s": current.elapsed(),
            }
            result[EMBED_KEY] = current.record(json_digest(result), inputs=used)
            write_json(item["output"], result)
