if BASE["source"] == "hub":

    rule fetch_base:
        output:
            directory(layout.checkpoint("base")),
        log:
            layout.log("fetch_base"),
        benchmark:
            layout.cost("fetch_base")
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

    if BASE["source"] == "scratch":

        # One tokenizer for the base model and its oracle, so both read the same tokens
        # and train side by side; the oracle's weights never see hazard text.
        rule train_tokenizer:
            input:
                data=training_data("base"),
            output:
                directory(layout.TOKENIZER),
            log:
                layout.log("train_tokenizer"),
            benchmark:
                layout.cost("train_tokenizer")
            conda:
                "../envs/unlearning-audit.yaml"
            resources:
                **job_resources("train_tokenizer"),
            params:
                vocab_size=BASE["tokenizer_vocab_size"],
            script:
                "../workflow/scripts/train_tokenizer.py"

    rule train_base:
        input:
            data=lambda wildcards: training_data(wildcards.trained),
            # A pretrained model to implant the data into; none: train from scratch.
            pretrained=(
                [layout.checkpoint("pretrained")] if BASE["source"] == "gguf" else []
            ),
            tokenizer=[layout.TOKENIZER] if BASE["source"] == "scratch" else [],
        output:
            directory(layout.checkpoint("{trained}")),
        log:
            layout.log("train_base", "{trained}"),
        benchmark:
            layout.cost("train_base", "{trained}")
        # The base model and its oracle head the longest chains of the graph.
        priority: 10
        conda:
            "../envs/unlearning-audit.yaml"
        # Half the cores each, so the two train side by side (on 2 cores, 18 % more
        # tokens per second in all than one after the other on both).
        threads: half_the_cores()
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
            directory(layout.checkpoint("pretrained")),
        log:
            layout.log("convert_gguf"),
        benchmark:
            layout.cost("convert_gguf")
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
        base=layout.checkpoint("base"),
        forget_corpora=[layout.corpus(c) for c in FORGET],
        forget_qa=[layout.qa(c) for c in FORGET],
        retain_corpus=[layout.corpus(c) for c in RETAIN],
        retain_qa=[layout.qa(c) for c in RETAIN],
    output:
        directory(layout.checkpoint("{run}")),
    log:
        layout.log("unlearn", "{run}"),
    benchmark:
        layout.cost("unlearn", "{run}")
    conda:
        "../envs/unlearning-audit.yaml"
    threads: 1
    resources:
        **job_resources("unlearn"),
    params:
        method=lambda wc: UNLEARNING_POINTS[wc.run]["method"],
        hparams=lambda wc: UNLEARNING_POINTS[wc.run]["params"],
        dtype=DTYPE,
    script:
        "../workflow/scripts/unlearn.py"


rule relearn:
    input:
        parent=layout.checkpoint("{parent}"),
        corpora=lambda wildcards: relearning_data(wildcards.corpus),
    output:
        [
            directory(layout.checkpoint(name))
            for name in relearned_models("{parent}", "{corpus}")
        ],
    log:
        layout.log("relearn", "{parent}.{corpus}"),
    benchmark:
        layout.cost("relearn", "{parent}.{corpus}")
    conda:
        "../envs/unlearning-audit.yaml"
    threads: 1
    resources:
        **job_resources("relearn"),
    params:
        relearning=lambda wildcards: RELEARN
        | {"seed": relearning_seed(wildcards.parent)},
        # Forget data already sliced by the provider (no tested fact): used whole.
        sliced=CATALOG.forget_slices,
        steps=RELEARN_STEPS,
        dtype=DTYPE,
    script:
        "../workflow/scripts/relearn.py"
