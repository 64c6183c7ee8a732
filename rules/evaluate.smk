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
    params:
        plan=evaluation_plan,
        batch_size=config["evaluation"]["batch_size"],
    script:
        "../workflow/scripts/evaluate.py"


rule evaluate_relearning:
    input:
        checkpoints=[
            f"results/checkpoints/{relearned('{parent}', '{corpus}', steps)}"
            for steps in RELEARN_STEPS
        ],
        tasks=[task_yaml(toy_world.task_name(b, PRIMARY)) for b in EVALUATED],
        data=TOY_BENCHMARKS,
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
    params:
        plan=evaluation_plan,
        batch_size=config["evaluation"]["batch_size"],
    script:
        "../workflow/scripts/evaluate.py"
