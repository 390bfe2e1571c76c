"""Assessments: creating one, its answer window and the one vocabulary for its state.

:class:`AssessmentState` is the only place that compares the clock with an assessment's window;
the console, the results pages and the respondent flow all ask :func:`assessment_state`.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from ..models import Agency, Assessment, ResponseTally, RetiredPublicToken, utcnow
from .instrument_sets import pin_set

#: How long an assessment opened by hand stays open when its closing time had passed.
REOPEN_DAYS = 30


class AssessmentState(enum.StrEnum):
    """Where an assessment stands against its answer window (the value is what pages show)."""

    SCHEDULED = "scheduled"  # before ``opens_at``: answers are not taken yet
    OPEN = "open"  # from ``opens_at`` up to, not including, ``closes_at``
    CLOSED = "closed"  # from ``closes_at`` on: answers are refused


def assessment_state(assessment: Assessment, now: dt.datetime | None = None) -> AssessmentState:
    """Return the state of ``assessment`` at ``now`` (default: the current time)."""
    now = now or utcnow()
    if now < assessment.opens_at:
        return AssessmentState.SCHEDULED
    return AssessmentState.OPEN if now < assessment.closes_at else AssessmentState.CLOSED


def new_public_token() -> str:
    """Return the unguessable part of a public link (128 random bits)."""
    return secrets.token_urlsafe(16)


def assessment_by_token(session: Session, token: str) -> Assessment | None:
    """The assessment whose current public token is ``token``, with its agency (every
    respondent page shows the agency's name): one query on the unique token index."""
    if not token or len(token) > 64:
        return None
    return session.scalar(sa.select(Assessment).options(joinedload(Assessment.agency))
                          .where(Assessment.public_token == token))


def rotate_public_token(session: Session, assessment: Assessment) -> str:
    """Give ``assessment`` a new public token (after a leak); return the retired one.

    The old token is kept in ``retired_public_token`` so that its links say they were replaced
    instead of answering "not found"; they never take answers again (the caller commits).
    """
    old = assessment.public_token
    session.add(RetiredPublicToken(assessment_id=assessment.id, token=old))
    assessment.public_token = new_public_token()
    session.flush()
    return old


def is_retired_token(session: Session, token: str) -> bool:
    """Whether ``token`` was a public token of some assessment before it was replaced."""
    if not token or len(token) > 64:
        return False
    return session.scalar(
        sa.select(RetiredPublicToken.id).where(RetiredPublicToken.token == token)) is not None


def create_assessment(
    session: Session,
    agency: Agency,
    *,
    fiscal_year_be: int,
    instrument_set: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    eit_minimum: int | None = None,
) -> Assessment:
    if closes_at <= opens_at:
        raise ValueError("an assessment must close after it opens")
    # The assessment keeps this exact definition (DefinitionError on an unknown set).
    digest = pin_set(session, instrument_set)
    assessment = Assessment(
        agency=agency,
        fiscal_year_be=fiscal_year_be,
        instrument_set=instrument_set,
        instrument_set_sha256=digest,
        opens_at=opens_at,
        closes_at=closes_at,
        eit_minimum=eit_minimum,
        public_token=new_public_token(),
    )
    session.add(assessment)
    session.flush()
    return assessment


def current_fiscal_year_be(local_now: dt.datetime) -> int:
    """Return the Thai fiscal year (B.E.) of a local date: it starts on 1 October."""
    return local_now.year + 543 + (1 if local_now.month >= 10 else 0)


def open_now(assessment: Assessment, now: dt.datetime | None = None) -> None:
    """Open an assessment at once (its closing time moves on if it had passed)."""
    now = now or utcnow()
    if assessment.opens_at > now:
        assessment.opens_at = now
    if assessment.closes_at <= now:
        assessment.closes_at = now + dt.timedelta(days=REOPEN_DAYS)


def close_now(assessment: Assessment, now: dt.datetime | None = None) -> None:
    """Close an assessment at once: new answers are refused from now on."""
    now = now or utcnow()
    if assessment.opens_at >= now:
        assessment.opens_at = now - dt.timedelta(seconds=1)
    assessment.closes_at = now


# -- response counts -------------------------------------------------------------------------


def response_counts_by_assessment(session: Session, assessment_ids: Iterable[int]
                                  ) -> dict[int, dict[str, int]]:
    """Return assessment id → {"IIT": n, "EIT": n} (zeros included) in one query."""
    ids = list(assessment_ids)
    counts = {a: {"IIT": 0, "EIT": 0} for a in ids}
    if not ids:
        return counts
    rows = session.execute(
        sa.select(ResponseTally.assessment_id, ResponseTally.instrument,
                  sa.func.sum(ResponseTally.responses))
        .where(ResponseTally.assessment_id.in_(ids))
        .group_by(ResponseTally.assessment_id, ResponseTally.instrument)
    )
    for assessment_id, instrument, n in rows:
        counts[assessment_id][instrument] = int(n)
    return counts


def response_counts(session: Session, assessment: Assessment) -> dict[str, int]:
    """Return {"IIT": n, "EIT": n}: the stored responses of one assessment."""
    return response_counts_by_assessment(session, [assessment.id])[assessment.id]
