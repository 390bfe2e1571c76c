"""Property tests: bounds, order independence, direction of reverse items."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questionnaires import load_instrument_set
from scoring import assess, score_responses

ISET = load_instrument_set("ita-2566")
IIT_COLUMNS = ISET.columns_for("IIT")


def _codes(column):
    return sorted(ISET.item(ISET.question(column).item).scale.codes)


def _cell(codes: list[int]) -> st.SearchStrategy:
    """A blank or any one of the codes: the values of ``st.one_of(st.none(),
    st.sampled_from(codes))``, a blank about as often (half the time) and shrinking to it as
    that does, in one draw per cell instead of two."""
    return st.sampled_from([None] * len(codes) + codes)


#: Each IIT column's answers, built once (the frames draw hundreds of cells per example).
CELLS = {col: _cell(_codes(col)) for col in IIT_COLUMNS}


@st.composite
def iit_frames(draw, max_rows=12):
    n = draw(st.integers(min_value=1, max_value=max_rows))
    data = {}
    for col in IIT_COLUMNS:
        data[col] = draw(st.lists(CELLS[col], min_size=n, max_size=n))
    return pd.DataFrame(data, dtype="Int64")


SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(iit_frames())
def test_scores_stay_within_0_and_100(frame):
    r = assess(ISET, iit=frame, bootstrap=0)
    for code in "12345":
        score = r.indicators[code].score
        assert score is None or -1e-9 <= score <= 100 + 1e-9
    sr = score_responses(frame, ISET, "IIT")
    finite = sr.item_scores[~np.isnan(sr.item_scores)]
    assert ((finite >= 0) & (finite <= 100)).all()


@SETTINGS
@given(iit_frames(), st.randoms(use_true_random=False))
def test_shuffling_respondents_changes_nothing(frame, rnd):
    order = list(range(len(frame)))
    rnd.shuffle(order)
    shuffled = frame.iloc[order].reset_index(drop=True)
    a = assess(ISET, iit=frame, bootstrap=0)
    b = assess(ISET, iit=shuffled, bootstrap=0)
    for code in "12345":
        sa, sb = a.indicators[code].score, b.indicators[code].score
        assert (sa is None and sb is None) or sa == pytest.approx(sb, abs=1e-9)


REVERSE_ITEMS = [i.code for i in ISET.items_for("IIT")
                 if not i.sub_items and i.direction == "reverse"]


@SETTINGS
@given(st.sampled_from(REVERSE_ITEMS), st.integers(1, 3), st.integers(0, 5))
def test_a_higher_answer_on_a_reverse_item_lowers_its_score(item, code, others):
    # everyone else answers 2; one respondent moves their answer up one level
    base = pd.DataFrame({item: [2] * others + [code]})
    moved = pd.DataFrame({item: [2] * others + [code + 1]})
    ind = ISET.item(item).indicator
    before = assess(ISET, iit=base, bootstrap=0).indicators[ind].score
    after = assess(ISET, iit=moved, bootstrap=0).indicators[ind].score
    assert after < before


def test_flipping_a_reverse_item_mirrors_its_score():
    for item in REVERSE_ITEMS:
        for code in (1, 2, 3, 4):
            a = score_responses(pd.DataFrame({item: [code]}), ISET, "IIT")
            b = score_responses(pd.DataFrame({item: [5 - code]}), ISET, "IIT")
            k = a.items.index(item)
            assert a.item_scores[0, k] + b.item_scores[0, k] == pytest.approx(100)
