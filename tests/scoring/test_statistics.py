"""Statistics checked against scipy (and a direct formula) on the same data."""

import numpy as np
import pandas as pd
import pytest

from questionnaires import load_instrument_set
from scoring import assess, cronbach_alpha, margin_of_error, option_distribution, summarize


@pytest.fixture(scope="module")
def iset():
    return load_instrument_set("ita-2566")


def test_summary_matches_scipy():
    from scipy import stats  # here, not at the top: 2 s of every worker's collection
    rng = np.random.default_rng(7)
    values = rng.choice([0, 100 / 3, 200 / 3, 100], size=57, p=[0.05, 0.1, 0.35, 0.5])
    with_blanks = np.concatenate([values, [np.nan] * 4])
    s = summarize(with_blanks)
    assert (s.n, s.no_answer) == (57, 4)
    assert s.mean == pytest.approx(np.mean(values))
    assert s.sd == pytest.approx(np.std(values, ddof=1))
    assert s.median == pytest.approx(np.median(values))
    low, high = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values),
                                 scale=stats.sem(values))
    assert (s.ci_low, s.ci_high) == (pytest.approx(low), pytest.approx(high))


def test_summary_edge_cases():
    assert summarize(np.array([np.nan, np.nan])).n == 0
    one = summarize(np.array([50.0]))
    assert one.mean == 50 and one.sd is None and one.ci_low is None


def test_cronbach_alpha_matches_formula_with_listwise_deletion():
    from scipy import stats  # here, not at the top: 2 s of every worker's collection
    rng = np.random.default_rng(11)
    latent = rng.normal(size=200)
    items = np.column_stack([latent + rng.normal(scale=s, size=200) for s in (0.5, 0.8, 1.0)])
    items[3, 1] = np.nan
    complete = items[~np.isnan(items).any(axis=1)]
    k = complete.shape[1]
    # scipy reference for the variances; the formula of Cronbach (1951)
    expected = k / (k - 1) * (1 - sum(stats.tvar(complete[:, j]) for j in range(k))
                              / stats.tvar(complete.sum(axis=1)))
    assert cronbach_alpha(items) == pytest.approx(expected)
    assert cronbach_alpha(items[:, :1]) is None
    assert cronbach_alpha(np.ones((10, 3))) is None  # no variance: undefined


def test_margin_of_error_with_and_without_fpc():
    from scipy import stats  # here, not at the top: 2 s of every worker's collection
    z = stats.norm.ppf(0.975)
    assert margin_of_error(384) == pytest.approx(100 * z * np.sqrt(0.25 / 384))
    assert margin_of_error(100, population=400) == pytest.approx(
        100 * z * np.sqrt(0.25 / 100) * np.sqrt(300 / 399))
    assert margin_of_error(0) is None
    assert margin_of_error(90, population=90) == 0.0


def test_option_distribution_counts_and_percent():
    dist = option_distribution(np.array([4, 4, 3, np.nan, 1]), [1, 2, 3, 4])
    assert dist == {1: (1, 25.0), 2: (0, 0.0), 3: (1, 25.0), 4: (2, 50.0)}


def test_assess_exposes_summaries_alpha_and_bootstrap(iset):
    rng = np.random.default_rng(3)
    n = 120
    cols = iset.columns_for("EIT")
    data = {}
    for c in cols:
        scale = iset.item(iset.question(c).item).scale
        data[c] = rng.choice(sorted(scale.codes), size=n) if scale.kind == "yes_no" else \
            rng.choice([1, 2, 3, 4], size=n, p=[0.05, 0.1, 0.35, 0.5])
    frame = pd.DataFrame(data)
    r = assess(iset, eit=frame, bootstrap=500, seed=1)
    ind = r.indicators["7"]
    assert ind.summary.n == n
    low, high = ind.bootstrap
    assert low < ind.score < high
    assert r.instruments["EIT"].bootstrap[0] < r.instruments["EIT"].score \
        < r.instruments["EIT"].bootstrap[1]
    assert ind.alpha is not None
    assert r.interval_method == "logit"  # the default: analytic, so the seed plays no part
    assert assess(iset, eit=frame, bootstrap=500, seed=2).indicators["7"].bootstrap == (low, high)
    # the bootstrap methods: the same seed gives the same interval; another seed a different one
    boot = assess(iset, eit=frame, bootstrap=500, seed=1, interval="bootstrap")
    low, high = boot.indicators["7"].bootstrap
    assert low < ind.score < high
    assert assess(iset, eit=frame, bootstrap=500, seed=1, interval="bootstrap"
                  ).indicators["7"].bootstrap == (low, high)
    assert assess(iset, eit=frame, bootstrap=500, seed=2, interval="bootstrap"
                  ).indicators["7"].bootstrap != (low, high)
    # question distributions add up to the answered count
    q = ind.items[0].questions[0]
    assert sum(c for c, _ in q.distribution.values()) == q.n == n


@pytest.mark.parametrize("df", [1, 5, 49, 199, 200, 1000, 299_999])
def test_t_quantile_matches_scipy_with_and_without_scipy(df):
    from scipy import stats  # here, not at the top: 2 s of every worker's collection

    from scoring.statistics import t_quantile

    for p in (0.975, 0.025, 0.995):
        assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-10)


def test_influence_values_give_the_bootstrap_variance(iset):
    """The logit interval's standard error is the delta method's: s/√n for a plain mean, and
    the bootstrap's spread for a mean of item means with blanks."""
    from scoring.intervals import bootstrap_draws, influence, plans
    from scoring.responses import score_responses
    from scoring.rollup import indicators_from_items, item_means

    rng = np.random.default_rng(5)
    n = 400
    data = {}
    for c in iset.columns_for("EIT"):
        scale = iset.item(iset.question(c).item).scale
        codes = sorted(scale.codes)
        data[c] = pd.array(rng.choice(codes, size=n).astype(float))
        data[c][rng.random(n) < 0.1] = np.nan  # 10% blanks
    sr = score_responses(pd.DataFrame(data), iset, "EIT")
    scores = {c: float(v) for c, v in indicators_from_items(item_means(sr), sr).iloc[0].items()}
    plan_of = plans(iset, scores, dict.fromkeys(scores, "responses"), {"EIT"})
    infl = influence(sr)
    draws = bootstrap_draws({"EIT": sr}, plan_of, 4000, seed=3)
    for j, code in enumerate(infl.indicators):
        u = infl.values[:, j]
        assert abs(u.sum()) < 1e-6
        delta_var = float(u @ u) / (n * (n - 1))
        assert np.var(draws[code]) == pytest.approx(delta_var, rel=0.1)
    # a plain mean (no blanks, one item): exactly s / √n
    one = pd.DataFrame({"e1": rng.choice([1, 2, 3, 4], size=60)})
    sr1 = score_responses(one, iset, "EIT")
    u = influence(sr1).values[:, 0]
    x = sr1.item_scores[:, 0]
    assert float(u @ u) / (60 * 59) == pytest.approx(np.var(x, ddof=1) / 60, rel=1e-12)


@pytest.mark.parametrize(("set_id", "instrument"), [("ita-2566", "IIT"), ("ita-2566", "EIT"),
                                                    ("ita-2569", "IIT")])
def test_item_summaries_from_answer_patterns_equal_the_direct_ones(set_id, instrument):
    import importlib

    from scoring.responses import score_responses

    assess_module = importlib.import_module("scoring.assess")
    iset = load_instrument_set(set_id)
    rng = np.random.default_rng(3)
    data = {}
    for c in iset.columns_for(instrument):
        codes = sorted(iset.item(iset.question(c).item).scale.codes)
        column = pd.array(rng.choice(codes, size=700).astype(float))
        column[rng.random(700) < 0.1] = np.nan
        data[c] = column
    sr = score_responses(pd.DataFrame(data), iset, instrument)
    for k, code in enumerate(sr.items):
        fast = assess_module._item_summary(sr, k, iset.item(code))
        direct = summarize(sr.item_scores[:, k])
        assert (fast.n, fast.no_answer, fast.median) == (direct.n, direct.no_answer,
                                                          direct.median), code
        assert fast.mean == pytest.approx(direct.mean, rel=1e-12)
        assert fast.sd == pytest.approx(direct.sd, rel=1e-12)
