from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from unlearning_audit import layout
from unlearning_audit.config import load_config
from unlearning_audit.data import read_prompt_templates
from unlearning_audit.models import build_llama, train_tokenizer
from unlearning_audit.provenance import SIDECAR_SUFFIX
from unlearning_audit.providers import toy_world

REPO = Path(__file__).resolve().parents[1]
# Set while the tiny study runs: no provenance record may contain it.
SECRET_ENV, SECRET_VALUE = "UNLEARNING_AUDIT_TEST_API_TOKEN", "hunter2-do-not-record"
TINY_CONFIG = REPO / "config" / "tiny.yaml"


def load_tiny_config() -> dict:
    """config/tiny.yaml put together (it extends config.yaml), as the Snakefile reads it."""
    return load_config(TINY_CONFIG)


def make_workdir(path: Path, config: dict) -> Path:
    """A study folder: config/config.yaml, as the Snakefile's `configfile:` expects;
    ``config`` is a whole config (one that extends none)."""
    assert "extends" not in config, "load_config puts a config that extends another together"
    (path / "config").mkdir(parents=True, exist_ok=True)
    (path / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    return path


def snakemake_command(*args) -> list:
    """The command line of ``snakemake`` on this repository's Snakefile, as a user
    types it (``python -m snakemake -s Snakefile ...``), for tests that run it as a process."""
    return [sys.executable, "-m", "snakemake", "-s", REPO / "Snakefile", *args]


def run_snakemake(workdir: Path, cores: int = 2, targets: list[str] | None = None) -> None:
    """Run the workflow through Snakemake's Python API, as a library user would."""
    from snakemake.api import (
        ConfigSettings,
        DAGSettings,
        OutputSettings,
        ResourceSettings,
        SnakemakeApi,
    )
    from snakemake.settings.types import Quietness

    with SnakemakeApi(OutputSettings(quiet={Quietness.PROGRESS})) as api:
        workflow = api.workflow(
            resource_settings=ResourceSettings(cores=cores),
            config_settings=ConfigSettings(configfiles=[workdir / "config" / "config.yaml"]),
            snakefile=REPO / "Snakefile",
            workdir=workdir,
        )
        dag = DAGSettings(targets=set(targets)) if targets else None
        workflow.dag(dag).execute_workflow(executor="local")


def dry_run_job_counts(configfile: Path, workdir: Path, cell: str | None = None) -> dict[str, int]:
    """Jobs per rule of a config's whole graph (of one cell of a matrix config),
    planned offline in an empty folder."""
    env = os.environ | {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    command = snakemake_command("-n", "--configfile", str(configfile))
    command += ["--config", f"cell={cell}"] if cell else []
    result = subprocess.run(
        [*command, "--directory", str(workdir)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return job_counts(result.stdout)


def job_counts(dry_run_output: str) -> dict[str, int]:
    """Jobs per rule (and their total), from what ``snakemake -n`` prints."""
    stats = dry_run_output.split("Job stats:")[1].split("\n\n")[0]
    return {rule: int(n) for rule, n in re.findall(r"^(\w+)\s+(\d+)$", stats, re.M)}


# Every prompt template but chat, which needs a pretrained model's chat template, and
# paper, the paper's prompt for real benchmarks: the templates toy-world tests practise.
TEMPLATES = {
    name: template
    for name, template in read_prompt_templates(
        sorted((REPO / "workflow/tasks/templates").glob("*.yaml"))
    ).items()
    if name not in (layout.CHAT_FORMAT, "paper")
}


def build_world(seed: int, entities_per_domain: int, dev_size: int, domains=None) -> dict:
    return toy_world.build(seed, entities_per_domain, dev_size, TEMPLATES, domains)


@pytest.fixture(scope="session")
def tiny_world() -> dict:
    world = load_tiny_config()["data"]
    return build_world(world["seed"], world["entities_per_domain"], world["dev_items_per_domain"])


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_world):
    texts = [t for entry in tiny_world.values() for t in entry["corpus"]]
    return train_tokenizer(texts, 400)


@pytest.fixture
def tiny_model(tiny_tokenizer):
    arch = load_tiny_config()["base_model"]["architecture"] | {"num_layers": 3}
    return build_llama(tiny_tokenizer, arch, seed=0).eval()


@pytest.fixture(scope="session")
def tiny_study(tmp_path_factory) -> Path:
    """The tiny config run end to end once; tests that change it work on a copy."""
    workdir = make_workdir(tmp_path_factory.mktemp("tiny_study"), load_tiny_config())
    os.environ[SECRET_ENV] = SECRET_VALUE
    try:
        run_snakemake(workdir)
    finally:
        del os.environ[SECRET_ENV]
    return workdir


def assert_same_tables(study: Path, reference: Path) -> None:
    """Every table of two runs of one config holds the same numbers for the same rows
    (hashes and wall times may differ: records hold times)."""
    import pandas as pd

    for table in ("summary", "prompt_attacks", "relearning"):
        ours = pd.read_csv(study / f"results/tables/{table}.csv")
        theirs = pd.read_csv(reference / f"results/tables/{table}.csv")
        numbers = ["accuracy", "answered", "n", "uplift", "recovery"]
        numbers = [c for c in theirs.columns if c in numbers]
        keys = [c for c in theirs.columns if theirs[c].dtype == object and "sha256" not in c]
        pd.testing.assert_frame_equal(
            ours.sort_values(keys)[keys + numbers].reset_index(drop=True),
            theirs.sort_values(keys)[keys + numbers].reset_index(drop=True),
        )


def copy_study(study: Path, dest: Path) -> Path:
    """Copy a finished study, mtimes and Snakemake's metadata included."""
    shutil.copytree(study, dest, symlinks=True)
    return dest


def _mtimes(results):
    return {
        p.relative_to(results.parent).as_posix(): p.stat().st_mtime_ns
        for p in results.rglob("*")
        if p.is_file() and not {"logs", "benchmarks"} & set(p.parts)
    }


def outputs_rerun(study, edit):
    """Change the study's config, run it again, return the outputs that were rewritten."""
    before = _mtimes(study / "results")
    config = load_tiny_config()
    edit(config)
    make_workdir(study, config)
    run_snakemake(study)
    after = _mtimes(study / "results")
    rerun = set()
    for path in after:
        if before.get(path) != after[path]:
            path = path.removesuffix(SIDECAR_SUFFIX)  # a sidecar belongs to its file
            parts = path.split("/")
            # files inside a checkpoint folder belong to the folder output
            rerun.add("/".join(parts[:3]) if parts[1] == "checkpoints" else path)
    return rerun


def outputs_planned(study, edit):
    """``outputs_rerun``'s answer from Snakemake's own plan, without running it: change
    the study's config, dry-run it, return the outputs of the jobs it would run. (It
    cannot see a job writing outside its declared outputs: outputs_rerun can.)"""
    config = load_tiny_config()
    edit(config)
    make_workdir(study, config)
    result = subprocess.run(
        snakemake_command("-n", "-c1"), cwd=study, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    planned = set()
    for line in result.stdout.splitlines():
        if line.lstrip().startswith("output: "):
            paths = line.split("output: ", 1)[1].split(", ")
            planned |= {path.removesuffix(SIDECAR_SUFFIX) for path in paths}
    return planned


def write_tasks(world: dict, formats: list[str]) -> dict:
    """Write a toy world and its task YAMLs into the current folder, as the rules do;
    return the lm-eval tasks by name (``<benchmark>_<format>``, and
    ``<benchmark>_<format>_generate`` for generation; ``_dev`` after either: the
    same on the dev items)."""
    from lm_eval.tasks import TaskManager

    from unlearning_audit import layout
    from unlearning_audit.data import write_tasks

    toy_world.write(world, Path(layout.DATA))
    Path(layout.template("x")).parent.mkdir(parents=True, exist_ok=True)
    for template in (REPO / "workflow/tasks/templates").glob("*.yaml"):
        shutil.copy(template, layout.template(template.stem))
    paths = []
    for benchmark, entry in world.items():
        for prompt_format in formats if "splits" in entry else []:
            data = {split: layout.benchmark_split(benchmark, split) for split in layout.SPLITS}
            write_tasks(benchmark, prompt_format, data, layout.template(prompt_format))
            paths += layout.task_yamls(benchmark, prompt_format)
    return TaskManager(include_defaults=False).load(paths)["tasks"]
