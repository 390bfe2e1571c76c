"""parse_score: the one rule for a past score, used by the console's grid and its CSV import."""

from __future__ import annotations

import pytest

from survey_app.refusals import say
from survey_app.services.formatting import two_decimals
from survey_app.services.published import parse_score


@pytest.mark.parametrize(("text", "value"), [
    ("", None), ("  ", None), ("0", 0.0), ("100", 100.0), (" 87,5 ", 87.5), ("94.67", 94.67),
])
def test_accepted(text, value):
    assert parse_score(text) == value


@pytest.mark.parametrize(("text", "reason"), [
    ("abc", "not a number"), ("100.01", "outside 0–100"), ("-1", "outside 0–100"),
    ("nan", "outside 0–100"), ("inf", "outside 0–100"),
])
def test_refused_with_the_reason(text, reason):
    with pytest.raises(ValueError) as caught:  # a PublishedError
        parse_score(text)
    assert say(caught.value, "en") == reason


def test_two_decimals_or_a_dash():
    assert two_decimals(94.666) == "94.67"
    assert two_decimals(None) == "–"
    assert two_decimals(-1.5, signed=True) == "-1.50"
    assert two_decimals(2, signed=True, dash="-") == "+2.00"
    assert two_decimals(None, dash="-") == "-"
