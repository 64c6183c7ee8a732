"""After a crash: a lock that no running Snakemake holds any more.

Snakemake locks the study folder while it runs and cannot tell a live lock from
one left by a killed run; removing it is the user's decision, so this only says
what to run. Linux only (it reads /proc); elsewhere it finds no stale lock.
"""

from __future__ import annotations

import os
from pathlib import Path

UNLOCK_HINT = (
    "a killed run left its lock in {folder}/.snakemake/locks and no Snakemake is running "
    "there: run `.venv/bin/snakemake --unlock{flags}`, then your command again"
)


def snakemake_running_in(folder: str | Path) -> bool:
    """Whether a Snakemake process works in ``folder`` (Snakemake chdirs into its workdir)."""
    here = Path(folder).resolve()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if (
                Path(os.readlink(proc / "cwd")) == here
                and b"snakemake" in (proc / "cmdline").read_bytes()
            ):
                return True
        except OSError:  # gone, or not ours to read
            continue
    return False


def stale_lock(folder: str | Path = ".") -> bool:
    locks = Path(folder, ".snakemake", "locks")
    if not Path("/proc/self").exists() or not locks.is_dir() or not any(locks.iterdir()):
        return False
    return not snakemake_running_in(folder)
