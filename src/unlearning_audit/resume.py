"""After a crash, the same command resumes: a lock no live run holds is taken over.

Snakemake locks a study folder (``.snakemake/locks``) while it runs, but cannot tell
the lock of a live run from one a killed run left behind, so it refuses both and
asks for ``--unlock``. Here every run started from the command line also holds an
OS lock (``flock``) on ``.snakemake/study.lock`` for as long as its process lives:
the kernel drops it when the process dies, however it dies. A run that gets that
lock knows no other run is alive, removes Snakemake's leftover lock (what
``--unlock`` does) and goes on; Snakemake then reruns the jobs that were cut off
(``rerun-incomplete`` in the workflow profile). A run that does not get it stops
with one line naming the live run's process.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

LOCK_FILE = Path(".snakemake", "study.lock")
SNAKEMAKE_LOCKS = Path(".snakemake", "locks")
# Study folder -> the open lock file of this process (held until it exits or releases).
_held: dict[Path, int] = {}


class StudyBusy(RuntimeError):
    """Another live process runs this study."""


def claim(folder: str | Path = ".") -> bool:
    """Hold the study's lock for this process; remove Snakemake's locks if a killed run
    left them. Returns whether there were any. Raises StudyBusy if a live run holds it."""
    folder = Path(folder).resolve()
    release(folder)  # this process may run the same study again (Snakemake's API)
    path = folder / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode().strip() or "unknown"
        os.close(fd)
        raise StudyBusy(
            f"another Snakemake run (process {holder}) is running the study in {folder}: "
            "wait for it to end, or stop it, then run your command again"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    _held[folder] = fd
    stale = folder / SNAKEMAKE_LOCKS
    left_behind = stale.is_dir() and any(stale.iterdir())
    if left_behind:
        shutil.rmtree(stale)
    return left_behind


def release(folder: str | Path = ".") -> None:
    fd = _held.pop(Path(folder).resolve(), None)
    if fd is not None:
        os.close(fd)  # closing the file drops the flock
