"""AssessmentState: the one place the clock meets an assessment's answer window."""

from __future__ import annotations

import datetime as dt

import pytest

from survey_app.models import Assessment
from survey_app.services.assessments import AssessmentState, assessment_state

OPENS = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)
CLOSES = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


@pytest.mark.parametrize(("now", "state"), [
    (OPENS - SECOND, AssessmentState.SCHEDULED),
    (OPENS, AssessmentState.OPEN),  # opening time included
    (CLOSES - SECOND, AssessmentState.OPEN),
    (CLOSES, AssessmentState.CLOSED),  # closing time excluded
])
def test_state_at_the_window_edges(now, state):
    assessment = Assessment(opens_at=OPENS, closes_at=CLOSES)
    assert assessment_state(assessment, now) is state


def test_state_values_are_what_pages_show():
    assert [s.value for s in AssessmentState] == ["scheduled", "open", "closed"]
    assert f"status_{AssessmentState.OPEN}" == "status_open"  # templates build keys from it
