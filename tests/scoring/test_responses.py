"""Raw-response scoring, with every expected value worked out by hand in the test.

Scores of the shipped equal-interval map (ita_methodology.md §4): 4-level codes 1..4 score
0, 100/3, 200/3, 100 (reverse items the mirror image); yes/no: the good answer 100, the bad 0.
"""

import math

import numpy as np
import pandas as pd
import pytest

from questionnaires import load_instrument_set
from scoring import ResponseDataError, assess, score_responses

L = {1: 0.0, 2: 100 / 3, 3: 200 / 3, 4: 100.0}  # positive 4-level scores by code


@pytest.fixture(scope="module")
def iset():
    return load_instrument_set("ita-2566")


def extreme_iit(best=True, n=1):
    """IIT responses giving every question its best (or worst) answer, by its direction."""
    iset = load_instrument_set("ita-2566")
    row = {}
    for item in iset.items_for("IIT"):
        for q in item.questions:
            good_high = q.direction in ("positive", "yes_good")
            high = max(item.scale.codes) if item.scale.kind == "ordinal" else 1
            low = min(item.scale.codes) if item.scale.kind == "ordinal" else 0
            row[q.column] = high if good_high == best else low
    return pd.DataFrame([row] * n)


def test_positive_item_and_sub_items(iset):
    # i1 has two sub-items: answers 4 and 3 → (100 + 66.67) / 2 = 83.33
    frame = pd.DataFrame({"i1.1": [4], "i1.2": [3], "i2": [2]})
    sr = score_responses(frame, iset, "IIT")
    assert sr.item_scores[0, sr.items.index("i1")] == pytest.approx((100 + 200 / 3) / 2)
    assert sr.item_scores[0, sr.items.index("i2")] == pytest.approx(100 / 3)


def test_reverse_items_and_mixed_sub_items(iset):
    # i9 is reverse: "4 = most" budget misuse scores 0; "1 = none" scores 100.
    # i11.1 positive, i11.2 reverse: answers 4 and 1 → 100 and 100.
    frame = pd.DataFrame({"i9": [4, 1, 2], "i11.1": [4, 1, 3], "i11.2": [1, 4, 3]})
    sr = score_responses(frame, iset, "IIT")
    i9 = sr.item_scores[:, sr.items.index("i9")]
    i11 = sr.item_scores[:, sr.items.index("i11")]
    np.testing.assert_allclose(i9, [0, 100, 200 / 3])
    np.testing.assert_allclose(i11, [100, 0, (200 / 3 + 100 / 3) / 2])


def test_yes_no_good_and_bad(iset):
    # i4 (asked for a bribe?) yes is bad; i26 (anti-corruption plan?) yes is good.
    frame = pd.DataFrame({"i4.1": [1, 0], "i4.2": [0, 0], "i4.3": [0, 0],
                          "i26.1": [1, 0], "i26.2": [1, 1]})
    sr = score_responses(frame, iset, "IIT")
    np.testing.assert_allclose(sr.item_scores[:, sr.items.index("i4")], [200 / 3, 100])
    np.testing.assert_allclose(sr.item_scores[:, sr.items.index("i26")], [100, 50])


def test_blank_sub_item_is_left_out_and_all_blank_item_has_no_score(iset):
    frame = pd.DataFrame({"i3.1": [4, None], "i3.2": [None, None], "i3.3": [2, None]})
    sr = score_responses(frame, iset, "IIT")
    i3 = sr.item_scores[:, sr.items.index("i3")]
    assert i3[0] == pytest.approx((100 + 100 / 3) / 2)  # the blank i3.2 is not a zero
    assert math.isnan(i3[1])


def test_indicator_is_mean_of_item_means_with_blanks(iset):
    # Indicator 2 from two respondents: i7 answered by both (4, 2) → 66.67;
    # i9 (reverse) answered only by the first (1 → 100) → 100; the rest of indicator 2
    # answered by nobody is left out.  Indicator 2 = (66.67 + 100) / 2.
    frame = pd.DataFrame({"i7": [4, 2], "i9": [1, None]})
    r = assess(iset, iit=frame, bootstrap=0)
    assert r.indicators["2"].score == pytest.approx(((100 + 100 / 3) / 2 + 100) / 2)
    i7 = next(i for i in r.indicators["2"].items if i.code == "i7")
    i9 = next(i for i in r.indicators["2"].items if i.code == "i9")
    assert (i7.summary.n, i7.summary.no_answer) == (2, 0)
    assert (i9.summary.n, i9.summary.no_answer) == (1, 1)


def test_all_best_answers_score_100_everywhere(iset):
    r = assess(iset, iit=extreme_iit(best=True, n=3), bootstrap=0)
    for code in "12345":
        assert r.indicators[code].score == pytest.approx(100)
    assert r.instruments["IIT"].score == pytest.approx(100)


def test_all_worst_answers_score_0_everywhere(iset):
    r = assess(iset, iit=extreme_iit(best=False), bootstrap=0)
    for code in "12345":
        assert r.indicators[code].score == pytest.approx(0)


def test_same_answer_everywhere_hand_computed(iset):
    # Every 4-level answer "1" (least/none) and every yes/no answer มี (yes). Positive items
    # score 0, reverse items 100, yes-is-bad items 0, yes-is-good items 100.
    # Indicator 2: i7 0, i8 0, i9 100, i10 100, i11 (0 + 100) / 2 = 50, i12 0 → 250 / 6.
    # Indicator 3: i13–i15 positive 0, i16–i18 reverse 100 → 50.
    # Indicator 5: i26 (yes good) 100, the other five positive 0 → 100 / 6.
    frame = pd.DataFrame([{c: 1 for c in iset.columns_for("IIT")}])
    r = assess(iset, iit=frame, bootstrap=0)
    assert r.indicators["2"].score == pytest.approx(250 / 6)
    assert r.indicators["3"].score == pytest.approx(50)
    assert r.indicators["5"].score == pytest.approx(100 / 6)
    assert r.indicators["1"].score == pytest.approx(0)


def test_eit_with_groups_and_suppression(iset):
    rows = [{"respondent_group": "school", "e1": 4, "e2": 3}] * 7 \
        + [{"respondent_group": "public", "e1": 1, "e2": 1}] * 3
    r = assess(iset, eit=pd.DataFrame(rows), bootstrap=0)
    groups = {g.code: g for g in r.eit_groups}
    assert groups["school"].n == 7 and not groups["school"].suppressed
    assert groups["school"].indicators["6"] == pytest.approx((100 + 200 / 3) / 2)
    assert groups["public"].suppressed and groups["public"].n is None
    assert groups["public"].score is None


@pytest.mark.parametrize(("frame", "column", "row", "needle"), [
    (pd.DataFrame({"i1.1": [4, 5]}), "i1.1", 1, "not an option"),
    (pd.DataFrame({"i4.1": [2]}), "i4.1", 0, "not an option"),
    (pd.DataFrame({"i2": ["มาก"]}), "i2", 0, "not an option code"),
    (pd.DataFrame({"i2": [2.5]}), "i2", 0, "not an option code"),
    (pd.DataFrame({"i2": [4, None, 2.5]}), "i2", 2, "not an option code"),
    (pd.DataFrame({"i2": [4, None, -128]}), "i2", 2, "not an option of the scale"),
    (pd.DataFrame({"i2": [4, None, 300]}), "i2", 2, "not an option of the scale"),
    (pd.DataFrame({"x99": [1]}), "x99", None, "unknown column"),
    (pd.DataFrame({"e1": [1]}), "e1", None, "belongs to EIT"),
])
def test_bad_input_names_column_and_row(iset, frame, column, row, needle):
    with pytest.raises(ResponseDataError) as exc:
        score_responses(frame, iset, "IIT")
    assert exc.value.column == column
    assert exc.value.row == row
    assert needle in str(exc.value)


def test_empty_responses_are_rejected(iset):
    with pytest.raises(ResponseDataError, match="no rows"):
        assess(iset, iit=pd.DataFrame({"i2": []}))


def test_unknown_respondent_group_is_rejected(iset):
    with pytest.raises(ResponseDataError, match="not a respondent group"):
        assess(iset, eit=pd.DataFrame({"respondent_group": ["aliens"], "e1": [4]}), bootstrap=0)


def test_given_scores_override_and_what_if(iset):
    # "what if EIT reached 95?": EIT indicators given, IIT computed from responses.
    r = assess(iset, iit=extreme_iit(), given={"6": 95, "7": 95, "8": 95, "9": 100, "10": 100},
               bootstrap=0)
    assert r.instruments["EIT"].score == 95
    assert r.indicators["6"].source == "given"
    assert r.total == pytest.approx(30 + 28.5 + 40)
    assert r.grade == "AA"


def test_given_score_outside_range_is_rejected(iset):
    with pytest.raises(ValueError, match="outside 0–100"):
        assess(iset, given={"9.5": 120})
    with pytest.raises(ValueError, match="unknown indicator"):
        assess(iset, given={"11": 50})


def test_partial_oit_checklist(iset):
    passed = {o.code: True for o in iset.oit_items_for("9.1")[:5]}
    with pytest.raises(ValueError, match=r"9\.1"):
        assess(iset, oit=passed)
    r = assess(iset, oit=passed, oit_missing="fail")
    assert r.indicators["9"].sub_indicators[0].score == 50  # 5 of 10


def test_sample_size_and_margin_of_error(iset):
    r = assess(iset, iit=extreme_iit(n=40), headcount=300, bootstrap=0)
    iit = r.instruments["IIT"]
    assert iit.minimum_sample == 30 and iit.sample_met is True  # 10% of 300
    # conservative 95% margin with finite population correction
    expected = 1.959963984540054 * math.sqrt(0.25 / 40) * math.sqrt(260 / 299) * 100
    assert iit.margin_of_error == pytest.approx(expected)
    small = assess(iset, iit=extreme_iit(n=5), headcount=20, bootstrap=0).instruments["IIT"]
    assert small.minimum_sample == 20 and small.sample_met is False  # everyone below 30
