"""The IIT ballot box and its mixer (the design and its limits are in SECURITY.md).

A submission redeems its code and drops the answers into ``ballot`` in ONE transaction
(``responses.store_iit_response``), so nothing acknowledged is lost and a code is used exactly
once.  That transaction necessarily ties the two rows together (same PostgreSQL transaction id,
same SQLite WAL commit), so the answers are not results yet.  :func:`mix_assessment` moves an
assessment's ballots into ``response`` only when at least K (``MIX_BATCH``) wait, or
all of them once the assessment has closed: in a new transaction, in an order drawn from the
operating system's random source, with response ids assigned in that shuffled order and one
day (the newest ballot's) for the whole batch.  :func:`erase_mixed_ballots` then removes what
is left of the deleted ballots: ``VACUUM ballot`` on PostgreSQL; on SQLite, ``secure_delete``
(set on every connection) has zeroed them and ``wal_checkpoint(TRUNCATE)`` empties the WAL.

Where the mixer runs: right after a submission commits (:func:`mix_after_submission`), when an
admin closes an assessment, on every request once an assessment's window has ended
(:func:`mix_closed_assessments`), and at start-up / ``ita mix`` for recovery
(:func:`mix_all_due`).  Each caller passes an engine: the mixer uses its own session, so it
never commits a view's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Assessment, Ballot, Response, utcnow
from .compact import encode, layout_for
from .instrument_sets import assessment_set

log = logging.getLogger(__name__)

#: Shuffles with os.urandom: the order of a mixed batch owes nothing to a seed or a clock.
_SHUFFLER = random.SystemRandom()

#: Longest wait of the SQLite checkpoint for a reader of an older snapshot (a respondent's
#: redirect waits for it), and how often a failed erase is retried on later requests.
CHECKPOINT_WAIT_MS = 2000
ERASE_RETRY_SECONDS = 30.0
_erase_owed_since: float | None = None  # this process's last erase that could not finish


def add_ballot(session: Session, assessment: Assessment, answers: Mapping[str, int], *,
               submitted_on: dt.date) -> None:
    """Put one IIT response into the box (the caller's redeem transaction commits it)."""
    session.add(Ballot(
        assessment_id=assessment.id, submitted_on=submitted_on,
        answers=json.dumps(dict(answers), separators=(",", ":"), sort_keys=True),
    ))
    session.flush()


def pending_counts(session: Session, assessment_ids: Iterable[int]) -> dict[int, int]:
    """Return, per assessment, how many ballots wait to be mixed (absent = none)."""
    ids = list(assessment_ids)
    if not ids:
        return {}
    rows = session.execute(
        sa.select(Ballot.assessment_id, sa.func.count())
        .where(Ballot.assessment_id.in_(ids)).group_by(Ballot.assessment_id)
    )
    return {a: n for a, n in rows}


def pending_count(session: Session, assessment_id: int) -> int:
    return pending_counts(session, [assessment_id]).get(assessment_id, 0)


def mix_assessment(engine: sa.Engine, assessment_id: int, *, minimum: int) -> int:
    """Mix the assessment's ballots into ``response`` if at least ``minimum`` wait; commit.

    One transaction: the ballots are claimed with ``DELETE … RETURNING`` (a concurrent mixer
    blocks on the same rows, then finds them gone), shuffled, and inserted as compact responses
    (``compact.py``) in that order, so ids follow the shuffle and not the arrival; every
    response of the batch gets the day of the batch's newest ballot.  Returns how many were mixed (0 when
    fewer than ``minimum`` waited: then nothing changes).  The caller erases afterwards.
    """
    minimum = max(minimum, 1)
    with Session(engine) as session:
        try:
            if pending_count(session, assessment_id) < minimum:
                session.rollback()
                return 0
            claimed = session.execute(
                sa.delete(Ballot).where(Ballot.assessment_id == assessment_id)
                .returning(Ballot.submitted_on, Ballot.answers)
            ).all()
            if len(claimed) < minimum:  # another mixer took some first
                session.rollback()
                return 0
            batch = list(claimed)
            _SHUFFLER.shuffle(batch)
            day = max(b.submitted_on for b in batch)
            given = [json.loads(ballot.answers) for ballot in batch]
            connection = session.connection()
            # A new layout takes the questionnaire's order (then any other column given).
            columns = assessment_set(session.get(Assessment, assessment_id)).columns_for("IIT")
            layout = layout_for(connection, assessment_id, "IIT",
                                [*columns, *(q for answers in given for q in answers)])
            # One multi-row insert in the shuffled order: ids are assigned in that order.
            connection.execute(sa.insert(Response), [
                {"assessment_id": assessment_id, "instrument": "IIT", "submitted_on": day,
                 "respondent_group": None, "answers": encode(layout, answers)}
                for answers in given])
            session.commit()
        except BaseException:
            session.rollback()
            raise
    log.info("mixed %d IIT ballots of assessment %d into the responses", len(batch),
             assessment_id)
    return len(batch)


def erase_mixed_ballots(engine: sa.Engine) -> bool:
    """Remove what the database keeps of deleted ballots; return True when it could.

    PostgreSQL: ``VACUUM ballot`` on an autocommit connection (VACUUM cannot run inside a
    transaction) frees the dead rows and truncates empty pages; it cannot free rows that an
    older, still open transaction may see: then (``n_dead_tup`` > 0) it reports False and a
    later request, mix or ``ita mix`` tries again.  SQLite: every
    connection runs with ``secure_delete=ON``, so the deleted cells are already zeros in their
    pages; ``wal_checkpoint(TRUNCATE)`` copies those pages into the database file and empties
    the WAL, which held the redeem commits.  It waits (busy timeout) for readers of an older
    snapshot and reports False if one outlasts it; the next mix or ``ita mix`` tries again.
    """
    if engine.dialect.name == "postgresql":
        return _owed(_vacuum_ballots(engine))
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as conn:
        wait = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        conn.exec_driver_sql(f"PRAGMA busy_timeout={min(int(wait), CHECKPOINT_WAIT_MS)}")
        try:
            busy, _log_frames, _checkpointed = conn.exec_driver_sql(
                "PRAGMA wal_checkpoint(TRUNCATE)").one()
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait)}")
            conn.rollback()
    if busy:
        log.warning("the SQLite WAL could not be emptied (a reader held an old snapshot); "
                    "a later request, the next mix or `ita mix` tries again")
    return _owed(not busy)


def _vacuum_ballots(engine: sa.Engine) -> bool:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # VACUUM by a role that does not own the table only warns and does nothing.
        if not conn.exec_driver_sql(
                "SELECT pg_has_role(relowner, 'USAGE') FROM pg_class "
                "WHERE oid = 'ballot'::regclass").scalar():
            log.error("cannot VACUUM the ballot table: the database role does not own it "
                      "(run the app as the role that ran `ita db upgrade`); see SECURITY.md")
            return False
        conn.exec_driver_sql("VACUUM ballot")
        # VACUUM reports what it had to keep because an older snapshot may still see it.
        dead = conn.exec_driver_sql(
            "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'ballot'::regclass"
        ).scalar()
    if dead:
        log.warning("VACUUM kept %d deleted ballots that an open transaction may still see; "
                    "a later request, the next mix or `ita mix` tries again", dead)
    return not dead


def _owed(done: bool) -> bool:
    """Remember an erase that could not finish, for :func:`retry_owed_erase`."""
    global _erase_owed_since
    _erase_owed_since = None if done else time.monotonic()
    return done


def retry_owed_erase(engine: sa.Engine) -> bool | None:
    """Erase again if this process's last erase could not finish (at most every
    ``ERASE_RETRY_SECONDS``); None when nothing is owed or it is not yet time."""
    if _erase_owed_since is None or time.monotonic() - _erase_owed_since < ERASE_RETRY_SECONDS:
        return None
    return erase_mixed_ballots(engine)


def mix_after_submission(engine: sa.Engine, assessment_id: int, *, batch_size: int) -> int:
    """Mix once at least ``batch_size`` ballots wait, then erase (after the redeem commit).

    A failure here loses nothing (the ballots stay in the box for the next mix), so it is
    logged and swallowed: the respondent's answers are already safe.
    """
    try:
        mixed = mix_assessment(engine, assessment_id, minimum=batch_size)
        if mixed:
            erase_mixed_ballots(engine)
        return mixed
    except sa.exc.SQLAlchemyError:
        log.exception("mixing assessment %d failed; its ballots stay in the box", assessment_id)
        return 0


def mix_remaining(engine: sa.Engine, assessment_id: int) -> int:
    """Mix every ballot left (the assessment has closed), however few; then erase."""
    mixed = mix_assessment(engine, assessment_id, minimum=1)
    if mixed:
        erase_mixed_ballots(engine)
    return mixed


def _assessments_with_ballots(session: Session, now: dt.datetime) -> list[tuple[int, bool]]:
    """Return (assessment id, window ended) for every assessment with ballots waiting."""
    query = (sa.select(Assessment.id, Assessment.closes_at)
             .where(sa.exists().where(Ballot.assessment_id == Assessment.id)))
    return [(a, closes_at <= now) for a, closes_at in session.execute(query)]


def mix_closed_assessments(engine: sa.Engine, now: dt.datetime | None = None) -> int:
    """Mix the remainder of every assessment whose window has ended (one query when none);
    retry an erase this process still owes.

    Runs before every request, so the check is one Core query on a pooled connection (no ORM
    session): ``assessment.closes_at`` has no index, but the query only visits assessments
    and looks up ``ballot`` by its ``assessment_id`` index.
    """
    with engine.connect() as conn:
        due = conn.execute(
            sa.select(Assessment.id)
            .where(Assessment.closes_at <= (now or utcnow()),
                   sa.exists().where(Ballot.assessment_id == Assessment.id))
        ).scalars().all()
        conn.rollback()
    mixed = sum(mix_assessment(engine, a, minimum=1) for a in due)
    if mixed:
        erase_mixed_ballots(engine)
    else:
        retry_owed_erase(engine)
    return mixed


@dataclass(frozen=True)
class MixReport:
    mixed: dict[int, int]  # assessment id → ballots mixed now
    waiting: dict[int, int]  # assessment id → ballots still waiting (open, fewer than K)
    erased: bool


def mix_all_due(engine: sa.Engine, *, batch_size: int, now: dt.datetime | None = None
                ) -> MixReport:
    """Recovery (start-up, ``ita mix``): mix every open assessment with at least
    ``batch_size`` ballots waiting and the remainder of every closed one, then erase (always,
    also when nothing was mixed, in case an earlier erase was interrupted by a crash)."""
    with Session(engine) as session:
        found = _assessments_with_ballots(session, now or utcnow())
    mixed: dict[int, int] = {}
    for assessment_id, closed in found:
        n = mix_assessment(engine, assessment_id, minimum=1 if closed else batch_size)
        if n:
            mixed[assessment_id] = n
    erased = erase_mixed_ballots(engine)
    with Session(engine) as session:
        waiting = pending_counts(session, [a for a, _closed in found])
    return MixReport(mixed=mixed, waiting=waiting, erased=erased)
