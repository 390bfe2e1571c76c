"""What the console pages show and change: agencies, assessments, code batches, OIT, past
results and improvement measures.  Functions add and flush; the views commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..admin.access import visible_agencies
from ..models import AccessCode, Agency, Assessment, Response, User, utcnow


@dataclass(frozen=True)
class AssessmentRow:
    assessment: Assessment
    status: str  # "scheduled", "open", "closed"
    iit: int
    eit: int


@dataclass(frozen=True)
class AgencyRow:
    agency: Agency
    depth: int
    assessments: list[AssessmentRow]


def assessment_status(assessment: Assessment, now: dt.datetime | None = None) -> str:
    now = now or utcnow()
    if now < assessment.opens_at:
        return "scheduled"
    return "open" if now < assessment.closes_at else "closed"


def response_counts_by_assessment(
    session: Session, assessment_ids: list[int]
) -> dict[tuple[int, str], int]:
    if not assessment_ids:
        return {}
    rows = session.execute(
        sa.select(Response.assessment_id, Response.instrument, sa.func.count())
        .where(Response.assessment_id.in_(assessment_ids))
        .group_by(Response.assessment_id, Response.instrument)
    )
    return {(a, i): n for a, i, n in rows}


def home_rows(session: Session, user: User) -> list[AgencyRow]:
    """Return the account's agencies as a tree (parents first) with their assessments."""
    agencies = list(session.scalars(visible_agencies(session, user)))
    ids = {a.id for a in agencies}
    assessments = list(session.scalars(
        sa.select(Assessment).where(Assessment.agency_id.in_(ids))
        .order_by(Assessment.fiscal_year_be.desc(), Assessment.id.desc())
    )) if ids else []
    counts = response_counts_by_assessment(session, [a.id for a in assessments])
    by_agency: dict[int, list[AssessmentRow]] = {}
    now = utcnow()
    for a in assessments:
        by_agency.setdefault(a.agency_id, []).append(AssessmentRow(
            a, assessment_status(a, now), counts.get((a.id, "IIT"), 0),
            counts.get((a.id, "EIT"), 0)))
    children: dict[int | None, list[Agency]] = {}
    for a in agencies:
        parent = a.parent_id if a.parent_id in ids else None
        children.setdefault(parent, []).append(a)
    rows: list[AgencyRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for a in children.get(parent, []):
            rows.append(AgencyRow(a, depth, by_agency.get(a.id, [])))
            walk(a.id, depth + 1)

    walk(None, 0)
    return rows


@dataclass(frozen=True)
class BatchRow:
    batch: str
    issued: int
    unused: int
    used: int
    revoked: int


def code_batches(session: Session, assessment: Assessment) -> list[BatchRow]:
    """Return each batch's code counts by status (counts only: codes are never readable)."""
    rows = session.execute(
        sa.select(AccessCode.batch, AccessCode.status, sa.func.count())
        .where(AccessCode.assessment_id == assessment.id)
        .group_by(AccessCode.batch, AccessCode.status)
    )
    counts: dict[str, dict[str, int]] = {}
    for batch, status, n in rows:
        counts.setdefault(batch, {})[status] = n
    return [
        BatchRow(b, sum(c.values()), c.get("unused", 0), c.get("used", 0), c.get("revoked", 0))
        for b, c in sorted(counts.items())
    ]
