"""Rule prompt_template: the study's copy of a prompt template, so that task YAMLs
include a file of the study folder (hashed in its records), not of the repository."""

import shutil

from unlearning_audit.io import atomic_path
from unlearning_audit.jobs import job

with job(snakemake):
    with atomic_path(snakemake.output[0]) as tmp:
        shutil.copyfile(snakemake.input[0], tmp)
