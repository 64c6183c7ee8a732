"""Prompt attacks (rephrased benchmarks, k-shot) and the relearning attack."""

import json
import random

import pandas as pd
import pytest
from conftest import (
    build_world,
    copy_study,
    load_tiny_config,
    outputs_planned,
    outputs_rerun,
    write_tasks,
)

from unlearning_audit import layout, rephrase
from unlearning_audit.provenance import load_record

# The tiny study's attacked checkpoints: the base model, the oracle, every unlearning entry.
AUDITED = ("base", "oracle", "rmu", "llmu")


@pytest.mark.parametrize("name", rephrase.TRANSFORMS)
def test_every_transform_keeps_the_correct_option(tiny_world, name):
    items = tiny_world["bio"]["splits"]["test"]
    changed = rephrase.transform_split(name, items, seed=0)
    assert len(changed) == len(items)
    for before, after in zip(items, changed):
        assert after["choices"][after["answer"]] == before["choices"][before["answer"]]
        assert sorted(after["choices"]) == sorted(before["choices"])


def test_transforms_change_what_they_say_they_change(tiny_world):
    item = tiny_world["bio"]["splits"]["test"][0]
    rng = random.Random(0)
    assert rephrase.transform_item("restated", item, rng)["question"] == item["restated_question"]
    assert rephrase.transform_item("shuffled", item, rng)["choices"] != item["choices"]
    filler = rephrase.transform_item("filler", item, rng)["question"]
    assert filler.endswith(item["question"]) and len(filler) > len(item["question"]) + 50


def test_few_shot_exemplars_come_from_dev_never_from_test(tmp_path, monkeypatch):
    world = build_world(0, 8, 4)
    monkeypatch.chdir(tmp_path)  # task YAMLs name data files relative to the workdir
    task = write_tasks(world, ["cloze"])["bio_cloze"]
    test_questions = {doc["question"] for doc in task.test_docs()}
    dev_questions = {doc["question"] for doc in task.fewshot_docs()}
    assert dev_questions == {item["question"] for item in world["bio"]["splits"]["dev"]}
    assert not dev_questions & test_questions
    for doc in task.test_docs():
        context = task.fewshot_context(doc, num_fewshot=3)
        shown = {q for q in test_questions if q in context}
        assert shown == {doc["question"]}  # only the question being asked
        assert sum(q in context for q in dev_questions) == 3


def test_other_domain_exemplars_are_the_first_dev_items_of_that_benchmark(tmp_path, monkeypatch):
    from lm_eval.tasks import TaskManager

    from unlearning_audit.data import write_tasks as write_task_yamls
    from unlearning_audit.plan import exemplar_variant

    world = build_world(0, 8, 4)
    monkeypatch.chdir(tmp_path)
    write_tasks(world, ["cloze"])
    variant = exemplar_variant("cloze", "geography")
    data = {split: layout.benchmark_split("bio", split) for split in layout.SPLITS}
    exemplars = layout.benchmark_split("geography", "dev")
    write_task_yamls("bio", variant, data, layout.template("cloze"), exemplars)
    tasks = TaskManager(include_defaults=False).load(layout.task_yamls("bio", variant))["tasks"]
    first = [item["question"] for item in world["geography"]["splits"]["dev"][:3]]
    bio = {i["question"] for split in ("dev", "test") for i in world["bio"]["splits"][split]}
    for name in (layout.task_name("bio", variant), layout.task_name("bio", variant, split="dev")):
        task = tasks[name]
        for doc in task.test_docs() if task.has_test_docs() else task.validation_docs():
            context = task.fewshot_context(doc, num_fewshot=3)
            # The same three, in order, before the asked question; no other bio question.
            a, b, c = (context.find(q) for q in first)
            assert -1 < a < b < c < context.find(doc["question"])
            assert {q for q in bio if q in context} == {doc["question"]}


@pytest.mark.slow
def test_attacked_checkpoint_records_its_parent(tiny_study):
    folder = tiny_study / "results/checkpoints/rmu.relearn-unrelated-10"
    training = json.loads((folder / "training.json").read_text())
    assert training["parent"] == "results/checkpoints/rmu"
    assert training["corpus"] == "unrelated" and training["steps"] == 10
    record = load_record(folder)
    assert record["rule"] == "relearn"
    assert record["inputs"][0]["path"] == "results/checkpoints/rmu"
    assert [i["path"] for i in record["inputs"][1:]] == ["results/data/corpora/music.jsonl"]


@pytest.mark.slow
def test_changing_the_relearning_schedule_reruns_only_relearning(tiny_study, tmp_path):
    study = copy_study(tiny_study, tmp_path / "study")
    steps = [0, 5]  # fewer steps than the study's: every relearning run reruns, shorter

    def edit(config):
        config["attacks"]["relearning"]["steps"] = steps

    runs = [(m, c) for c in ("unrelated", "forget", "retrain") for m in AUDITED]
    relearned = [f"{m}.relearn-{c}-{s}" for m, c in runs for s in steps if s]
    # Snakemake's plan (a dry run): rerunning all 12 runs takes minutes and shows no more
    # than the tuning test below, which runs what it plans.
    assert outputs_planned(study, edit) == relearning_outputs(relearned)


BENCHMARKS = ("bio", "cyber", "geography")


def relearning_outputs(relearned: list[str]) -> set[str]:
    """What a change to relearning alone rewrites: those checkpoints, their scores and
    the tables and figure built on relearning."""
    return {
        *(layout.checkpoint(name) for name in relearned),
        *(
            layout.evaluation(n, b, "cloze", s)
            for n in relearned
            for b in BENCHMARKS
            for s in layout.SCORINGS
        ),
        "results/tables/relearning.csv",
        "results/tables/seeds.csv",  # its relearning rows
        "results/tables/summary.md",  # the README's key numbers include relearning
        "results/tables/claims.md",  # claim (c) is relearning's
        "results/figures/relearning_recovery.pdf",
        "results/figures/relearning_recovery.png",
        *ATTACK_FAMILIES,  # relearning is three of its families
    }


# The figure of every attack family and the audit (its table, page and card) read every
# attack's table; so does the summary.
ATTACK_FAMILIES = (
    "results/figures/attack_families.pdf",
    "results/figures/attack_families.png",
    "results/tables/audit.csv",
    "results/tables/audit.md",
    "results/figures/audit_card.pdf",
    "results/figures/audit_card.png",
)


@pytest.mark.slow
def test_the_attack_under_the_other_tuning_adds_its_runs_and_reruns_nothing_else(
    tiny_study, tmp_path
):
    """attacks.relearning.compare_tuning: the unrelated-data attack with LoRA beside the
    study's full fine-tuning, on each entry and on the base model and the oracle."""
    study = copy_study(tiny_study, tmp_path / "study")
    steps = [s for s in load_tiny_config()["attacks"]["relearning"]["steps"] if s]
    kind = layout.compared_tuning("lora")
    relearned = [layout.relearned(m, kind, s) for m in AUDITED for s in steps]

    def edit(config):
        config["attacks"]["relearning"]["compare_tuning"] = "lora"

    assert outputs_rerun(study, edit) == relearning_outputs(relearned)
    training = json.loads((study / layout.checkpoint(relearned[0]) / "training.json").read_text())
    assert training["tuning"] == "lora" and training["corpus"] == kind
    record = load_record(study / layout.checkpoint(relearned[0]))
    assert record["params"]["relearning"]["tuning"] == "lora"
    assert [i["path"] for i in record["inputs"][1:]] == ["results/data/corpora/music.jsonl"]
    table = pd.read_csv(study / layout.table("relearning"))
    assert set(table[table.relearn_corpus == kind].parent) == set(AUDITED)
    assert "unrelated data, lora fine-tuning" in (study / layout.SUMMARY_MARKDOWN).read_text()


@pytest.mark.slow
def test_quantizing_the_base_model_to_8_bits_keeps_its_accuracy(tiny_study):
    """The check can fail: broken quantization moves the base model toward chance."""
    table = pd.read_csv(tiny_study / layout.table("quantization"))
    base = table[(table.checkpoint == "base") & (table.setting == "int8")]
    assert len(base) == len(BENCHMARKS) * len(layout.SCORINGS)
    assert (base.accuracy - base.unattacked).abs().max() <= 0.1
    assert (base.recovery.dropna() == 1).all()  # the base model under the attack is R = 1
    # Every reference and attacked model, at every bit width.
    assert set(zip(table.checkpoint, table.setting)) == {
        (p, s) for p in AUDITED for s in ("int8", "int4")
    }


@pytest.mark.slow
def test_a_quantized_model_is_built_from_its_parent_and_records_what_survived(tiny_study):
    table = pd.read_csv(tiny_study / layout.table("quantization"))
    changes = table.drop_duplicates(["checkpoint", "setting"]).set_index(["checkpoint", "setting"])
    assert (changes.loc["base"].weights_changed == 0).all()
    # RMU changes the layers it trains (tiny: layer 0 of 2); quantized, no more survives.
    rmu = changes.loc["rmu"]
    assert (0 < rmu.quantized_weights_changed).all()
    assert (rmu.quantized_weights_changed <= rmu.weights_changed).all()
    path = tiny_study / layout.evaluation(
        layout.built("rmu", "quantization", "int4"), "bio", "cloze"
    )
    result = json.loads(path.read_text())
    assert result["built"]["bits"] == 4 and result["built"]["library"] == "torchao"
    assert result["checkpoint_path"] == layout.checkpoint("rmu")
    assert not (
        tiny_study / layout.checkpoint(layout.built("rmu", "quantization", "int4"))
    ).exists()
    record = load_record(path)
    assert record["rule"] == "evaluate_quantization"
    inputs = [i["path"] for i in record["inputs"]]
    assert inputs[:2] == [layout.checkpoint("rmu"), layout.BENCHMARK_TABLE]
    assert layout.checkpoint("base") in inputs


# One change to each attack that builds models, and the settings it then evaluates:
# every job of the attack reads the changed settings, so all of them rerun.
BUILT_CHANGES = {
    "quantization": (("bits", [8]), ["int8"]),
    "ablation": (("seed", 1), ["mean_difference", "random", "rmu_steering"]),
    "few_example": (("steps", 4), ["unrelated-2", "forget-2"]),
    "soft_prompt": (("lr", 0.02), ["4-tokens"]),
}


@pytest.mark.slow
@pytest.mark.parametrize("attack", BUILT_CHANGES)
def test_changing_an_attacks_settings_reruns_only_that_attack(tiny_study, tmp_path, attack):
    study = copy_study(tiny_study, tmp_path / "study")
    (key, value), settings = BUILT_CHANGES[attack]

    def edit(config):
        config["attacks"][attack][key] = value

    assert outputs_planned(study, edit) == {
        *(
            layout.evaluation(layout.built(p, attack, setting), b, "cloze", s)
            for p in AUDITED
            for setting in settings
            for b in BENCHMARKS
            for s in layout.SCORINGS
        ),
        layout.table(attack),
        layout.SUMMARY_MARKDOWN,
        *ATTACK_FAMILIES,
    }


@pytest.mark.slow
def test_ablating_a_random_direction_changes_nothing_measurable(tiny_study):
    """Ablation is scored on entities V against each model unattacked on the same items.
    The check can fail: a projection hooked onto the wrong place, or one that removes
    more than its direction, moves the models' answers."""
    table = pd.read_csv(tiny_study / layout.table("ablation"))
    assert set(zip(table.checkpoint, table.setting)) == {
        (p, s) for p in AUDITED for s in ("mean_difference", "random", "rmu_steering")
    }
    forget = table[table.role == "forget"]
    assert (forget.scored_items == "V").all() and (
        table[table.role != "forget"].scored_items == "all"
    ).all()
    random = table[(table.setting == "random") & (table.scoring == "loglikelihood")]
    assert ((random.lift_low <= 0) & (0 <= random.lift_high)).all(), random
    # The base model's mean difference from itself is zero: nothing is ablated.
    base = table[(table.checkpoint == "base") & (table.setting == "mean_difference")]
    assert (base.lift == 0).all() and base.first_changed_block.isna().all()
    # RMU trains the tiny model's block 0; the oracle differs from the base everywhere.
    changed = table.drop_duplicates("checkpoint").set_index("checkpoint").first_changed_block
    assert changed["rmu"] == 0 and changed["oracle"] == 0
    record = load_record(tiny_study / layout.evaluation("rmu.ablate-random", "bio", "cloze"))
    assert record["rule"] == "evaluate_ablation"


@pytest.mark.slow
def test_few_example_fine_tuning_fits_its_examples_from_the_parent_afresh(tiny_study):
    """The check can fail: a run that does not train (or trains on nothing) leaves the
    loss where it started."""
    table = pd.read_csv(tiny_study / layout.table("few_example"))
    runs = table.drop_duplicates(["checkpoint", "setting"])
    assert set(zip(runs.checkpoint, runs.setting)) == {
        (p, s) for p in AUDITED for s in ("unrelated-2", "forget-2")
    }
    assert (runs.last_loss < runs.first_loss).all(), runs[
        ["checkpoint", "setting", "first_loss", "last_loss"]
    ]
    path = tiny_study / layout.evaluation("rmu.finetune-forget-2", "bio", "cloze")
    result = json.loads(path.read_text())
    built = result["built"]
    assert (built["examples"], built["steps"], len(built["texts"]), len(built["losses"])) == (
        2,
        3,
        2,
        3,
    )
    assert result["checkpoint_path"] == layout.checkpoint("rmu")
    assert not (tiny_study / layout.checkpoint("rmu.finetune-forget-2")).exists()
    inputs = [i["path"] for i in load_record(path)["inputs"]]
    assert any(p.startswith("results/data/forget_slices/") for p in inputs)


@pytest.mark.slow
def test_a_soft_prompt_is_fitted_on_entities_t_and_scored_on_v(tiny_study):
    """The check can fail: a prompt that gets no gradient leaves the loss where it began."""
    table = pd.read_csv(tiny_study / layout.table("soft_prompt"))
    runs = table.drop_duplicates("checkpoint").set_index("checkpoint")
    assert set(runs.index) == set(AUDITED)
    assert (runs.last_loss < runs.first_loss).all(), runs[["first_loss", "last_loss"]]
    assert set(table[table.role == "forget"].scored_items) == {"V"}
    path = tiny_study / layout.evaluation("oracle.soft_prompt-4-tokens", "cyber", "cloze")
    result = json.loads(path.read_text())
    # Fitted on the items of entities T of both forget benchmarks (18 each in the tiny
    # world: half its test items), with the oracle's own weights frozen.
    assert result["built"]["items"] == 2 * 18 and len(result["built"]["losses"]) == 20
    assert result["checkpoint_path"] == layout.checkpoint("oracle")
    assert load_record(path)["rule"] == "evaluate_soft_prompt"


@pytest.mark.slow
def test_the_lens_at_the_last_layer_answers_each_item_as_lm_eval_scored_it(tiny_study):
    """The activation job reads the model as lm-eval scores it: item by item, the lens
    at the last layer is the log-likelihood evaluation (the check fails on any
    difference in prompt, tokenization or option scoring)."""
    for model in AUDITED:
        result = json.loads((tiny_study / layout.activations(model)).read_text())
        for benchmark, read in result["benchmarks"].items():
            path = tiny_study / layout.evaluation(model, benchmark, "cloze")
            scored = {i["id"]: int(i["correct"]) for i in json.loads(path.read_text())["items"]}
            lens = read["logit_lens"][-1]["correct"]
            assert lens == [scored[item["id"]] for item in read["items"]], (model, benchmark)


@pytest.mark.slow
def test_the_activation_table_has_every_layer_of_every_model_and_one_chosen_on_t(tiny_study):
    table = pd.read_csv(tiny_study / layout.table("activations"))
    layers = load_tiny_config()["base_model"]["architecture"]["num_layers"]
    assert set(table.checkpoint) == set(AUDITED)
    groups = table.groupby(["checkpoint", "attack", "benchmark"])
    assert len(groups) == len(AUDITED) * 2 * 2  # lens and probe, bio and cyber
    assert (groups.layer.apply(sorted).map(tuple) == tuple(range(1, layers + 1))).all()
    assert (groups.selected.sum() == 1).all()
    # Scored on entities V only: the bio and cyber test items of V.
    splits = {
        b: pd.read_json(tiny_study / layout.benchmark_split(b, "test"), lines=True)
        for b in ("bio", "cyber")
    }
    for benchmark, split in splits.items():
        assert (table[table.benchmark == benchmark].n == (split.retrain_split == "V").sum()).all()


@pytest.mark.slow
def test_changing_the_probe_reruns_only_the_activation_attacks(tiny_study, tmp_path):
    study = copy_study(tiny_study, tmp_path / "study")

    def edit(config):
        config["attacks"]["activations"]["probe"]["c"] = 0.1

    assert outputs_planned(study, edit) == {
        *(layout.activations(p) for p in AUDITED),
        layout.table("activations"),
        layout.SUMMARY_MARKDOWN,
        *ATTACK_FAMILIES,
    }
