"""The IIT ballot box and its mixer (the design and its limits are in SECURITY.md).

A submission redeems its code and drops the answers into ``ballot`` in ONE transaction
(``responses.store_iit_response``), so nothing acknowledged is lost and a code is used exactly
once.  That transaction necessarily ties the two rows together (same PostgreSQL transaction id,
same SQLite WAL commit), so the answers are not results yet.  :func:`mix_assessment` moves an
assessment's ballots into ``response`` only when at least K (``MIX_BATCH``) wait, or
all of them once the assessment has closed: in a new transaction, in an order drawn from the
operating system's random source, with response ids assigned in that shuffled order and one
day (the newest ballot's) for the whole batch.  :func:`erase_mixed_ballots` then removes what
is left of the deleted ballots: on PostgreSQL ``VACUUM ballot`` then ``VACUUM FULL ballot``
(the table, its indexes and its TOAST rewritten into new files, so no page keeps a deleted
ballot in its free space); on SQLite, ``secure_delete`` (set on every connection) has zeroed
them and ``wal_checkpoint(TRUNCATE)`` empties the WAL.  An erase not yet done is recorded in
``mixer_state`` (in the mixing transaction itself), so any process retries it.

Where the mixer runs: only in :func:`run_pass`, one at a time (a PostgreSQL advisory lock; on
SQLite an exclusive lock on a file beside the database), never in a respondent's request: by
``ita mix`` (one pass), ``ita mix --watch`` and the thread ``ita serve`` starts
(:func:`start_watcher`, every few seconds), and by an admin's "close now" (a pass that skips at
once if another is running).  A pass mixes, erases (or retries an erase owed) and then releases
what may be published (``publication.release_due``); once out of the lock it stores the result
of every assessment it published (``results.refresh_results``), so no viewer computes it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import random
import threading
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Assessment, Ballot, MixerState, Response, utcnow
from .compact import encode, layout_for
from .instrument_sets import assessment_set

log = logging.getLogger(__name__)

#: Shuffles with os.urandom: the order of a mixed batch owes nothing to a seed or a clock.
_SHUFFLER = random.SystemRandom()

#: Longest wait of the SQLite checkpoint for a reader of an older snapshot.
CHECKPOINT_WAIT_MS = 2000
#: Longest wait of the mixer for a lock on PostgreSQL (its DELETE, its VACUUM FULL): it then
#: gives up and the next pass tries again; a respondent's insert queued behind VACUUM FULL's
#: lock request waits at most this long.
MIXER_LOCK_TIMEOUT_MS = 500
#: Seconds between passes of ``ita mix --watch`` and of the thread ``ita serve`` starts.
DEFAULT_INTERVAL = 2.0
#: The advisory lock key of the one mixer (PostgreSQL): "ITAMIX" in ASCII.
ADVISORY_KEY = 0x4954414D4958
STATE = "erase"


def add_ballot(session: Session, assessment: Assessment, answers: Mapping[str, int], *,
               submitted_on: dt.date) -> None:
    """Put one IIT response into the box (the caller's redeem transaction commits it): a Core
    INSERT, no ORM object."""
    session.connection().execute(_INSERT_BALLOT, {
        "assessment_id": assessment.id, "submitted_on": submitted_on,
        "answers": json.dumps(dict(answers), separators=(",", ":"), sort_keys=True),
    })


_INSERT_BALLOT = sa.insert(Ballot)


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
    response of the batch gets the day of the batch's newest ballot.  The same transaction
    records that an erase is owed (``mixer_state``).  Returns how many were mixed (0 when
    fewer than ``minimum`` waited: then nothing changes).  The caller erases afterwards.
    """
    minimum = max(minimum, 1)
    with Session(engine) as session:
        try:
            if pending_count(session, assessment_id) < minimum:
                session.rollback()
                return 0
            if engine.dialect.name == "postgresql":
                session.execute(sa.text(f"SET LOCAL lock_timeout = {MIXER_LOCK_TIMEOUT_MS}"))
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
            _mark_owed(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    log.info("mixed %d IIT ballots of assessment %d into the responses", len(batch),
             assessment_id)
    return len(batch)


# -- the erase, and the erase owed -----------------------------------------------------------


def _mark_owed(session: Session) -> None:
    state = session.get(MixerState, STATE)
    if state is None:
        session.add(MixerState(name=STATE, erase_owed_since=utcnow(), last_error="",
                               attempts=0))
    elif state.erase_owed_since is None:
        state.erase_owed_since = utcnow()
        state.attempts = 0
        state.last_error = ""


def erase_owed(engine: sa.Engine) -> MixerState | None:
    """The erase still owed (since when, how often tried, the last reason), or None."""
    with Session(engine) as session:
        state = session.get(MixerState, STATE)
        if state is None or state.erase_owed_since is None:
            return None
        session.expunge(state)
        return state


def erase_mixed_ballots(engine: sa.Engine) -> bool:
    """Remove what the database keeps of deleted ballots; return True when it could.

    PostgreSQL: ``VACUUM ballot`` (autocommit: VACUUM cannot run in a transaction) removes the
    dead rows unless an older, still open transaction may see them (``n_dead_tup`` > 0: then
    it reports False).  Once none is left, ``VACUUM FULL ballot`` writes the waiting ballots
    into new files for the table, its indexes and its TOAST table and unlinks the old ones, so
    no page keeps a deleted ballot's bytes in its free space (it waits at most
    ``MIXER_LOCK_TIMEOUT_MS`` for its lock).  SQLite: every connection runs with
    ``secure_delete=ON``, so the deleted cells are already zeros in their pages;
    ``wal_checkpoint(TRUNCATE)`` copies those pages into the database file and empties the
    WAL, which held the redeem commits; a reader of an older snapshot makes it report False.
    A False leaves the erase owed in ``mixer_state``; True clears it.
    """
    try:
        if engine.dialect.name == "postgresql":
            done, why = _vacuum_ballots(engine)
        elif engine.dialect.name == "sqlite":
            done, why = _checkpoint(engine)
        else:
            done, why = True, ""
    except sa.exc.SQLAlchemyError as exc:
        done, why = False, type(exc.orig or exc).__name__ + ": " + str(exc.orig or exc)[:200]
    _record_erase(engine, done, why)
    if done and engine.dialect.name == "sqlite":
        _checkpoint(engine)  # the cleared mark's own page, best effort
    return done


def _record_erase(engine: sa.Engine, done: bool, why: str) -> None:
    with Session(engine) as session:
        state = session.get(MixerState, STATE)
        if done:
            if state is not None and state.erase_owed_since is not None:
                state.erase_owed_since = None
                state.attempts = 0
                state.last_error = ""
                session.commit()
            return
        log.warning("the mixed ballots could not be erased yet (%s); the mixer tries again",
                    why)
        if state is None:
            state = MixerState(name=STATE, erase_owed_since=utcnow(), attempts=0,
                               last_error="")
            session.add(state)
        state.erase_owed_since = state.erase_owed_since or utcnow()
        state.attempts = (state.attempts or 0) + 1
        state.last_error = why
        session.commit()


def _checkpoint(engine: sa.Engine) -> tuple[bool, str]:
    with engine.connect() as conn:
        wait = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        conn.exec_driver_sql(f"PRAGMA busy_timeout={min(int(wait), CHECKPOINT_WAIT_MS)}")
        try:
            busy, _log_frames, _checkpointed = conn.exec_driver_sql(
                "PRAGMA wal_checkpoint(TRUNCATE)").one()
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait)}")
            conn.rollback()
    return (not busy, "a reader holds an older snapshot of the SQLite database" if busy else "")


def _vacuum_ballots(engine: sa.Engine) -> tuple[bool, str]:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # VACUUM by a role that does not own the table only warns and does nothing.
        if not conn.exec_driver_sql(
                "SELECT pg_has_role(relowner, 'USAGE') FROM pg_class "
                "WHERE oid = 'ballot'::regclass").scalar():
            log.error("cannot VACUUM the ballot table: the database role does not own it "
                      "(run the app as the role that ran `ita db upgrade`); see SECURITY.md")
            return False, "the database role does not own the ballot table"
        conn.exec_driver_sql("VACUUM ballot")
        # VACUUM reports what it had to keep because an older snapshot may still see it.
        dead = conn.exec_driver_sql(
            "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'ballot'::regclass"
        ).scalar()
        if dead:
            return False, f"an open transaction may still see {dead} deleted ballots"
        conn.exec_driver_sql(f"SET lock_timeout = {MIXER_LOCK_TIMEOUT_MS}")
        try:
            conn.exec_driver_sql("VACUUM FULL ballot")
        finally:
            conn.exec_driver_sql("RESET lock_timeout")
    return True, ""


def _assessments_with_ballots(session: Session, now: dt.datetime) -> list[tuple[int, bool]]:
    """Return (assessment id, window ended) for every assessment with ballots waiting."""
    query = (sa.select(Assessment.id, Assessment.closes_at)
             .where(sa.exists().where(Ballot.assessment_id == Assessment.id)))
    return [(a, closes_at <= now) for a, closes_at in session.execute(query)]


# -- one pass of the one mixer -----------------------------------------------------------------


@dataclass(frozen=True)
class MixReport:
    mixed: dict[int, int]  # assessment id → ballots mixed now
    waiting: dict[int, int]  # assessment id → ballots still waiting (open, fewer than K)
    erased: bool  # no erase is owed after this pass
    published: dict[int, dict[str, int]] = field(default_factory=dict)
    busy: bool = False  # another mixer was running: this pass did nothing
    #: assessments whose result was stored again right after their publication
    refreshed: tuple[int, ...] = ()


@contextmanager
def mixer_lock(engine: sa.Engine):
    """Hold the one mixer's lock, or yield False at once if another process or thread has it.

    PostgreSQL: a session advisory lock on a connection of its own (released with the
    connection if the process dies).  SQLite: an exclusive ``flock`` on ``<database>.mixer``
    beside the file (released by the kernel if the process dies), and a lock for the threads
    of this process."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            got = conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({ADVISORY_KEY})").scalar()
            conn.commit()
            try:
                yield bool(got)
            finally:
                if got:
                    conn.exec_driver_sql(f"SELECT pg_advisory_unlock({ADVISORY_KEY})")
                    conn.commit()
        return
    if not _THREAD_LOCK.acquire(blocking=False):
        yield False
        return
    try:
        database = engine.url.database
        if not database or database == ":memory:":
            yield True
            return
        with open(f"{database}.mixer", "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        _THREAD_LOCK.release()


_THREAD_LOCK = threading.Lock()


def run_pass(engine: sa.Engine, *, batch_size: int, now: dt.datetime | None = None
             ) -> MixReport:
    """One pass of the mixer: mix every open assessment with at least ``batch_size`` ballots
    waiting and the remainder of every closed one, erase if anything was mixed or an erase is
    owed, then publish what may be (``publication.release_due``).  Skips at once (``busy``)
    when another pass holds the lock; never waits for one."""
    from . import publication, results

    with mixer_lock(engine) as mine:
        if not mine:
            return MixReport(mixed={}, waiting={}, erased=erase_owed(engine) is None,
                             busy=True)
        now = now or utcnow()
        with Session(engine) as session:
            found = _assessments_with_ballots(session, now)
        mixed: dict[int, int] = {}
        for assessment_id, closed in found:
            try:
                n = mix_assessment(engine, assessment_id, minimum=1 if closed else batch_size)
            except sa.exc.OperationalError as exc:  # a lock not granted in time: next pass
                log.warning("mixing assessment %d waits for the next pass: %s", assessment_id,
                            str(exc.orig)[:200])
                continue
            if n:
                mixed[assessment_id] = n
        erased = True
        if mixed or erase_owed(engine) is not None:
            erased = erase_mixed_ballots(engine)
        with Session(engine) as session:
            published = publication.release_due(session, batch_size=batch_size, now=now)
            waiting = pending_counts(session, [a for a, _closed in found])
    # Out of the lock (the next pass is not held up by it): the results of what was published
    # are computed and stored now, so the first viewer after a publication reads a stored one.
    refreshed = tuple(results.refresh_results(engine, published)) if published else ()
    return MixReport(mixed=mixed, waiting=waiting, erased=erased, published=published,
                     refreshed=refreshed)


def mix_all_due(engine: sa.Engine, *, batch_size: int, now: dt.datetime | None = None
                ) -> MixReport:
    """Recovery (start-up, ``ita mix``): a pass that also tries the erase when none is owed
    (in case an earlier one was interrupted before it could record it)."""
    report = run_pass(engine, batch_size=batch_size, now=now)
    if not report.busy and report.erased and not report.mixed:
        return MixReport(mixed=report.mixed, waiting=report.waiting,
                         erased=erase_mixed_ballots(engine), published=report.published,
                         refreshed=report.refreshed)
    return report


def start_watcher(engine: sa.Engine, *, batch_size: int, interval: float = DEFAULT_INTERVAL,
                  on_report=None):
    """Run :func:`run_pass` every ``interval`` seconds in a daemon thread; return a function
    that stops it.  A failing pass is logged and tried again at the next tick."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                report = run_pass(engine, batch_size=batch_size)
                if on_report is not None:
                    on_report(report)
            except Exception:
                log.exception("a mixer pass failed; the next one tries again")
            stop.wait(interval)

    thread = threading.Thread(target=loop, name="ita-mixer", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(30)

    return halt
