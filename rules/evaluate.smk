rule evaluate:
    input:
        unpack(task_data),
        checkpoint="results/checkpoints/{checkpoint}",
    output:
        "results/evals/{checkpoint}/{task}.json",
    params:
        batch_size=config["evaluation"]["batch_size"],
    threads: 1
    log:
        "results/logs/evaluate/{checkpoint}/{task}.log",
    conda:
        "../envs/unlearning-audit.yaml"
    script:
        "../workflow/scripts/evaluate.py"
