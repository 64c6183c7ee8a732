"""Rules evaluate, evaluate_relearning, evaluate_quantized: score models on benchmark
variants with lm-eval.

One process scores a whole plan (one checkpoint's variants of every benchmark, one
relearning run's checkpoints, or one checkpoint's quantized models), so each model
loads once. A quantized model is built from its parent's folder on loading; its JSONs
also say how many of the parent's changed weights survive quantization.
A variant asked in a template is loaded from its task YAML's path; a
benchmark's own lm-eval task by its name (from the benchmark table). The JSONs
are written together at the end, so a killed job leaves none of them (and
Snakemake marks what it did leave incomplete).
"""

from itertools import groupby
from pathlib import Path

import yaml

from unlearning_audit import layout
from unlearning_audit.data import read_benchmark_table
from unlearning_audit.evaluation import load_lm, score, task_files, task_manager
from unlearning_audit.io import write_json
from unlearning_audit.jobs import job
from unlearning_audit.models import load_checkpoint
from unlearning_audit.provenance import EMBED_KEY, json_digest
from unlearning_audit.quantization import LIBRARY, weights_changed

with job(snakemake) as current:
    benchmarks = read_benchmark_table(layout.BENCHMARK_TABLE)
    plan = snakemake.params.plan
    # The workflow's own task files (groups of lm-eval tasks) live outside results/.
    workflow_tasks = {
        yaml.safe_load(Path(p).read_text()).get("group"): p
        for p in snakemake.input.tasks
        if not p.startswith(layout.RESULTS)
    }
    own_tasks = any(item["prompt_variant"] == layout.OWN_TASK for item in plan)
    tasks = task_manager(
        sorted({str(Path(p).parent) for p in workflow_tasks.values()}) if own_tasks else [],
        include_defaults=own_tasks,
    )
    dtype = snakemake.params.dtype
    results = {}
    for _, items in groupby(plan, key=lambda item: item["model"]):
        items = list(items)
        checkpoint, quantization = items[0]["checkpoint"], items[0]["quantization"]
        lm = load_lm(
            checkpoint,
            batch_size=snakemake.params.batch_size,
            dtype=dtype,
            quantization=quantization,
        )
        if quantization:
            quantization = (
                quantization
                | {"library": LIBRARY}
                | weights_changed(
                    lambda path: load_checkpoint(path, dtype)[0],
                    checkpoint,
                    snakemake.input.reference,
                    **quantization,
                )
            )
        for item in items:
            benchmark = benchmarks[item["benchmark"]]
            if item["prompt_variant"] == layout.OWN_TASK:
                name = spec = benchmark["task"]
                used = [workflow_tasks[name]] if name in workflow_tasks else []
            else:
                asked = item["benchmark"], item["prompt_variant"], item["scoring"], item["split"]
                name, spec = layout.task_name(*asked), layout.task_yaml(*asked)
                used = task_files(spec)
            result = score(lm, spec, name, tasks, item["num_fewshot"], item["chat_template"])
            print(
                f"{checkpoint} {item['benchmark']} {item['variant']} {item['split']} "
                f"({result['scoring']}): "
                f"acc {result['accuracy']:.3f}, answered {result['answered']:.2f} (n={result['n']})"
            )
            assert result["scoring"] == item["scoring"], (name, result["scoring"])
            result |= {
                "checkpoint": item["model"],
                "checkpoint_path": checkpoint,
                "parent": item["parent"],
                "relearn_corpus": item["relearn_corpus"],
                "relearn_steps": item["relearn_steps"],
                "quantization": quantization,
                "benchmark": item["benchmark"],
                "variant": item["variant"],
                "split": item["split"],
                # What tables and figures need to know of the benchmark.
                **{key: benchmark[key] for key in ("role", "label", "baseline")},
                "wall_time_s": current.elapsed(),
            }
            used = [checkpoint, layout.BENCHMARK_TABLE, *used]
            used += [snakemake.input.reference] if quantization else []
            result[EMBED_KEY] = current.record(json_digest(result), inputs=used)
            results[item["output"]] = result
    for path, result in results.items():
        write_json(path, result)
