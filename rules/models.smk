if STUDY.hub_models:

    rule fetch_model:
        output:
            directory(layout.checkpoint("{fetched}")),
        log:
            layout.log("fetch_model", "{fetched}"),
        benchmark:
            layout.cost("fetch_model", "{fetched}")
        wildcard_constraints:
            fetched=alternatives(STUDY.hub_models),
        conda:
            "../envs/unlearning-audit.yaml"
        resources:
            **job_resources("fetch_model"),
        params:
            model=lambda wildcards: plain(STUDY.fetched[wildcards.fetched]),
            dtype=STUDY.dtype,
        script:
            "../workflow/scripts/fetch_model.py"


if STUDY.gguf_files:

    rule convert_gguf:
        input:
            lambda wildcards: STUDY.gguf_files[wildcards.fetched],
        output:
            directory(layout.checkpoint("{fetched}")),
        log:
            layout.log("convert_gguf", "{fetched}"),
        benchmark:
            layout.cost("convert_gguf", "{fetched}")
        wildcard_constraints:
            fetched=alternatives(STUDY.gguf_files),
        conda:
            "../envs/unlearning-audit.yaml"
        resources:
            **job_resources("convert_gguf"),
        params:
            package=lambda wildcards: STUDY.fetched[wildcards.fetched]["package"],
        script:
            "../workflow/scripts/convert_gguf.py"


if STUDY.trained_base:

    if STUDY.base_model["source"] == "scratch":

        # One tokenizer for the base model and its oracle, so both read the same tokens
        # and train side by side; the oracle's weights never see hazard text.
        rule train_tokenizer:
            input:
                data=STUDY.training_data("base"),
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
                vocab_size=STUDY.base_model["tokenizer_vocab_size"],
            script:
                "../workflow/scripts/train_tokenizer.py"

    rule train_base:
        input:
            data=lambda wildcards: STUDY.training_data(wildcards.trained),
            # A pretrained model to implant the data into; none: train from scratch.
            pretrained=(
                [layout.checkpoint("pretrained")]
                if "pretrained" in STUDY.fetched
                else []
            ),
            tokenizer=(
                [layout.TOKENIZER] if STUDY.base_model["source"] == "scratch" else []
            ),
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
            base_model=lambda wildcards: plain(STUDY.base_model_of(wildcards.trained)),
            cpu_numerics=CPU_NUMERICS,
        script:
            "../workflow/scripts/train_base.py"


rule unlearn:
    input:
        # A distilled run's teacher and unrelated corpora (methods.distill).
        unpack(lambda wc: STUDY.distillation_inputs(wc.run)),
        # The base model of the run's seed replica.
        base=lambda wc: layout.checkpoint(STUDY.reference_of("base", wc.run)),
        forget_corpora=[layout.corpus(c) for c in STUDY.forget_corpora],
        forget_qa=[layout.qa(c) for c in STUDY.forget_corpora],
        retain_corpus=[layout.corpus(c) for c in STUDY.retain_corpora],
        retain_qa=[layout.qa(c) for c in STUDY.retain_corpora],
    output:
        directory(layout.checkpoint("{run}")),
    log:
        layout.log("unlearn", "{run}"),
    benchmark:
        layout.cost("unlearn", "{run}")
    wildcard_constraints:
        run=alternatives(STUDY.trained_runs),
    conda:
        "../envs/unlearning-audit.yaml"
    threads: 1
    resources:
        **job_resources("unlearn"),
    params:
        method=lambda wc: STUDY.unlearning[wc.run].method,
        hparams=lambda wc: plain(STUDY.unlearning[wc.run].params),
        dtype=STUDY.dtype,
        cpu_numerics=CPU_NUMERICS,
    script:
        "../workflow/scripts/unlearn.py"


rule relearn:
    input:
        parent=layout.checkpoint("{parent}"),
        corpora=lambda wildcards: STUDY.relearning_data(wildcards.corpus),
    output:
        [
            directory(layout.checkpoint(name))
            for name in STUDY.relearned("{parent}", "{corpus}")
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
        relearning=lambda wildcards: STUDY.relearning_params(
            wildcards.parent, wildcards.corpus
        ),
        # Forget data already sliced by the provider (no tested fact): used whole.
        sliced=STUDY.catalog.forget_slices,
        steps=plain(STUDY.relearn_steps),
        dtype=STUDY.dtype,
        cpu_numerics=CPU_NUMERICS,
    script:
        "../workflow/scripts/relearn.py"
