# Rules after the data provider: prompt templates, task YAMLs and rephrased copies,
# for any provider's benchmarks (results/data/benchmarks/).


include: f"providers/{config['data']['source']}.smk"


rule prompt_template:
    input:
        STUDY.template_source("{template}"),
    output:
        layout.template("{template}"),
        provenance=sidecars([layout.template("{template}")]),
    log:
        layout.log("prompt_template", "{template}"),
    benchmark:
        layout.cost("prompt_template", "{template}")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("prompt_template"),
    script:
        "../workflow/scripts/prompt_template.py"


rule benchmark_task:
    input:
        splits=splits("{benchmark}"),
        fewshot=lambda wildcards: STUDY.fewshot_items(
            wildcards.benchmark, wildcards.prompt_variant
        ),
        # The template it includes, and what that includes in turn.
        templates=STUDY.data.template_copies,
    output:
        layout.task_yamls("{benchmark}", "{prompt_variant}"),
        provenance=sidecars(layout.task_yamls("{benchmark}", "{prompt_variant}")),
    log:
        layout.log("benchmark_task", "{benchmark}/{prompt_variant}"),
    benchmark:
        layout.cost("benchmark_task", "{benchmark}/{prompt_variant}")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("benchmark_task"),
    params:
        template=lambda wildcards: layout.template(
            STUDY.prompt_format(wildcards.prompt_variant)
        ),
    script:
        "../workflow/scripts/benchmark_task.py"


rule rephrase:
    input:
        splits=splits("{benchmark}"),
        benchmark_table=layout.BENCHMARK_TABLE,
        templates=STUDY.data.template_copies,
    output:
        **rephrased_outputs("{transform}"),
    log:
        layout.log("rephrase", "{transform}/{benchmark}"),
    benchmark:
        layout.cost("rephrase", "{transform}/{benchmark}")
    conda:
        "../envs/unlearning-audit.yaml"
    resources:
        **job_resources("rephrase"),
    params:
        primary_format=STUDY.primary_format,
        seed=config["data"]["seed"],
    script:
        "../workflow/scripts/rephrase_benchmark.py"


rule rewrite:
    input:
        splits=splits("{benchmark}"),
        generator=layout.checkpoint(STUDY.generator),
        benchmark_table=layout.BENCHMARK_TABLE,
        templates=STUDY.data.template_copies,
    output:
        **rephrased_outputs("{rewrite}"),
    log:
        layout.log("rewrite", "{rewrite}/{benchmark}"),
    benchmark:
        layout.cost("rewrite", "{rewrite}/{benchmark}")
    conda:
        "../envs/unlearning-audit.yaml"
    threads: 1
    resources:
        **job_resources("rewrite"),
    params:
        prompt=lambda wildcards: STUDY.rewrites[wildcards.rewrite],
        # These two, not the whole rewrites entry: adding a transform reruns no other.
        max_new_tokens=STUDY.rewrite_settings.get("max_new_tokens"),
        batch_size=STUDY.rewrite_settings.get("batch_size"),
        primary_format=STUDY.primary_format,
        dtype=STUDY.dtype,
        cpu_numerics=CPU_NUMERICS,
    script:
        "../workflow/scripts/rewrite_benchmark.py"


if STUDY.supplied:

    rule rephrased_file:
        input:
            splits=splits("{benchmark}"),
            benchmark_table=layout.BENCHMARK_TABLE,
            templates=STUDY.data.template_copies,
        output:
            **rephrased_outputs("{supplied}"),
        log:
            layout.log("rephrased_file", "{supplied}/{benchmark}"),
        benchmark:
            layout.cost("rephrased_file", "{supplied}/{benchmark}")
        localrule: True
        conda:
            "../envs/unlearning-audit.yaml"
        resources:
            **job_resources("rephrased_file"),
        params:
            # Its path and sha256 (checked by the job): a new pin reruns it.
            file=lambda wildcards: plain(
                STUDY.supplied[wildcards.supplied][wildcards.benchmark]
            ),
            primary_format=STUDY.primary_format,
        script:
            "../workflow/scripts/rephrased_file.py"


if STUDY.perplexity:

    # One corpus per study (evaluation.perplexity.corpus).
    rule perplexity_task:
        input:
            corpus=layout.corpus(STUDY.perplexity.corpus),
            template=STUDY.perplexity.template,
        output:
            documents=STUDY.perplexity.documents_file,
            task=STUDY.perplexity.task,
            provenance=sidecars(STUDY.perplexity.files),
        log:
            layout.log("perplexity_task"),
        benchmark:
            layout.cost("perplexity_task")
        localrule: True
        conda:
            "../envs/unlearning-audit.yaml"
        resources:
            **job_resources("perplexity_task"),
        params:
            corpus=STUDY.perplexity.corpus,
            documents=STUDY.perplexity.documents,
            # Only where it draws documents (all of them: none to draw).
            seed=config["data"]["seed"] if STUDY.perplexity.documents else None,
        script:
            "../workflow/scripts/perplexity_task.py"
