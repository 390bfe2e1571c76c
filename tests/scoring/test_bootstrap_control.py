"""The bootstrap read with each draw's linear part as a control variate (docs/scoring.md,
"Intervals").

Each resample's score ``T`` comes with its linear part ``L = θ + Σ w u / n`` (the resample's
weights times the influence values), whose distribution is known without resampling (a mean of
n draws of the influence values: :class:`scoring.intervals.LinearPart`, a one-term Edgeworth
expansion).  A score whose every item was answered by at least ``CONTROLLED_FROM`` respondents
has its bootstrap distribution estimated as ``F_L(t) + (#{T ≤ t} − #{L ≤ t}) / B``: with many
respondents ``T − L`` is a tiny fraction of the spread, so a few hundred resamples give the ends
many thousands of plain draws would.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from questionnaires import load_instrument_set
from scoring import assess
from scoring import intervals as intervals_module
from scoring.intervals import (
    BATCH,
    CONTROLLED_FROM,
    MC_SE_BOUND,
    MIN_BATCHES,
    Controlled,
    LinearPart,
    _all_parts,
    bca_interval,
    bootstrap_batch,
    bootstrap_draws,
    controlled_interval,
    influence,
    plans,
)
from scoring.responses import score_responses
from scoring.rollup import indicators_from_items, item_means

from .test_bootstrap_patterns import _frame, _way
from .test_bootstrap_stopping import _ends

#: An end within half a hundredth of the end infinitely many resamples would give.
PROMISE = 0.005


@pytest.fixture(scope="module")
def iset():
    return load_instrument_set("ita-2566")


def _plain(monkeypatch) -> None:
    """Every score read from its draws alone, and every resample allowed drawn."""
    monkeypatch.setattr(intervals_module, "CONTROLLED_FROM", math.inf)
    monkeypatch.setattr(intervals_module, "MC_SE_BOUND", 0.0)


def _planned(iset, sr, instrument):
    scores = {c: float(v) for c, v in indicators_from_items(item_means(sr), sr).iloc[0].items()}
    plan_of = plans(iset, scores, dict.fromkeys(scores, "responses"), {instrument})
    return scores, plan_of


@pytest.mark.parametrize("way", ["respondents", "patterns", "multinomial"])
def test_a_draw_s_linear_part_is_its_weights_times_the_influence_values(iset, way,
                                                                      monkeypatch):
    """Taken from the same product as the draw: ``Σ w u / n`` over the respondents' (or the
    answer patterns') weights in that resample, blanks and all."""
    _way(monkeypatch, way)
    monkeypatch.setattr(intervals_module, "THREADED_WORK", math.inf)  # one thread: in order
    drawn = []
    counts_of = intervals_module._Sampler._counts

    def recording(self, rng, rows, stop):
        counts = counts_of(self, rng, rows, stop)
        drawn.append((self, np.asarray(counts, dtype=float)))
        return counts

    monkeypatch.setattr(intervals_module._Sampler, "_counts", recording)
    sr = score_responses(_frame(iset, "IIT", 3000, 6, kinds=20), iset, "IIT")
    assert np.isnan(sr.item_scores).any()  # blanks: the items' answered counts differ
    scores, plan_of = _planned(iset, sr, "IIT")
    batch = bootstrap_batch({"IIT": sr}, plan_of, 200, seed=5)
    sampler = drawn[0][0]
    counts = np.concatenate([c for _, c in drawn])
    assert counts.shape[0] == 200
    for key, [(n, u)] in _all_parts(plan_of, {"IIT": influence(sr)}).items():
        if sampler.of_row is None:
            per_row = u
        else:  # every respondent of a pattern has the pattern's influence value
            per_row = np.zeros(counts.shape[1])
            per_row[sampler.of_row] = u
        expected = counts @ per_row / n
        assert np.abs(batch.linear[key] - expected).max() < 1e-5, key
        assert expected.std() > 0.05  # linear parts that differ, so the check can fail
        # and it is the draw's linear part: what is left over is a sliver of the spread
        theta = scores[key] if key in scores else float(np.mean(
            [scores[c] for c in plan_of[key].coefficients]))
        remainder = batch.draws[key] - theta - batch.linear[key]
        assert np.abs(remainder).max() < 0.05 * batch.draws[key].std(), key


@pytest.mark.parametrize("share", [0.01, 0.2, 0.99])
def test_the_linear_part_s_law_is_the_exact_one_of_a_two_valued_score(share):
    """A score of 0 or 100 per respondent: its linear part over the resamples is exactly
    (binomial count − n θ / 100) × 100 / n.  Near both 2.5% and 97.5% points the Edgeworth
    law gives the exact probability (at the lattice's midpoints) to 0.001, where the normal
    law, without the skew, is off by more than twice that for skewed data."""
    from scipy import stats  # here, not at the top: 2 s of every worker's collection
    n = CONTROLLED_FROM
    top = int(share * n)
    x = np.r_[np.full(top, 100.0), np.zeros(n - top)]
    law = LinearPart([(n, x - x.mean())])
    normal_errors = []
    for q in (0.025, 0.975):
        k = stats.binom.ppf(q, n, top / n)
        for count in (k - 1, k, k + 1):
            exact = stats.binom.cdf(count, n, top / n)
            midpoint = (count + 0.5 - top) * 100.0 / n
            assert abs(law.cdf(midpoint) - exact) < 0.001, (share, count)
            normal_errors.append(abs(NormalDist(0, law.sd).cdf(midpoint) - exact))
    if share != 0.2:  # the skewed ones: the correction is what makes the law right
        assert min(normal_errors) > 0.002, normal_errors
    assert law.pdf(0.0) > 0


@pytest.fixture(scope="module")
def large(iset):
    """200,000 EIT respondents from 12 answer sheets: intervals 0.05-0.1 wide, and quick to
    resample (multinomial counts of 12 patterns)."""
    sheets = _frame(iset, "EIT", 600, 7, kinds=12)
    rows = np.random.default_rng(3).integers(0, len(sheets), 200_000)
    return sheets.iloc[rows].reset_index(drop=True)


@pytest.mark.parametrize("method", ["bootstrap", "percentile"])
@pytest.mark.parametrize("n", [200_000, 2 * CONTROLLED_FROM])
def test_a_few_hundred_controlled_resamples_give_the_ends_of_20_000_plain_ones(
        iset, large, method, n, monkeypatch):
    frame = large.iloc[:n]
    controlled = assess(iset, eit=frame, interval=method, bootstrap=2000, seed=9)
    with monkeypatch.context() as patched:
        _plain(patched)
        plain = assess(iset, eit=frame, interval=method, bootstrap=20_000, seed=9)
    assert plain.bootstrap_resamples == 20_000
    ends, plain_ends = _ends(controlled), _ends(plain)
    assert ends.keys() == plain_ends.keys() and len(ends) == 4
    for key, (low, high) in plain_ends.items():
        assert abs(ends[key][0] - low) <= PROMISE, (key, ends[key], plain_ends[key])
        assert abs(ends[key][1] - high) <= PROMISE, (key, ends[key], plain_ends[key])
    if n == 200_000:
        assert controlled.bootstrap_resamples <= (MIN_BATCHES + 1) * BATCH
        # the plain draws of the same seed stop only after more than twice as many
        with monkeypatch.context() as patched:
            patched.setattr(intervals_module, "CONTROLLED_FROM", math.inf)
            assert assess(iset, eit=frame, interval=method, bootstrap=2000,
                          seed=9).bootstrap_resamples > 2 * controlled.bootstrap_resamples
    else:
        assert controlled.bootstrap_resamples < 2000


def test_the_ends_are_those_of_the_draws_and_linear_parts_reported(iset, large):
    """What the result shows is :func:`controlled_interval` of the reported resamples' draws
    and linear parts; the stopping words are the same as for plain draws."""
    result = assess(iset, eit=large, interval="bootstrap", bootstrap=2000, seed=9)
    assert _ends(result) == _ends(assess(iset, eit=large, interval="bootstrap",
                                         bootstrap=2000, seed=9))  # one seed, one result
    drawn = result.bootstrap_resamples
    sr = score_responses(large, iset, "EIT")
    scores, plan_of = _planned(iset, sr, "EIT")
    parts = _all_parts(plan_of, {"EIT": influence(sr)})
    batch = bootstrap_batch({"EIT": sr}, plan_of, drawn, seed=9)
    assert bootstrap_draws({"EIT": sr}, plan_of, drawn, seed=9).keys() == batch.draws.keys()
    values = {**scores, "EIT": result.instruments["EIT"].score}
    for key, pair in _ends(result).items():
        interval, errors = controlled_interval(values[key], batch.draws[key],
                                               batch.linear[key], parts[key])
        assert interval.pair == pair, key
        assert max(errors) <= MC_SE_BOUND
        # and not the draws' own BCa ends: those are noisier
        assert bca_interval(values[key], batch.draws[key], parts[key]).pair != pair


def test_a_score_with_an_item_answered_by_too_few_is_read_from_its_draws_alone(iset):
    """Below CONTROLLED_FROM answers to any of its items a score's distribution may be far
    from its Edgeworth law (a lattice, a heavy tail): its ends are the plain draws'."""
    sr = score_responses(_frame(iset, "IIT", 3000, 2, kinds=40), iset, "IIT")
    scores, plan_of = _planned(iset, sr, "IIT")
    result = assess(iset, iit=_frame(iset, "IIT", 3000, 2, kinds=40), interval="bootstrap",
                    bootstrap=600, seed=4)
    parts = _all_parts(plan_of, {"IIT": influence(sr)})
    draws = bootstrap_draws({"IIT": sr}, plan_of, result.bootstrap_resamples, seed=4)
    values = {**scores, "IIT": result.instruments["IIT"].score}
    for key, pair in _ends(result).items():
        assert bca_interval(values[key], draws[key], parts[key]).pair == pair, key


@pytest.mark.parametrize("method", ["percentile", "bootstrap"])
def test_the_estimated_monte_carlo_error_bounds_the_spread_of_the_ends(method):
    """Over many sets of B draws whose remainder ``T − L`` is a tenth of the spread, each
    controlled end varies by no more than its estimated error, and the estimate is not
    wildly loose (the stopping rule would draw for nothing)."""
    rng = np.random.default_rng(8)
    b, reps, n = 1000, 400, 200_000
    u = rng.normal(size=n)
    u -= u.mean()
    parts = [(n, u)]
    law = LinearPart(parts)
    ends, estimates = [], []
    for _ in range(reps):
        linear = rng.normal(scale=law.sd, size=b)
        draws = linear + rng.normal(scale=0.1 * law.sd, size=b)
        found = Controlled(0.0, draws, linear, law).ends(method)
        ends.append([t for t, _ in found])
        estimates.append([e for _, e in found])
    spread = np.std(ends, axis=0)
    estimated = np.mean(estimates, axis=0)
    for end in (0, 1):
        assert spread[end] <= 1.1 * estimated[end], (spread, estimated)
        assert estimated[end] <= 3.0 * spread[end], (spread, estimated)
    # and below the plain percentile ends' error at the same B (BCa's is larger still)
    plain = math.sqrt(0.025 * 0.975 / b) / NormalDist().pdf(1.96) * law.sd
    assert spread.max() < plain / 1.5
