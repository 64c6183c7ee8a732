"""Scoring modes and the statistics computed from per-item results."""

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import build_world, write_tasks

from unlearning_audit import layout
from unlearning_audit.evaluation import load_lm, score, task_manager
from unlearning_audit.stats import cluster_effective_count, paired_difference, perplexity, recovery


def test_generation_scores_an_untrained_model_below_chance(
    tiny_model, tiny_tokenizer, tmp_path, monkeypatch
):
    """A model that emits junk: log-likelihood still picks an option (about chance),
    generation counts its junk as unanswered and wrong."""
    monkeypatch.chdir(tmp_path)  # task YAMLs name their data relative to the workdir
    world = build_world(0, 16, 4, ["cyber", "geography", "history", "music"])
    write_tasks(world, ["cloze"])
    tiny_model.save_pretrained("junk", safe_serialization=True)
    tiny_tokenizer.save_pretrained("junk")
    lm = load_lm("junk", batch_size=16)
    tasks = task_manager([])
    scored = {
        scoring: score(
            lm,
            layout.task_yaml("cyber", "cloze", scoring),
            layout.task_name("cyber", "cloze", scoring),
            tasks,
        )
        for scoring in layout.SCORINGS
    }
    chance = 0.25
    assert scored["loglikelihood"]["answered"] == 1.0
    assert scored["generate"]["scoring"] == "generate"
    assert scored["generate"]["answered"] < 0.5
    assert scored["generate"]["accuracy"] < chance
    items = len(world["cyber"]["splits"]["test"])
    assert scored["generate"]["n"] == scored["loglikelihood"]["n"] == items


def test_recovery_matches_a_hand_computation():
    # Five items. Base right on all; oracle on item 0; attacked on items 0, 1, 2.
    base, oracle, attacked = [1, 1, 1, 1, 1], [1, 0, 0, 0, 0], [1, 1, 1, 0, 0]
    # R = (3/5 - 1/5) / (5/5 - 1/5) = 0.5
    r, low, high = recovery(attacked, base, oracle, iterations=500, seed=3)
    assert r == pytest.approx(0.5)
    # The interval: the same resamples of items, computed one by one.
    samples = np.random.default_rng(3).integers(0, 5, (500, 5))
    ratios = []
    for rows in samples:
        a, k, b = (np.mean([x[i] for i in rows]) for x in (attacked, base, oracle))
        ratios.append((a - b) / (k - b) if k > b else np.nan)
    assert (low, high) == pytest.approx(tuple(np.nanpercentile(ratios, [2.5, 97.5])))


def test_recovery_is_zero_at_the_baseline_and_one_at_the_base_model():
    rng = np.random.default_rng(0)
    base = (rng.random(200) < 0.95).astype(int)
    oracle = (rng.random(200) < 0.25).astype(int)
    assert recovery(base, base, oracle)[0] == pytest.approx(1.0)
    assert recovery(oracle, base, oracle)[0] == pytest.approx(0.0)
    half = np.where(rng.random(200) < 0.5, base, oracle)
    r, low, high = recovery(half, base, oracle)
    assert low < r < high and low < 0.5 < high
    # A constant baseline (chance), and a base model that does not beat it: undefined.
    assert recovery(base, base, None, 0.25)[0] == pytest.approx(1.0)
    assert all(math.isnan(x) for x in recovery(base, oracle, None, 0.5))


def test_recovery_counts_guessing_in_the_baseline():
    """Under generation an oracle that writes no option scores 0; a model that knows the
    format and guesses scores chance. An attack that only restores the format is not
    recovered knowledge: b is the higher of the two."""
    base, oracle = np.ones(80), np.zeros(80)
    guessing = (np.arange(80) % 4 == 0).astype(int)  # a quarter right: chance among 4
    assert recovery(guessing, base, oracle)[0] == pytest.approx(0.25)  # oracle alone
    assert recovery(guessing, base, oracle, chance=0.25)[0] == pytest.approx(0.0)


def test_the_bootstrap_resamples_whole_entities():
    """Five facts per entity, answered all right or all wrong: the items are not 40
    independent draws but 8, and the interval must say so."""
    entity = np.arange(40) // 5
    attacked = (entity % 2 == 0).astype(int)  # half the entities, wholly
    base, oracle = np.ones(40), np.zeros(40)
    _, low, high = recovery(attacked, base, oracle)
    _, low_c, high_c = recovery(attacked, base, oracle, clusters=entity)
    assert high_c - low_c > 1.5 * (high - low)
    _, low, high = paired_difference(attacked, oracle)
    _, low_c, high_c = paired_difference(attacked, oracle, clusters=entity)
    assert high_c - low_c > 1.5 * (high - low)
    # Wilson's n: 8 entities' worth where entities answer as one, all 40 where not.
    assert cluster_effective_count(attacked, entity) == pytest.approx(8.0)
    alternating = np.arange(40) % 2
    assert cluster_effective_count(alternating, entity) == 40
    assert cluster_effective_count(np.ones(40), entity) == 40  # no variance to inflate


def test_recovery_has_no_interval_where_resamples_lose_the_base_model():
    """Base model barely above the baseline: many resamples have no R, and an interval
    over the others would look tighter than the data allow."""
    base = [1] * 6 + [0] * 4
    oracle = [1] * 5 + [0] * 5
    r, low, high = recovery(base, base, oracle)
    assert r == pytest.approx(1.0) and math.isnan(low) and math.isnan(high)


def test_recovery_interval_narrows_with_more_items():
    rng = np.random.default_rng(1)

    def width(n):
        base, oracle = np.ones(n), (rng.random(n) < 0.25).astype(int)
        attacked = (rng.random(n) < 0.6).astype(int)
        _, low, high = recovery(attacked, base, oracle)
        return high - low

    assert width(1000) < width(70) / 2


def test_perplexity_and_its_ratio_match_a_hand_computation():
    # Two documents: log-likelihoods -2 and -4 over 1 and 3 words: exp(6 / 4).
    value, low, high = perplexity([-2.0, -4.0], [1, 3])
    assert value == pytest.approx(math.exp(1.5))
    assert low <= value <= high
    # Twice as likely per word as a reference, on every document: a ratio of 1/2, in
    # every resample.
    reference = [-2.0 - math.log(2), -4.0 - 3 * math.log(2)]
    assert perplexity([-2.0, -4.0], [1, 3], reference) == pytest.approx((0.5, 0.5, 0.5))
    # The interval narrows as documents are added.
    rng = np.random.default_rng(0)
    lls = -rng.uniform(1, 3, 400) * 50
    widths = [np.subtract(*perplexity(lls[:n], [50] * n)[2:0:-1]) for n in (25, 400)]
    assert widths[1] < widths[0]


@pytest.mark.slow
def test_every_evaluation_keeps_its_items_and_they_agree_with_lm_eval(tiny_study):
    activations = Path(layout.activations("model")).name  # per layer, not lm-eval's
    for path in tiny_study.glob("results/evals/**/*.json"):
        if path.name == activations:
            continue
        result = json.loads(path.read_text())
        items = pd.DataFrame(result["items"])
        assert len(items) == result["n"] and items.id.is_unique
        assert items.correct.mean() == pytest.approx(result["accuracy"])
        assert items.answered.mean() == pytest.approx(result["answered"])
        assert not (items.correct.astype(bool) & ~items.answered).any()
        assert (items.correct == (items.prediction == items.target)).all()
        if result["scoring"] == layout.GENERATE:
            # Written answers: any text, which counts only where it is one of the options.
            assert items.generated.map(lambda g: isinstance(g, str)).all()
        else:
            assert items.answered.all()
            best = items.loglikelihoods.map(lambda lls: int(np.argmax(lls)))
            assert (best == items.prediction).all()


@pytest.mark.slow
def test_tables_say_which_scoring_and_how_often_a_model_answered(tiny_study):
    """Log-likelihood always picks an option; generation need not, so its accuracy can
    fall below chance, and every table carries the answered share beside it."""
    for name in ("summary", "prompt_attacks", "relearning"):
        table = pd.read_csv(tiny_study / layout.table(name))
        assert set(table.scoring) == set(layout.SCORINGS)
        assert (table[table.scoring == layout.LOGLIKELIHOOD].answered == 1.0).all()
        assert table.answered.between(0, 1).all()
    text = (tiny_study / layout.SUMMARY_MARKDOWN).read_text()
    assert "#### Generate scoring" in text and "#### Loglikelihood scoring" in text
    assert "answered" in text.split("#### Generate scoring")[1].split("####")[0]


@pytest.mark.slow
def test_claims_compare_matched_points_and_read_every_attack_over_seeds(tiny_study):
    attacks = pd.read_csv(tiny_study / layout.table("prompt_attacks"))
    assert set(attacks.split) == {"dev", "test"}
    dev = attacks[attacks.split == "dev"]
    assert (dev.n == 4).all()  # the tiny world's dev items per domain
    frontier = pd.read_csv(tiny_study / layout.table("frontier"))
    matched = frontier[frontier.matched & (frontier.scoring == layout.SCORINGS[0])]
    claims = (tiny_study / layout.CLAIMS_MARKDOWN).read_text()
    for _, points in matched.groupby("forget_benchmark"):
        pair = points.set_index("run").checkpoint
        assert re.search(rf"\| {pair['rmu']} vs {pair['llmu']} +\|", claims)
    # (b) and (c): one row per run and benchmark, with the seeds that agree (tiny: one).
    assert re.search(r"\| informative attacks +\|", claims)
    assert re.search(r"\| 1 of 1 +\|", claims) and "seeds agreeing" in claims


def test_matched_forget_accuracy_picks_each_runs_best_capability_at_a_level_both_reach():
    from unlearning_audit.tables import matched_forget_accuracy

    frontier = pd.DataFrame(
        {
            "run": ["a", "a", "a", "b", "b", "c"],
            "forget_accuracy": [0.2, 0.4, 0.8, 0.5, 0.9, 1.0],
            "capability_accuracy": [0.3, 0.7, 0.9, 0.6, 0.95, 1.0],
        }
    )
    level, matched = matched_forget_accuracy(frontier, ["a", "b"])
    # b forgets at best to 0.5: the level; a's best capability at or below it is 0.7.
    # c, which never forgets, is not compared and does not drag the level to 1.0.
    assert level == 0.5
    assert frontier[matched].capability_accuracy.tolist() == [0.7, 0.6]


def test_seed_spread_summarises_each_run_over_its_replicas_only():
    from unlearning_audit.tables import seed_spread

    table = pd.DataFrame(
        {
            "checkpoint": ["a", "a.seed-1", "a.seed-2", "a", "b", "a.sweep-x-1", "base"],
            "benchmark": ["bio", "bio", "bio", "cyber", "bio", "bio", "bio"],
            "accuracy": [0.2, 0.4, 0.9, 0.5, 0.3, 0.0, 1.0],
        }
    )
    replicas = {"a": ["a", "a.seed-1", "a.seed-2"], "b": ["b"]}
    spread = seed_spread(table, replicas, "checkpoint", ["benchmark"], "accuracy")
    rows = spread.set_index(["run", "benchmark"])
    # A sweep point and a reference are no replicas of any run.
    assert len(rows) == 3
    bio = rows.loc[("a", "bio")]
    assert bio.n_seeds == 3 and bio["mean"] == pytest.approx(0.5)
    assert bio["std"] == pytest.approx(np.std([0.2, 0.4, 0.9], ddof=1))
    assert (bio["min"], bio["max"], bio["values"]) == (0.2, 0.9, "0.2 0.4 0.9")
    assert rows.loc[("b", "bio")].n_seeds == 1 and math.isnan(rows.loc[("b", "bio")]["std"])


@pytest.mark.slow
def test_retraining_is_scored_on_v_items_only(tiny_study):
    relearning = pd.read_csv(tiny_study / "results/tables/relearning.csv")
    retrained = relearning[(relearning.relearn_corpus == "retrain") & (relearning.role == "forget")]
    assert len(retrained) and set(retrained.scored_items) == {"V"}
    assert set(relearning[relearning.relearn_corpus != "retrain"].scored_items) == {"all"}
    for row in retrained.itertuples():
        split = tiny_study / layout.benchmark_split(row.benchmark, "test")
        held_out = {
            str(i) for i, line in enumerate(open(split)) if json.loads(line)["retrain_split"] == "V"
        }
        items = json.loads((tiny_study / row.source).read_text())["items"]
        correct = [i["correct"] for i in items if i["id"] in held_out]
        assert row.n == len(held_out) == len(correct) < len(items)
        assert row.accuracy == pytest.approx(sum(correct) / len(correct))
