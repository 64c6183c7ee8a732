rule summary_table:
    input:
        evaluations(),
    output:
        table=TABLES["summary"],
        provenance=sidecars([TABLES["summary"]]),
    log:
        "results/logs/summary_table.log",
    benchmark:
        "results/benchmarks/summary_table.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("summary_table"),
    script:
        "../workflow/scripts/summary_table.py"


rule prompt_attacks_table:
    input:
        expand(
            "results/evals/{model}/{benchmark}/{variant}.json",
            model=CHECKPOINTS,
            benchmark=HAZARD_BENCHMARKS,
            variant=variants(),
        ),
    output:
        table=TABLES["prompt_attacks"],
        provenance=sidecars([TABLES["prompt_attacks"]]),
    log:
        "results/logs/prompt_attacks_table.log",
    benchmark:
        "results/benchmarks/prompt_attacks_table.tsv"
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
        parents=expand(
            "results/evals/{model}/{benchmark}/{variant}.json",
            model=CHECKPOINTS,
            benchmark=EVALUATED,
            variant=PRIMARY,
        ),
    output:
        table=TABLES["relearning"],
        provenance=sidecars([TABLES["relearning"]]),
    log:
        "results/logs/relearning_table.log",
    benchmark:
        "results/benchmarks/relearning_table.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("relearning_table"),
    script:
        "../workflow/scripts/relearning_table.py"


rule summary_markdown:
    input:
        **TABLES,
    output:
        markdown=SUMMARY_MARKDOWN,
        provenance=sidecars([SUMMARY_MARKDOWN]),
    log:
        "results/logs/summary_markdown.log",
    benchmark:
        "results/benchmarks/summary_markdown.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("summary_markdown"),
    params:
        primary_format=PRIMARY,
    script:
        "../workflow/scripts/summary_markdown.py"


rule plot_tradeoff:
    input:
        TABLES["summary"],
    output:
        pdf=report(
            FIGURES["unlearning_tradeoff"][0],
            caption="../workflow/report/unlearning_tradeoff.rst",
            category="Figures",
        ),
        png=FIGURES["unlearning_tradeoff"][1],
        provenance=sidecars(FIGURES["unlearning_tradeoff"]),
    log:
        "results/logs/plot_tradeoff.log",
    benchmark:
        "results/benchmarks/plot_tradeoff.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("plot_tradeoff"),
    params:
        label_prefix=LABEL_PREFIX,
        primary_format=PRIMARY,
        hazards=HAZARD_BENCHMARKS,
        general=GENERAL_BENCHMARKS,
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
        "results/logs/plot_prompt_attacks.log",
    benchmark:
        "results/benchmarks/plot_prompt_attacks.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("plot_prompt_attacks"),
    params:
        label_prefix=LABEL_PREFIX,
        primary_format=PRIMARY,
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
        "results/logs/plot_relearning.log",
    benchmark:
        "results/benchmarks/plot_relearning.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("plot_relearning"),
    params:
        label_prefix=LABEL_PREFIX,
        hazards=HAZARD_BENCHMARKS,
        unlearned=UNLEARNED,
        tuning=RELEARN["tuning"],
    script:
        "../workflow/scripts/plot_relearning.py"
