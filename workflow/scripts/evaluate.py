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
    # task name -> (YAML path, the data files it names), each YAML read once
    task_files = {}
    for path in (p for p in snakemake.input if p.endswith(".yaml")):
        config = yaml.safe_load(Path(path).read_text())
        task_files[config["task"]] = [path, *config["dataset_kwargs"]["data_files"].values()]
    tasks = task_manager(sorted({str(Path(files[0]).parent) for files in task_files.values()}))
    plan = snakemake.params.plan
    for checkpoint, items in groupby(plan, key=lambda item: item["checkpoint"]):
        lm = load_lm(checkpoint, batch_size=snakemake.params.batch_size)
        for item in items:
            result = score(lm, item["task"], tasks, item["num_fewshot"])
            print(f"{checkpoint} {item['variant']}: acc {result['accuracy']:.3f} (n={result['n']})")
            used = [checkpoint, *task_files[item["task"]]]
            result |= {
                "checkpoint": Path(checkpoint).name,
                "checkpoint_path": checkpoint,
                "benchmark": item["benchmark"],
                "variant": item["variant"],
                "wall_time_s": current.elapsed(),
            }
            result[EMBED_KEY] = current.record(json_digest(result), inputs=used)
            write_json(item["output"], result)
