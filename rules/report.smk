rule summary_table:
    input:
        evaluations(),
    output:
        table=SUMMARY_TABLE,
        provenance=sidecars([SUMMARY_TABLE]),
    log:
        "results/logs/summary_table.log",
    benchmark:
        "results/benchmarks/summary_table.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    script:
        "../workflow/scripts/summary_table.py"


rule plot_tradeoff:
    input:
        SUMMARY_TABLE,
    output:
        pdf=report(
            TRADEOFF_FIGURE[0],
            caption="../workflow/report/unlearning_tradeoff.rst",
            category="Figures",
        ),
        png=TRADEOFF_FIGURE[1],
        provenance=sidecars(TRADEOFF_FIGURE),
    log:
        "results/logs/plot_tradeoff.log",
    benchmark:
        "results/benchmarks/plot_tradeoff.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    params:
        primary_format=PROMPT_FORMATS[0],
        hazards=HAZARDS,
        general=GENERAL,
    script:
        "../workflow/scripts/plot_tradeoff.py"


rule summary_markdown:
    input:
        SUMMARY_TABLE,
    output:
        markdown=SUMMARY_MARKDOWN,
        provenance=sidecars([SUMMARY_MARKDOWN]),
    log:
        "results/logs/summary_markdown.log",
    benchmark:
        "results/benchmarks/summary_markdown.tsv"
    conda:
        "../envs/unlearning-audit.yaml"
    params:
        primary_format=PROMPT_FORMATS[0],
    script:
        "../workflow/scripts/summary_markdown.py"
