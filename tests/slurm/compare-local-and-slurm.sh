#!/usr/bin/env bash
# Benchmark (not a test): the tiny config run locally and through `--profile slurm`
# against the localhost Slurm, one after the other in one invocation, from empty
# study folders. Prints both wall times and their ratio. Root only; needs
# `tests/slurm/localhost-slurm.sh install` first.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
SNAKEMAKE=${SNAKEMAKE:-$REPO/.venv/bin/snakemake}
WORK=$(mktemp -d)
trap '"$REPO/tests/slurm/localhost-slurm.sh" stop; rm -rf "$WORK"' EXIT
"$REPO/tests/slurm/localhost-slurm.sh" start

run() {  # run NAME ARGS...: the tiny study in $WORK/NAME; prints its wall time in seconds
    local name=$1 start
    shift
    mkdir -p "$WORK/$name"
    start=$(date +%s)
    # tiny.yaml extends config.yaml, beside it: named where it is, not copied.
    (cd "$REPO" && "$SNAKEMAKE" --configfile config/tiny.yaml --directory "$WORK/$name" \
        --quiet all "$@" >"$WORK/$name.log" 2>&1) ||
        { tail -20 "$WORK/$name.log" >&2; exit 1; }
    echo $(($(date +%s) - start))
}

local_s=$(run local --cores 2)
slurm_s=$(UNLEARNING_AUDIT_SLURM_GPU_PARTITION=gpu UNLEARNING_AUDIT_SLURM_CPU_PARTITION=cpu \
    run slurm --profile slurm --slurm-status-command squeue --slurm-no-account \
    --slurm-init-seconds-before-status-checks 2)
echo "tiny config, local (--cores 2): $local_s s"
echo "tiny config, --profile slurm:   $slurm_s s"
python3 -c "print(f'ratio slurm/local: {$slurm_s / $local_s:.2f}')"
