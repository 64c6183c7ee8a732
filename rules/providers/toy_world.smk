# The toy world provider: fictitious facts, generated (src/unlearning_audit/providers/).


rule toy_world:
    input:
        # Practice texts are rendered in the prompt templates the study asks in.
        templates=[layout.template(t) for t in STUDY.asked_templates],
        # The chat format's practice is rendered in the model's own chat template.
        chat_tokenizer=STUDY.chat_tokenizer,
    output:
        corpora=STUDY.data.corpora,
        qa=STUDY.data.qa,
        practice=STUDY.data.practice,
        forget_slices=STUDY.data.forget_slices,
        retrain_sets=STUDY.data.retrain_sets,
        benchmarks=STUDY.data.benchmark_splits,
        benchmark_table=layout.BENCHMARK_TABLE,
        provenance=sidecars(
            STUDY.data.corpora,
            STUDY.data.qa,
            STUDY.data.practice,
            STUDY.data.forget_slices,
            STUDY.data.retrain_sets,
            STUDY.data.benchmark_splits,
            [layout.BENCHMARK_TABLE],
        ),
    log:
        layout.log("toy_world"),
    benchmark:
        layout.cost("toy_world")
    localrule: True
    conda:
        "../../envs/unlearning-audit.yaml"
    resources:
        **job_resources("toy_world"),
    params:
        data=config["data"],
        out_dir=lambda wildcards, output: Path(output.benchmark_table).parent,
    script:
        "../../workflow/scripts/make_toy_world.py"
