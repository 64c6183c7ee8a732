"""The conda environment the rules name pins what requirements.txt pins."""

import re

import yaml
from conftest import REPO

# Needed to test and lint the workflow, not to run its jobs.
DEV_TOOLS = {"pytest", "ruff", "snakefmt"}


def pins(lines) -> dict[str, str]:
    found = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line:
            match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.\-+]+)", line)
            assert match, f"not an exact pin: {line!r}"
            found[match[1].lower()] = match[2]
    return found


def test_conda_environment_pins_agree_with_requirements():
    required = pins((REPO / "requirements.txt").read_text().splitlines())
    env = yaml.safe_load((REPO / "envs/unlearning-audit.yaml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pins(pip_section) == {k: v for k, v in required.items() if k not in DEV_TOOLS}
