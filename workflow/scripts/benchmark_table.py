"""Rule benchmark_table (hub provider): the benchmark table, from the config."""

from unlearning_audit.data import write_benchmark_table
from unlearning_audit.jobs import job
from unlearning_audit.providers.hub import benchmark_table

with job(snakemake):
    rows = benchmark_table(snakemake.params.benchmarks)
    write_benchmark_table(snakemake.output.table, rows)
    print(f"{len(rows)} benchmarks")
