"""``--interval bootstrap`` resamples counts of answer patterns: the same bootstrap, faster.

Respondents with one row of item scores (an answer pattern) are interchangeable, so drawing n
respondents with replacement and drawing the pattern counts from Multinomial(n, counts / n) give
one distribution.  The random streams differ, so one seed gives other draws: the intervals agree
within the Monte Carlo error of the resamples.  The documented tolerance (docs/scoring.md, "Intervals"):
with 2,000 resamples each end of a BCa or percentile interval within 0.15 of the interval's
width of the per-respondent draws' (about three Monte Carlo standard errors of a 2.5% quantile).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from questionnaires import load_instrument_set
from scoring import assess
from scoring import intervals as intervals_module
from scoring.intervals import answer_patterns

TOLERANCE = 0.15  # of the interval's width, at 2,000 resamples


@pytest.fixture(scope="module")
def iset():
    return load_instrument_set("ita-2566")


def _frame(iset, instrument: str, n: int, seed: int, *, kinds: int) -> pd.DataFrame:
    """n respondents drawn from ``kinds`` distinct answer sheets (with 3% blanks each)."""
    rng = np.random.default_rng(seed)
    columns = iset.columns_for(instrument)
    sheets = []
    for _ in range(kinds):
        sheet = {}
        for c in columns:
            codes = sorted(iset.item(iset.question(c).item).scale.codes)
            best = codes[-1] if rng.random() < 0.8 else rng.choice(codes)
            sheet[c] = np.nan if rng.random() < 0.03 else float(best)
        sheets.append(sheet)
    weights = rng.dirichlet(np.ones(kinds))
    picks = rng.choice(kinds, size=n, p=weights)
    return pd.DataFrame([sheets[i] for i in picks], columns=list(columns))


def test_patterns_group_identical_rows_and_keep_blank_apart_from_zero():
    rows = np.array([[100.0, np.nan], [100.0, 0.0], [100.0, np.nan], [50.0, 0.0],
                     [100.0, 0.0], [100.0, np.nan]])
    p = answer_patterns(rows)
    shown = np.where(p.answered == 1, p.values, -1)
    got = sorted(zip(map(tuple, shown), p.counts.tolist(), strict=True))
    assert got == [((50.0, 0.0), 1), ((100.0, -1.0), 3), ((100.0, 0.0), 2)]
    assert p.counts.sum() == len(rows)


def test_a_hash_collision_falls_back_to_exact_grouping(monkeypatch):
    rows = np.array([[1.0, 2.0], [2.0, 1.0], [1.0, 2.0]])
    monkeypatch.setattr(np, "unique", _colliding_unique(np.unique))
    p = answer_patterns(rows)
    assert sorted(p.counts.tolist()) == [1, 2]


def _colliding_unique(real):
    def unique(values, *args, **kwargs):
        if getattr(values, "dtype", None) == np.uint64:  # every key the same: a collision
            values = np.zeros_like(values)
        return real(values, *args, **kwargs)
    return unique


#: (PATTERN_SHARE, MULTINOMIAL_SHARE) for each way of drawing the resamples
WAYS = {"respondents": (0.0, 0.0), "patterns": (1.0, 0.0), "multinomial": (1.0, 1.0)}


def _way(monkeypatch, way: str) -> None:
    share, multinomial = WAYS[way]
    monkeypatch.setattr(intervals_module, "PATTERN_SHARE", share)
    monkeypatch.setattr(intervals_module, "MULTINOMIAL_SHARE", multinomial)


def _intervals(iset, frames, method, way, monkeypatch, seed=11):
    _way(monkeypatch, way)
    result = assess(iset, **frames, oit={}, oit_missing="fail", interval=method, bootstrap=2000,
                    seed=seed)
    out = {code: i.bootstrap for code, i in result.indicators.items() if i.bootstrap}
    out.update({code: inst.bootstrap for code, inst in result.instruments.items()
                if inst.bootstrap})
    out["total"] = result.total_bootstrap
    return out


@pytest.mark.parametrize("way", ["patterns", "multinomial"])
@pytest.mark.parametrize("method", ["bootstrap", "percentile"])
def test_pattern_counts_give_the_row_resampling_intervals(iset, method, way, monkeypatch):
    frames = {"iit": _frame(iset, "IIT", 300, 1, kinds=12),
              "eit": _frame(iset, "EIT", 400, 2, kinds=15)}
    rows = _intervals(iset, frames, method, "respondents", monkeypatch)  # the old way
    patterns = _intervals(iset, frames, method, way, monkeypatch)
    assert rows.keys() == patterns.keys() and len(rows) >= 5
    for key, (low, high) in rows.items():
        width = high - low
        assert width > 0
        assert abs(patterns[key][0] - low) <= TOLERANCE * width, (key, rows[key], patterns[key])
        assert abs(patterns[key][1] - high) <= TOLERANCE * width, (key, rows[key], patterns[key])


def test_the_same_seed_gives_the_same_intervals(iset, monkeypatch):
    frames = {"iit": _frame(iset, "IIT", 200, 3, kinds=8)}
    first = _intervals(iset, frames, "bootstrap", "multinomial", monkeypatch, seed=5)
    assert first == _intervals(iset, frames, "bootstrap", "multinomial", monkeypatch, seed=5)
    assert first != _intervals(iset, frames, "bootstrap", "multinomial", monkeypatch, seed=6)


@pytest.mark.parametrize("way", ["patterns", "multinomial"])
def test_pattern_draws_have_the_row_draws_distribution(iset, way, monkeypatch):
    """Many resamples: mean and spread of the draws agree to their Monte Carlo error."""
    from scoring.intervals import bootstrap_draws, plans
    from scoring.responses import score_responses
    from scoring.rollup import indicators_from_items, item_means

    sr = score_responses(_frame(iset, "EIT", 250, 4, kinds=10), iset, "EIT")
    scores = {c: float(v) for c, v in indicators_from_items(item_means(sr), sr).iloc[0].items()}
    plan_of = plans(iset, scores, dict.fromkeys(scores, "responses"), {"EIT"})
    _way(monkeypatch, "respondents")
    rows = bootstrap_draws({"EIT": sr}, plan_of, 8000, seed=1)
    _way(monkeypatch, way)
    patterns = bootstrap_draws({"EIT": sr}, plan_of, 8000, seed=1)
    for key in plan_of:
        a, b = rows[key], patterns[key]
        sd = a.std()
        assert abs(a.mean() - b.mean()) < 4 * sd / np.sqrt(8000) * np.sqrt(2), key
        assert b.std() == pytest.approx(sd, rel=0.06), key
