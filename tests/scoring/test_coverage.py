"""Coverage near the ceiling, where real ITA scores live (benchmarks/coverage_study.py, small).

The full study's figures are in benchmarks/README.md; this runs its "near ceiling (99)" scenario
(true scores 98.5–99, n = 50) with few reps and a fixed seed.  The percentile bootstrap used
before covered 0.85–0.90 there; the default logit interval must hold at least 0.92.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

STUDY = Path(__file__).parents[2] / "benchmarks" / "coverage_study.py"


@pytest.fixture(scope="module")
def coverage_study():
    spec = importlib.util.spec_from_file_location("coverage_study", STUDY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_true_scores_are_what_a_huge_sample_gives(coverage_study):
    import numpy as np

    from questionnaires import load_instrument_set
    from scoring.responses import score_responses
    from scoring.rollup import indicators_from_items, item_means

    iset = load_instrument_set("ita-2566")
    scenario = coverage_study.Scenario("check", 100_000, 15.0, 0.6)
    rng = np.random.default_rng(1)
    quality = rng.beta(scenario.a, scenario.b, size=scenario.n).astype(np.float32)
    frame = coverage_study._answers(iset, "IIT", np.zeros(scenario.n, dtype=np.int32),
                                    quality, rng)
    sr = score_responses(frame.drop(columns="agency"), iset, "IIT")
    found = indicators_from_items(item_means(sr), sr).iloc[0]
    truth = coverage_study.true_scores(iset, 15.0 / 15.6)
    for code, value in found.items():
        assert value == pytest.approx(truth[code], abs=0.1)


def test_default_interval_holds_near_the_ceiling_where_the_old_one_did_not(coverage_study):
    scenario = next(s for s in coverage_study.SCENARIOS if s.name == "near ceiling (99)")
    result = coverage_study.study(scenario, methods=("logit", "percentile"), reps=120,
                                  seed=7, resamples=400)
    logit, old = result["logit"]["indicators"][0], result["percentile"]["indicators"][0]
    assert logit >= 0.92, result
    assert old < 0.92, result  # the bound is one the old method fails
