"""The tiny config through Snakemake: end to end, staleness, and config errors."""

import json
import subprocess

import pandas as pd
import pytest
from conftest import (
    REPO,
    copy_study,
    dry_run_job_counts,
    load_tiny_config,
    make_workdir,
    outputs_planned,
    run_snakemake,
    snakemake_command,
)

from unlearning_audit import layout
from unlearning_audit.config import ConfigError, resolve_study, validate_config
from unlearning_audit.plan import BUILT_ATTACKS, FIGURE_NAMES, Study

# The tiny config sweeps LLMU to one more point.
CHECKPOINTS = {"base", "oracle", "rmu", "llmu", "llmu.sweep-num_steps-10"}
BENCHMARKS = {"bio", "cyber", "geography"}
VARIANTS = {"cloze", "3shot", "3shot_from_geography"} | {
    f"rephrase_{t}" for t in load_tiny_config()["attacks"]["rephrase"]
}


@pytest.mark.slow
def test_tiny_study_produces_tables_figures_and_checkpoints(tiny_study):
    table = pd.read_csv(tiny_study / "results/tables/summary.csv")
    # Attacks ask the forget benchmarks; the capability benchmark is asked in the format.
    assert set(table.source) == evaluations(CHECKPOINTS, VARIANTS)
    for name in FIGURE_NAMES:
        for ext in ("pdf", "png"):
            assert (tiny_study / f"results/figures/{name}.{ext}").stat().st_size > 10_000
    for checkpoint in CHECKPOINTS:
        folder = tiny_study / "results/checkpoints" / checkpoint
        assert (folder / "model.safetensors").exists()
        assert not list(folder.glob("*.bin")) and not list(folder.glob("*.pt"))
    # Each table row points at the JSON it came from, and agrees with it.
    for row in table.itertuples():
        result = json.loads((tiny_study / row.source).read_text())
        assert result["accuracy"] == row.accuracy and result["scoring"] == row.scoring
        metric = "exact_match,first_line" if row.scoring == "generate" else "acc,none"
        assert result["lm_eval"]["results"][result["task"]][metric] == row.accuracy
    assert "Relearning attack" in (tiny_study / "results/tables/summary.md").read_text()


@pytest.mark.slow
def test_a_sweep_adds_frontier_points_that_attacks_read_but_relearning_does_not(tiny_study):
    point = layout.sweep_point("llmu", "num_steps", 10)
    assert point == "llmu.sweep-num_steps-10"
    record = json.loads((tiny_study / layout.checkpoint(point) / "training.json").read_text())
    assert len(record["steps"]) == 10 and record["method"] == "llmu"
    summary = pd.read_csv(tiny_study / "results/tables/summary.csv")
    assert set(summary[summary.checkpoint == point].source) == evaluations({point}, VARIANTS)
    assert not list((tiny_study / "results/checkpoints").glob(f"{point}.relearn-*"))
    frontier = pd.read_csv(tiny_study / "results/tables/frontier.csv")
    swept = frontier[frontier.run == "llmu"]
    assert set(swept.checkpoint) == {"llmu", point}
    assert set(swept.value) == {10, 30} and set(swept.knob) == {"num_steps"}
    # One matched point per compared run (rmu, llmu), forget benchmark and scoring,
    # at or below the level.
    matched = frontier[frontier.matched]
    assert set(matched.run) == {"rmu", "llmu"}
    assert len(matched) == 2 * len(frontier.groupby(["scoring", "forget_benchmark"]))
    assert (matched.forget_accuracy <= matched.matched_level).all()


@pytest.mark.slow
def test_seed_replicas_are_checkpoints_of_their_own_with_shifted_seeds(tiny_study, tmp_path):
    """seeds: 2 adds, per unlearning entry, a run with every seed one higher, made from
    a base model trained again with its seed one higher, attacked by relearning with
    its own seed; run here for one entry, planned for all."""
    study = copy_study(tiny_study, tmp_path / "study")
    config = load_tiny_config() | {"seeds": 2}
    make_workdir(study, config)
    replica = layout.seed_replica("llmu", 1)
    relearned = layout.relearned(replica, "unrelated", 10)
    run_snakemake(study, targets=[layout.checkpoint(relearned)])

    def record(name, file="provenance.json"):
        return json.loads((study / layout.checkpoint(name) / file).read_text())

    assert record(replica)["seed"] == config["unlearning"]["llmu"]["params"]["seed"] + 1
    assert record(replica, "training.json")["parent"] == layout.checkpoint("base.seed-1")
    assert record("base.seed-1")["params"]["base_model"]["seed"] == config["base_model"]["seed"] + 1
    assert record(relearned)["seed"] == config["attacks"]["relearning"]["seed"] + 1
    assert record(relearned)["params"]["relearning"]["lr"] == config["attacks"]["relearning"]["lr"]
    # Another seed draws other weights and batches: the losses differ from the base
    # model's and the entry's own run.
    for name, key in (("base", "losses"), ("llmu", "steps")):
        losses = [record(n, "training.json")[key] for n in (name, layout.seed_replica(name, 1))]
        assert losses[0] != losses[1], name

    # Planned in the finished study: the replicas' jobs, and no job of the runs as
    # configured (their checkpoints and evaluations stay as they are).
    planned = dry_run_job_counts(study / "config/config.yaml", study)
    runs = len(config["unlearning"])
    corpora = 3  # unrelated data, the forget slice, retraining on T
    assert planned["train_base"] == 1  # oracle.seed-1 (base.seed-1 is made)
    assert planned["unlearn"] == runs - 1  # llmu.seed-1 is made
    assert planned["evaluate"] == runs + 2  # and the two references' replicas
    assert planned["relearn"] == (runs + 2) * corpora - 1
    assert planned["evaluate_relearning"] == (runs + 2) * corpora
    for attack in ("activations", *(f"evaluate_{a}" for a in BUILT_ATTACKS)):
        assert planned[attack] == runs + 2, attack


@pytest.mark.slow
def test_every_rule_wrote_its_log(tiny_study):
    logs = tiny_study / "results/logs"
    assert (logs / "train_base/base.log").read_text().strip()
    assert (logs / "train_base/oracle.log").read_text().strip()
    assert "rmu" in (logs / "unlearn/rmu.log").read_text()
    assert "acc" in (logs / "evaluate/base.log").read_text()
    assert "relearning" in (logs / "relearn/rmu.unrelated.log").read_text()


def evaluations(checkpoints, variants):
    """Evaluation JSONs of checkpoints: attacks on forget benchmarks, formats on all."""
    return {
        layout.evaluation(c, b, v, s)
        for c in checkpoints
        for b in BENCHMARKS
        for v in (variants if b != "geography" else set(variants) & {"cloze"})
        for s in layout.SCORINGS
    }


def dev_evaluations(checkpoints, variants):
    """The forget benchmarks' dev-item evaluations, where attacks are chosen."""
    return {
        layout.evaluation(c, b, v, s, "dev")
        for c in checkpoints
        for b in BENCHMARKS - {"geography"}
        for v in variants
        for s in layout.SCORINGS
    }


@pytest.mark.slow
def test_changing_one_rmu_hyperparameter_reruns_only_what_depends_on_it(tiny_study, tmp_path):
    """Planned, not run: RMU and everything built from it would take four minutes
    (test_attacks' LoRA test reruns for real, which also sees a job writing outside
    its declared outputs)."""
    study = copy_study(tiny_study, tmp_path / "study")

    def edit(config):
        config["unlearning"]["rmu"]["params"]["alpha"] = 40.0

    relearned = [
        f"rmu.relearn-{c}-{s}" for c in ("unrelated", "forget", "retrain") for s in (5, 10)
    ]
    assert outputs_planned(study, edit) == {
        "results/checkpoints/rmu",
        *(f"results/checkpoints/{name}" for name in relearned),
        *(evaluations(["rmu"], VARIANTS)),
        *(dev_evaluations(["rmu"], VARIANTS)),
        *(evaluations(relearned, ["cloze"])),
        # The attacks that build models from it (quantized, ablated, fine-tuned on a
        # few examples), and its activations.
        *(
            evaluations(
                [
                    *(f"rmu.quantize-int{b}" for b in (8, 4)),
                    *(f"rmu.ablate-{d}" for d in ("mean_difference", "random", "rmu_steering")),
                    *(f"rmu.finetune-{data}-2" for data in ("unrelated", "forget")),
                    "rmu.soft_prompt-4-tokens",
                ],
                ["cloze"],
            )
        ),
        "results/evals/rmu/activations.json",
        *(
            f"results/tables/{t}.csv"
            for t in (
                "summary",
                "prompt_attacks",
                "relearning",
                "frontier",
                "seeds",
                "quantization",
                "ablation",
                "few_example",
                "soft_prompt",
                "activations",
                "audit",
            )
        ),
        "results/tables/summary.md",
        "results/tables/claims.md",
        "results/tables/audit.md",
        *(
            f"results/figures/{f}.{ext}"
            for f in (
                "audit_card",
                "unlearning_tradeoff",
                "prompt_attacks",
                "relearning_recovery",
                "attack_families",
            )
            for ext in ("pdf", "png")
        ),
    }


BAD_CONFIGS = {
    "unknown method": (
        lambda c: c["unlearning"]["rmu"].update(method="magic"),
        "config error: unlearning.rmu.method: 'magic' is not one of",
    ),
    "negative learning rate": (
        lambda c: c["unlearning"]["llmu"]["params"].update(lr=-1e-4),
        "config error: unlearning.llmu.params.lr: -0.0001 is less than or equal to the minimum",
    ),
    "missing key": (
        lambda c: c["base_model"]["training"].pop("epochs"),
        "config error: missing key base_model.training.epochs",
    ),
    "unknown key": (
        lambda c: c["evaluation"].update(shots=5),
        "config error: unknown key evaluation.shots",
    ),
    "unknown transform": (
        lambda c: c["attacks"].update(rephrase=["restated", "pig_latin"]),
        "config error: attacks.rephrase.1: 'pig_latin' is not one of",
    ),
    "NaN learning rate": (
        lambda c: c["unlearning"]["llmu"]["params"].update(lr=float("nan")),
        "config error: unlearning.llmu.params.lr: nan is not a finite number",
    ),
    "infinite weight": (
        lambda c: c["unlearning"]["llmu"]["params"].update(kl_weight=float("inf")),
        "config error: unlearning.llmu.params.kl_weight: inf is not a finite number",
    ),
    "a sweep of no parameter of its run": (
        lambda c: c["unlearning"]["llmu"].update(sweep={"steering_coef": [1.0]}),
        "config error: unlearning.llmu.sweep.steering_coef: not a parameter of this run",
    ),
    "a sweep value its method refuses": (
        lambda c: c["unlearning"]["llmu"].update(sweep={"num_steps": [10, 0]}),
        "config error: unlearning.llmu.sweep.num_steps: 0 is less than",
    ),
    "a run without a seed, repeated over seeds": (
        lambda c: (c.update(seeds=2), c["unlearning"]["llmu"]["params"].pop("seed")),
        "config error: missing key unlearning.llmu.params.seed",
    ),
    "a released model with a sweep": (
        lambda c: c["unlearning"].update(
            published={
                "method": "released",
                "params": {"source": "hub", "name": "org/model", "revision": "abc"},
                "sweep": {"revision": [1]},
            }
        ),
        "config error: unlearning.published.sweep: a released model is taken as it is",
    ),
    "a rewrite without a prompt": (
        lambda c: c["attacks"].update(
            rewrites={
                "generator": {"source": "hub", "name": "org/model", "revision": "abc"},
                "transforms": ["poem", "limerick"],
                "max_new_tokens": 8,
                "batch_size": 2,
            }
        ),
        "config error: attacks.rewrites.transforms.1: 'limerick' has no prompt in",
    ),
    "relearning windows with gaps": (
        lambda c: c["attacks"]["relearning"].update(stride=1000),
        "config error: attacks.relearning.stride: 1000 tokens between windows of",
    ),
    "the attack's own tuning as its comparison": (
        lambda c: c["attacks"]["relearning"].update(compare_tuning="full"),
        "config error: attacks.relearning.compare_tuning: full is the attack's own tuning",
    ),
    "perplexity on text a method trains on": (
        lambda c: c["evaluation"].update(
            perplexity={"corpus": "history", "documents": 4, "max_length": 64}
        ),
        "config error: evaluation.perplexity.corpus: 'history' is not a corpus of role "
        "unrelated (music)",
    ),
    "no seeds": (
        lambda c: c.update(seeds=0),
        "config error: seeds: 0 is less than the minimum of 1",
    ),
    "dev split larger than the data": (
        lambda c: c["data"].update(dev_items_per_domain=10000),
        "config error: data.dev_items_per_domain: 10000 dev items, but a domain of 8 "
        "entities has only 40 facts",
    ),
    "exemplars from a forget benchmark": (
        lambda c: c["attacks"].update(few_shot_from={"cyber": [3]}),
        "config error: attacks.few_shot_from.cyber: exemplars come from a benchmark of this "
        "study that is not a forget benchmark (geography)",
    ),
    "more exemplars than dev items": (
        lambda c: c["attacks"].update(few_shot_from={"geography": [5]}),
        "config error: attacks.few_shot_from.geography: 5 exemplars, but "
        "data.dev_items_per_domain holds only 4",
    ),
    "chat template on a model trained from scratch": (
        lambda c: c["attacks"].update(rephrase=["restated", "chat"]),
        "config error: attacks.rephrase: chat asks in the model's own chat template, "
        "and a base model trained from scratch has none",
    ),
    "a forget share the toy world has no use for": (
        lambda c: c["attacks"]["relearning"].update(forget_fraction=0.1),
        "config error: attacks.relearning.forget_fraction: this data source writes forget",
    ),
    "generation on lm-eval's own tasks": (
        lambda c: c["evaluation"].update(prompt_formats=["lm_eval"]),
        "config error: evaluation.scoring: generate asks in a prompt template",
    ),
    "YAML syntax error": (
        "offline: true\ndata:\n  source: toy_world\n  seed: [0\n",
        "config error: config/config.yaml, line 5, column 1: expected ',' or ']'",
    ),
}


def config_error(config: dict) -> str | None:
    """What the Snakefile says of a config before any job (None: nothing), in-process:
    the same steps, without Snakemake's start-up."""
    try:
        study = resolve_study(config)
        validate_config(study)
        Study.from_config(study, REPO)
    except ConfigError as error:
        return f"config error: {error}"
    return None


@pytest.mark.parametrize("case", [c for c in BAD_CONFIGS if not isinstance(BAD_CONFIGS[c][0], str)])
def test_a_bad_config_is_refused_naming_the_key(case):
    edit, message = BAD_CONFIGS[case]
    config = load_tiny_config()
    edit(config)
    error = config_error(config)
    assert error is not None and error.startswith(message), error


# Through Snakemake itself, for a few kinds of mistake (the YAML, the schema, a check
# of the study's own): one line, and nothing written.
@pytest.mark.parametrize(
    "case", ["YAML syntax error", "missing key", "perplexity on text a method trains on"]
)
def test_a_bad_config_stops_before_any_job_with_one_line_naming_the_key(case, tmp_path):
    edit, message = BAD_CONFIGS[case]
    if isinstance(edit, str):  # the config file's text itself
        workdir = make_workdir(tmp_path, {})
        (workdir / "config/config.yaml").write_text(edit)
    else:
        config = load_tiny_config()
        edit(config)
        workdir = make_workdir(tmp_path, config)
    result = subprocess.run(
        snakemake_command("-d", workdir, "-c1"),
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    # Snakemake's one notice of the workflow profile it read, then the error alone.
    assert lines[0].startswith("Using workflow specific profile"), lines
    assert len(lines) == 2 and lines[1].startswith(message), lines
    assert not (workdir / "results").exists()
