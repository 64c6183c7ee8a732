"""What every Snakemake script does first: log to the rule's log, use its threads."""

from __future__ import annotations

import contextlib
import logging
import time
import traceback

import torch


@contextlib.contextmanager
def job(snakemake):
    """Run a rule's script body with stdout, stderr (tqdm) and logging in its log file.

    Yields a dict the script may fill; ``wall_time_s`` is added on exit.
    """
    with (
        open(snakemake.log[0], "w") as log,
        contextlib.redirect_stdout(log),
        contextlib.redirect_stderr(log),
    ):
        logging.basicConfig(
            stream=log, level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", force=True
        )
        torch.set_num_threads(max(1, snakemake.threads))
        timing = {"start": time.time()}
        try:
            yield timing
        except BaseException:
            traceback.print_exc(file=log)
            raise
        timing["wall_time_s"] = round(time.time() - timing.pop("start"), 3)
