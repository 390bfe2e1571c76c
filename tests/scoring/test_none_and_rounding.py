"""The independent re-implementation's findings: statistics that must be none, not a number.

Each test failed before its fix: alpha from float noise, 0 % shares of nothing, a headcount
below the responses, a given score graded on a binary artefact, a one-respondent interval of
width zero.
"""

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from questionnaires import load_instrument_set
from scoring import assess, cronbach_alpha, option_distribution, round_half_up
from scoring.assess import HeadcountError
from scoring.report import result_to_dict
from scoring.statistics import NO_ANSWERS, NO_TOTAL_VARIANCE, cronbach_alpha_with_reason
from survey_app.cli import main

ISET = load_instrument_set("ita-2566")
LEVELS = (0.0, 100 / 3, 200 / 3, 100.0)


def _best(column: str) -> int:
    scores = ISET.item(ISET.question(column).item).scale.scores(ISET.question(column).direction)
    return max(scores, key=scores.__getitem__)


def iit_frame(n: int, code: int = 4) -> pd.DataFrame:
    """n identical IIT responses: ``code`` on the 4-level questions, the best yes/no answer."""
    row = {c: code if ISET.item(ISET.question(c).item).scale.kind == "ordinal" else _best(c)
           for c in ISET.columns_for("IIT")}
    return pd.DataFrame([row] * n)


def test_alpha_is_none_when_totals_are_equal_up_to_float_noise():
    # every row's three items add up to 200 in exact arithmetic; in float some add up to
    # 200.00000000000003, and the variance of the totals is 1.8e-28 instead of 0
    rows = [r for r in itertools.product(range(4), repeat=3) if sum(r) == 6]
    matrix = np.array([[LEVELS[i] for i in r] for r in rows])
    assert matrix.sum(axis=1).var(ddof=1) > 0  # the noise the old test let through
    assert cronbach_alpha(matrix) is None
    assert cronbach_alpha_with_reason(matrix) == (None, NO_TOTAL_VARIANCE)
    # a real spread of totals still gives alpha
    assert cronbach_alpha(np.array([[0, 0], [100, 100], [100, 0.0]])) == pytest.approx(2 / 3)


def test_alpha_none_reaches_the_output_with_its_reason():
    r = assess(ISET, iit=iit_frame(6), bootstrap=0)
    ind = result_to_dict(r)["indicators"]["1"]
    assert ind["cronbach_alpha"] is None
    assert ind["none_reasons"]["cronbach_alpha"] == NO_TOTAL_VARIANCE


def test_unanswered_question_has_no_shares():
    assert option_distribution(np.array([np.nan, np.nan]), [1, 2, 3, 4]) == {
        1: (0, None), 2: (0, None), 3: (0, None), 4: (0, None)}
    frame = iit_frame(5)
    frame["i2"] = None  # nobody answered i2
    data = json.loads(json.dumps(result_to_dict(assess(ISET, iit=frame, bootstrap=0))))
    item = next(it for ind in data["indicators"].values() for it in ind["items"]
                if it["code"] == "i2")
    question = item["questions"][0]
    assert question["n"] == 0 and question["mean"] is None
    assert {d["percent"] for d in question["distribution"].values()} == {None}
    assert {d["count"] for d in question["distribution"].values()} == {0}
    assert question["none_reasons"] == {"mean": NO_ANSWERS, "percent": NO_ANSWERS}
    assert item["mean"] is None and item["none_reasons"]["mean"] == NO_ANSWERS


def test_headcount_below_responses_is_refused(tmp_path):
    with pytest.raises(HeadcountError, match=r"headcount 10 .*IIT responses \(12\)"):
        assess(ISET, iit=iit_frame(12), headcount=10, bootstrap=0)
    assert assess(ISET, iit=iit_frame(12), headcount=12, bootstrap=0) \
        .instruments["IIT"].margin_of_error == 0.0
    path = tmp_path / "iit.csv"
    iit_frame(12).to_csv(path, index=False)
    result = CliRunner().invoke(main, ["score", "--iit", str(path), "--headcount", "10"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert str(path) in lines[0] and "headcount 10" in lines[0] and "(12)" in lines[0]


@pytest.mark.parametrize(("value", "expected"), [
    (84.995, 85.0), (84.9949999999999, 84.99), (84.99499999999999, 85.0), (94.675, 94.68),
    (0.3 * 91.85, 27.56), (0.125, 0.13), (-0.125, -0.12), (99.0049, 99.0),
])
def test_round_half_up_on_the_decimal_value(value, expected):
    assert round_half_up(value) == expected
    assert round_half_up(np.array([value]))[0] == expected


#: Values at a tie at 2 or 1 decimals, or one ulp either side of one.
_NEAR_TIES = st.builds(lambda k, d, ulps: np.nextafter(k / d + 0.5 / d, np.inf * ulps) if ulps
                       else k / d + 0.5 / d,
                       st.integers(-20_000, 20_000), st.sampled_from([100, 10]),
                       st.integers(-3, 3))


@given(st.one_of(st.floats(-1e12, 1e12), _NEAR_TIES, st.integers(-10**6, 10**6),
                 st.sampled_from([np.nan, np.inf, -np.inf])),
       st.sampled_from([0, 1, 2, 3]))
def test_one_number_rounds_to_the_same_bits_as_an_array_of_it(value, decimals):
    """One number takes a path without numpy (``_round_scalar``): same result, bit for bit."""
    alone = round_half_up(value, decimals)
    in_array = round_half_up(np.array([value], dtype=float), decimals)[0]
    assert type(alone) is float
    assert np.array([alone]).tobytes() == np.array([in_array]).tobytes(), (value, decimals)
    assert np.array([round_half_up(np.float64(value), decimals)]).tobytes() == \
        np.array([in_array]).tobytes()


def test_given_score_just_below_the_pass_mark_is_not_graded_as_passing(tmp_path):
    r = assess(ISET, given={"1": 84.9949999999999, "2": 84.995}, bootstrap=0)
    assert (r.indicators["1"].grade, r.indicators["1"].passed) == ("B", False)
    assert (r.indicators["2"].grade, r.indicators["2"].passed) == ("A", True)
    path = tmp_path / "given.csv"
    path.write_text("indicator,score\n1,84.9949999999999\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", "--indicators", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)["indicators"]["1"]
    assert (data["score"], data["grade"]) == (84.99, "B")


@pytest.mark.parametrize("method", ["logit", "bootstrap", "percentile"])
def test_one_respondent_has_no_interval(method):
    frame = iit_frame(1, code=3)
    r = assess(ISET, iit=frame, interval=method, bootstrap=200)
    for ind in (r.indicators[c] for c in "12345"):
        assert ind.bootstrap is None
        assert ind.notes["bootstrap_ci95"] == "fewer than 2 respondents"
    assert r.instruments["IIT"].bootstrap is None
    assert r.instruments["IIT"].interval_note == "fewer than 2 respondents"
    data = result_to_dict(r)
    assert data["instruments"]["IIT"]["bootstrap_ci95"] is None
    assert data["instruments"]["IIT"]["none_reasons"] == {
        "bootstrap_ci95": "fewer than 2 respondents"}
    assert data["indicators"]["1"]["none_reasons"]["sd"] == "fewer than 2 answers"


@pytest.mark.parametrize("method", ["logit", "bootstrap", "percentile"])
def test_everyone_at_the_ceiling_gets_the_exact_bound_not_a_point(method):
    n = 20
    r = assess(ISET, iit=iit_frame(n), bootstrap=200, interval=method)
    low, high = r.indicators["1"].bootstrap
    assert high == 100.0 and low == pytest.approx(100 * 0.025 ** (1 / n))
    # everyone the same away from the ends: no spread, no interval
    same = iit_frame(n, code=3)
    for c in same.columns:  # yes/no items: everyone "no" would be the floor; mix them out
        if ISET.item(ISET.question(c).item).scale.kind != "ordinal":
            same[c] = None
    r = assess(ISET, iit=same, bootstrap=200, interval=method)
    assert r.indicators["1"].bootstrap is None
    assert "same score" in r.indicators["1"].notes["bootstrap_ci95"]


def test_interval_method_is_stated_in_the_output():
    data = result_to_dict(assess(ISET, iit=iit_frame(5, code=3).assign(i2=4), bootstrap=100))
    assert data["intervals"]["method"] == "logit"
    assert "logit" in data["intervals"]["description"]
    off = result_to_dict(assess(ISET, iit=iit_frame(5), bootstrap=0))
    assert off["intervals"]["method"] is None
    assert off["indicators"]["1"]["none_reasons"]["bootstrap_ci95"] == "intervals turned off"
