rule evaluate:
    input:
        checkpoint=layout.checkpoint("{model}"),
        tasks=lambda wildcards: evaluation_inputs([wildcards.benchmark], VARIANTS),
    output:
        [layout.evaluation("{model}", "{benchmark}", v) for v in VARIANTS],
    log:
        layout.log("evaluate", "{model}/{benchmark}"),
    benchmark:
        layout.cost("evaluate", "{model}/{benchmark}")
    conda:
        "../envs/unlearning-audit.yaml"
    threads: 1
    resources:
        **job_resources("evaluate"),
    params:
        plan=lambda wildcards: evaluation_plan(
            [wildcards.model], [wildcards.benchmark], VARIANTS
        ),
        batch_size=config["evaluation"]["batch_size"],
        dtype=DTYPE,
    script:
        "../workflow/scripts/evaluate.py"


rule evaluate_relearning:
    input:
        checkpoints=[
            layout.checkpoint(name)
            for name in relearned_models("{parent}", "{corpus}")
        ],
        tasks=evaluation_inputs(BENCHMARKS, [PRIMARY]),
    output:
        [
            layout.evaluation(name, b, PRIMARY)
            for name in relearned_models("{parent}", "{corpus}")
            for b in BENCHMARKS
        ],
    log:
        layout.log("evaluate", "{parent}.relearn-{corpus}"),
    benchmark:
        layout.cost("evaluate", "{parent}.relearn-{corpus}")
    conda:
        "../envs/unlearning-audit.yaml"
    threads: 1
    resources:
        **job_resources("evaluate_relearning"),
    params:
        plan=lambda wildcards: evaluation_plan(
            relearned_models(wildcards.parent, wildcards.corpus),
            BENCHMARKS,
            [PRIMARY],
            parent=wildcards.parent,
            corpus=wildcards.corpus,
            steps=RELEARN_STEPS,
        ),
        batch_size=config["evaluation"]["batch_size"],
        dtype=DTYPE,
    script:
        "../workflow/scripts/evaluate.py"
