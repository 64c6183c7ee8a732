rule evaluate:
    input:
        checkpoint="results/checkpoints/{model}",
        tasks=variant_inputs,
    output:
        expand(
            "results/evals/{{model}}/{{benchmark}}/{variant}.json",
            variant=variants(),
        ),
    log:
        "results/logs/evaluate/{model}/{benchmark}.log",
    benchmark:
        "results/benchmarks/evaluate/{model}/{benchmark}.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    threads: 1
    resources:
        **job_resources("evaluate"),
    params:
        plan=evaluation_plan,
        batch_size=config["evaluation"]["batch_size"],
        dtype=DTYPE,
        lm_eval_tasks=HUB_DATA,
    script:
        "../workflow/scripts/evaluate.py"


rule evaluate_relearning:
    input:
        checkpoints=[
            f"results/checkpoints/{relearned('{parent}', '{corpus}', steps)}"
            for steps in RELEARN_STEPS
        ],
        tasks=primary_task_inputs(),
    output:
        [
            f"results/evals/{relearned('{parent}', '{corpus}', steps)}/{b}/{PRIMARY}.json"
            for steps in RELEARN_STEPS
            for b in EVALUATED
        ],
    log:
        "results/logs/evaluate/{parent}.relearn-{corpus}.log",
    benchmark:
        "results/benchmarks/evaluate/{parent}.relearn-{corpus}.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    threads: 1
    resources:
        **job_resources("evaluate_relearning"),
    params:
        plan=evaluation_plan,
        batch_size=config["evaluation"]["batch_size"],
        dtype=DTYPE,
        lm_eval_tasks=HUB_DATA,
    script:
        "../workflow/scripts/evaluate.py"
