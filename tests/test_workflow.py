"""The tiny config through Snakemake: end to end, staleness, and config errors."""

import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import REPO, copy_study, load_tiny_config, make_workdir, run_snakemake

from unlearning_audit.provenance import SIDECAR_SUFFIX

CHECKPOINTS = {"base", "rmu", "llmu", "gradient_ascent"}
TASKS = {"toy_bio_cloze", "toy_cyber_cloze", "toy_general_cloze"}


def test_tiny_study_produces_table_figure_and_checkpoints(tiny_study):
    table = pd.read_csv(tiny_study / "results/tables/summary.csv")
    assert set(zip(table.checkpoint, table.task)) == {(c, t) for c in CHECKPOINTS for t in TASKS}
    for path in ("unlearning_tradeoff.pdf", "unlearning_tradeoff.png"):
        assert (tiny_study / "results/figures" / path).stat().st_size > 10_000
    for checkpoint in CHECKPOINTS:
        folder = tiny_study / "results/checkpoints" / checkpoint
        assert (folder / "model.safetensors").exists()
        assert not list(folder.glob("*.bin")) and not list(folder.glob("*.pt"))
    # Each table row points at the JSON it came from, and agrees with it.
    for row in table.itertuples():
        result = json.loads((tiny_study / row.source).read_text())
        assert result["accuracy"] == row.accuracy
        assert result["lm_eval"]["results"][row.task]["acc,none"] == row.accuracy


def test_tiny_base_model_is_well_above_chance_and_rmu_forgets(tiny_study):
    table = pd.read_csv(tiny_study / "results/tables/summary.csv").set_index(["checkpoint", "task"])
    for task in TASKS:
        assert table.accuracy["base", task] >= 0.6, task
    for task in ("toy_bio_cloze", "toy_cyber_cloze"):
        assert table.accuracy["rmu", task] < table.accuracy["base", task] - 0.2, task


def test_every_rule_wrote_its_log(tiny_study):
    logs = tiny_study / "results/logs"
    assert (logs / "train_base.log").read_text().strip()
    assert "rmu" in (logs / "unlearn/rmu.log").read_text()
    assert "acc" in (logs / "evaluate/base/toy_bio_cloze.log").read_text()


def _mtimes(results):
    return {
        p.relative_to(results.parent).as_posix(): p.stat().st_mtime_ns
        for p in results.rglob("*")
        # logs and benchmark timings are by-products, rewritten by every job
        if p.is_file() and not {"logs", "benchmarks"} & set(p.parts)
    }


def _output_of(path):
    """Files inside a checkpoint folder belong to the folder, a sidecar to its file."""
    path = path.removesuffix(SIDECAR_SUFFIX)
    parts = path.split("/")
    return "/".join(parts[:3]) if parts[1] == "checkpoints" else path


def test_changing_one_rmu_hyperparameter_reruns_only_what_depends_on_it(tiny_study, tmp_path):
    study = copy_study(tiny_study, tmp_path / "study")
    before = _mtimes(study / "results")
    config = load_tiny_config()
    config["unlearning"]["rmu"]["params"]["alpha"] = 40.0
    make_workdir(study, config)
    run_snakemake(study)
    after = _mtimes(study / "results")
    rerun = {_output_of(p) for p in after if before.get(p) != after[p]}
    assert rerun == {
        "results/checkpoints/rmu",
        *(f"results/evals/rmu/{task}.json" for task in TASKS),
        "results/tables/summary.csv",
        "results/tables/summary.md",
        "results/figures/unlearning_tradeoff.pdf",
        "results/figures/unlearning_tradeoff.png",
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
        lambda c: c["base_model"]["training"].pop("steps"),
        "config error: missing key base_model.training.steps",
    ),
    "unknown key": (
        lambda c: c["evaluation"].update(shots=5),
        "config error: unknown key evaluation.shots",
    ),
}


@pytest.mark.parametrize("case", BAD_CONFIGS)
def test_a_bad_config_stops_before_any_job_with_one_line_naming_the_key(case, tmp_path):
    edit, message = BAD_CONFIGS[case]
    config = load_tiny_config()
    edit(config)
    workdir = make_workdir(tmp_path, config)
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-s", REPO / "Snakefile", "-d", workdir, "-c1"],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(message), lines
    assert not (workdir / "results").exists()
