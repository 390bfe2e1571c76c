"""The audit log: record who did what, and read it back a page at a time."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import AuditEvent, User

PER_PAGE = 50


def record(session: Session, user: User | None, action: str, *, target: str = "",
           detail: str = "", agency_id: int | None = None, username: str | None = None
           ) -> AuditEvent:
    """Add an audit event for ``user`` (None: someone not signed in); the caller commits.

    ``username`` names an actor without an account (``"(cli)"``); it defaults to the user's.
    """
    if username is None:
        username = user.username if user is not None else "-"
    event = AuditEvent(user_id=user.id if user is not None else None, username=username,
                       action=action, agency_id=agency_id, target=target[:255], detail=detail)
    session.add(event)
    return event


def audit_page(session: Session, *, page: int, per_page: int = PER_PAGE,
               agency_id: int | None = None) -> tuple[list[AuditEvent], int]:
    """Return one page of the audit log, newest first, and the number of events."""
    query = sa.select(AuditEvent)
    if agency_id is not None:
        query = query.where(AuditEvent.agency_id == agency_id)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    events = list(session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                                  .limit(per_page).offset((page - 1) * per_page)))
    return events, total
