rule summary_table:
    input:
        evaluations(),
    output:
        "results/tables/summary.csv",
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
        "results/tables/summary.csv",
    output:
        pdf=report(
            "results/figures/unlearning_tradeoff.pdf",
            caption="../workflow/report/unlearning_tradeoff.rst",
            category="Figures",
        ),
        png="results/figures/unlearning_tradeoff.png",
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
