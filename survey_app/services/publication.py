"""Publication: when collected answers reach scores, distributions and exports (SECURITY.md).

An admin who can mint codes (or keeps unused slips) and watches the results can isolate one
answer from any stream of small increments, so the results are not a stream:

- **IIT** answers are released once, all together, when the assessment closes.  While it is open
  the console shows how many have arrived (progress against the minimum sample), nothing of
  their content.
- **EIT** answers are released in shuffled batches of at least K (``ITA_MIX_BATCH``) while the
  assessment is open, each with one day (the batch's newest), and the rest at the close.
- After a close has released answers (``assessment.published_at``), only a system admin reopens
  the assessment, with a reason (:func:`reopen`); what arrives afterwards is released at a later
  close only if at least K wait, else it stays withheld, counted and shown as withheld.

Every reader of ``response`` that feeds a figure or an export filters on :data:`PUBLISHED`
(``exports._response_batches``), and the stored result's fingerprint counts only published
answers (:func:`marks`), so every page, export, supervisor view and document follows.  The
releases are made by the serialized mixer (``ballots.run_pass``), never in a request.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Assessment, AssessmentReopening, AuditEvent, Ballot, Publication, Response, utcnow
from .id_lists import among, rows_of

#: The filter every reader of figures and exports puts on ``response``.
PUBLISHED = Response.publication_id.is_not(None)

_SHUFFLER = random.SystemRandom()

#: Shortest reason accepted for reopening a published assessment.
REASON_MIN_CHARS = 10


def marks(session: Session, assessment_id: int) -> dict[str, list[int]]:
    """Instrument → [published responses, newest publication id]: what the result's
    fingerprint reads (a few rows at any size: published sets only grow by publications)."""
    rows = session.execute(
        sa.select(Publication.instrument, sa.func.sum(Publication.responses),
                  sa.func.max(Publication.id))
        .where(Publication.assessment_id == assessment_id).group_by(Publication.instrument))
    return {instrument: [int(n), int(top)] for instrument, n, top in rows}


def marks_of(session: Session, assessment_ids: Iterable[int]) -> dict[int, dict[str, list[int]]]:
    """Assessment id → :func:`marks` (absent: nothing published), in one query per chunk."""
    ids = list(assessment_ids)
    found: dict[int, dict[str, list[int]]] = {}
    for k in range(0, len(ids), 5000):
        rows = rows_of(session,
            sa.select(Publication.assessment_id, Publication.instrument,
                      sa.func.sum(Publication.responses), sa.func.max(Publication.id))
            .where(among(session, Publication.assessment_id, ids[k:k + 5000]))
            .group_by(Publication.assessment_id, Publication.instrument))
        for assessment_id, instrument, n, top in rows:
            found.setdefault(assessment_id, {})[instrument] = [int(n), int(top)]
    return found


def published_counts(session: Session, assessment_id: int) -> dict[str, int]:
    """{"IIT": n, "EIT": n}: the responses the results and exports hold."""
    found = marks(session, assessment_id)
    return {i: found.get(i, [0])[0] for i in ("IIT", "EIT")}


def unpublished_counts(session: Session, assessment_ids: Iterable[int] | None = None
                       ) -> dict[int, dict[str, int]]:
    """Assessment id → {"IIT": n, "EIT": n} of stored responses not yet published (absent:
    none); every assessment when ``assessment_ids`` is None (the index on publication_id)."""
    query = (sa.select(Response.assessment_id, Response.instrument, sa.func.count())
             .where(Response.publication_id.is_(None))
             .group_by(Response.assessment_id, Response.instrument))
    if assessment_ids is not None:
        ids = list(assessment_ids)
        if not ids:
            return {}
        query = query.where(Response.assessment_id.in_(ids))
    found: dict[int, dict[str, int]] = {}
    for assessment_id, instrument, n in session.execute(query):
        found.setdefault(assessment_id, {"IIT": 0, "EIT": 0})[instrument] = int(n)
    return found


def _release(session: Session, assessment_id: int, instrument: str, *, at_close: bool,
             now: dt.datetime) -> int:
    """Publish every unpublished response of one instrument in the caller's transaction.

    EIT rows (stored one by one, ids in arrival order) are claimed with ``DELETE … RETURNING``
    and inserted again in a random order with the batch's newest day, so neither the order nor
    the day of an export says which of the batch came when.  IIT rows were already shuffled into
    batches by the mixer: they are only marked.
    """
    publication = Publication(assessment_id=assessment_id, instrument=instrument, responses=0,
                              at_close=at_close, published_at=now)
    session.add(publication)
    session.flush()
    unpublished = ((Response.assessment_id == assessment_id)
                   & (Response.instrument == instrument) & Response.publication_id.is_(None))
    if instrument == "IIT":
        n = session.execute(sa.update(Response).where(unpublished)
                            .values(publication_id=publication.id)).rowcount
    else:
        claimed = session.execute(
            sa.delete(Response).where(unpublished).returning(
                Response.submitted_on, Response.respondent_group, Response.answers)).all()
        batch = list(claimed)
        _SHUFFLER.shuffle(batch)
        n = len(batch)
        if batch:
            day = max(row.submitted_on for row in batch)
            session.connection().execute(sa.insert(Response), [
                {"assessment_id": assessment_id, "instrument": "EIT", "submitted_on": day,
                 "respondent_group": row.respondent_group, "answers": row.answers,
                 "publication_id": publication.id} for row in batch])
    if not n:
        session.delete(publication)
        return 0
    publication.responses = n
    return n


def release_due(session: Session, *, batch_size: int, now: dt.datetime | None = None
                ) -> dict[int, dict[str, int]]:
    """Publish what the rules allow now; commit.  Returns assessment id → {instrument: n}.

    Open (or not yet open) assessments: EIT once at least ``batch_size`` wait.  Closed ones with
    no ballot left in the box: at the first close everything; after a reopening, each
    instrument only if at least ``batch_size`` wait (otherwise they stay withheld).
    """
    now = now or utcnow()
    batch_size = max(batch_size, 1)
    waiting = unpublished_counts(session)
    released: dict[int, dict[str, int]] = {}
    for assessment_id, counts in sorted(waiting.items()):
        assessment = session.get(Assessment, assessment_id)
        closed = assessment.closes_at <= now
        if closed and session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(
                Ballot.assessment_id == assessment_id)):
            continue  # the mixer moves the last ballots first
        first_close = closed and assessment.published_at is None
        for instrument in ("IIT", "EIT"):
            n = counts.get(instrument, 0)
            if not n:
                continue
            if closed and not (first_close or n >= batch_size):
                continue  # withheld: fewer than K arrived after a reopening
            if not closed and (instrument == "IIT" or n < batch_size):
                continue
            done = _release(session, assessment_id, instrument, at_close=closed, now=now)
            if done:
                released.setdefault(assessment_id, {})[instrument] = done
        if first_close and released.get(assessment_id):
            assessment.published_at = now
    session.commit()
    return released


# -- reopening and what the assessment page shows ------------------------------------------------


def reopen_needs_reason(assessment: Assessment) -> bool:
    """Whether opening ``assessment`` again is a system admin's action with a reason: a close
    has released its answers."""
    return assessment.published_at is not None


def window_reopens(assessment: Assessment, closes_at: dt.datetime,
                   now: dt.datetime | None = None) -> bool:
    """Whether moving the closing time to ``closes_at`` would open a published, closed
    assessment again (an edit may not do what "open now" may not)."""
    now = now or utcnow()
    return (reopen_needs_reason(assessment) and assessment.closes_at <= now
            and closes_at > now)


def reopen(session: Session, assessment: Assessment, *, username: str, reason: str,
           now: dt.datetime | None = None) -> AssessmentReopening:
    """Record a reopening (the caller opens the window, audits and commits)."""
    reason = " ".join(reason.split())
    if len(reason) < REASON_MIN_CHARS:
        raise ValueError("a reason is required")
    record = AssessmentReopening(assessment_id=assessment.id, username=username, reason=reason,
                                 reopened_at=now or utcnow())
    session.add(record)
    session.flush()
    return record


def reopenings(session: Session, assessment: Assessment) -> list[AssessmentReopening]:
    return list(session.scalars(
        sa.select(AssessmentReopening).where(AssessmentReopening.assessment_id == assessment.id)
        .order_by(AssessmentReopening.reopened_at)))


def code_sheets_after_opening(session: Session, assessment: Assessment, label: str
                              ) -> list[AuditEvent]:
    """The audit log's code sheets made for this assessment after it opened (each batch of codes
    made while answers come in is a chance to flood; the supervising office sees them)."""
    return list(session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "codes_generate",
                                    AuditEvent.agency_id == assessment.agency_id,
                                    AuditEvent.target == label[:255],
                                    AuditEvent.at >= assessment.opens_at)
        .order_by(AuditEvent.at)))


@dataclass(frozen=True)
class PublicationStatus:
    """What the console says about an assessment's publication (the dashboard's partial)."""

    closed: bool
    published_at: dt.datetime | None
    iit_received: int  # answers in, mixed or not (moves with the codes used: no more)
    iit_published: int
    iit_withheld: int  # closed: not released (fewer than K after a reopening)
    eit_published: int
    eit_unpublished: int  # open: waiting for a batch of K; closed: withheld
    batch_size: int

    @property
    def iit_included(self) -> bool:
        """Whether the scores include IIT answers (some were released at a close)."""
        return self.iit_published > 0


def publication_status(session: Session, assessment: Assessment, *, batch_size: int,
                       now: dt.datetime | None = None) -> PublicationStatus:
    now = now or utcnow()
    published = marks(session, assessment.id)
    waiting = unpublished_counts(session, [assessment.id]).get(assessment.id, {})
    in_box = session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(
        Ballot.assessment_id == assessment.id)) or 0
    iit_published = published.get("IIT", [0])[0]
    closed = assessment.closes_at <= now
    return PublicationStatus(
        closed=closed, published_at=assessment.published_at,
        iit_received=iit_published + waiting.get("IIT", 0) + in_box,
        iit_published=iit_published,
        iit_withheld=waiting.get("IIT", 0) if closed else 0,
        eit_published=published.get("EIT", [0])[0],
        eit_unpublished=waiting.get("EIT", 0), batch_size=batch_size)
