"""config/paper.yaml plans offline: the whole graph of the paper's study, nothing fetched."""

import yaml
from conftest import REPO, dry_run_job_counts

PAPER = REPO / "config/paper.yaml"


def test_paper_study_plans_offline_with_the_expected_graph(tmp_path):
    config = yaml.safe_load(PAPER.read_text())
    benchmarks, runs = config["data"]["benchmarks"], config["unlearning"]
    templates = list((REPO / "workflow/tasks/templates").glob("*.yaml"))
    relearning_runs = 2 * len(runs) + 1  # unrelated and forget data, plus the base control
    counts = dry_run_job_counts(PAPER, tmp_path)
    expected = {
        "fetch_base": 1,
        "corpus": len(config["data"]["corpora"]),
        "benchmark_items": len(benchmarks),
        "benchmark_table": 1,
        "prompt_template": len(templates),
        # Attacks ask the forget benchmarks only (WMDP, not MMLU).
        "rephrase": sum(b["role"] == "forget" for b in benchmarks.values())
        * len(config["attacks"]["rephrase"]),
        "unlearn": len(runs),
        "evaluate": 1 + len(runs),  # one job per checkpoint; a hub base has no oracle
        "relearn": relearning_runs,
        "evaluate_relearning": relearning_runs,
        **{
            rule: 1
            for rule in (
                "gate_table",
                "summary_table",
                "prompt_attacks_table",
                "relearning_table",
                "frontier_table",
                "seeds_table",
                "summary_markdown",
                "claims_markdown",
                "plot_tradeoff",
                "plot_prompt_attacks",
                "plot_relearning",
                "all",
            )
        },
    }
    assert counts == expected | {"total": sum(expected.values())}
    # The paper's setup as the issue states it.
    assert config["base_model"]["name"] == "HuggingFaceH4/zephyr-7b-beta"
    assert {"wmdp_bio", "wmdp_cyber", "mmlu", "mmlu_biology"} <= {
        b["task"] for b in benchmarks.values()
    }
    rmu = runs["rmu"]["params"]
    assert (rmu["layers"], rmu["steering_layer"], rmu["steering_coef"], rmu["alpha"]) == (
        [5, 6, 7],
        7,
        6.5,
        1200.0,
    )


def test_mmlu_biology_group_names_ten_subjects_lm_eval_knows():
    from lm_eval.tasks import TaskManager

    group = yaml.safe_load((REPO / "workflow/tasks/mmlu_biology.yaml").read_text())
    assert len(group["task"]) == 10
    known = set(TaskManager(include_path=str(REPO / "workflow/tasks")).all_tasks)
    assert {"mmlu_biology", *group["task"]} <= known


def test_paper_data_rules_run_on_local_stand_ins(tmp_path):
    """The corpus, benchmark_items and rephrase rules of the paper's graph, with local
    folders standing in for hub datasets (the same `datasets.load_dataset` call)."""
    from conftest import make_workdir, run_snakemake

    from unlearning_audit.io import write_jsonl
    from unlearning_audit.provenance import file_sha256

    write_jsonl(tmp_path / "hub/wiki/train.jsonl", [{"text": "A line."}, {"text": " "}])
    questions = [
        {"question": f"Q{i}?", "choices": ["a", "b", "c", "d"], "answer": i % 4} for i in range(9)
    ]
    write_jsonl(tmp_path / "hub/wmdp/test.jsonl", questions)
    bio = tmp_path / "bio.jsonl"
    write_jsonl(bio, [{"text": "Forget me."}])

    config = yaml.safe_load(PAPER.read_text())
    config["offline"] = True
    wiki = {"hub": {"path": str(tmp_path / "hub/wiki"), "split": "train"}}
    local = {"path": str(bio), "sha256": file_sha256(bio), "obtain": "-"}
    config["data"]["corpora"] = {
        "bio_forget": {"role": "forget", "local": local},
        "cyber_forget": {"role": "forget", **wiki},
        "wikitext": {"role": "retain", **wiki},
        "wikitext_train": {"role": "unrelated", **wiki},
    }
    items = [{"path": str(tmp_path / "hub/wmdp"), "split": "test"}]
    config["data"]["benchmarks"] = {
        "wmdp_bio": {"task": "wmdp_bio", "role": "forget", "items": items}
    }
    study = make_workdir(tmp_path / "study", config)
    data = "results/data"
    run_snakemake(
        study,
        targets=[
            f"{data}/corpora/bio_forget.jsonl",
            f"{data}/corpora/wikitext.jsonl",
            f"{data}/tasks/wmdp_bio_rephrase_shuffled.yaml",
        ],
    )
    assert (study / data / "corpora/bio_forget.jsonl").read_text().count("\n") == 1
    # wikitext's blank lines are dropped
    assert (study / data / "corpora/wikitext.jsonl").read_text().count("\n") == 1
    # LLMU's question/answer pairs: each text's first half prompts its second half.
    assert (study / data / "qa/bio_forget.jsonl").read_text().count("\n") == 1
    # Rephrased copies of an lm-eval task are asked in the template its prompt matches.
    task = yaml.safe_load((study / data / "tasks/wmdp_bio_rephrase_shuffled.yaml").read_text())
    assert task["include"] == ["../templates/letter.yaml"]
    test = (study / data / "rephrased/shuffled/wmdp_bio/test.jsonl").read_text()
    assert test.count("\n") == len(questions) - 5  # 5 questions became few-shot exemplars
