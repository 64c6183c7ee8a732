"""What every Snakemake script does: log to the rule's log, use its threads, and
record where each output came from."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

from unlearning_audit import provenance
from unlearning_audit.io import write_json


class Job:
    """A running rule script: its Snakemake object, clock and provenance."""

    def __init__(self, snakemake):
        self.snakemake = snakemake
        self.started = provenance.now()
        self._start = time.time()
        self._input_digests: dict[str, tuple] = {}

    def elapsed(self) -> float:
        return round(time.time() - self._start, 3)

    def record(self, artifact_sha256: str, inputs: list[str] | None = None) -> dict:
        """The record of one output; ``inputs`` narrows the job's inputs to those it used."""
        return provenance.build_record(
            self.snakemake, self.started, artifact_sha256, inputs, self._input_digests
        )

    def write_sidecars(self) -> None:
        """Write the record of every output whose sidecar the rule declares."""
        for path in self.snakemake.output:
            if path.endswith(provenance.SIDECAR_SUFFIX):
                artifact = Path(path.removesuffix(provenance.SIDECAR_SUFFIX))
                write_json(path, self.record(provenance.digest(artifact)))


@contextlib.contextmanager
def job(snakemake) -> Iterator[Job]:
    """Run a rule's script body with all its output in the rule's log file.

    File descriptors 1 and 2 are redirected, not just ``sys.stdout``, so that
    progress bars and subprocesses (lm-eval asks git for its version) land in
    the log too. Model scripts import inside the block, so that what torch and
    transformers print on import (torchao's CUDA kernels failing to load on a CPU
    build, deprecations) lands there as well, not on the terminal among Snakemake's
    lines. On success, declared provenance sidecars are written.
    """
    current = Job(snakemake)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(snakemake.log[0], "w") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        logging.basicConfig(
            stream=sys.stderr,
            level=logging.INFO,
            format="%(asctime)s %(name)s: %(message)s",
            force=True,
        )
        # The rule's threads: torch (OpenMP) and MKL read them when a model script
        # imports torch inside the block (tested); numpy's OpenBLAS too, if first
        # imported there.
        threads = str(max(1, snakemake.threads))
        os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = threads
        try:
            yield current
            current.write_sidecars()
        except BaseException:
            traceback.print_exc()
            raise
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
