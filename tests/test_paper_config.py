"""config/paper.yaml, the paper's protocol (a matrix of studies: models x targets): each
cell plans offline, and its small twin config/paper-smoke.yaml (SmolLM2 and invented
stand-ins for every hub dataset) runs every rule of the same graph for real, on CPU,
in bf16."""

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import REPO, dry_run_job_counts, make_workdir, run_snakemake
from snakemake.exceptions import WorkflowError

from unlearning_audit import layout, provenance
from unlearning_audit.config import ConfigError, load_config, resolve_study, validate_config
from unlearning_audit.provenance import file_sha256
from unlearning_audit.providers.hub import checked_local_file

PAPER, SMOKE = REPO / "config/paper.yaml", REPO / "config/paper-smoke.yaml"
CELLS = list(yaml.safe_load(PAPER.read_text())["cells"])
LLAMA = "meta-llama/Meta-Llama-3-8B-Instruct"


def cell_config(path: Path, cell: str = "zephyr_wmdp") -> dict:
    """One cell of a matrix config, put together as the Snakefile does."""
    return resolve_study(load_config(path) | {"cell": cell})


# The keys in which the smoke study may differ from the paper's: model names, data
# locations (and offline: the smoke reads no hub), sizes.
MODEL_KEYS = {"base_model", "generator"}
DATA_LOCATION_KEYS = {"offline", "path", "name", "split", "data_files", "revision", "sha256"}
SIZE_KEYS = {"num_steps", "steps", "max_length", "forget_max_length", "stride"}
SIZE_KEYS |= {"batch_size", "dev_items", "max_test_items", "max_new_tokens", "resources"}


def differences(paper, smoke, path=()):
    """Paths (tuples of keys) at which two parsed configs differ."""
    if isinstance(paper, dict) and isinstance(smoke, dict):
        return [
            d
            for k in dict.fromkeys([*paper, *smoke])
            for d in (
                differences(paper[k], smoke[k], path + (k,))
                if k in paper and k in smoke
                else [path + (k,)]
            )
        ]
    if isinstance(paper, list) and isinstance(smoke, list) and len(paper) == len(smoke):
        pairs = enumerate(zip(paper, smoke))
        return [d for i, (a, b) in pairs for d in differences(a, b, path + (i,))]
    return [] if paper == smoke else [path]


@pytest.mark.parametrize("cell", CELLS)
def test_paper_smoke_differs_from_paper_only_in_models_data_locations_and_sizes(cell):
    assert list(load_config(SMOKE)["cells"]) == CELLS
    paper, smoke = cell_config(PAPER, cell), cell_config(SMOKE, cell)
    released = {
        ("unlearning", run, "params")
        for run, entry in paper["unlearning"].items()
        if entry["method"] == "released"
    }
    found = differences(paper, smoke)
    assert found  # the two are not the same file
    for path in found:
        keys = {k for k in path if isinstance(k, str)}
        allowed = MODEL_KEYS | DATA_LOCATION_KEYS | SIZE_KEYS
        assert keys & allowed or path[:3] in released, path
    # Every hub dataset of the paper has a local stand-in in the smoke study.
    data = smoke["data"]
    specs = [c["hub"] for c in data["corpora"].values() if "hub" in c]
    specs += [d for b in data["benchmarks"].values() for d in b["items"] + b.get("dev", [])]
    assert all(d["path"] == "json" and (REPO / d["data_files"]).exists() for d in specs)
    local = [c["local"] for c in data["corpora"].values() if "local" in c]
    assert all(checked_local_file(c | {"path": REPO / c["path"]}) for c in local)
    assert smoke["offline"] is True and smoke["base_model"]["dtype"] == "bfloat16"


def test_a_matrix_config_is_one_study_per_cell_each_entry_replacing_its_key():
    matrix = {
        "gate": {"min_accuracy": 0.5},
        "data": {"benchmarks": {"a": {"role": "forget"}, "b": {"role": "capability"}}},
        "cells": {"one": {}, "two": {"data.benchmarks.a": None, "gate.min_accuracy": 0.7}},
    }
    assert resolve_study(matrix | {"cell": "one"}) == {
        "gate": {"min_accuracy": 0.5},
        "data": matrix["data"],
        "cell": "one",
    }
    two = resolve_study(matrix | {"cell": "two"})
    assert two["data"]["benchmarks"] == {"b": {"role": "capability"}}
    assert two["gate"] == {"min_accuracy": 0.7} and matrix["gate"]["min_accuracy"] == 0.5
    refusals = [
        (matrix, "choose one with --config cell=NAME"),
        (matrix | {"cell": "three"}, "cell: 'three' is not a cell of this config (one, two)"),
        ({"gate": {}, "cell": "one"}, "cell: 'one' chosen, but this config has no cells"),
        (matrix | {"cell": "two", "cells": {"two": {"gate.x.y": 1}}}, "gate.x is not a mapping"),
        (matrix | {"cell": "two", "cells": {"two": {"gate.x": None}}}, "removes a key that"),
        (
            matrix | {"cell": "two", "cells": {"two": {"gate": {}, "gate.min_accuracy": 1}}},
            "cells.two.gate.min_accuracy: inside gate, also set whole",
        ),
    ]
    for config, message in refusals:
        with pytest.raises(ConfigError, match=re.escape(message)):
            resolve_study(config)


@pytest.mark.parametrize("cell", CELLS)
def test_each_paper_cell_is_the_papers_setup(cell):
    """The setup of each cell, as the paper's code has it (the graph each cell plans:
    tests/test_plan.py, and once with Snakemake, tests/test_study_shape.py)."""
    config = cell_config(PAPER, cell)
    benchmarks, runs = config["data"]["benchmarks"], config["unlearning"]
    released = [e["params"] for e in runs.values() if e["method"] == "released"]
    forget = [b for b in benchmarks.values() if b["role"] == "forget"]
    model, target = cell.split("_")
    names = {"zephyr": "HuggingFaceH4/zephyr-7b-beta", "llama3": LLAMA}
    assert config["base_model"]["name"] == names[model]
    assert [m["name"] for m in released] == (["cais/Zephyr_RMU"] if cell == "zephyr_wmdp" else [])
    assert sorted(runs) == sorted(["rmu", "llmu", *(["rmu_rerun"] if released else [])])
    if target == "wmdp":
        assert all(b["fewshot_from"] == "mmlu_college_biology" for b in forget)
        assert {c["role"] for c in config["data"]["corpora"].values()} >= {"forget", "retain"}
    else:  # Biology: Wikipedia pages forgotten, MMLU Biology the forget benchmark
        assert [n for n, b in benchmarks.items() if b["role"] == "forget"] == ["mmlu_biology"]
        assert all(d["split"] == "dev" for d in benchmarks["mmlu_biology"]["dev"])
    groups = [benchmarks[g]["items"] for g in ("mmlu_biology", "mmlu_other")]
    assert [len(g) for g in groups] == [10, 47]
    assert len({d["name"] for g in groups for d in g}) == 57  # all of MMLU, once
    relearning = config["attacks"]["relearning"]
    assert (relearning["max_length"], relearning["stride"], relearning["lr"]) == (1024, 512, 2e-4)


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda b: b["wmdp_bio"].update(average="subjects"),
            "data.benchmarks.wmdp_bio.average: subjects is for capability benchmarks",
        ),
        (
            lambda b: b["mmlu_college_biology"].update(average="subjects"),
            "data.benchmarks.mmlu_college_biology.average: subjects averages over the items "
            "datasets, and this benchmark has one",
        ),
        (
            lambda b: b["wmdp_cyber"].pop("fewshot_from"),
            "data.dev_items: 5 dev items, but the 5-shot prompts of wmdp_cyber take their "
            "exemplars from the dev items of wmdp_cyber (needs 6)",
        ),
        (
            lambda b: b["wmdp_cyber"].update(fewshot_from="mmlu_physics"),
            "data.benchmarks.wmdp_cyber.fewshot_from: mmlu_physics is not a benchmark",
        ),
    ],
)
def test_a_bad_hub_benchmark_is_refused_naming_its_key(edit, message):
    config = cell_config(PAPER)
    edit(config["data"]["benchmarks"])
    with pytest.raises(ConfigError, match=re.escape(message)):
        validate_config(config)


def test_subject_weights_make_accuracy_the_mean_over_subjects():
    from unlearning_audit.stats import effective_count, paired_difference, subject_weights

    # Subject a: 3 items, all right; subject b: 1 item, wrong. Over subjects: 0.5.
    subjects, correct = ["a", "a", "a", "b"], np.array([1, 1, 1, 0])
    weights = subject_weights(subjects)
    assert np.mean(weights) == pytest.approx(1.0)
    assert np.average(correct, weights=weights) == pytest.approx(0.5)
    assert effective_count([1.0] * 4) == 4 and effective_count(weights) < 4
    difference = paired_difference(correct, np.zeros(4), weights)
    assert difference[0] == pytest.approx(0.5) and difference[1] <= 0.5 <= difference[2]


def test_mmlu_groups_name_the_57_subjects_lm_eval_knows_averaged_over_subjects():
    from lm_eval.tasks import TaskManager

    groups = [
        yaml.safe_load((REPO / f"workflow/tasks/{name}.yaml").read_text())
        for name in ("mmlu_biology", "mmlu_other_than_biology")
    ]
    assert [len(g["task"]) for g in groups] == [10, 47]
    assert len({t for g in groups for t in g["task"]}) == 57
    assert all(not g["aggregate_metric_list"][0]["weight_by_size"] for g in groups)
    known = set(TaskManager(include_path=str(REPO / "workflow/tasks")).all_tasks)
    assert {g["group"] for g in groups} | {t for g in groups for t in g["task"]} <= known


BIO_ROWS = REPO / "tests/data/paper/wmdp/wmdp-bio.jsonl"


def supplied_bio_file(folder) -> tuple[dict, list[dict], list[dict]]:
    """A rephrased copy of the WMDP-bio stand-in, as the paper's own files are (one row
    per question, in order), every other row with a changed answer (to be rejected):
    its config entry (attacks.rephrased_files), the original rows and the file's."""
    rows = [json.loads(line) for line in BIO_ROWS.read_text().splitlines()]
    rephrased = [row | {"question": f"In verse: {row['question']}"} for row in rows]
    for row in rephrased[::2]:
        row["answer"] = (row["answer"] + 1) % len(row["choices"])
    path = folder / "poem_bio.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rephrased))
    file = {"path": str(path), "sha256": file_sha256(path), "obtain": "the test writes it"}
    return file, rows, rephrased


@pytest.fixture(scope="module")
def paper_smoke(tmp_path_factory):
    """The paper-smoke study, run whole (its data paths are relative to the study),
    with a supplied rephrasing of WMDP-bio only (the entry config/paper.yaml shows
    commented out), so that rule and a variant asked of one benchmark run too."""
    folder = tmp_path_factory.mktemp("paper-smoke")
    # The matrix config as it is, its cell chosen as --config cell=zephyr_wmdp does.
    config = load_config(SMOKE) | {"cell": "zephyr_wmdp"}
    config["attacks"]["rephrased_files"] = {
        "paper_poem": {"wmdp_bio": supplied_bio_file(folder)[0]}
    }
    study = make_workdir(folder / "study", config)
    (study / "tests").symlink_to(REPO / "tests")
    run_snakemake(study)
    return study


@pytest.mark.slow
def test_paper_smoke_runs_every_rule_of_the_paper_graph(paper_smoke, tmp_path):
    planned = set(dry_run_job_counts(PAPER, tmp_path, "zephyr_wmdp")) - {"total", "all"}
    # What Snakemake ran, from its own records of every output. SmolLM2 comes from a
    # GGUF file where Zephyr comes from the hub: convert_gguf does fetch_model's part
    # (which test_real_models runs on a local folder).
    metadata = (paper_smoke / ".snakemake/metadata").iterdir()
    ran = {json.loads(path.read_text())["rule"] for path in metadata}
    assert ran == planned - {"fetch_model"} | {"convert_gguf", "rephrased_file"}
    # Training in bf16 gave finite losses: RMU, LLMU (LoRA) and relearning (LoRA, windows).
    config = cell_config(SMOKE)
    checkpoints = paper_smoke / "results/checkpoints"
    trained = [n for n, e in config["unlearning"].items() if e["method"] != "released"]
    for name in trained:
        steps = json.loads((checkpoints / name / "training.json").read_text())["steps"]
        losses = [v for step in steps for v in step.values() if v is not None]
        assert len(steps) > 1 and all(math.isfinite(v) for v in losses), name
    relearned = list(checkpoints.glob("*.relearn-*"))
    # Every entry and the base model on unrelated data and on forget data, one saved step each.
    assert len(relearned) == 2 * len(config["unlearning"]) + 2
    for path in relearned:
        losses = json.loads((path / "training.json").read_text())["losses"]
        assert losses and all(math.isfinite(v) for v in losses), path
    # The released model is taken as it is, its origin in its record.
    record = provenance.load_record(checkpoints / "rmu")
    assert record["rule"] == "convert_gguf"
    assert record["params"]["package"] == config["unlearning"]["rmu"]["params"]["package"]
    # The WMDP tasks take their exemplars from MMLU college biology's dev items, in order.
    task = yaml.safe_load((paper_smoke / layout.task_yaml("wmdp_bio", "paper")).read_text())
    assert task["fewshot_split"] == "fewshot" and task["fewshot_config"]["sampler"] == "first_n"
    assert task["dataset_kwargs"]["data_files"]["fewshot"] == layout.benchmark_split(
        "mmlu_college_biology", "dev"
    )
    # Model-written rephrasings: every item kept in place with its options and answer;
    # the generator (here the base model itself) and the prompt are in the record.
    original = [
        json.loads(line)
        for line in (paper_smoke / layout.benchmark_split("wmdp_bio", "test"))
        .read_text()
        .splitlines()
    ]
    path = paper_smoke / layout.rephrased_split("wmdp_bio", "poem", "test")
    rewritten = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(r["original_question"], r["choices"], r["answer"]) for r in rewritten] == [
        (o["question"], o["choices"], o["answer"]) for o in original
    ]
    french = [paper_smoke / layout.rephrased_split("wmdp_bio", "french", s) for s in layout.SPLITS]
    assert any(json.loads(line)["rewritten"] for f in french for line in f.read_text().splitlines())
    record = provenance.load_record(path)
    assert record["rule"] == "rewrite" and "{question}" in record["params"]["prompt"]
    assert any(i["path"] == "results/checkpoints/base" for i in record["inputs"])
    # The supplied rephrasing is asked of the benchmark it has a file for, alone.
    attacks = pd.read_csv(paper_smoke / layout.table("prompt_attacks"))
    assert set(attacks[attacks.variant == "rephrase_paper_poem"].benchmark) == {"wmdp_bio"}
    # Perplexity: every scored checkpoint on the same held-out documents, none of which
    # any of them trained on (the relearned checkpoints, which do, are not scored).
    documents = (paper_smoke / layout.perplexity_documents("openwebtext")).read_text()
    assert documents.splitlines() and not set(documents.splitlines()) & training_lines(
        paper_smoke, config
    )
    table = pd.read_csv(paper_smoke / layout.table("perplexity"))
    assert sorted(table.checkpoint) == sorted(["base", *config["unlearning"]])
    assert (table.ci_low <= table.word_perplexity).all()
    assert (table.word_perplexity <= table.ci_high).all()
    assert np.isfinite(table[["word_perplexity", "bits_per_byte", "vs_base"]]).all().all()
    assert table.set_index("checkpoint").vs_base["base"] == pytest.approx(1.0)
    # MMLU Biology and Other average over subjects: every item carries its subject and
    # weight, and the accuracy is the mean over subjects of each subject's accuracy.
    for benchmark in ("mmlu_biology", "mmlu_other"):
        split = paper_smoke / layout.benchmark_split(benchmark, "test")
        subjects = [json.loads(line)["subject"] for line in split.read_text().splitlines()]
        path = paper_smoke / layout.evaluation("base", benchmark, "paper")
        scored = json.loads(path.read_text())
        by_subject = pd.DataFrame(
            {"subject": subjects, "correct": [i["correct"] for i in scored["items"]]}
        )
        assert scored["accuracy"] == pytest.approx(
            by_subject.groupby("subject").correct.mean().mean()
        )
        assert scored["n_effective"] <= scored["n"]
    # Generation as the paper scored: one token.
    scored = json.loads(
        (paper_smoke / layout.evaluation("base", "wmdp_bio", "paper", "generate")).read_text()
    )
    [task_config] = scored["lm_eval"]["configs"].values()
    assert task_config["generation_kwargs"]["max_gen_toks"] == 1
    for figure in (
        "unlearning_tradeoff",
        "prompt_attacks",
        "relearning_recovery",
        "attack_families",
        "audit_card",
    ):
        result = subprocess.run(
            [sys.executable, "-m", "unlearning_audit", "lineage", layout.figure(figure, "png")]
            + ["--verify"],
            cwd=paper_smoke,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0 and "verify: OK" in result.stderr, result.stderr[-2000:]


@pytest.mark.slow
def test_a_supplied_rephrasing_is_read_from_its_pinned_file_row_by_row(tmp_path):
    """attacks.rephrased_files: the paper's own rephrased WMDP files, say; here a file
    made from the bio stand-in, every other row with a changed answer (rejected), for
    the bio benchmark only."""
    config = load_config(SMOKE) | {"cell": "zephyr_wmdp"}
    file, rows, rephrased = supplied_bio_file(tmp_path)
    path = Path(file["path"])
    config["attacks"]["rephrased_files"] = {"paper_poem": {"wmdp_bio": file}}
    study = make_workdir(tmp_path / "study", config)
    (study / "tests").symlink_to(REPO / "tests")
    splits = [layout.rephrased_split("wmdp_bio", "paper_poem", s) for s in layout.SPLITS]
    run_snakemake(study, targets=splits)
    items = [
        json.loads(line) for split in splits for line in (study / split).read_text().splitlines()
    ]
    assert {i["row"] % 2 for i in items} == {0, 1}  # some rejected, some kept
    for item in items:
        original, kept = rows[item["row"]], item["row"] % 2 == 1
        assert item["original_question"] == original["question"]
        assert (item["choices"], item["answer"]) == (original["choices"], original["answer"])
        assert item["question"] == (rephrased if kept else rows)[item["row"]]["question"]
        assert item["rewritten"] == kept
    record = provenance.load_record(study / splits[1])
    assert record["rule"] == "rephrased_file" and record["params"]["file"] == file
    # (It is asked of the benchmark it has a file for alone: tests/test_plan.py.)
    # A file that is not the one pinned stops its job, saying so.
    path.write_text(path.read_text().replace("In verse", "In prose"))
    for split in splits:
        (study / split).unlink()
    with pytest.raises(WorkflowError):
        run_snakemake(study, targets=splits)
    log = (study / layout.log("rephrased_file", "paper_poem/wmdp_bio")).read_text()
    assert f"but the config expects {file['sha256']}" in log
    assert not any((study / split).exists() for split in splits)
    config["attacks"]["rephrased_files"]["paper_poem"]["mmlu_other"] = file
    with pytest.raises(ConfigError, match="mmlu_other: not a forget benchmark"):
        validate_config(resolve_study(config))


@pytest.mark.slow
def test_the_biology_cell_reads_folders_of_pages_and_forgets_mmlu_biology(tmp_path):
    """The paper's Biology target: its corpora are folders of Wikipedia pages (.txt, one
    text each, pinned by a digest), and MMLU Biology is its forget benchmark, with 5-shot
    exemplars from MMLU's dev splits. Its data rules, run on the smoke stand-ins."""
    config = load_config(SMOKE) | {"cell": "zephyr_biology"}
    study = make_workdir(tmp_path / "study", config)
    (study / "tests").symlink_to(REPO / "tests")
    corpora = resolve_study(config)["data"]["corpora"]
    pages = REPO / corpora["wikipedia_biology"]["local"]["path"]
    targets = [layout.corpus(name) for name in corpora]
    targets += [*layout.task_yamls("mmlu_biology", "paper"), layout.BENCHMARK_TABLE]
    run_snakemake(study, targets=targets)
    pages_corpus = study / layout.corpus("wikipedia_biology")
    texts = [json.loads(line)["text"] for line in pages_corpus.read_text().splitlines()]
    assert texts == [page.read_text().strip() for page in sorted(pages.glob("*.txt"))]
    table = pd.read_csv(study / layout.BENCHMARK_TABLE).set_index("benchmark")
    assert table.role.to_dict() == {"mmlu_biology": "forget", "mmlu_other": "capability"}
    dev, test = (
        [json.loads(line) for line in (study / layout.benchmark_split("mmlu_biology", s)).open()]
        for s in layout.SPLITS
    )
    # Every dev question of the ten subjects' MMLU dev splits, in the config's order.
    specs = resolve_study(config)["data"]["benchmarks"]["mmlu_biology"]["dev"]
    rows = [json.loads(line) for d in specs for line in (REPO / d["data_files"]).open()]
    assert [item["question"] for item in dev] == [row["question"] for row in rows]
    # Two stand-in dev questions for each subject, five for college biology (MMLU's own).
    assert len(dev) == 9 * 2 + 5
    assert not {i["question"] for i in test} & {r["question"] for r in rows}
    task = yaml.safe_load((study / layout.task_yaml("mmlu_biology", "paper")).read_text())
    files = task["dataset_kwargs"]["data_files"]
    assert files["dev"] == layout.benchmark_split("mmlu_biology", "dev") and "fewshot" not in files
    # A page changed after pinning stops the corpus job, saying so.
    changed = tmp_path / "pages"
    changed.mkdir()
    for page in pages.glob("*.txt"):
        (changed / page.name).write_text(page.read_text() + " An added line.")
    config["cells"]["zephyr_biology"]["data.corpora.wikipedia_biology"]["local"]["path"] = str(
        changed
    )
    make_workdir(study, config)
    with pytest.raises(WorkflowError):
        run_snakemake(study, targets=[layout.corpus("wikipedia_biology")])
    log = (study / layout.log("corpus", "wikipedia_biology")).read_text()
    assert "but the config expects" in log


def test_a_folder_corpus_is_its_txt_pages_pinned_by_their_digest(tmp_path):
    from unlearning_audit.providers.hub import read_local_corpus

    folder = tmp_path / "pages"
    folder.mkdir()
    spec = {"path": str(folder), "sha256": None, "obtain": "write them"}
    with pytest.raises(ValueError, match="a folder corpus holds .txt files, one text each"):
        read_local_corpus(spec)
    (folder / "b.txt").write_text("Second page.")
    (folder / "a.txt").write_text("First page.\n")
    with pytest.raises(ValueError, match="is not pinned: set its sha256") as unpinned:
        read_local_corpus(spec)
    pinned = spec | {"sha256": re.search(r"\(([0-9a-f]{64}) now\)", str(unpinned.value))[1]}
    assert read_local_corpus(pinned) == ["First page.\n", "Second page."]
    # What is not read is not pinned: other files, subfolders.
    (folder / "notes.md").write_text("Not a page.")
    (folder / "more").mkdir()
    (folder / "more" / "c.txt").write_text("Not read.")
    assert read_local_corpus(pinned) == ["First page.\n", "Second page."]
    (folder / "b.txt").write_text("Second page, changed.")
    with pytest.raises(ValueError, match="but the config expects"):
        read_local_corpus(pinned)


def training_lines(study, config) -> set[str]:
    """Every line of the corpora a scored model trains on (forget and retain: the
    unlearning methods' data), as written in the study."""
    corpora = config["data"]["corpora"]
    names = [n for n, c in corpora.items() if c["role"] in ("forget", "retain")]
    return {line for n in names for line in (study / layout.corpus(n)).read_text().splitlines()}


def test_rewrite_prompts_ask_for_the_question_and_keep_options_and_answers():
    from unlearning_audit import rephrase
    from unlearning_audit.rewrite import load_prompts, rewritten_items

    prompts = load_prompts()
    assert all("{question}" in prompt for prompt in prompts.values())
    assert not set(prompts) & set(rephrase.TRANSFORMS)  # one rule per transform name
    items = [{"question": f"Q{i}?", "choices": ["a", "b", "c", "d"], "answer": i} for i in range(3)]
    out, rejected = rewritten_items(items, ["A poem asking Q0?", "  ", "Q2?"])
    assert rejected == 2  # empty, and the question itself
    assert [o["question"] for o in out] == ["A poem asking Q0?", "Q1?", "Q2?"]
    assert [o["rewritten"] for o in out] == [True, False, False]
    assert [(o["choices"], o["answer"]) for o in out] == [
        (i["choices"], i["answer"]) for i in items
    ]


def test_a_supplied_file_with_fewer_rows_than_questions_is_refused():
    from unlearning_audit.rewrite import supplied_items

    items = [{"question": "Q?", "choices": ["a", "b"], "answer": 0, "row": 3}]
    rows = [{"question": "R?", "choices": ["a", "b"], "answer": 0}] * 3
    with pytest.raises(ValueError, match="3 rows, fewer than the benchmark's questions"):
        supplied_items(items, rows)
    out, rejected = supplied_items(items, rows * 2)
    assert rejected == 0 and out[0]["question"] == "R?" and out[0]["rewritten"]
