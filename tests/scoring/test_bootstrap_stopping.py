"""The bootstrap's stopping rule: as many resamples as the printed hundredth needs, at most B.

Resamples are drawn in batches of ``BATCH`` and the drawing stops once every interval end's
Monte Carlo standard error is at most ``MC_SE_BOUND`` points (docs/scoring.md, "Intervals";
Andrews & Buchinsky 2000).  A school's few hundred respondents give intervals points wide, which
take every resample; hundreds of thousands give intervals hundredths wide, which stop early.
"""

from __future__ import annotations

import io
import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from questionnaires import load_instrument_set
from scoring import assess
from scoring import intervals as intervals_module
from scoring.intervals import (
    BATCH,
    MC_SE_BOUND,
    MIN_BATCHES,
    bca_interval,
    bootstrap_draws,
    monte_carlo_errors,
    plans,
)
from scoring.report import result_to_csv, result_to_dict, result_to_table

from .test_bootstrap_patterns import _frame

#: The promise docs/scoring.md makes: an end within half a hundredth of the end infinitely many
#: resamples would give, 19 times in 20 (1.96 standard errors of at most MC_SE_BOUND).
PROMISE = 0.005


@pytest.fixture(scope="module")
def iset():
    return load_instrument_set("ita-2566")


@pytest.fixture(scope="module")
def large(iset):
    """800,000 EIT respondents from 12 answer sheets: intervals 0.03-0.05 wide, and quick
    (the resamples are multinomial counts of 12 patterns)."""
    sheets = _frame(iset, "EIT", 600, 7, kinds=12)
    rows = np.random.default_rng(3).integers(0, len(sheets), 800_000)
    return sheets.iloc[rows].reset_index(drop=True)


@pytest.fixture(scope="module")
def early(iset, large):
    """The large sample's BCa intervals read from the draws alone (not with their linear
    parts as a control variate: tests/scoring/test_bootstrap_control.py), seed 9, at most
    2,000 resamples."""
    with pytest.MonkeyPatch.context() as patched:
        _draws_alone(patched)
        return assess(iset, eit=large, interval="bootstrap", bootstrap=2000, seed=9)


def _draws_alone(monkeypatch) -> None:
    """Every score's ends read from its draws alone, however many answered it."""
    monkeypatch.setattr(intervals_module, "CONTROLLED_FROM", math.inf)


def _ends(result) -> dict[str, tuple[float, float]]:
    out = {c: i.bootstrap for c, i in result.indicators.items() if i.bootstrap}
    out.update({c: i.bootstrap for c, i in result.instruments.items() if i.bootstrap})
    return out


def test_a_small_sample_draws_every_resample(iset):
    result = assess(iset, iit=_frame(iset, "IIT", 300, 1, kinds=40), interval="bootstrap",
                    bootstrap=2000, seed=4)
    assert len(_ends(result)) == 6
    assert (result.bootstrap_resamples, result.bootstrap_maximum) == (2000, 2000)
    data = result_to_dict(result)
    assert data["bootstrap"]["resamples"] == data["bootstrap"]["max_resamples"] == 2000
    assert data["bootstrap"]["stopping"].startswith("all 2,000 resamples allowed were drawn")


def test_a_large_sample_stops_early_within_the_promise_of_a_full_run(iset, large, early,
                                                                     monkeypatch):
    assert MIN_BATCHES * BATCH <= early.bootstrap_resamples < 2000
    assert early.bootstrap_resamples % BATCH == 0
    _draws_alone(monkeypatch)
    monkeypatch.setattr(intervals_module, "MC_SE_BOUND", 0.0)  # the rule never stops
    full = assess(iset, eit=large, interval="bootstrap", bootstrap=2000, seed=9)
    assert full.bootstrap_resamples == 2000
    ends, full_ends = _ends(early), _ends(full)
    assert ends.keys() == full_ends.keys() and len(ends) == 4
    for key, (low, high) in full_ends.items():
        assert high - low < 0.06  # hundredths wide: the case the rule is for
        assert abs(ends[key][0] - low) <= PROMISE, (key, ends[key], full_ends[key])
        assert abs(ends[key][1] - high) <= PROMISE, (key, ends[key], full_ends[key])


def test_the_same_seed_gives_the_same_interval_and_count(iset, large, early, monkeypatch):
    _draws_alone(monkeypatch)
    again = assess(iset, eit=large, interval="bootstrap", bootstrap=2000, seed=9)
    other = assess(iset, eit=large, interval="bootstrap", bootstrap=2000, seed=10)
    assert _ends(early) == _ends(again)
    assert early.bootstrap_resamples == again.bootstrap_resamples
    assert _ends(early) != _ends(other)


def test_worker_threads_do_not_change_the_draws(iset, monkeypatch):
    frame = _frame(iset, "IIT", 2000, 5, kinds=2000)  # respondents drawn one by one
    monkeypatch.setattr(intervals_module, "THREADED_WORK", 0)
    found = {}
    for workers in (1, 2):
        monkeypatch.setattr(intervals_module, "WORKERS", workers)
        found[workers] = _ends(assess(iset, iit=frame, interval="percentile", bootstrap=500,
                                      seed=2))
    assert found[1] == found[2]


def _answers(iset, n: int, seed: int) -> pd.DataFrame:
    """n IIT respondents answering every question at random (3% blanks): rows rarely repeat."""
    rng = np.random.default_rng(seed)
    columns = iset.columns_for("IIT")
    frame = {}
    for c in columns:
        codes = np.array(sorted(iset.item(iset.question(c).item).scale.codes), dtype=float)
        frame[c] = np.where(rng.random(n) < 0.03, np.nan, rng.choice(codes, n))
    return pd.DataFrame(frame, columns=list(columns))


@pytest.mark.parametrize("distinct", [False, True])  # pattern counts, respondents one by one
def test_float32_sums_give_the_float64_means_to_a_millionth(iset, distinct, monkeypatch):
    from scoring.responses import score_responses

    frame = _answers(iset, 50_000, 6) if distinct else _frame(iset, "IIT", 50_000, 6, kinds=40)
    sr = score_responses(frame, iset, "IIT")
    single = intervals_module._Sampler(sr)
    assert single.dtype == np.float32
    monkeypatch.setattr(intervals_module, "FLOAT32_BELOW", 0)
    double = intervals_module._Sampler(sr)
    assert double.dtype == np.float64
    a, a_linear = single.draw(np.random.default_rng(1), 30)
    b, b_linear = double.draw(np.random.default_rng(1), 30)
    assert np.abs(a - b).max() < 1e-5
    assert np.abs(a_linear - b_linear).max() < 1e-5  # and so do their linear parts
    assert a.std(axis=0).min() > 0.01  # draws that differ, so the check can fail


def test_the_reported_count_is_the_draws_the_ends_come_from(iset, large, early):
    from scoring.intervals import _all_parts, influence
    from scoring.responses import score_responses
    from scoring.rollup import indicators_from_items, item_means

    result = early
    drawn = result.bootstrap_resamples
    assert drawn < 2000
    sr = score_responses(large, iset, "EIT")
    scores = {c: float(v) for c, v in indicators_from_items(item_means(sr), sr).iloc[0].items()}
    plan_of = plans(iset, scores, dict.fromkeys(scores, "responses"), {"EIT"})
    parts = _all_parts(plan_of, {"EIT": influence(sr)})
    draws = bootstrap_draws({"EIT": sr}, plan_of, drawn, seed=9)
    values = {**scores, "EIT": result.instruments["EIT"].score}
    for key, (low, high) in _ends(result).items():
        assert bca_interval(values[key], draws[key], parts[key]).pair == (low, high), key
    # and every output says so
    data = result_to_dict(result)
    assert (data["bootstrap"]["resamples"], data["bootstrap"]["max_resamples"]) == (drawn, 2000)
    words = f"{drawn:,} of at most 2,000 resamples"
    assert data["bootstrap"]["stopping"].startswith(words)
    assert f"Monte Carlo standard error was at most {MC_SE_BOUND:g} points" \
        in data["bootstrap"]["stopping"]
    assert words in result_to_table(result)
    rows = pd.read_csv(io.StringIO(result_to_csv(result)))
    with_interval = rows[rows["bootstrap_low"].notna()]
    assert len(with_interval) == 4
    assert (with_interval["resamples"] == drawn).all()
    assert with_interval["stopping_rule"].str.startswith(words).all()


@pytest.mark.parametrize("method", ["percentile", "bootstrap"])
def test_the_estimated_monte_carlo_error_is_the_spread_of_the_ends(method):
    """Over many sets of B normal draws, each end's spread is what monte_carlo_errors says
    (for BCa, the bias correction's own noise included)."""
    rng = np.random.default_rng(8)
    b, reps = 1000, 600
    parts = [(100, np.tile([-1.0, 1.0], 50))]  # symmetric influence values: no acceleration
    ends, estimates = [], []
    for _ in range(reps):
        draws = rng.normal(size=b)
        ends.append(bca_interval(0.0, draws, parts).pair if method == "bootstrap"
                    else tuple(np.percentile(draws, [2.5, 97.5])))
        estimates.append(monte_carlo_errors(0.0, draws, parts, method))
    spread = np.std(ends, axis=0)
    estimated = np.mean(estimates, axis=0)
    for end in (0, 1):
        assert estimated[end] == pytest.approx(spread[end], rel=0.15), (spread, estimated)
    # the percentile end's error is the textbook sqrt(q (1 - q) / B) / density
    if method == "percentile":
        textbook = math.sqrt(0.025 * 0.975 / b) / NormalDist().pdf(1.96)
        assert spread[0] == pytest.approx(textbook, rel=0.15)
    else:  # the bias correction's noise makes BCa's ends noisier than the percentile ones
        assert spread[0] > 1.1 * math.sqrt(0.025 * 0.975 / b) / NormalDist().pdf(1.96)


def test_too_few_draws_to_judge_an_end_never_stop():
    draws = np.random.default_rng(1).normal(size=50)
    assert monte_carlo_errors(0.0, draws, [(2, np.array([-1.0, 1.0]))], "percentile") \
        == (math.inf, math.inf)


def test_openblas_is_given_back_its_threads(iset):
    blas = intervals_module._openblas()
    if not blas:
        pytest.skip("NumPy's BLAS here is not a loaded OpenBLAS")
    before = [getter() for _, getter in blas]
    for setter, _ in blas:
        setter(2)
    try:
        with intervals_module._one_blas_thread():
            assert [getter() for _, getter in blas] == [1] * len(blas)
        assert [getter() for _, getter in blas] == [2] * len(blas)
        assess(iset, iit=_frame(iset, "IIT", 50, 1, kinds=5), interval="bootstrap",
               bootstrap=200)
        assert [getter() for _, getter in blas] == [2] * len(blas)
    finally:
        for (setter, _), threads in zip(blas, before, strict=True):
            setter(threads)


@pytest.mark.parametrize("way", ["respondents", "patterns", "multinomial"])
def test_a_chunk_of_resamples_is_one_product_of_each_resample_s_own_counts(iset, way,
                                                                         monkeypatch):
    """The resamples of a chunk are counted first and multiplied with the matrix together,
    in slices of its rows: the means are those of each resample's own counts, drawn one
    resample after the other from the same stream (float64 here, to float32's millionth)."""
    from scoring.intervals import RespondentCounts, _Sampler, answer_patterns
    from scoring.responses import score_responses

    from .test_bootstrap_patterns import _way

    _way(monkeypatch, way)
    sr = score_responses(_frame(iset, "IIT", 3000, 6, kinds=20), iset, "IIT")
    sampler = _Sampler(sr)
    monkeypatch.setattr(sampler, "CHUNK", 13 * sampler.size)  # several chunks of resamples
    monkeypatch.setattr(sampler, "ROWS", 7)  # and of rows
    resamples = 40
    got, _ = sampler.draw(np.random.default_rng(3), resamples)

    rng = np.random.default_rng(3)
    patterns = answer_patterns(sr.item_scores)
    if way == "respondents":
        values, answered = np.nan_to_num(sr.item_scores), ~np.isnan(sr.item_scores)
    else:
        values, answered = patterns.values, patterns.answered
    expected, most = [], 0
    respondents = RespondentCounts(sr.n)
    chunks = [respondents.draw(rng, np.empty((min(13, resamples - first), sr.n), np.uint8))
              for first in range(0, resamples, 13)] if way == "respondents" else []
    drawn = iter(np.concatenate(chunks).astype(np.int64)) if chunks else None
    for _ in range(resamples):
        if way == "multinomial":
            counts = rng.multinomial(sr.n, patterns.counts / sr.n)
        elif way == "respondents":  # a chunk's counts are drawn together
            counts = next(drawn)
        else:
            picks = rng.integers(0, sr.n, size=sr.n)
            counts = np.bincount(patterns.of_row[picks], minlength=len(values))
        most = max(most, counts.max())
        expected.append((counts @ (values * answered)) / (counts @ answered))
    assert np.abs(got - np.array(expected)).max() < 1e-5
    assert got.std(axis=0).min() > 0.01  # draws that differ, so the check can fail
    # pattern counts outgrow a byte (the counts are widened); a respondent's never do here
    assert (most > 255) == (way != "respondents")
