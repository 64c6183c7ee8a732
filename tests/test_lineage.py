"""Provenance records on every artifact, and the audit command over them."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SECRET_ENV, SECRET_VALUE, copy_study, snakemake_command

from unlearning_audit import lineage, provenance
from unlearning_audit.models import save_tokenizer

FIGURES = [
    f"results/figures/{name}.{ext}"
    for name in (
        "unlearning_tradeoff",
        "prompt_attacks",
        "relearning_recovery",
        "attack_families",
        "audit_card",
    )
    for ext in ("pdf", "png")
]


def audit(study, *args):
    return subprocess.run(
        [sys.executable, "-m", "unlearning_audit", "lineage", *args],
        cwd=study,
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize("figure", FIGURES)
def test_each_figure_reaches_config_toy_world_and_base_model(tiny_study, figure, monkeypatch):
    monkeypatch.chdir(tiny_study)
    nodes = list(lineage.walk(lineage.trace(figure)))
    paths = {n.path for n in nodes}
    tables = {
        "unlearning": ["summary", "frontier"],  # frontier.csv is made from summary.csv
        "prompt": ["prompt_attacks"],
        "relearning": ["relearning"],
        "attack": [
            *("summary", "prompt_attacks", "relearning"),
            *("quantization", "ablation", "few_example", "soft_prompt", "activations"),
        ],
        "audit": ["audit"],  # made from every attack's table; it carries capability kept
    }
    assert [c.path for c in nodes[0].children] == [
        f"results/tables/{t}.csv" for t in tables[figure.split("/")[-1].split("_")[0]]
    ]
    assert "results/checkpoints/base" in paths
    assert any(p.startswith("results/data/corpora/") for p in paths)
    assert any(p.startswith("results/evals/") for p in paths)
    # Every artifact on the way has a record naming the config it was made under;
    # the roots without one are the repository's prompt templates.
    made = [n for n in nodes if n.path.startswith("results/")]
    assert all(n.record and len(n.record["config_sha256"]) == 64 for n in made)
    roots = {Path(n.path) for n in nodes if n not in made}
    assert roots and all(p.parent == REPO / "workflow/tasks/templates" for p in roots)
    assert lineage.verify(lineage.trace(figure)) is None


@pytest.mark.slow
def test_a_record_holds_what_the_contract_promises(tiny_study):
    record = provenance.load_record(tiny_study / "results/checkpoints/rmu")
    assert record["rule"] == "unlearn" and record["wildcards"] == {"run": "rmu"}
    assert record["params"]["hparams"]["steering_coef"] == 30.0
    assert record["seed"] == 42
    base = tiny_study / "results/checkpoints/base"
    assert record["inputs"][0] == {
        "path": "results/checkpoints/base",
        "sha256": provenance.digest(base),
        # The hash chain: the digest of the input's own record.
        "record_sha256": provenance.record_digest(provenance.load_record(base)),
    }
    assert len(record["code"]["commit"]) == 40 and isinstance(record["code"]["dirty"], bool)
    assert {"python", "torch", "transformers", "datasets", "lm_eval", "snakemake"} <= set(
        record["packages"]
    )
    assert record["device"].startswith("cpu")
    assert record["start"] <= record["end"]
    assert "slurm_job_id" in record and "host" in record


@pytest.mark.slow
def test_selecting_one_number_narrows_the_chain_to_it(tiny_study):
    result = audit(
        tiny_study,
        "results/tables/summary.csv",
        "--select",
        "checkpoint=rmu",
        "benchmark=bio",
        "variant=cloze",
        "scoring=generate",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    tree = json.loads(result.stdout)
    (row,) = tree["selected_rows"]
    assert row["checkpoint"] == "rmu" and row["benchmark"] == "bio" and row["variant"] == "cloze"
    (evaluation,) = tree["inputs"]
    assert evaluation["path"] == "results/evals/rmu/bio/generate/cloze.json"
    checkpoint = next(i for i in evaluation["inputs"] if i["path"] == "results/checkpoints/rmu")
    assert checkpoint["inputs"][0]["path"] == "results/checkpoints/base"


@pytest.mark.slow
def test_prov_json_export_reads_back(tiny_study):
    from prov.model import ProvDocument

    result = audit(tiny_study, FIGURES[0], "--format", "prov")
    assert result.returncode == 0, result.stderr
    document = ProvDocument.deserialize(content=result.stdout, format="json")
    entities = {str(r.identifier) for r in document.get_records() if r.is_element()}
    assert any("results/checkpoints/base" in e for e in entities)


def _flip_byte(path, offset=-10):
    data = bytearray(path.read_bytes())
    data[offset] ^= 1
    path.write_bytes(bytes(data))


TAMPERING = {
    "benchmark JSON": "results/evals/rmu/bio/generate/cloze.json",
    "table": "results/tables/summary.csv",
    "checkpoint weights": "results/checkpoints/rmu/model.safetensors",
}


@pytest.mark.slow
@pytest.mark.parametrize("what", TAMPERING)
def test_verify_names_exactly_the_artifact_that_changed(tiny_study, tmp_path, what):
    study = copy_study(tiny_study, tmp_path / "study")
    target = study / TAMPERING[what]
    if what == "benchmark JSON":  # change one byte of the number itself
        text = target.read_text()
        old = f'"accuracy": {json.loads(text)["accuracy"]}'
        target.write_text(text.replace(old, old[:-1] + ("1" if old[-1] != "1" else "2"), 1))
    else:
        _flip_byte(target)
    result = audit(study, FIGURES[1], "--verify")
    assert result.returncode == 1
    changed = TAMPERING[what].removesuffix("/model.safetensors")
    assert f"verify: FAILED at {changed}: content changed" in result.stderr
    if what == "checkpoint weights":
        assert "changed files: model.safetensors" in result.stderr
    assert audit(tiny_study, FIGURES[1], "--verify").returncode == 0  # the original is intact


def _edit_record(path, edit):
    """Change a record in place, as a forger would: a sidecar, a checkpoint's
    provenance.json, or the record embedded in an evaluation JSON."""
    data = json.loads(path.read_text())
    edit(data.get("provenance", data))
    path.write_text(json.dumps(data, indent=2))


FORGED_RECORDS = {
    # RMU's recorded strength: an auditor would be shown a setting that never ran.
    "checkpoint": (
        "results/checkpoints/rmu/provenance.json",
        lambda r: r["params"]["hparams"].update(steering_coef=5.0),
        "results/checkpoints/rmu/provenance.json",
    ),
    "evaluation": (
        "results/evals/rmu/bio/generate/cloze.json",
        lambda r: r["params"].update(batch_size=1),
        "results/evals/rmu/bio/generate/cloze.json (its embedded record)",
    ),
    "data file": (
        "results/data/corpora/bio.jsonl.prov.json",
        lambda r: r["params"]["data"].update(seed=7),
        "results/data/corpora/bio.jsonl.prov.json",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("what", FORGED_RECORDS)
def test_verify_names_a_forged_record_anywhere_upstream(tiny_study, tmp_path, what):
    study = copy_study(tiny_study, tmp_path / "study")
    path, edit, named = FORGED_RECORDS[what]
    _edit_record(study / path, edit)
    result = audit(study, FIGURES[0], "--verify")
    assert result.returncode == 1
    assert f"record edited: {named} has sha256" in result.stderr, result.stderr


@pytest.mark.slow
def test_no_record_holds_a_secret_from_the_environment(tiny_study):
    records = [
        *tiny_study.glob("results/**/*.prov.json"),
        *tiny_study.glob("results/checkpoints/*/provenance.json"),
        *tiny_study.glob("results/evals/**/*.json"),
    ]
    assert len(records) > 20
    for path in records:
        text = path.read_text()
        assert SECRET_VALUE not in text, path
        assert SECRET_ENV not in text, path


def test_secret_named_parameters_are_redacted():
    assert provenance.redact({"hub": {"HF_TOKEN": "x", "api_key": "y", "lr": 1}}) == {
        "hub": {"HF_TOKEN": "<redacted>", "api_key": "<redacted>", "lr": 1}
    }


@pytest.mark.slow
def test_snakemake_report_builds_with_captions(tiny_study, tmp_path):
    report = tmp_path / "report.html"
    result = subprocess.run(
        snakemake_command("--report", report),
        cwd=tiny_study,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    html = report.read_text()
    assert "unlearning_tradeoff" in html and "lineage" in html
    # Captions are rendered from the config: this study is the toy world.
    assert "toy world" in html and "{{" not in html


@pytest.mark.slow
def test_verify_fails_where_a_record_is_missing(tiny_study, tmp_path):
    study = copy_study(tiny_study, tmp_path / "study")
    (study / "results/tables/summary.csv.prov.json").unlink()
    result = audit(study, FIGURES[0], "--verify")
    assert result.returncode == 1
    assert "verify: FAILED at results/tables/summary.csv: has no provenance record" in result.stderr


@pytest.mark.slow
def test_readme_command_writes_generated_numbers_and_a_verified_audit(tiny_study, tmp_path):
    from unlearning_audit.__main__ import README_END, README_START

    study = copy_study(tiny_study, tmp_path / "study")
    stale = f"{README_START}\nstale\n{README_END}\n"
    (study / "README.md").write_text(f"# Title\n\n{stale}tail\n")
    (study / "docs").mkdir(exist_ok=True)
    (study / "docs/default_study.md").write_text(f"# The default study\n\n{stale}")
    result = subprocess.run(
        [sys.executable, "-m", "unlearning_audit", "readme"],
        cwd=study,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    # The default study's page: every number, the figures and a verified audit.
    page = (study / "docs/default_study.md").read_text()
    assert "stale" not in page and page.startswith("# The default study")
    summary = (study / "results/tables/summary.md").read_text().strip()
    assert summary in page
    assert (study / "results/tables/claims.md").read_text().strip() in page
    assert "results/evals/rmu/cyber/generate/cloze.json" in page
    assert "![relearning_recovery](default_study/relearning_recovery.png)" in page
    assert (study / "docs/default_study/relearning_recovery.png").exists()
    assert (study / "results/tables/audit.md").read_text().strip() in page
    # The README: the headline only (the audit card, each run's verdict, the page).
    readme = (study / "README.md").read_text()
    assert "stale" not in readme and readme.endswith(f"{README_END}\ntail\n")
    assert "![audit_card](docs/default_study/audit_card.png)" in readme
    assert "(docs/default_study.md)" in readme and summary not in readme
    # Another page (a second study's), its figures in their own folder beside it.
    page = study / "docs/other_study.md"
    page.write_text(f"{README_START}\n{README_END}\n")
    command = ["readme", str(page), "--figures", "other_study"]
    subprocess.run([sys.executable, "-m", "unlearning_audit", *command], cwd=study, check=True)
    assert "![relearning_recovery](other_study/relearning_recovery.png)" in page.read_text()
    assert (study / "docs/other_study/relearning_recovery.png").exists()
    assert (study / "README.md").read_text() == readme  # another study's leaves it alone


def test_a_consumer_rereads_a_folder_only_when_a_file_changed(tiny_tokenizer, tmp_path):
    """The verified hash cache (provenance.input_digest): a job that reads a checkpoint
    records the producer's digest while every file keeps its size, mtime and inode;
    a rewritten file is re-read; a byte changed behind the cache's back (mtime put
    back) is what ``digest``, the one ``lineage --verify`` calls, still sees."""
    folder = tmp_path / "tokenizer"
    save_tokenizer(tiny_tokenizer, folder, lambda sha: {"sha256": sha})
    recorded = provenance.digest(folder)
    reads = []
    hash_file = provenance.file_sha256

    def counted(path):
        reads.append(path)
        return hash_file(path)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(provenance, "file_sha256", counted)
        assert provenance.input_digest(folder) == recorded and reads == []
        copied = shutil.copytree(folder, tmp_path / "copy")  # new inodes: read again
        assert provenance.input_digest(copied) == recorded and reads

    target = folder / "tokenizer.json"
    stat = target.stat()
    _flip_byte(target)
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert provenance.input_digest(folder) == recorded  # the cache trusts the stats
    assert provenance.digest(folder) != recorded  # --verify does not
    target.write_text(target.read_text() + " ")
    assert provenance.input_digest(folder) == provenance.digest(folder) != recorded
