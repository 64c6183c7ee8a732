rule gate_table:
    input:
        STUDY.table_inputs["gate"]["evaluations"],
    output:
        table=STUDY.tables["gate"],
        provenance=sidecars([STUDY.tables["gate"]]),
    log:
        layout.log("gate_table"),
    benchmark:
        layout.cost("gate_table")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("gate_table"),
    params:
        min_gap=config["gate"]["min_gap"],
    script:
        "../workflow/scripts/gate_table.py"


rule summary_table:
    input:
        **STUDY.table_inputs["summary"],
    output:
        table=STUDY.tables["summary"],
        provenance=sidecars([STUDY.tables["summary"]]),
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
        **STUDY.table_inputs["prompt_attacks"],
    output:
        table=STUDY.tables["prompt_attacks"],
        provenance=sidecars([STUDY.tables["prompt_attacks"]]),
    log:
        layout.log("prompt_attacks_table"),
    benchmark:
        layout.cost("prompt_attacks_table")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("prompt_attacks_table"),
    params:
        primary_format=STUDY.primary_format,
    script:
        "../workflow/scripts/prompt_attacks_table.py"


rule relearning_table:
    input:
        **STUDY.table_inputs["relearning"],
    output:
        table=STUDY.tables["relearning"],
        provenance=sidecars([STUDY.tables["relearning"]]),
    log:
        layout.log("relearning_table"),
    benchmark:
        layout.cost("relearning_table")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("relearning_table"),
    params:
        test_splits=plain(STUDY.data.retrain_test_splits),
    script:
        "../workflow/scripts/relearning_table.py"


rule frontier_table:
    input:
        **STUDY.table_inputs["frontier"],
    output:
        table=STUDY.tables["frontier"],
        provenance=sidecars([STUDY.tables["frontier"]]),
    log:
        layout.log("frontier_table"),
    benchmark:
        layout.cost("frontier_table")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("frontier_table"),
    params:
        frontiers=plain(STUDY.frontiers),
        compared=plain(STUDY.compared_runs),
        primary_format=STUDY.primary_format,
        capability_kept=config["selectivity"]["capability_kept"],
    script:
        "../workflow/scripts/frontier_table.py"


rule seeds_table:
    input:
        **STUDY.table_inputs["seeds"],
    output:
        table=STUDY.tables["seeds"],
        provenance=sidecars([STUDY.tables["seeds"]]),
    log:
        layout.log("seeds_table"),
    benchmark:
        layout.cost("seeds_table")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("seeds_table"),
    params:
        replicas=plain(STUDY.seed_runs),
    script:
        "../workflow/scripts/seeds_table.py"


if STUDY.perplexity:

    rule perplexity_table:
        input:
            STUDY.table_inputs["perplexity"]["evaluations"],
        output:
            table=STUDY.tables["perplexity"],
            provenance=sidecars([STUDY.tables["perplexity"]]),
        log:
            layout.log("perplexity_table"),
        benchmark:
            layout.cost("perplexity_table")
        localrule: True
        conda:
            "../envs/unlearning-audit.yaml"
        resources:
            **job_resources("perplexity_table"),
        script:
            "../workflow/scripts/perplexity_table.py"


if STUDY.activations:

    rule activations_table:
        input:
            **STUDY.table_inputs["activations"],
        output:
            table=STUDY.tables["activations"],
            provenance=sidecars([STUDY.tables["activations"]]),
        log:
            layout.log("activations_table"),
        benchmark:
            layout.cost("activations_table")
        localrule: True
        conda:
            "../envs/unlearning-audit.yaml"
        resources:
            **job_resources("activations_table"),
        params:
            min_gap=config["gate"]["min_gap"],
        script:
            "../workflow/scripts/activations_table.py"


# One table per attack that builds models: quantization_table, ablation_table,
# few_example_table, soft_prompt_table.
for attack in STUDY.built_attacks:

    rule:
        name:
            f"{attack}_table"
        input:
            **STUDY.table_inputs[attack],
        output:
            table=STUDY.tables[attack],
            provenance=sidecars([STUDY.tables[attack]]),
        log:
            layout.log(f"{attack}_table"),
        benchmark:
            layout.cost(f"{attack}_table")
        localrule: True
        conda:
            "../envs/unlearning-audit.yaml"
        resources:
            **job_resources(f"{attack}_table"),
        params:
            attack=attack,
            min_gap=config["gate"]["min_gap"],
            # Attacks fitted on entities T are scored on V.
            scored_on_v=(
                plain(STUDY.data.retrain_test_splits)
                if STUDY.fitted_on(attack)
                else {}
            ),
        script:
            "../workflow/scripts/built_table.py"


rule summary_markdown:
    input:
        **{name: table for name, table in STUDY.tables.items() if name != "audit"},
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
        scorings=plain(STUDY.scorings),
        primary_format=STUDY.primary_format,
        references=plain(STUDY.references),
        # Every seed replica beyond the first, of the references too, shows as spread only.
        replicas=plain(STUDY.audited_runs),
        min_gap=config["gate"]["min_gap"],
        compared_tuning=plain(STUDY.compared_tuning),
    script:
        "../workflow/scripts/summary_markdown.py"


rule plot_tradeoff:
    input:
        summary=STUDY.tables["summary"],
        frontier=STUDY.tables["frontier"],
    output:
        pdf=report(
            STUDY.figures["unlearning_tradeoff"][0],
            caption="../workflow/report/unlearning_tradeoff.rst",
            category="Figures",
        ),
        png=STUDY.figures["unlearning_tradeoff"][1],
        provenance=sidecars(STUDY.figures["unlearning_tradeoff"]),
    log:
        layout.log("plot_tradeoff"),
    benchmark:
        layout.cost("plot_tradeoff")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("plot_tradeoff"),
    params:
        scoring=STUDY.scorings[0],
        primary_format=STUDY.primary_format,
    script:
        "../workflow/scripts/plot_tradeoff.py"


rule plot_prompt_attacks:
    input:
        STUDY.tables["prompt_attacks"],
    output:
        pdf=report(
            STUDY.figures["prompt_attacks"][0],
            caption="../workflow/report/prompt_attacks.rst",
            category="Figures",
        ),
        png=STUDY.figures["prompt_attacks"][1],
        provenance=sidecars(STUDY.figures["prompt_attacks"]),
    log:
        layout.log("plot_prompt_attacks"),
    benchmark:
        layout.cost("plot_prompt_attacks")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("plot_prompt_attacks"),
    params:
        scoring=STUDY.scorings[0],
        primary_format=STUDY.primary_format,
        references=plain(STUDY.references),
        unlearned=plain(STUDY.unlearned),
    script:
        "../workflow/scripts/plot_prompt_attacks.py"


rule plot_attacks:
    input:
        **STUDY.table_inputs["audit"],
    output:
        pdf=report(
            STUDY.figures["attack_families"][0],
            caption="../workflow/report/attack_families.rst",
            category="Figures",
        ),
        png=STUDY.figures["attack_families"][1],
        provenance=sidecars(STUDY.figures["attack_families"]),
    log:
        layout.log("plot_attacks"),
    benchmark:
        layout.cost("plot_attacks")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("plot_attacks"),
    params:
        scoring=STUDY.scorings[0],
        primary_format=STUDY.primary_format,
        references=plain(STUDY.references),
        unlearned=plain(STUDY.unlearned),
    script:
        "../workflow/scripts/plot_attacks.py"


rule plot_relearning:
    input:
        STUDY.tables["relearning"],
    output:
        pdf=report(
            STUDY.figures["relearning_recovery"][0],
            caption="../workflow/report/relearning_recovery.rst",
            category="Figures",
        ),
        png=STUDY.figures["relearning_recovery"][1],
        provenance=sidecars(STUDY.figures["relearning_recovery"]),
    log:
        layout.log("plot_relearning"),
    benchmark:
        layout.cost("plot_relearning")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("plot_relearning"),
    params:
        scoring=STUDY.scorings[0],
        primary_format=STUDY.primary_format,
        unlearned=plain(STUDY.unlearned),
        replicas=plain(STUDY.replicas),
        tuning=STUDY.relearning["tuning"],
        compared_tuning=plain(STUDY.compared_tuning),
    script:
        "../workflow/scripts/plot_relearning.py"


# Hidden or removed? One cell per checkpoint and attack family, a verdict per run.
rule audit_table:
    input:
        **STUDY.table_inputs["audit"],
    output:
        table=STUDY.tables["audit"],
        markdown=layout.AUDIT_MARKDOWN,
        provenance=sidecars([STUDY.tables["audit"], layout.AUDIT_MARKDOWN]),
    log:
        layout.log("audit_table"),
    benchmark:
        layout.cost("audit_table")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("audit_table"),
    params:
        scorings=plain(STUDY.scorings),
        primary_format=STUDY.primary_format,
        runs=plain(STUDY.audited_runs),
        rules=config["audit"],
    script:
        "../workflow/scripts/audit_table.py"


rule plot_audit_card:
    input:
        audit=STUDY.tables["audit"],
    output:
        pdf=report(
            STUDY.figures["audit_card"][0],
            caption="../workflow/report/audit_card.rst",
            category="Figures",
        ),
        png=STUDY.figures["audit_card"][1],
        provenance=sidecars(STUDY.figures["audit_card"]),
    log:
        layout.log("plot_audit_card"),
    benchmark:
        layout.cost("plot_audit_card")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("plot_audit_card"),
    params:
        scoring=STUDY.scorings[0],
        runs=plain(STUDY.audited_runs),
    script:
        "../workflow/scripts/plot_audit_card.py"


rule claims_markdown:
    input:
        summary=STUDY.tables["summary"],
        prompt_attacks=STUDY.tables["prompt_attacks"],
        relearning=STUDY.tables["relearning"],
        frontier=STUDY.tables["frontier"],
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
        scorings=plain(STUDY.scorings),
        primary_format=STUDY.primary_format,
        references=plain(STUDY.references),
        replicas=plain(STUDY.replicas),
        methods=plain(STUDY.first_run_of),
        claims=config["claims"],
    script:
        "../workflow/scripts/claims_markdown.py"
