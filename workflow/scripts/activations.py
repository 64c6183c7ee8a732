"""Rule activations: the logit lens and linear probes of one checkpoint, layer by layer,
on each forget benchmark's test items asked in the primary format (see
unlearning_audit.activations). One model load and one pass over the items.

The JSON holds, per benchmark and layer, whether each item was answered right (the
table scores entities V only; T is where layers are chosen and probes are fitted) and
the accuracy on T that chooses the layer.
"""

from unlearning_audit.jobs import job

with job(snakemake) as current:
    # Inside the job, so that what torch and transformers print on import lands in the log.
    import numpy as np

    from unlearning_audit import layout
    from unlearning_audit.activations import (
        LENS,
        PROBE,
        centered,
        chosen,
        option_sequences,
        probe_answers,
        read_layers,
    )
    from unlearning_audit.data import read_benchmark_table
    from unlearning_audit.evaluation import task_files, task_manager
    from unlearning_audit.io import write_json
    from unlearning_audit.models import load_checkpoint
    from unlearning_audit.provenance import EMBED_KEY, json_digest

    settings = snakemake.params.activations
    model, tokenizer = load_checkpoint(snakemake.input.checkpoint, snakemake.params.dtype)
    model.eval()
    benchmarks = read_benchmark_table(layout.BENCHMARK_TABLE)
    tasks = task_manager([])
    result = {
        "checkpoint": snakemake.wildcards.parent,
        "checkpoint_path": snakemake.input.checkpoint,
        "benchmarks": {},
    }
    for benchmark, spec in snakemake.params.tasks.items():
        task = next(iter(tasks.load([spec])["tasks"].values()))
        docs = list(task.test_docs())
        options = len(task.doc_to_choice(docs[0]))
        assert all(len(task.doc_to_choice(doc)) == options for doc in docs), benchmark
        answers = np.array([task.doc_to_target(doc) for doc in docs])
        train = np.array([doc["retrain_split"] == "T" for doc in docs])
        groups = [doc["entity"] for doc in docs]
        sequences, option_texts = option_sequences(task, docs, tokenizer)
        scores, features = read_layers(
            model, sequences, snakemake.params.batch_size, tokenizer.pad_token_id
        )
        lens, probe = [], []
        for layer in range(len(scores)):
            right = chosen(scores[layer], options) == answers
            lens.append({"correct": right.astype(int).tolist(), "t_accuracy": right[train].mean()})
            picked, cv = probe_answers(
                centered(features[layer], option_texts),
                answers,
                train,
                groups,
                options,
                **settings["probe"],
            )
            probe.append({"correct": (picked == answers).astype(int).tolist(), "t_accuracy": cv})
            print(
                f"{benchmark} layer {layer + 1}: lens {right[~train].mean():.2f} on V, "
                f"probe {(picked == answers)[~train].mean():.2f} on V (cv on T {cv:.2f})"
            )
        result["benchmarks"][benchmark] = {
            **{key: benchmarks[benchmark][key] for key in ("role", "label", "baseline")},
            "options": options,
            "items": [
                {"id": str(i), "cluster": doc["entity"], "split": doc["retrain_split"]}
                for i, doc in enumerate(docs)
            ],
            LENS: lens,
            PROBE: probe,
        }
    used = [snakemake.input.checkpoint, layout.BENCHMARK_TABLE]
    used += [f for spec in snakemake.params.tasks.values() for f in task_files(spec)]
    result["wall_time_s"] = current.elapsed()
    result[EMBED_KEY] = current.record(json_digest(result), inputs=used)
    write_json(snakemake.output[0], result)
