# The toy world provider: fictitious facts, generated (src/unlearning_audit/providers/).


rule toy_world:
    input:
        # Practice texts are rendered in the prompt templates the study asks in.
        templates=[layout.template(t) for t in ASKED_TEMPLATES],
        # The chat format's practice is rendered in the model's own chat template.
        chat_tokenizer=CHAT_TOKENIZER,
    output:
        corpora=CORPORA,
        qa=QA,
        practice=PRACTICE,
        forget_slices=FORGET_SLICES,
        retrain_sets=RETRAIN_SETS,
        benchmarks=BENCHMARK_SPLITS,
        benchmark_table=layout.BENCHMARK_TABLE,
        provenance=sidecars(
            CORPORA,
            QA,
            PRACTICE,
            FORGET_SLICES,
            RETRAIN_SETS,
            BENCHMARK_SPLITS,
            [layout.BENCHMARK_TABLE],
        ),
    log:
        layout.log("toy_world"),
    benchmark:
        layout.cost("toy_world")
    conda:
        "../../envs/unlearning-audit.yaml"
    resources:
        **job_resources("toy_world"),
    params:
        data=config["data"],
        out_dir=lambda wildcards, output: Path(output.benchmark_table).parent,
    script:
        "../../workflow/scripts/make_toy_world.py"
