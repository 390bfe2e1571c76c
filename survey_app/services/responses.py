"""Check answers against the instrument definitions and store responses.

``store_iit_response`` redeems the access code and drops the answers into the ballot box in one
transaction: the conditional ``UPDATE … WHERE status = 'unused'`` takes the row lock
(PostgreSQL) or the write lock (SQLite), so of two simultaneous submissions with one code
exactly one sees ``rowcount == 1`` and stores; the other stores nothing and learns why.  The
ballot becomes a response only when the mixer moves it (``ballots.py``, SECURITY.md).
"""

from __future__ import annotations

import datetime as dt
import enum
import zoneinfo
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from questionnaires import InstrumentSet

from ..models import AccessCode, Assessment, Response, ResponseLayout, utcnow
from .assessments import AssessmentState, assessment_state
from .ballots import add_ballot
from .codes import hash_code, normalise_code
from .compact import encode, known_layout, layout_for
from .instrument_sets import assessment_set


class CodeState(enum.Enum):
    """What a typed code means for an assessment (its answer window aside: that is the
    assessment's :class:`AssessmentState`)."""

    OK = "ok"
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    USED = "used"
    REVOKED = "revoked"


class CodeRejected(Exception):
    def __init__(self, state: CodeState):
        super().__init__(state.value)
        self.state = state


class WindowShut(Exception):
    """The assessment takes no answers now: it is not open yet, or it has closed."""

    def __init__(self, state: AssessmentState):
        super().__init__(state.value)
        self.state = state


class TamperedSubmission(ValueError):
    """A submission no honest form can produce (unknown question, out-of-range code …)."""


def local_today(timezone: str = "Asia/Bangkok", now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(zoneinfo.ZoneInfo(timezone)).date()


def _require_open(assessment: Assessment, now: dt.datetime | None) -> None:
    state = assessment_state(assessment, now)
    if state is not AssessmentState.OPEN:
        raise WindowShut(state)


def check_code(
    session: Session, assessment: Assessment, text: str, *, key: str
) -> tuple[CodeState, str | None]:
    """Say whether ``text`` is a usable code for ``assessment`` (without redeeming it).

    Returns the state and the code's keyed hash (what the respondent's session keeps between
    pages instead of the code itself), or None when it is not a code at all.  Raises
    WindowShut when the assessment takes no answers now.
    """
    code = normalise_code(text)
    if code is None:
        return CodeState.MALFORMED, None
    code_hash = hash_code(key, code)
    _require_open(assessment, None)
    return _code_state(session.connection(), assessment.id, code_hash), code_hash


#: A code's status (a Core statement: one column of one row, no ORM loading).
_CODE_STATUS = sa.select(AccessCode.status).where(
    AccessCode.code_hash == sa.bindparam("code"),
    AccessCode.assessment_id == sa.bindparam("code_assessment"),
)
_STATES = {None: CodeState.UNKNOWN, "unused": CodeState.OK, "used": CodeState.USED,
           "revoked": CodeState.REVOKED}


def _code_state(connection: sa.Connection, assessment_id: int, code_hash: str) -> CodeState:
    return _STATES[connection.scalar(_CODE_STATUS, {"code": code_hash,
                                                    "code_assessment": assessment_id})]


def clean_answers(
    iset: InstrumentSet, instrument: str, answers: Mapping[str, object]
) -> dict[str, int | None]:
    """Return ``answers`` as column → option code, with None for the unanswered.

    Raises TamperedSubmission for an unknown question or a code outside the item's scale.
    """
    valid: dict[str, frozenset[int]] = {
        q.column: item.scale.codes
        for item in iset.items_for(instrument)
        for q in item.questions
    }
    unknown = set(answers) - set(valid)
    if unknown:
        raise TamperedSubmission(f"unknown question(s): {', '.join(sorted(unknown))}")
    cleaned: dict[str, int | None] = {}
    for column, codes in valid.items():
        value = answers.get(column)
        if value is None or value == "":
            cleaned[column] = None
            continue
        code = _option_code(value)
        if code is None:
            raise TamperedSubmission(f"{column}: not an option code: {str(value)[:20]!r}")
        if code not in codes:
            raise TamperedSubmission(f"{column}: {code} is not an option of its scale")
        cleaned[column] = code
    return cleaned


def _option_code(value: object) -> int | None:
    """Return ``value`` as an option code if it is one written exactly as a form posts it.

    Only plain ASCII digits without sign, space or leading zero ("1", "0"): ``int()`` would
    also take "+1", " 1", "1_0", Thai "๑" or full-width "１", which no form of ours sends.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if (not isinstance(value, str) or not value.isascii() or not value.isdigit()
            or len(value) > 3 or (len(value) > 1 and value[0] == "0")):
        return None
    return int(value)


def _complete(iset: InstrumentSet, instrument: str, answers: Mapping[str, object]) -> dict:
    cleaned = clean_answers(iset, instrument, answers)
    missing = [c for c, v in cleaned.items() if v is None]
    if missing:
        raise TamperedSubmission(f"unanswered question(s): {', '.join(missing)}")
    return cleaned


def _add_response(
    session: Session,
    assessment: Assessment,
    instrument: str,
    answers: dict[str, int],
    *,
    submitted_on: dt.date,
    respondent_group: str | None = None,
) -> None:
    """Insert one response as ONE row (a Core insert: no ORM object per answer)."""
    connection = session.connection()
    layout = layout_for(connection, assessment.id, instrument, answers)
    connection.execute(sa.insert(Response).values(
        assessment_id=assessment.id,
        instrument=instrument,
        submitted_on=submitted_on,
        respondent_group=respondent_group,
        answers=encode(layout, answers),
    ))


class StaleAssessment(Exception):
    """The assessment row no longer has the public token, definition or open window of the
    copy the caller passed: nothing was stored; read the row itself and decide again."""


def _as_seen() -> tuple[sa.ColumnElement[bool], ...]:
    """The assessment row still as the caller saw it: its id, public token and pinned
    definition, and a window open at ``now`` (bind parameters of :func:`_seen`).  A writer
    that puts these in its own statement may store from a worker's cached copy: it never
    writes past a rotation, a closing or a changed definition made anywhere."""
    return (
        Assessment.id == sa.bindparam("seen_id"),
        Assessment.public_token == sa.bindparam("seen_token"),
        Assessment.instrument_set_sha256.is_not_distinct_from(sa.bindparam("seen_sha256")),
        Assessment.opens_at <= sa.bindparam("now", type_=Assessment.opens_at.type),
        Assessment.closes_at > sa.bindparam("now", type_=Assessment.closes_at.type),
    )


def _seen(assessment: Assessment, now: dt.datetime) -> dict[str, object]:
    return {"seen_id": assessment.id, "seen_token": assessment.public_token,
            "seen_sha256": assessment.instrument_set_sha256, "now": now}


#: The redemption: the code goes from unused to used only while the assessment row is as the
#: caller saw it (``_as_seen``), so the IIT POST needs no SELECT of the assessment first.
_GUARDED_REDEEM = (
    sa.update(AccessCode)
    .where(
        AccessCode.code_hash == sa.bindparam("code"),
        AccessCode.assessment_id == sa.bindparam("seen_id"),
        AccessCode.status == "unused",
        sa.exists().where(*_as_seen()),
    )
    .values(status="used")
)


def store_iit_response(
    session: Session,
    assessment: Assessment,
    code_hash: str,
    answers: Mapping[str, object],
    *,
    submitted_on: dt.date,
    now: dt.datetime | None = None,
) -> None:
    """Redeem the code with keyed hash ``code_hash`` and put the IIT answers into the ballot
    box, in one transaction; commit.  (``codes.hash_code`` turns a typed code into its hash.)

    Two statements: the redemption, which also checks that the assessment row is still as
    ``assessment`` (possibly a worker's cached copy) has it, and the ballot's INSERT.
    Raises CodeRejected (nothing stored) if the code cannot be used, WindowShut if the
    assessment takes no answers now, StaleAssessment (nothing stored, the code still unused)
    when the row no longer matches ``assessment``, TamperedSubmission if the answers are
    incomplete or invalid.  The answers count as results once mixed.
    """
    iset = assessment_set(assessment)
    cleaned = _complete(iset, "IIT", answers)
    now = now or utcnow()
    _require_open(assessment, now)
    try:
        if session.new or session.dirty:
            session.flush()  # the redemption reads the assessment row as this session has it
        connection = session.connection()
        # The first statement of the transaction: on SQLite it takes the write lock (waiting
        # up to busy_timeout), on PostgreSQL the row lock; a concurrent redeemer re-checks
        # ``status`` after we commit and updates nothing.
        redeemed = connection.execute(
            _GUARDED_REDEEM, {"code": code_hash, **_seen(assessment, now)}).rowcount
        if redeemed != 1:
            state = _code_state(connection, assessment.id, code_hash)
            session.rollback()
            if state is CodeState.OK:  # the code is usable: the assessment row changed
                raise StaleAssessment
            raise CodeRejected(state)
        add_ballot(session, assessment, cleaned, submitted_on=submitted_on)
        session.commit()
    except BaseException:
        session.rollback()
        raise


#: One EIT response, inserted only while the assessment row still has the public token, the
#: pinned definition and an open window that the caller saw, and the layout the answers were
#: encoded in: so a view may store from its worker's cached copy (no SELECT first) and never
#: writes past a rotation, a closing or a grown layout made anywhere (then no row goes in).
_GUARDED_EIT_ROW = sa.insert(Response).from_select(
    ["assessment_id", "instrument", "submitted_on", "respondent_group", "answers"],
    sa.select(
        Assessment.id,
        sa.literal("EIT", Response.instrument.type),
        sa.bindparam("submitted_on", type_=Response.submitted_on.type),
        sa.bindparam("respondent_group", type_=Response.respondent_group.type),
        sa.bindparam("answers", type_=Response.answers.type),
    ).where(
        *_as_seen(),
        sa.exists().where(ResponseLayout.assessment_id == Assessment.id,
                          ResponseLayout.instrument == "EIT",
                          ResponseLayout.questions == sa.bindparam("layout")),
    ),
)
#: The same, saying whether a row went in (psycopg's rowcount of INSERT … SELECT is -1).
_GUARDED_EIT_INSERT = _GUARDED_EIT_ROW.returning(Response.id)


def _insert_alone(connection: sa.Connection, params: dict[str, object]) -> bool:
    """The guarded EIT INSERT as a transaction of its own (the caller's session has none open);
    whether a row went in.  In autocommit the database commits the one statement itself: on
    SQLite the write lock is taken and let go within the library's one call, which runs
    without the GIL, so no writer of another thread waits while this thread waits for the GIL
    between its INSERT and its COMMIT (PostgreSQL: one round trip instead of two)."""
    connection = connection.execution_options(isolation_level="AUTOCOMMIT")
    if connection.dialect.name == "sqlite":  # its rowcount is exact: no RETURNING, no fetch
        return connection.execute(_GUARDED_EIT_ROW, params).rowcount == 1
    return connection.execute(_GUARDED_EIT_INSERT, params).first() is not None


def store_eit_response(
    session: Session,
    assessment: Assessment,
    respondent_group: str,
    answers: Mapping[str, object],
    *,
    submitted_on: dt.date,
    now: dt.datetime | None = None,
) -> None:
    """Store one EIT response; commit.  Raises TamperedSubmission or WindowShut, or
    StaleAssessment when ``assessment`` (possibly a cached copy) no longer matches its row.

    One statement when this process knows the layout: the INSERT checks the row itself (and
    commits itself when the session has no transaction open, see _insert_alone)."""
    iset = assessment_set(assessment)
    if respondent_group not in {g.code for g in iset.respondent_groups}:
        raise TamperedSubmission(f"unknown respondent group: {respondent_group!r}")
    cleaned = _complete(iset, "EIT", answers)
    now = now or utcnow()
    _require_open(assessment, now)
    params = {
        **_seen(assessment, now),
        "submitted_on": submitted_on,
        "respondent_group": respondent_group,
    }
    known = known_layout(assessment.id, "EIT", cleaned)
    if known is not None and not (session.in_transaction() or session.new or session.dirty):
        with session.get_bind().connect() as alone:
            if _insert_alone(alone, {**params, "layout": " ".join(known),
                                     "answers": encode(known, cleaned)}):
                return
        known = None  # no row went in: the layout is read in a transaction, see below
    try:
        if session.new or session.dirty:
            session.flush()  # the INSERT reads the assessment row as this session has it
        connection = session.connection()

        def insert(layout: tuple[str, ...]) -> bool:
            return connection.execute(_GUARDED_EIT_INSERT, {
                **params, "layout": " ".join(layout), "answers": encode(layout, cleaned),
            }).first() is not None

        # This process's layout may be out of date (grown, or another database's): then the
        # INSERT takes nothing and the layout is read in this transaction.
        if (known is None or not insert(known)) and not insert(
                layout_for(connection, assessment.id, "EIT", cleaned)):
            raise StaleAssessment
        session.commit()
    except BaseException:
        session.rollback()
        raise
