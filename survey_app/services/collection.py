"""Collection monitoring: responses per day per survey instrument, against each minimum.

What an admin watching the answers come in needs, from one grouped query over ``response``
(day × instrument; never one row at a time) and the ballot box's count.  Only stored responses
are counted per day: IIT answers reach ``response`` in mixed batches that all carry the day of
the batch's newest ballot (SECURITY.md), so an IIT day is a batch's day and nothing finer than
a day is ever shown; the answers still waiting in the box are one number, never a day.
The minimum samples come from :func:`scoring.minimum_sample` (the rule the results use), on the
agency's headcount when it is usable (:func:`.results.usable_headcount`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from questionnaires.model import SURVEY_INSTRUMENTS
from scoring import minimum_sample

from ..models import Assessment, ResponseTally
from . import view_models as vm
from .assessments import AssessmentState, assessment_state
from .ballots import pending_count
from .instrument_sets import assessment_set
from .responses import local_today
from .results import usable_headcount


def daily_counts(session: Session, assessment_id: int) -> dict[tuple[dt.date, str], int]:
    """Return (day, instrument) → responses stored that day, from the tally's rows."""
    rows = session.execute(
        sa.select(ResponseTally.submitted_on, ResponseTally.instrument, ResponseTally.responses)
        .where(ResponseTally.assessment_id == assessment_id))
    return {(day, instrument): n for day, instrument, n in rows}


def collection_days(assessment: Assessment, stored: set[dt.date], *, timezone: str,
                    now: dt.datetime | None = None) -> tuple[dt.date, ...]:
    """Return every day from the opening (or the first stored day) to today, the closing day
    or the last stored day, whichever is latest; none before an assessment opens and has answers.
    """
    zone = zoneinfo.ZoneInfo(timezone)
    state = assessment_state(assessment, now)
    bounds = set(stored)
    if state is not AssessmentState.SCHEDULED:
        bounds.add(assessment.opens_at.astimezone(zone).date())
        bounds.add(local_today(timezone, now) if state is AssessmentState.OPEN
                   else assessment.closes_at.astimezone(zone).date())
    if not bounds:
        return ()
    first, last = min(bounds), max(bounds)
    return tuple(first + dt.timedelta(days=k) for k in range((last - first).days + 1))


def collection_view(session: Session, assessment: Assessment, *, timezone: str,
                    now: dt.datetime | None = None) -> vm.CollectionView:
    """Return the assessment's responses per day per survey instrument and each minimum.

    ``timezone`` is the app's (days are local days, as ``submitted_on`` is stored).  IIT's
    minimum needs the agency's headcount: without one, or with one below the IIT answers
    received (mixed and waiting), the minimum is unknown and ``headcount_problem`` says why.
    """
    iset = assessment_set(assessment)
    counts = daily_counts(session, assessment.id)
    days = collection_days(assessment, {day for day, _inst in counts}, timezone=timezone,
                           now=now)
    pending = pending_count(session, assessment.id)
    headcount = assessment.agency.eligible_headcount
    iit_received = pending + sum(n for (_day, inst), n in counts.items() if inst == "IIT")
    usable = usable_headcount(headcount, iit_received)
    instruments = []
    for code in SURVEY_INSTRUMENTS:
        if code not in iset.instruments:
            continue
        running = 0
        series = []
        for day in days:
            n = counts.get((day, code), 0)
            running += n
            series.append(vm.DayCount(day=day, responses=n, cumulative=running))
        meta = iset.instruments[code]
        instruments.append(vm.InstrumentCollection(
            instrument=code, name_th=meta.name_th, name_en=meta.name_en, responses=running,
            pending=pending if code == "IIT" else 0,
            minimum=minimum_sample(iset, code, headcount=usable,
                                   eit_minimum=assessment.eit_minimum),
            days=tuple(series)))
    problem = "missing" if headcount is None else "out_of_date" if usable is None else None
    return vm.CollectionView(assessment_id=assessment.id, agency_id=assessment.agency_id,
                             days=days, instruments=tuple(instruments), headcount=headcount,
                             headcount_problem=problem)
