"""One study shape: data providers behind one set of artifacts, one home for the
results layout, and a graph planned without torch."""

import ast
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest
import yaml
from conftest import REPO, job_counts

from unlearning_audit import layout
from unlearning_audit.config import load_config, resolve_study, validate_config
from unlearning_audit.plan import Study
from unlearning_audit.providers import BENCHMARK_ROLES, CORPUS_ROLES, PROVIDERS, catalog

CONFIGS = sorted((REPO / "config").glob("*.yaml"))
HEAVY = ("torch", "transformers", "lm_eval")
# Scripts of rules that load no model: they must not pay for torch's import.
LIGHT_SCRIPTS = [
    "make_toy_world",
    "benchmark_table",
    "prompt_template",
    "benchmark_task",
    "summary_table",
    "prompt_attacks_table",
    "relearning_table",
    "summary_markdown",
    "plot_tradeoff",
    "plot_prompt_attacks",
    "plot_relearning",
    "plot_attacks",
    "built_table",
    "activations_table",
]


def python_sources():
    for folder in ("src", "workflow/scripts", "tests"):
        yield from (REPO / folder).rglob("*.py")


def test_no_flag_fuses_two_studies():
    flag = "HUB" + "_DATA"  # spelled apart so that this file does not match itself
    files = [*python_sources(), *REPO.glob("rules/**/*.smk"), REPO / "Snakefile"]
    assert [f for f in files if flag in f.read_text()] == []


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return modules


def test_only_the_toy_world_provider_imports_it():
    provider = {
        REPO / "src/unlearning_audit/providers/__init__.py",  # the registry
        REPO / "src/unlearning_audit/providers/toy_world.py",
        REPO / "workflow/scripts/make_toy_world.py",  # its rule's script
    }
    importers = {
        path.relative_to(REPO).as_posix()
        for path in python_sources()
        if path not in provider and path.parent != REPO / "tests"
        if any(m.endswith("toy_world") for m in _imported_modules(path))
    }
    assert importers == set()
    smk = [p for p in REPO.glob("rules/**/*.smk") if "toy_world" in p.read_text()]
    assert smk == [REPO / "rules/providers/toy_world.smk"]


def studies():
    """(config, cell) of every config, each cell of a matrix config apart."""
    for path in CONFIGS:
        yield from ((path, cell) for cell in load_config(path).get("cells") or [None])


STUDIES = list(studies())
# Jobs in each paper cell's whole graph, as docs/paper.md gives them.
PAPER_CELL_JOBS = {"zephyr_wmdp": 78, "llama3_wmdp": 72, "zephyr_biology": 60, "llama3_biology": 61}


def study_id(config: Path, cell: str | None) -> str:
    return f"{config.stem}:{cell}" if cell else config.stem


@pytest.fixture(scope="module")
def dry_runs(tmp_path_factory) -> dict[str, tuple[int, str, list[str]]]:
    """``snakemake -n`` of every study, one after another in one process (Snakemake's
    start-up paid once): id -> exit code, what it printed, the heavy modules imported
    by then (none may be: planning imports no torch)."""
    runs = []
    for config, cell in STUDIES:
        folder = tmp_path_factory.mktemp(study_id(config, cell).replace(":", "-"))
        (folder / "tests").symlink_to(REPO / "tests")  # paper-smoke's data, relative to it
        chosen = ["--config", f"cell={cell}"] if cell else []
        runs.append(
            (
                study_id(config, cell),
                ["-n", "--configfile", str(config), *chosen, "-d", str(folder)],
            )
        )
    probe = f"""
import sys
from snakemake.cli import main
for name, args in {runs!r}:
    print("=== study", name, flush=True)
    try:
        main(args)
    except SystemExit as exit:
        print("=== exit", exit.code, flush=True)
    print("=== heavy", ",".join(m for m in {HEAVY!r} if m in sys.modules), flush=True)
"""
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        env=os.environ | {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = {}
    for chunk in result.stdout.split("=== study ")[1:]:
        name, printed = chunk.split("\n", 1)
        code = int(printed.split("=== exit ")[1].split("\n")[0])
        heavy = printed.split("=== heavy ")[1].split("\n")[0]
        found[name] = (code, printed, [m for m in heavy.split(",") if m])
    return found


@pytest.mark.parametrize("config, cell", STUDIES, ids=[study_id(p, c) for p, c in STUDIES])
def test_every_config_and_cell_plans_with_snakemake_as_its_plan_says_without_torch(
    config, cell, dry_runs
):
    """The one ``snakemake -n`` of each study (tests/test_plan.py tests the plan itself)."""
    study = resolve_study(load_config(config) | ({"cell": cell} if cell else {}))
    assert study["data"]["source"] in PROVIDERS
    contents = catalog(study["data"])
    # A capability corpus only where the pipeline trains the base model on it.
    assert {"forget", "retain", "unrelated"} <= set(contents.corpora.values()) <= set(CORPUS_ROLES)
    assert set(contents.benchmarks.values()) == set(BENCHMARK_ROLES)
    code, printed, heavy = dry_runs[study_id(config, cell)]
    assert code == 0, printed[-3000:]
    assert heavy == []
    jobs = job_counts(printed)
    validate_config(study)
    plan = Study.from_config(study, REPO)
    rephrasings = [
        (b, t)
        for b in plan.forget_benchmarks
        for t in plan.rephrasings
        if f"rephrase_{t}" in plan.variants_of(b)
    ]
    expected = {
        "evaluate": len(plan.evaluated),
        "unlearn": len(plan.trained_runs),
        "relearn": len(plan.relearning_runs),
        "evaluate_relearning": len(plan.relearning_runs),
        "fetch_model": len(plan.hub_models),
        "convert_gguf": len(plan.gguf_files),
        "train_base": len(plan.all_references) if plan.trained_base else 0,
        "benchmark_task": len(plan.data.tasks) // len(layout.task_yamls("b", "f")),
        "rephrase": sum(t in plan.transforms for _, t in rephrasings),
        "rewrite": sum(t in plan.rewrites for _, t in rephrasings),
        "perplexity": len(plan.evaluated) if plan.perplexity else 0,
        "perplexity_table": 1 if plan.perplexity else 0,
        **{f"evaluate_{a}": len(plan.audited) for a in plan.built_attacks},
        **{f"{a}_table": 1 for a in plan.built_attacks},
        "activations": len(plan.audited) if plan.activations else 0,
    }
    assert {rule: jobs.get(rule, 0) for rule in expected} == expected
    if config.name == "paper.yaml":
        assert jobs["total"] == PAPER_CELL_JOBS[cell]


# Functions of light scripts that load a tokenizer only for a study that asks for it
# (the chat format's practice, rendered in a pretrained model's chat template).
ON_REQUEST = {("make_toy_world", "chat_template")}


def _imports(name: str, *, inside_job: bool = True) -> set[str]:
    """Every import statement of a script, but those of its ON_REQUEST functions; with
    ``inside_job=False``, only those that run before its job starts (none inside its
    ``with job(...)`` block or a function)."""
    tree = ast.parse((REPO / "workflow/scripts" / f"{name}.py").read_text())

    def skipped(scope: ast.AST) -> bool:
        if isinstance(scope, ast.FunctionDef):
            return not inside_job or (name, scope.name) in ON_REQUEST
        return (
            not inside_job and isinstance(scope, ast.With) and "job(" in ast.unparse(scope.items[0])
        )

    left_out = {id(node) for scope in ast.walk(tree) if skipped(scope) for node in ast.walk(scope)}
    return {
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in left_out
    }


def test_table_figure_and_data_jobs_import_no_torch():
    for script, function in ON_REQUEST:  # an exemption names a function that exists
        assert f"def {function}(" in (REPO / "workflow/scripts" / f"{script}.py").read_text()
    statements = {statement for name in LIGHT_SCRIPTS for statement in _imports(name)}
    assert _heavy_modules_after(statements) == "[]"


def test_a_model_script_imports_torch_only_inside_its_job():
    """Imported above ``with job(...)``, torch and transformers would print their import
    warnings on the terminal, among Snakemake's lines, once per model job (jobs.job)."""
    scripts = [path.stem for path in (REPO / "workflow/scripts").glob("*.py")]
    statements = {s for name in scripts for s in _imports(name, inside_job=False)}
    assert len(scripts) > 30 and _heavy_modules_after(statements) == "[]", sorted(statements)


def _heavy_modules_after(statements: set[str]) -> str:
    """Which of HEAVY a fresh interpreter holds after these import statements."""
    probe = "\n".join([*sorted(statements), "import sys"])
    probe += f"\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip()


def render(template: Path, config: dict, params: dict | None = None) -> str:
    """A report caption as Snakemake renders it: Jinja over the config and the rule's params."""
    snakemake = SimpleNamespace(config=config, params=SimpleNamespace(**(params or {})))
    return jinja2.Environment().from_string(template.read_text()).render(snakemake=snakemake)


def test_report_text_comes_from_the_config_not_from_the_toy_world():
    description = REPO / "workflow/report/workflow.rst"
    smollm2 = render(description, yaml.safe_load((REPO / "config/smollm2.yaml").read_text()))
    assert "from scratch" not in smollm2 and "SmolLM2-135M-Instruct" in smollm2
    default = render(description, yaml.safe_load((REPO / "config/config.yaml").read_text()))
    assert "trained from scratch" in default and "toy world" in default
    paper = render(description, yaml.safe_load((REPO / "config/paper.yaml").read_text()))
    assert "toy" not in paper and "zephyr-7b-beta" in paper and "wmdp_bio" in paper
    matrix = yaml.safe_load((REPO / "config/paper.yaml").read_text())
    cell = render(description, resolve_study(matrix | {"cell": "llama3_biology"}))
    assert "cell ``llama3_biology``" in cell and "Meta-Llama-3-8B-Instruct" in cell
    assert "wikipedia_biology" in cell and "wmdp_bio" not in cell
    for caption in (REPO / "workflow/report").glob("*.rst"):
        text = render(
            caption,
            yaml.safe_load((REPO / "config/paper.yaml").read_text()),
            {"primary_format": "lm_eval", "unlearned": ["rmu"], "tuning": "lora"},
        )
        assert "toy" not in text and "0.25" not in text, caption.name


def test_checkpoint_identity_is_named_in_one_place():
    name = layout.relearned("rmu", "unrelated", 25)
    assert layout.checkpoint(name) == "results/checkpoints/rmu.relearn-unrelated-25"
    # Nothing parses a checkpoint's name back: tables read parent, corpus and steps
    # from the evaluation JSON, which the rule wrote from its wildcards.
    for path in python_sources():
        if path.parent != REPO / "tests":
            assert "RELEARN_MARK" not in path.read_text() or path.name == "layout.py", path
