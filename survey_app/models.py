"""Typed SQLAlchemy 2.0 models.

Anonymity is a property of this schema: ``response`` and ``answer`` hold no link to an
``access_code`` or a person (no foreign key, no IP address, no user agent, no time finer than
the day), and an ``access_code`` records only whether it was used, not when.
``tests/app/test_schema.py`` checks this on the migrated database.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

INSTRUMENTS = ("IIT", "EIT")
CODE_STATUSES = ("unused", "used", "revoked")


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores it naive, in UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (UTC)")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Agency(Base):
    """A state agency (หน่วยงาน) that is assessed."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name_th: Mapped[str] = mapped_column(sa.String(255))
    name_en: Mapped[str] = mapped_column(sa.String(255), default="")
    agency_type: Mapped[str] = mapped_column(sa.String(32))
    #: Staff eligible to answer IIT (at least one year in the agency); sets the IIT minimum.
    eligible_headcount: Mapped[int | None]
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))

    parent: Mapped[Agency | None] = relationship(remote_side=[id])
    assessments: Mapped[list[Assessment]] = relationship(back_populates="agency")


class Assessment(Base):
    """One agency's ITA for one fiscal year (B.E.) with one instrument set."""

    __tablename__ = "assessment"
    __table_args__ = (
        sa.UniqueConstraint(
            "agency_id", "fiscal_year_be", "instrument_set", name="uq_assessment_agency_year_set"
        ),
        sa.CheckConstraint("closes_at > opens_at", name="window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    fiscal_year_be: Mapped[int]
    instrument_set: Mapped[str] = mapped_column(sa.String(32))
    opens_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    #: Minimum EIT responses for this assessment (None = the instrument set's default).
    eit_minimum: Mapped[int | None]
    #: The unguessable part of the public IIT and EIT links.
    public_token: Mapped[str] = mapped_column(sa.String(64), unique=True)

    agency: Mapped[Agency] = relationship(back_populates="assessments")

    def is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or utcnow()
        return self.opens_at <= now < self.closes_at


class AccessCode(Base):
    """A one-time IIT access code, stored only as a keyed hash; no record of when it was used."""

    __tablename__ = "access_code"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('unused', 'used', 'revoked')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment.id"), index=True)
    batch: Mapped[str] = mapped_column(sa.String(64))
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    status: Mapped[str] = mapped_column(sa.String(8), default="unused")


class Response(Base):
    """One submitted questionnaire.  Deliberately minimal: see the module docstring."""

    __tablename__ = "response"
    __table_args__ = (
        sa.CheckConstraint("instrument IN ('IIT', 'EIT')", name="instrument"),
        sa.Index("ix_response_assessment_instrument", "assessment_id", "instrument"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment.id"))
    instrument: Mapped[str] = mapped_column(sa.String(3))
    submitted_on: Mapped[dt.date] = mapped_column(sa.Date)
    #: EIT only: the respondent group's code (``school``, ``public`` …).
    respondent_group: Mapped[str | None] = mapped_column(sa.String(32))

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class Answer(Base):
    """The option chosen for one question (``i1.2``, ``e4.1`` …) of one response."""

    __tablename__ = "answer"

    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    question: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    option: Mapped[int] = mapped_column(sa.SmallInteger)

    response: Mapped[Response] = relationship(back_populates="answers")
