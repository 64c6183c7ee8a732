"""The readme command on a made-up study folder (no study run): what goes into the
README's headline and what into a study's results page."""

import pytest

from unlearning_audit import __main__ as cli
from unlearning_audit import layout, lineage
from unlearning_audit.plan import FIGURE_NAMES

CLAIMS = """The paper's three claims, measured on this study.

#### Loglikelihood scoring

**(a) first claim, loglikelihood.**

| checkpoint | verdict |
|:-----------|:--------|
| rmu        | **not supported** |

#### Generate scoring

**(a) first claim, generate.**
"""
VERDICTS = """### The audit: hidden or removed?

The rules.

| run | verdict |
| --- | --- |
| rmu | **hidden** |

#### cyber, loglikelihood scoring

| checkpoint | zero-shot |
| rmu | R 0.9 (recovered) |
"""
SUMMARY = "Accuracies with Wilson 95 % intervals.\n\n| every | number |\n"
BLOCK = f"{cli.README_START}\nstale\n{cli.README_END}\n"


@pytest.fixture
def study(tmp_path, monkeypatch):
    """results/tables and results/figures as a study leaves them, a README and the
    default study's page with their generated blocks; the lineage of one number
    stubbed (tests/test_lineage.py traces a real one)."""
    monkeypatch.chdir(tmp_path)
    tables, figures = tmp_path / layout.TABLES, tmp_path / layout.FIGURES
    tables.mkdir(parents=True)
    figures.mkdir(parents=True)
    (tmp_path / layout.CLAIMS_MARKDOWN).write_text(CLAIMS)
    (tmp_path / layout.SUMMARY_MARKDOWN).write_text(SUMMARY)
    (tmp_path / layout.AUDIT_MARKDOWN).write_text(VERDICTS)
    for figure in cli.FIGURES:
        (tmp_path / figure).write_bytes(b"png")
    (tmp_path / "README.md").write_text(f"# Title\n\n{BLOCK}tail\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / cli.DEFAULT_PAGE).write_text(f"# The default study\n\n{BLOCK}")
    monkeypatch.setattr(lineage, "trace", lambda path, selector=None: path)
    monkeypatch.setattr(lineage, "verify", lambda root: None)
    monkeypatch.setattr(lineage, "to_text", lambda root: "results/tables/summary.csv  [audit]")
    record = {
        "rule": "evaluate",
        "end": "2026-12-04T19:00:00+00:00",
        "code": {"commit": "0123456789abcdef", "dirty": False},
        "device": "cpu (x86_64, 2 cores, 1 torch threads)",
        "numerics": {
            "environment": {"ATEN_CPU_CAPABILITY": "avx2"},
            "torch_cpu_capability": "AVX2",
            "cpu": "Some CPU",
        },
    }
    node = lineage.Node("results/evals/base/x.json", None, record)
    monkeypatch.setattr(lineage, "walk", lambda root: [node])
    return tmp_path


def test_the_default_writes_the_full_page_and_only_a_headline_into_the_readme(study):
    assert cli.main(["readme"]) == 0
    page = (study / cli.DEFAULT_PAGE).read_text()
    assert page.startswith("# The default study\n\n") and "stale" not in page
    assert VERDICTS.strip() in page and CLAIMS.strip() in page and SUMMARY.strip() in page
    assert page.index("### The audit") < page.index("### The paper's claims")
    assert "results/tables/summary.csv  [audit]" in page
    for name in FIGURE_NAMES:
        assert f"![{name}](default_study/{name}.png)" in page
        assert (study / f"docs/default_study/{name}.png").read_bytes() == b"png"

    readme = (study / "README.md").read_text()
    assert readme.startswith("# Title\n\n") and readme.endswith(f"{cli.README_END}\ntail\n")
    # Both say where their numbers were made, from the records.
    made = "Computed on 2026-12-04 at commit 0123456, on Some CPU (cpu (x86_64, 2 cores"
    assert made in readme and made in page and "AVX2 kernels, cpu_numerics pinned" in readme
    assert "stale" not in readme
    # The audit card, each run's verdict and the page; not the cells, claims or numbers.
    assert "The rules." in readme and "| rmu | **hidden** |" in readme
    assert "The audit: hidden or removed?" not in readme  # the README has its own title
    assert "(recovered)" not in readme and "first claim" not in readme
    assert SUMMARY.strip() not in readme and "[audit]" not in readme
    assert readme.count("![") == 1
    assert readme.index("![audit_card](docs/default_study/audit_card.png)") < readme.index(
        "The rules."
    )
    assert "[docs/default_study.md](docs/default_study.md)" in readme


def test_another_studys_page_leaves_the_readme_alone(study):
    readme = (study / "README.md").read_text()
    (study / "docs/full_study.md").write_text(BLOCK)
    assert cli.main(["readme", "docs/full_study.md", "--figures", "full_study"]) == 0
    assert (
        "![prompt_attacks](full_study/prompt_attacks.png)"
        in (study / "docs/full_study.md").read_text()
    )
    assert (study / "docs/full_study/prompt_attacks.png").exists()
    assert (study / "README.md").read_text() == readme
    # Its figures go beside it by default, named after it; a headline only if asked.
    (study / "docs/other.md").write_text(BLOCK)
    (study / "docs/other_headline.md").write_text(BLOCK)
    assert cli.main(["readme", "docs/other.md", "--headline", "docs/other_headline.md"]) == 0
    assert (
        "![unlearning_tradeoff](other/unlearning_tradeoff.png)"
        in (study / "docs/other.md").read_text()
    )
    headline = (study / "docs/other_headline.md").read_text()
    assert "![audit_card](other/audit_card.png)" in headline
    assert "[other.md](other.md)" in headline


def test_a_file_without_its_generated_block_stops_the_command_before_any_write(study, capsys):
    (study / "README.md").write_text("# Title, no block\n")
    page = (study / cli.DEFAULT_PAGE).read_text()
    assert cli.main(["readme"]) == 1
    assert "README.md has no block between" in capsys.readouterr().err
    assert (study / cli.DEFAULT_PAGE).read_text() == page  # nothing written
    assert not (study / "docs/default_study").exists()
