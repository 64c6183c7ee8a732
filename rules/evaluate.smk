# One job per checkpoint: the model and lm-eval load once for every benchmark variant.
rule evaluate:
    input:
        checkpoint=layout.checkpoint("{model}"),
        tasks=evaluation_inputs(BENCHMARKS, VARIANTS),
    output:
        evaluations(models=["{model}"], dev=True),
    log:
        layout.log("evaluate", "{model}"),
    benchmark:
        layout.cost("evaluate", "{model}")
    conda:
        "../envs/unlearning-audit.yaml"
    threads: 1
    resources:
        **job_resources("evaluate"),
    params:
        plan=lambda wildcards: evaluation_plan(
            [wildcards.model], BENCHMARKS, VARIANTS, dev=True
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
        evaluations(models=relearned_models("{parent}", "{corpus}"), variants=[PRIMARY]),
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


if PERPLEXITY:

    # The checkpoints evaluate scores (not the relearned ones: they train on the corpus).
    rule perplexity:
        input:
            checkpoint=layout.checkpoint("{model}"),
            task=PERPLEXITY_TASK,
            documents=PERPLEXITY_DOCUMENTS,
            template=PERPLEXITY_TEMPLATE,
        output:
            layout.perplexity("{model}"),
        log:
            layout.log("perplexity", "{model}"),
        benchmark:
            layout.cost("perplexity", "{model}")
        conda:
            "../envs/unlearning-audit.yaml"
        threads: 1
        resources:
            **job_resources("perplexity"),
        params:
            task=Path(PERPLEXITY_TASK).stem,
            corpus=PERPLEXITY["corpus"],
            max_length=PERPLEXITY["max_length"],
            batch_size=config["evaluation"]["batch_size"],
            dtype=DTYPE,
        script:
            "../workflow/scripts/perplexity.py"
