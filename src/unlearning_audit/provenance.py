"""Provenance records: what made each artifact, checkable by hash.

Where a record lives:
  * a checkpoint folder holds ``provenance.json``;
  * a JSON output holds it under the key ``provenance``;
  * any other file has a sidecar ``<file>.prov.json`` (declared as an output
    of its rule, so it appears and disappears with the file).

An artifact's digest is the sha256 of its content: of the file's bytes; of a
folder's manifest (relative path -> sha256 of each file); of a JSON output
without its own record and its run's timings (``COST_KEYS``). A record names
the digest of its artifact and of every input, so any later change to either is
detected; and the digest of each input's own record (``record_sha256``), so the
records form a hash chain over the graph, as in content-addressed stores:
editing any record upstream breaks the chain at the first record downstream of it.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.metadata
import json
import os
import platform
import socket
import subprocess
import sys
from pathlib import Path

from unlearning_audit import numerics

RECORD_FILE = "provenance.json"
# Not content: the record itself, and the marker Snakemake puts in folder outputs.
NOT_IN_MANIFEST = {RECORD_FILE, ".snakemake_timestamp"}
SIDECAR_SUFFIX = ".prov.json"
EMBED_KEY = "provenance"
# What a job measures of its own run (seconds), not of the model: left out of a JSON
# output's digest, so the same config on another machine gives the same digests.
COST_KEYS = ("wall_time_s", "seconds")
PACKAGES = (
    "torch",
    "transformers",
    "tokenizers",
    "datasets",
    "lm_eval",
    "accelerate",
    "safetensors",
    "snakemake",
)
# A parameter whose name contains one of these is never written to a record.
SECRET_MARKERS = ("TOKEN", "KEY", "SECRET", "PASSWORD")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _content_files(root: Path) -> dict[str, Path]:
    return {
        p.relative_to(root).as_posix(): p
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in NOT_IN_MANIFEST
    }


def folder_manifest(path: str | Path) -> dict[str, str]:
    return {name: file_sha256(p) for name, p in _content_files(Path(path)).items()}


def folder_stats(path: str | Path) -> dict[str, list[int]]:
    """Size, modification time (ns) and inode of each file of a folder's manifest."""
    stats = {name: p.stat() for name, p in _content_files(Path(path)).items()}
    return {name: [s.st_size, s.st_mtime_ns, s.st_ino] for name, s in stats.items()}


def manifest_digest(manifest: dict[str, str]) -> str:
    return _sha256(_canonical(manifest))


def digest(path: str | Path) -> str:
    """The sha256 of an artifact's content (see the module docstring)."""
    path = Path(path)
    if path.is_dir():
        return manifest_digest(folder_manifest(path))
    if path.suffix == ".json":
        data = json.loads(path.read_text())
        if isinstance(data, dict) and EMBED_KEY in data:
            return json_digest({k: v for k, v in data.items() if k != EMBED_KEY})
    return file_sha256(path)


def input_digest(path: str | Path, record: dict | None = None) -> str:
    """``digest``, but a folder whose files all have the size, modification time and
    inode its own record wrote down (``stats``) is not re-read: its producer hashed it
    and nothing was written since. A consumer of a 15 GB checkpoint records it in
    milliseconds; ``lineage --verify`` calls ``digest`` and re-reads everything."""
    path = Path(path)
    if path.is_dir():
        record = (load_record(path) if record is None else record) or {}
        if "stats" in record and record["stats"] == folder_stats(path):
            return manifest_digest(record["manifest"])
    return digest(path)


def record_digest(record: dict | None) -> str | None:
    """The sha256 of a record's content (None for an input without one: a root)."""
    return None if record is None else _sha256(_canonical(record))


def json_digest(data: dict) -> str:
    """Digest of a JSON output's content (its costs left out), as ``digest`` computes
    it once written."""
    return _sha256(_canonical({k: v for k, v in data.items() if k not in COST_KEYS}))


def sidecar(path: str | Path) -> Path:
    return Path(f"{path}{SIDECAR_SUFFIX}")


def load_record(path: str | Path) -> dict | None:
    path = Path(path)
    if path.is_dir():
        source = path / RECORD_FILE
    elif path.suffix == ".json" and path.exists():
        data = json.loads(path.read_text())
        return data.get(EMBED_KEY) if isinstance(data, dict) else None
    else:
        source = sidecar(path)
    return json.loads(source.read_text()) if source.exists() else None


def code_version(directory: str | Path) -> dict:
    """Commit of the workflow's git checkout, and whether tracked files had changes."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(directory), *args], capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        return {
            "commit": git("rev-parse", "HEAD"),
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        }
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}


def package_versions() -> dict[str, str | None]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name.replace("_", "-"))
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def device() -> str:
    """The accelerator a model job ran on; a job that never imported torch ran on the CPU.
    On the CPU, a model job's torch thread count too: it sets the order of float sums,
    so the same job on another count trains a (slightly) different model."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        return f"cuda ({torch.cuda.get_device_name(0)})"
    threads = f", {torch.get_num_threads()} torch threads" if torch is not None else ""
    return f"cpu ({platform.machine()}, {os.cpu_count()} cores{threads})"


def redact(value):
    """Drop the value of any key that names a secret, at any depth."""
    if isinstance(value, dict):
        return {
            k: "<redacted>" if any(m in str(k).upper() for m in SECRET_MARKERS) else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def build_record(
    snakemake,
    started: datetime.datetime,
    artifact_sha256: str,
    inputs: list[str] | None = None,
    input_digests: dict[str, tuple] | None = None,
) -> dict:
    """The record of one output of a Snakemake job (called from inside the job).

    ``input_digests`` caches input hashes across the outputs of one job: inputs
    do not change while it runs, and a checkpoint is costly to hash.
    """
    inputs = list(dict.fromkeys(snakemake.input if inputs is None else inputs))
    cache = {} if input_digests is None else input_digests
    for path in inputs:
        if path not in cache:
            record = load_record(path)  # read once: for its digest and its stats
            cache[path] = (input_digest(path, record), record_digest(record))
    params = redact({k: v for k, v in snakemake.params.items()})
    return {
        "rule": snakemake.rule,
        "wildcards": dict(snakemake.wildcards.items()),
        "sha256": artifact_sha256,
        "params": params,
        "seed": _find_seed(params),
        "inputs": [
            {"path": p, "sha256": cache[p][0], "record_sha256": cache[p][1]} for p in inputs
        ],
        "config_sha256": _sha256(_canonical(redact(snakemake.config))),
        "code": code_version(snakemake.scriptdir),
        "packages": package_versions(),
        "device": device(),
        "numerics": numerics.state(),
        "host": socket.gethostname(),
        "slurm_job_id": os.environ.get("SLURM_JOB_ID"),
        "slurm_partition": os.environ.get("SLURM_JOB_PARTITION"),
        "start": started.isoformat(timespec="seconds"),
        "end": now().isoformat(timespec="seconds"),
    }


def _find_seed(params: dict):
    for value in params.values():
        if isinstance(value, dict):
            if "seed" in value:
                return value["seed"]
            found = _find_seed(value)
            if found is not None:
                return found
    return params.get("seed")


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
