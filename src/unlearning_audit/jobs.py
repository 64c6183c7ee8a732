"""What every Snakemake script does first: log to the rule's log, use its threads."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator

import torch


@contextlib.contextmanager
def job(snakemake) -> Iterator[Callable[[], float]]:
    """Run a rule's script body with all its output in the rule's log file.

    File descriptors 1 and 2 are redirected, not just ``sys.stdout``, so that
    progress bars and subprocesses (lm-eval asks git for its version) land in
    the log too. Yields a function returning the seconds elapsed so far.
    """
    start = time.time()
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
        torch.set_num_threads(max(1, snakemake.threads))
        try:
            yield lambda: round(time.time() - start, 3)
        except BaseException:
            traceback.print_exc()
            raise
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
