rule evaluate:
    input:
        unpack(task_data),
        checkpoint="results/checkpoints/{checkpoint}",
    output:
        "results/evals/{checkpoint}/{task}.json",
    log:
        "results/logs/evaluate/{checkpoint}/{task}.log",
    benchmark:
        "results/benchmarks/evaluate/{checkpoint}/{task}.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    threads: 1
    params:
        batch_size=config["evaluation"]["batch_size"],
    script:
        "../workflow/scripts/evaluate.py"
