"""Assessments: creating one, its answer window and the one vocabulary for its state.

:class:`AssessmentState` is the only place that compares the clock with an assessment's window;
the console, the results pages and the respondent flow all ask :func:`assessment_state`.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import secrets
import threading
import time
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from ..models import Agency, Assessment, ResponseTally, RetiredPublicToken, utcnow
from ..quarters import buddhist_year
from .id_lists import among, rows_of
from .instrument_sets import assessment_set, pin_set

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


#: Bumped whenever a session of this process flushes or commits a change to an assessment or
#: an agency: every cached lookup taken before is then stale.
_GENERATION = itertools.count(1)
_generation = 0


def _bump() -> None:
    global _generation
    _generation = next(_GENERATION)


@sa.event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context) -> None:
    changed = itertools.chain(session.new, session.dirty, session.deleted)
    if any(isinstance(obj, (Assessment, Agency)) for obj in changed):
        session.info["ita_assessment_changed"] = True
        _bump()  # now, and again at commit: a lookup between the two may read the old row


@sa.event.listens_for(Session, "after_commit")
def _note_commit(session: Session) -> None:
    if session.info.pop("ita_assessment_changed", False):
        _bump()


def _same_rows(cached: Assessment, read: Assessment) -> bool:
    """Whether ``read`` (just read) holds the same assessment and agency values as ``cached``."""
    return all(getattr(cached, k) == getattr(read, k) for k in _ASSESSMENT_COLUMNS) and all(
        getattr(cached.agency, k) == getattr(read.agency, k) for k in _AGENCY_COLUMNS)


_ASSESSMENT_COLUMNS = tuple(a.key for a in sa.inspect(Assessment).column_attrs)
_AGENCY_COLUMNS = tuple(a.key for a in sa.inspect(Agency).column_attrs)


class AssessmentCache:
    """The respondent pages' lookup of an assessment by its public token, kept per worker.

    An entry is the detached assessment with its agency (read-only: nothing writes through it)
    and is used for at most ``seconds`` and only while no session of this process has changed
    an assessment or agency since it was read; so a rotation or a closing done in this worker
    takes effect on its next request, and one done in another worker (or by the CLI) within
    ``seconds``.  Writes never rely on it alone: :meth:`get` with ``fresh=True`` reads the row
    (the IIT answers' POST asks for that), and an EIT answer stored from a cached copy is
    inserted only if the row still matches it (``store_eit_response``; otherwise the view reads
    the row and decides again).  Unknown tokens are not kept.
    """

    def __init__(self, seconds: float, max_entries: int = 4096):
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[Assessment, int, float]] = {}
        self._lock = threading.Lock()

    def kept(self, token: str) -> Assessment | None:
        """The copy :meth:`get` would return without reading (None: it would read the row)."""
        entry = self._entries.get(token)
        if (entry is not None and self.seconds > 0 and entry[1] == _generation
                and time.monotonic() - entry[2] < self.seconds):
            return entry[0]
        return None

    def get(self, session: Session, token: str, *, fresh: bool = False) -> Assessment | None:
        if not fresh and (kept := self.kept(token)) is not None:
            return kept
        now = time.monotonic()
        entry = self._entries.get(token)
        generation = _generation
        assessment = assessment_by_token(session, token)
        if assessment is None or self.seconds <= 0 or session.is_modified(assessment):
            return assessment
        if entry is not None and _same_rows(entry[0], assessment):
            # The row as cached: keep the cached object (what was built for it, such as a
            # worker's blank page, stays valid), now known to be current.
            with self._lock:
                self._entries[token] = (entry[0], generation, now)
            return entry[0]
        assessment_set(assessment)  # parsed once, so the detached copy needs no session
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[token] = (assessment, generation, now)
        session.expunge(assessment)  # shared read-only between this worker's threads
        session.expunge(assessment.agency)
        return assessment

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


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
    return buddhist_year(local_now) + (1 if local_now.month >= 10 else 0)


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
    rows = rows_of(session,
        sa.select(ResponseTally.assessment_id, ResponseTally.instrument,
                  sa.func.sum(ResponseTally.responses))
        .where(among(session, ResponseTally.assessment_id, ids))
        .group_by(ResponseTally.assessment_id, ResponseTally.instrument)
    )
    for assessment_id, instrument, n in rows:
        counts[assessment_id][instrument] = int(n)
    return counts


def response_counts(session: Session, assessment: Assessment) -> dict[str, int]:
    """Return {"IIT": n, "EIT": n}: the stored responses of one assessment."""
    return response_counts_by_assessment(session, [assessment.id])[assessment.id]
