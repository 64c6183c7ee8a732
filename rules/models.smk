rule train_base:
    input:
        corpora=TOY_CORPORA,
        qa=TOY_QA,
    output:
        directory("results/checkpoints/base"),
    log:
        "results/logs/train_base.log",
    benchmark:
        "results/benchmarks/train_base.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    threads: 2
    params:
        base_model=config["base_model"],
    script:
        "../workflow/scripts/train_base.py"


rule unlearn:
    input:
        base="results/checkpoints/base",
        forget_corpora=[corpus(d) for d in HAZARDS],
        forget_qa=[qa(d) for d in HAZARDS],
        retain_corpus=[corpus(d) for d in GENERAL],
        retain_qa=[qa(d) for d in GENERAL],
    output:
        directory("results/checkpoints/{run}"),
    log:
        "results/logs/unlearn/{run}.log",
    benchmark:
        "results/benchmarks/unlearn/{run}.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    threads: 1
    params:
        method=lambda wc: config["unlearning"][wc.run]["method"],
        hparams=lambda wc: config["unlearning"][wc.run]["params"],
    script:
        "../workflow/scripts/unlearn.py"


rule relearn:
    input:
        parent="results/checkpoints/{parent}",
        corpora=relearn_corpora,
    output:
        [
            directory(
                f"results/checkpoints/{relearned('{parent}', '{corpus}', steps)}"
            )
            for steps in RELEARN_STEPS
        ],
    log:
        "results/logs/relearn/{parent}.{corpus}.log",
    benchmark:
        "results/benchmarks/relearn/{parent}.{corpus}.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    threads: 1
    params:
        relearning=RELEARN,
        steps=RELEARN_STEPS,
    script:
        "../workflow/scripts/relearn.py"
