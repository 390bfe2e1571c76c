"""Typed SQLAlchemy 2.0 models.

Anonymity is a property of this schema: ``response`` holds no link to an
``access_code`` or a person (no foreign key, no IP address, no user agent, no time finer than
the day), and an ``access_code`` records only whether it was used, not when.
``tests/app/test_schema_anonymity.py`` checks this on the migrated database.  IIT answers first
go into the ``ballot`` box and reach ``response`` only through the mixer
(``survey_app/services/ballots.py``, ``SECURITY.md``).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .roles import ROLES, Role  # noqa: F401  (re-exported: models.Role, models.ROLES)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


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
    #: The agency's own target per indicator (None = the methodology's, 95 in B.E. 2566).
    indicator_target: Mapped[float | None] = mapped_column(sa.Float)
    #: SHA-256 of the instrument set's definition text when the assessment was created (the
    #: stored copy in ``instrument_set_definition``); None only for rows older than the registry.
    instrument_set_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    #: An alternative answer->score map (questionnaires/score_maps.toml) the results use
    #: instead of the set's own, or None for the set's own map.
    score_map: Mapped[str | None] = mapped_column(sa.String(32))
    #: When a close first released answers into the results (``services/publication.py``);
    #: from then on only a system admin reopens the assessment, with a reason.
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    agency: Mapped[Agency] = relationship(back_populates="assessments")


class RetiredPublicToken(Base):
    """A public link token an assessment no longer answers to (rotated after a leak).

    A respondent who opens the old link is told that it was replaced, never shown the form.
    """

    __tablename__ = "retired_public_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    retired_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


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
        # With the id last: an assessment's responses are read in id order from the index.
        sa.Index("ix_response_assessment_instrument", "assessment_id", "instrument", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment.id"))
    instrument: Mapped[str] = mapped_column(sa.String(3))
    submitted_on: Mapped[dt.date] = mapped_column(sa.Date)
    #: EIT only: the respondent group's code (``school``, ``public`` …).
    respondent_group: Mapped[str | None] = mapped_column(sa.String(32))
    #: One byte per question in the order of the (assessment, instrument)'s
    #: ``response_layout``; 255 = unanswered (``survey_app/services/compact.py``).
    answers: Mapped[bytes] = mapped_column(sa.LargeBinary)
    #: The ``publication`` that released this response into scores, distributions and
    #: exports; None = not yet (IIT until the close, EIT until a batch of K): SECURITY.md.
    publication_id: Mapped[int | None] = mapped_column(index=True)


class ResponseLayout(Base):
    """The question columns of one assessment's instrument, in the order of the bytes of
    ``response.answers``.  Only ever grows at its end."""

    __tablename__ = "response_layout"
    __table_args__ = (sa.CheckConstraint("instrument IN ('IIT', 'EIT')", name="instrument"),)

    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    instrument: Mapped[str] = mapped_column(sa.String(3), primary_key=True)
    #: The question columns (``i1.1 i1.2 …``), separated by single spaces.
    questions: Mapped[str] = mapped_column(sa.Text)


class ResponseTally(Base):
    """How many responses an assessment holds per instrument and day, kept by the database.

    Triggers on ``response`` (migration 0011_response_tally) add and take away on every insert,
    delete and update, whichever code writes, so counts, the per-day chart and the stored
    result's fingerprint read a few rows per day instead of scanning every response.
    """

    __tablename__ = "response_tally"

    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True)
    instrument: Mapped[str] = mapped_column(sa.String(3), primary_key=True)
    submitted_on: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    responses: Mapped[int]


class Ballot(Base):
    """IIT answers waiting in the ballot box to be mixed into ``response`` (see SECURITY.md).

    Written in the transaction that redeems the code, so it shares that transaction's id (and
    WAL commit) with the ``access_code`` row; the mixer moves ballots into ``response`` in
    shuffled batches of at least K and erases them (VACUUM / secure_delete + checkpoint).
    """

    __tablename__ = "ballot"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment.id"), index=True)
    #: The day, as on ``response``; a mixed batch gets the day of its newest ballot.
    submitted_on: Mapped[dt.date] = mapped_column(sa.Date)
    #: The answers as compact JSON, question column → option code.
    answers: Mapped[str] = mapped_column(sa.Text)


class Publication(Base):
    """One release of an assessment's answers into the results (``services/publication.py``).

    IIT answers are released once, all together, when the assessment closes (after a reopening
    only if at least K arrived); EIT answers in shuffled batches of at least K while it is open
    and the rest at the close, under the same rule.
    """

    __tablename__ = "publication"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    instrument: Mapped[str] = mapped_column(sa.String(3))
    responses: Mapped[int]
    #: True when a close released it (else an EIT batch while the assessment was open).
    at_close: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AssessmentReopening(Base):
    """A system admin reopened an assessment whose answers had been published, with a reason."""

    __tablename__ = "assessment_reopening"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    reopened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Kept as written at the time, as in the audit log.
    username: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.Text)


class MixerState(Base):
    """The mixer's durable state: an erase of mixed ballots that is still owed (SECURITY.md).

    Written in the transaction that mixes a batch and cleared once the erase has succeeded, so
    any worker or timer — not only the process that mixed — retries it after a failure or crash.
    """

    __tablename__ = "mixer_state"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    erase_owed_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)


# -- rehearsal imports (Google Forms exports) ----------------------------------------------------
# Imported responses live in tables of their own, never in ``response``: every reader of
# ``response`` (results, exports, the supervisor view) sees answers collected here only, and an
# imported set is read only when asked for by name (services/imports.py).


class ResponseImport(Base):
    """One Google Forms export imported into an assessment: rehearsal data, its own source."""

    __tablename__ = "response_import"
    __table_args__ = (sa.CheckConstraint("instrument IN ('IIT', 'EIT')", name="instrument"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment.id"), index=True)
    instrument: Mapped[str] = mapped_column(sa.String(3))
    #: The uploaded file's name, as the admin's computer called it.
    file_name: Mapped[str] = mapped_column(sa.String(255))
    rows: Mapped[int]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: Kept as written at the time, as in the audit log.
    username: Mapped[str] = mapped_column(sa.String(64))
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    responses: Mapped[list[ImportedResponse]] = relationship(
        back_populates="source", cascade="all, delete-orphan", passive_deletes=True
    )


class ImportedResponse(Base):
    """One row of an imported export (no timestamp, no email: those are never stored)."""

    __tablename__ = "imported_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        sa.ForeignKey("response_import.id", ondelete="CASCADE"), index=True
    )
    #: EIT only: the respondent group's code.
    respondent_group: Mapped[str | None] = mapped_column(sa.String(32))

    source: Mapped[ResponseImport] = relationship(back_populates="responses")
    answers: Mapped[list[ImportedAnswer]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class ImportedAnswer(Base):
    """The option code of one question of one imported row."""

    __tablename__ = "imported_answer"

    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("imported_response.id", ondelete="CASCADE"), primary_key=True
    )
    question: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    option: Mapped[int] = mapped_column(sa.SmallInteger)


# -- the admin console --------------------------------------------------------------------------

# Role and ROLES live in roles.py (standard library only); imported above for the models.


class User(Base):
    """An admin-console account.

    ``system_admin`` sees and changes everything; ``agency_admin`` their agency and its child
    agencies; ``viewer`` reads the same scope as an agency admin but changes nothing.
    """

    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        sa.CheckConstraint(f"role IN ({', '.join(repr(r.value) for r in Role)})", name="role"),
        sa.CheckConstraint(f"role = '{Role.SYSTEM_ADMIN}' OR agency_id IS NOT NULL", name="scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(255), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    #: Set when an admin gives the account a temporary password: every console page sends the
    #: account to the change-password page until it chooses its own.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agency: Mapped[Agency | None] = relationship()

    # Flask-Login's interface.  The id Flask-Login keeps is a random server-side session
    # token, so signing out, a password change or an expired session ends it on the server.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    #: The sign-in this object was loaded for (not a column): Flask-Login keeps it in the
    #: signed session cookie, and only its hash is stored, in ``admin_session``.
    session_token = None

    def get_id(self) -> str:
        return self.session_token or ""

    @property
    def can_write(self) -> bool:
        return self.role in (Role.SYSTEM_ADMIN, Role.AGENCY_ADMIN)


class AdminSession(Base):
    """One console sign-in.  Deleted at logout; all of an account's at a password change.

    Only the SHA-256 of the random token is stored, so a copy of the database does not sign
    anyone in; a copied session cookie stops working once its row is gone.
    """

    __tablename__ = "admin_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEvent(Base):
    """One admin action: who, what, when.  Respondents' actions are never logged here."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: Kept as written at the time, so the log still reads right if the account is renamed.
    username: Mapped[str] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    target: Mapped[str] = mapped_column(sa.String(255), default="")
    detail: Mapped[str] = mapped_column(sa.Text, default="")


class OitResult(Base):
    """The admin's judgement of one OIT checklist item, with its evidence."""

    __tablename__ = "oit_result"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "item", name="uq_oit_result_assessment_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment.id"), index=True)
    item: Mapped[str] = mapped_column(sa.String(16))  # "O1" … as in the instrument set
    #: None until judged.
    passed: Mapped[bool | None]
    #: One URL per line.
    evidence_urls: Mapped[str] = mapped_column(sa.Text, default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                    onupdate=utcnow)


class PublishedResult(Base):
    """The result NACC published for an agency and fiscal year: the year's record.

    Its figures are :class:`PublishedScore` rows; where one exists it is the year's result on
    every page and document (``survey_app/services/published.py``).  ``as_given`` says the user
    kept a figure that does not agree with the one recomputed from the indicators.
    """

    __tablename__ = "published_result"
    __table_args__ = (
        sa.UniqueConstraint("agency_id", "fiscal_year_be", name="uq_published_result_agency_year"),
        sa.CheckConstraint("source IN ('console', 'upload', 'cli', 'demo', 'migrated')",
                           name="ck_published_result_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    fiscal_year_be: Mapped[int]
    #: Typed in the console, uploaded, set from the CLI, the demo, or carried over from the
    #: earlier "past results" (migration 0013).
    source: Mapped[str] = mapped_column(sa.String(16))
    as_given: Mapped[bool] = mapped_column(default=False)
    entered_by: Mapped[str] = mapped_column(sa.String(120), default="")
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    scores: Mapped[list[PublishedScore]] = relationship(
        back_populates="result", cascade="all, delete-orphan", order_by="PublishedScore.id")


class PublishedScore(Base):
    """One published figure: the total (``code = "total"``), an instrument's weighted part
    (``"IIT"`` …), an indicator (``"1"`` … ``"10"``) or a sub-indicator (``"9.1"`` …)."""

    __tablename__ = "published_score"
    __table_args__ = (
        sa.UniqueConstraint("result_id", "code", name="uq_published_score_result_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(
        sa.ForeignKey("published_result.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(8))
    score: Mapped[float] = mapped_column(sa.Float)
    result: Mapped[PublishedResult] = relationship(back_populates="scores")


class ImprovementMeasure(Base):
    """An improvement measure (มาตรการ) for an indicator below target, for the yearly report."""

    __tablename__ = "improvement_measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment.id"), index=True)
    indicator: Mapped[str] = mapped_column(sa.String(8))
    measure: Mapped[str] = mapped_column(sa.Text)
    responsible: Mapped[str] = mapped_column(sa.String(255), default="")
    steps: Mapped[str] = mapped_column(sa.Text, default="")
    #: ประเด็น: the issue of the indicator the measure addresses.
    issue: Mapped[str] = mapped_column(sa.Text, default="")
    #: The plan by quarter (ไตรมาส 1-4) of the measures' fiscal year (:mod:`survey_app.quarters`);
    #: None only for a measure typed before quarters whose period named none.
    start_quarter: Mapped[int | None]
    end_quarter: Mapped[int | None]
    #: A note on the period: the free text typed before quarters existed, kept whenever it
    #: says more than the quarters.
    period: Mapped[str] = mapped_column(sa.String(255), default="")
    position: Mapped[int] = mapped_column(default=0)
    progress: Mapped[list[MeasureProgress]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", passive_deletes=True,
        order_by="MeasureProgress.quarter")


class MeasureProgress(Base):
    """What an agency reports on one measure for one quarter: status, a note and evidence."""

    __tablename__ = "measure_progress"
    __table_args__ = (
        sa.UniqueConstraint("measure_id", "quarter", name="uq_measure_progress_measure_quarter"),
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter"),
        sa.CheckConstraint("status IN ('not_started', 'in_progress', 'done', 'dropped')",
                           name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("improvement_measure.id", ondelete="CASCADE"), index=True)
    quarter: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    #: One URL per line.
    evidence_urls: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                    onupdate=utcnow)
    measure: Mapped[ImprovementMeasure] = relationship(back_populates="progress")


class ReportNarrative(Base):
    """The office's own words in the yearly report, for one indicator of an assessment.

    ``kind``: ``strength`` (ปัจจัยที่ส่งผลให้ตัวชี้วัดดังกล่าวเป็นจุดแข็ง), ``develop`` (the analysis of an
    indicator below target) or ``monitoring`` (การกำกับติดตามและรายงานผล of its measures).  A
    text never written is drafted from the data when the report is built.
    """

    __tablename__ = "report_narrative"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "kind", "indicator",
                                          name="uq_report_narrative_assessment_kind_indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    indicator: Mapped[str] = mapped_column(sa.String(8))
    text: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                    onupdate=utcnow)


class ReportDocument(Base):
    """What the office writes once into its yearly report and follow-up report, per assessment:
    the foreword (คำนำ), the background paragraph, its standing internal measures (มาตรการภายใน,
    one per line), a comparison figure it types (the national or supervising office's average),
    the signature (director's name and position), the cover date and its logo (PNG or JPEG)."""

    __tablename__ = "report_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment.id"), unique=True)
    foreword: Mapped[str] = mapped_column(sa.Text, default="")
    background: Mapped[str] = mapped_column(sa.Text, default="")
    internal_measures: Mapped[str] = mapped_column(sa.Text, default="")
    comparison_scope: Mapped[str] = mapped_column(sa.String(200), default="")
    comparison_units: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    comparison_score: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    director_name: Mapped[str] = mapped_column(sa.String(200), default="")
    director_position: Mapped[str] = mapped_column(sa.String(200), default="")
    cover_date: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True)
    logo_type: Mapped[str] = mapped_column(sa.String(16), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                    onupdate=utcnow)


class ScoredResult(Base):
    """An assessment's scored result, kept while the inputs it was computed from are unchanged.

    ``variant`` names how it was computed (collected or also imported responses, the interval
    method, resamples and seed); ``fingerprint`` is the SHA-256 of everything the result depends
    on (``survey_app/services/results.py``, ``result_fingerprint``).  ``scores`` is
    ``scoring.report.result_to_dict`` as JSON (what the view models are built from), ``precise``
    the full-precision indicator scores and total that the supervisor's roll-up, its average and
    later years' history use.  Derived data only: a row that does not match is recomputed.
    """

    __tablename__ = "scored_result"

    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    variant: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    scores: Mapped[str] = mapped_column(sa.Text)
    precise: Mapped[str] = mapped_column(sa.Text)
    #: ``scoring.report.SCHEMA_VERSION`` of ``scores``: a row of another version is recomputed.
    schema_version: Mapped[int] = mapped_column(default=1)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


# -- the registry of instrument sets --------------------------------------------------------

class InstrumentSetDefinition(Base):
    """The definition text of an instrument set, kept as it was when first stored.

    ``added``: a set an office uploaded (``ita sets add`` or the console).  ``shipped``: the copy
    of a shipped file taken when the first assessment used it, so that a later change of the
    file never rescores that assessment.  A row is never updated: a changed file is a new id.
    """

    __tablename__ = "instrument_set_definition"
    __table_args__ = (
        sa.CheckConstraint("origin IN ('shipped', 'added')", name="origin"),
    )

    set_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    origin: Mapped[str] = mapped_column(sa.String(8))
    fiscal_year_be: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    text: Mapped[str] = mapped_column(sa.Text)
    #: The name of the uploaded file (or the shipped file), for the record.
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Who stored it: a console username, ``cli`` or ``assessment`` (a shipped file's copy).
    added_by: Mapped[str] = mapped_column(sa.String(64), default="")
