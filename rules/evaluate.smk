# One job per checkpoint: the model and lm-eval load once for every benchmark variant.
rule evaluate:
    input:
        checkpoint=layout.checkpoint("{model}"),
        tasks=STUDY.evaluation_inputs(),
    output:
        STUDY.evaluations(["{model}"], dev=True),
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
        plan=lambda wildcards: evaluation_params([wildcards.model], dev=True),
        batch_size=config["evaluation"]["batch_size"],
        dtype=STUDY.dtype,
        cpu_numerics=CPU_NUMERICS,
    script:
        "../workflow/scripts/evaluate.py"


rule evaluate_relearning:
    input:
        checkpoints=[
            layout.checkpoint(name) for name in STUDY.relearned("{parent}", "{corpus}")
        ],
        tasks=STUDY.evaluation_inputs([STUDY.primary_format]),
    output:
        STUDY.evaluations(
            STUDY.relearned("{parent}", "{corpus}"), variants=[STUDY.primary_format]
        ),
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
        plan=lambda wildcards: evaluation_params(
            STUDY.relearned(wildcards.parent, wildcards.corpus),
            variants=[STUDY.primary_format],
            parent=wildcards.parent,
            corpus=wildcards.corpus,
            steps=STUDY.relearn_steps,
        ),
        batch_size=config["evaluation"]["batch_size"],
        dtype=STUDY.dtype,
        cpu_numerics=CPU_NUMERICS,
    script:
        "../workflow/scripts/evaluate.py"


if STUDY.perplexity:

    # The checkpoints evaluate scores (not the relearned ones: they train on the corpus).
    rule perplexity:
        input:
            checkpoint=layout.checkpoint("{model}"),
            task=STUDY.perplexity.task,
            documents=STUDY.perplexity.documents_file,
            template=STUDY.perplexity.template,
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
            task=Path(STUDY.perplexity.task).stem,
            corpus=STUDY.perplexity.corpus,
            max_length=STUDY.perplexity.max_length,
            batch_size=config["evaluation"]["batch_size"],
            dtype=STUDY.dtype,
            cpu_numerics=CPU_NUMERICS,
        script:
            "../workflow/scripts/perplexity.py"


# The models an attack builds from a checkpoint on loading (quantized, ablated,
# fine-tuned on a few examples, soft-prompted: nothing is written), scored like
# relearned models: one rule per attack (evaluate_quantization, evaluate_ablation,
# evaluate_few_example, evaluate_soft_prompt), so changing one attack's settings reruns
# that attack alone.
for attack in STUDY.built_attacks:

    rule:
        name:
            f"evaluate_{attack}"
        input:
            unpack(lambda wc, attack=attack: STUDY.built_inputs(attack, wc.parent)),
            checkpoint=layout.checkpoint("{parent}"),
            tasks=STUDY.evaluation_inputs([STUDY.primary_format]),
        output:
            STUDY.evaluations(
                STUDY.built("{parent}", attack), variants=[STUDY.primary_format]
            ),
        log:
            layout.log(f"evaluate_{attack}", "{parent}"),
        benchmark:
            layout.cost(f"evaluate_{attack}", "{parent}")
        conda:
            "../envs/unlearning-audit.yaml"
        threads: 1
        resources:
            **job_resources(f"evaluate_{attack}"),
        params:
            plan=lambda wildcards, attack=attack: evaluation_params(
                STUDY.built(wildcards.parent, attack),
                variants=[STUDY.primary_format],
                parent=wildcards.parent,
                attack=attack,
            ),
            prompt_tasks=plain(STUDY.fitted_on(attack)),
            batch_size=config["evaluation"]["batch_size"],
            dtype=STUDY.dtype,
            cpu_numerics=CPU_NUMERICS,
        script:
            "../workflow/scripts/evaluate.py"


if STUDY.activations:

    # The logit lens and probes of one checkpoint: one model load, one pass over the
    # forget benchmarks' items (unlearning_audit.activations).
    rule activations:
        input:
            checkpoint=layout.checkpoint("{parent}"),
            tasks=STUDY.evaluation_inputs([STUDY.primary_format]),
        output:
            layout.activations("{parent}"),
        log:
            layout.log("activations", "{parent}"),
        benchmark:
            layout.cost("activations", "{parent}")
        conda:
            "../envs/unlearning-audit.yaml"
        threads: 1
        resources:
            **job_resources("activations"),
        params:
            tasks=plain(STUDY.retrain_tasks),
            activations=plain(STUDY.activations),
            batch_size=config["evaluation"]["batch_size"],
            dtype=STUDY.dtype,
            cpu_numerics=CPU_NUMERICS,
        script:
            "../workflow/scripts/activations.py"
