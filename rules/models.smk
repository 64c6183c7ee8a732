if BASE["source"] == "hub":

    rule fetch_base:
        output:
            directory("results/checkpoints/base"),
        log:
            "results/logs/fetch_base.log",
        benchmark:
            "results/benchmarks/fetch_base.tsv"
        conda:
            "../envs/unlearning-audit.yaml"
        resources:
            **job_resources("fetch_base"),
        params:
            name=BASE["name"],
            revision=BASE["revision"],
            dtype=DTYPE,
            trust_remote_code=TRUST_REMOTE_CODE,
        script:
            "../workflow/scripts/fetch_base.py"

else:

    rule train_base:
        input:
            corpora=CORPORA,
            qa=QA,
            # A pretrained model to implant the toy world into; none: train from scratch.
            pretrained=(
                ["results/checkpoints/pretrained"] if BASE["source"] == "gguf" else []
            ),
        output:
            directory("results/checkpoints/base"),
        log:
            "results/logs/train_base.log",
        benchmark:
            "results/benchmarks/train_base.tsv"
        conda:
            "../envs/unlearning-audit.yaml"
        threads: 2
        resources:
            **job_resources("train_base"),
        params:
            base_model=BASE,
        script:
            "../workflow/scripts/train_base.py"


if BASE["source"] == "gguf":

    rule convert_gguf:
        input:
            GGUF_FILE,
        output:
            directory("results/checkpoints/pretrained"),
        log:
            "results/logs/convert_gguf.log",
        benchmark:
            "results/benchmarks/convert_gguf.tsv"
        conda:
            "../envs/unlearning-audit.yaml"
        resources:
            **job_resources("convert_gguf"),
        params:
            package=BASE["package"],
        script:
            "../workflow/scripts/convert_gguf.py"


rule unlearn:
    input:
        base="results/checkpoints/base",
        forget_corpora=[corpus(c) for c in FORGET],
        forget_qa=[q for c in FORGET for q in qa(c)],
        retain_corpus=[corpus(c) for c in RETAIN],
        retain_qa=[q for c in RETAIN for q in qa(c)],
    output:
        directory("results/checkpoints/{run}"),
    log:
        "results/logs/unlearn/{run}.log",
    benchmark:
        "results/benchmarks/unlearn/{run}.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    threads: 1
    resources:
        **job_resources("unlearn"),
    params:
        method=lambda wc: config["unlearning"][wc.run]["method"],
        hparams=lambda wc: config["unlearning"][wc.run]["params"],
        dtype=DTYPE,
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
    resources:
        **job_resources("relearn"),
    params:
        relearning=RELEARN,
        steps=RELEARN_STEPS,
        dtype=DTYPE,
    script:
        "../workflow/scripts/relearn.py"
