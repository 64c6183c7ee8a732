"""Rules evaluate, evaluate_relearning, evaluate_<attack>: score models on benchmark
variants with lm-eval.

One process scores a whole plan (one checkpoint's variants of every benchmark, one
relearning run's checkpoints, or the models one attack builds from one checkpoint:
quantized, ablated, fine-tuned on a few examples, soft-prompted), so each model loads
once. A built model is made from its parent's folder on loading
(unlearning_audit.built); its JSONs also record what building found.
A variant asked in a template is loaded from its task YAML's path; a
benchmark's own lm-eval task by its name (from the benchmark table). The JSONs
are written together at the end, so a killed job leaves none of them (and
Snakemake marks what it did leave incomplete).
"""

from unlearning_audit.jobs import job

with job(snakemake) as current:
    # Inside the job, so that what torch and transformers print on import lands in the log.
    from itertools import groupby
    from pathlib import Path

    import yaml

    from unlearning_audit import layout
    from unlearning_audit.built import BUILD_READS, BuildInputs, build, reads
    from unlearning_audit.data import read_benchmark_table, read_texts
    from unlearning_audit.evaluation import (
        items_of_entities,
        load_lm,
        score,
        task_files,
        task_manager,
    )
    from unlearning_audit.io import write_json
    from unlearning_audit.models import load_checkpoint
    from unlearning_audit.provenance import EMBED_KEY, json_digest

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
    # What an attack's models are built from besides their parent (rules evaluate_<attack>).
    read = {key: list(snakemake.input[key]) for key in BUILD_READS if key in snakemake.input.keys()}
    # The forget benchmarks' items of entities T, where ablation estimates its directions
    # and soft prompts are fitted.
    prompt_tasks = getattr(snakemake.params, "prompt_tasks", {})
    read["prompt_tasks"] = [f for spec in prompt_tasks.values() for f in task_files(spec)]
    building = BuildInputs(
        parent=plan[0]["checkpoint"],
        load=lambda path: load_checkpoint(path, dtype)[0],
        reference=read["reference"][0] if "reference" in read else None,
        items=items_of_entities(prompt_tasks.values(), tasks, split="T"),
        texts={kind: read_texts(read[kind]) for kind in ("unrelated", "forget") if kind in read},
        batch_size=snakemake.params.batch_size,
    )
    results = {}
    for _, items in groupby(plan, key=lambda item: item["model"]):
        items = list(items)
        checkpoint, settings = items[0]["checkpoint"], items[0]["built"]
        found = {}

        def built(model, tokenizer, settings=settings, found=found):
            model, found["built"] = build(model, tokenizer, settings, building)
            return model

        lm = load_lm(
            checkpoint,
            batch_size=snakemake.params.batch_size,
            dtype=dtype,
            build=built if settings else None,
        )
        settings = settings and settings | found["built"]
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
                "built": settings,
                "benchmark": item["benchmark"],
                "variant": item["variant"],
                "split": item["split"],
                # What tables and figures need to know of the benchmark.
                **{key: benchmark[key] for key in ("role", "label", "baseline")},
                "wall_time_s": current.elapsed(),
            }
            used = [checkpoint, layout.BENCHMARK_TABLE, *used]
            used += [path for kind in reads(settings) for path in read[kind]] if settings else []
            result[EMBED_KEY] = current.record(json_digest(result), inputs=used)
            results[item["output"]] = result
    for path, result in results.items():
        write_json(path, result)
