"""Scoring modes and the statistics computed from per-item results."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import build_world, write_tasks

from unlearning_audit import layout
from unlearning_audit.evaluation import load_lm, score, task_manager
from unlearning_audit.stats import recovery


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
    assert recovery(base, base, 0.25)[0] == pytest.approx(1.0)
    assert all(math.isnan(x) for x in recovery(base, oracle, 0.5))


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


def test_every_evaluation_keeps_its_items_and_they_agree_with_lm_eval(tiny_study):
    for path in tiny_study.glob("results/evals/**/*.json"):
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
