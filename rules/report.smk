rule gate_table:
    input:
        evaluations(models=REFERENCES),
    output:
        table=TABLES["gate"],
        provenance=sidecars([TABLES["gate"]]),
    log:
        layout.log("gate_table"),
    benchmark:
        layout.cost("gate_table")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("gate_table"),
    params:
        min_accuracy=config["gate"]["min_accuracy"],
    script:
        "../workflow/scripts/gate_table.py"


rule summary_table:
    input:
        evaluations=evaluations(),
        gate=TABLES["gate"],
    output:
        table=TABLES["summary"],
        provenance=sidecars([TABLES["summary"]]),
    log:
        layout.log("summary_table"),
    benchmark:
        layout.cost("summary_table")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("summary_table"),
    script:
        "../workflow/scripts/summary_table.py"


rule prompt_attacks_table:
    input:
        evaluations=evaluations(benchmarks=FORGET_BENCHMARKS, dev=True),
        gate=TABLES["gate"],
    output:
        table=TABLES["prompt_attacks"],
        provenance=sidecars([TABLES["prompt_attacks"]]),
    log:
        layout.log("prompt_attacks_table"),
    benchmark:
        layout.cost("prompt_attacks_table")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("prompt_attacks_table"),
    params:
        primary_format=PRIMARY,
    script:
        "../workflow/scripts/prompt_attacks_table.py"


rule relearning_table:
    input:
        relearned=relearning_evaluations(),
        parents=evaluations(variants=[PRIMARY]),
        gate=TABLES["gate"],
        test_splits=RETRAIN_TEST_SPLITS.values(),
    output:
        table=TABLES["relearning"],
        provenance=sidecars([TABLES["relearning"]]),
    log:
        layout.log("relearning_table"),
    benchmark:
        layout.cost("relearning_table")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("relearning_table"),
    params:
        test_splits=RETRAIN_TEST_SPLITS,
    script:
        "../workflow/scripts/relearning_table.py"


rule frontier_table:
    input:
        summary=TABLES["summary"],
    output:
        table=TABLES["frontier"],
        provenance=sidecars([TABLES["frontier"]]),
    log:
        layout.log("frontier_table"),
    benchmark:
        layout.cost("frontier_table")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("frontier_table"),
    params:
        frontiers=FRONTIERS,
        compared=COMPARED_RUNS,
        primary_format=PRIMARY,
    script:
        "../workflow/scripts/frontier_table.py"


rule seeds_table:
    input:
        summary=TABLES["summary"],
        prompt_attacks=TABLES["prompt_attacks"],
        relearning=TABLES["relearning"],
    output:
        table=TABLES["seeds"],
        provenance=sidecars([TABLES["seeds"]]),
    log:
        layout.log("seeds_table"),
    benchmark:
        layout.cost("seeds_table")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("seeds_table"),
    params:
        replicas=REPLICAS,
    script:
        "../workflow/scripts/seeds_table.py"


if PERPLEXITY:

    rule perplexity_table:
        input:
            [layout.perplexity(model) for model in CHECKPOINTS],
        output:
            table=TABLES["perplexity"],
            provenance=sidecars([TABLES["perplexity"]]),
        log:
            layout.log("perplexity_table"),
        benchmark:
            layout.cost("perplexity_table")
        conda:
            "../envs/unlearning-audit.yaml"
        resources:
            **job_resources("perplexity_table"),
        script:
            "../workflow/scripts/perplexity_table.py"


rule summary_markdown:
    input:
        **TABLES,
    output:
        markdown=layout.SUMMARY_MARKDOWN,
        provenance=sidecars([layout.SUMMARY_MARKDOWN]),
    log:
        layout.log("summary_markdown"),
    benchmark:
        layout.cost("summary_markdown")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("summary_markdown"),
    params:
        scorings=SCORINGS,
        primary_format=PRIMARY,
        references=REFERENCES,
        replicas=REPLICAS,
        min_accuracy=config["gate"]["min_accuracy"],
        compared_tuning=COMPARED_TUNING,
    script:
        "../workflow/scripts/summary_markdown.py"


rule plot_tradeoff:
    input:
        summary=TABLES["summary"],
        frontier=TABLES["frontier"],
    output:
        pdf=report(
            FIGURES["unlearning_tradeoff"][0],
            caption="../workflow/report/unlearning_tradeoff.rst",
            category="Figures",
        ),
        png=FIGURES["unlearning_tradeoff"][1],
        provenance=sidecars(FIGURES["unlearning_tradeoff"]),
    log:
        layout.log("plot_tradeoff"),
    benchmark:
        layout.cost("plot_tradeoff")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("plot_tradeoff"),
    params:
        scoring=SCORINGS[0],
        primary_format=PRIMARY,
    script:
        "../workflow/scripts/plot_tradeoff.py"


rule plot_prompt_attacks:
    input:
        TABLES["prompt_attacks"],
    output:
        pdf=report(
            FIGURES["prompt_attacks"][0],
            caption="../workflow/report/prompt_attacks.rst",
            category="Figures",
        ),
        png=FIGURES["prompt_attacks"][1],
        provenance=sidecars(FIGURES["prompt_attacks"]),
    log:
        layout.log("plot_prompt_attacks"),
    benchmark:
        layout.cost("plot_prompt_attacks")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("plot_prompt_attacks"),
    params:
        scoring=SCORINGS[0],
        primary_format=PRIMARY,
        references=REFERENCES,
        unlearned=UNLEARNED,
    script:
        "../workflow/scripts/plot_prompt_attacks.py"


rule plot_relearning:
    input:
        TABLES["relearning"],
    output:
        pdf=report(
            FIGURES["relearning_recovery"][0],
            caption="../workflow/report/relearning_recovery.rst",
            category="Figures",
        ),
        png=FIGURES["relearning_recovery"][1],
        provenance=sidecars(FIGURES["relearning_recovery"]),
    log:
        layout.log("plot_relearning"),
    benchmark:
        layout.cost("plot_relearning")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("plot_relearning"),
    params:
        scoring=SCORINGS[0],
        primary_format=PRIMARY,
        unlearned=UNLEARNED,
        replicas=REPLICAS,
        tuning=RELEARN["tuning"],
        compared_tuning=COMPARED_TUNING,
    script:
        "../workflow/scripts/plot_relearning.py"


rule claims_markdown:
    input:
        summary=TABLES["summary"],
        prompt_attacks=TABLES["prompt_attacks"],
        relearning=TABLES["relearning"],
        frontier=TABLES["frontier"],
    output:
        markdown=layout.CLAIMS_MARKDOWN,
        provenance=sidecars([layout.CLAIMS_MARKDOWN]),
    log:
        layout.log("claims_markdown"),
    benchmark:
        layout.cost("claims_markdown")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("claims_markdown"),
    params:
        scorings=SCORINGS,
        primary_format=PRIMARY,
        references=REFERENCES,
        unlearned=UNLEARNED,
        methods=FIRST_RUN_OF,
        claims=config["claims"],
    script:
        "../workflow/scripts/claims_markdown.py"
