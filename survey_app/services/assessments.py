"""Agencies and assessments."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from questionnaires import load_instrument_set

from ..models import Agency, Assessment


def new_public_token() -> str:
    """Return the unguessable part of a public link (128 random bits)."""
    return secrets.token_urlsafe(16)


def assessment_by_token(session: Session, token: str) -> Assessment | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(sa.select(Assessment).where(Assessment.public_token == token))


def get_or_create_agency(
    session: Session,
    *,
    code: str,
    name_th: str,
    name_en: str = "",
    agency_type: str,
    eligible_headcount: int | None = None,
    parent: Agency | None = None,
) -> tuple[Agency, bool]:
    agency = session.scalar(sa.select(Agency).where(Agency.code == code))
    if agency is not None:
        return agency, False
    agency = Agency(
        code=code,
        name_th=name_th,
        name_en=name_en,
        agency_type=agency_type,
        eligible_headcount=eligible_headcount,
        parent=parent,
    )
    session.add(agency)
    session.flush()
    return agency, True


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
    load_instrument_set(instrument_set)  # fail early on an unknown set
    if closes_at <= opens_at:
        raise ValueError("an assessment must close after it opens")
    assessment = Assessment(
        agency=agency,
        fiscal_year_be=fiscal_year_be,
        instrument_set=instrument_set,
        opens_at=opens_at,
        closes_at=closes_at,
        eit_minimum=eit_minimum,
        public_token=new_public_token(),
    )
    session.add(assessment)
    session.flush()
    return assessment
