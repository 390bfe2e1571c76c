"""Who may see and change what in the console.

Every view, export and form goes through these helpers: an account sees only its agency and the
agencies below it (a system admin sees all: :func:`services.agencies.agency_scope`), a viewer
changes nothing, and an agency outside the account's scope answers 404 as if it did not exist,
so that its existence does not leak either.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from flask import abort, current_app
from flask_login import current_user

from ..extensions import db, login_manager
from ..models import Agency, Assessment, Role, User
from ..services.accounts import user_for_session
from ..services.agencies import in_scope
from ..services.audit import record


def load_user(session_token: str) -> User | None:
    """The account of a live server-side sign-in (none after logout or a password change).

    The login manager's user loader, registered by ``register_extensions``."""
    return user_for_session(db.session, session_token, max_age=session_max_age())


def session_max_age() -> dt.timedelta:
    return dt.timedelta(hours=float(current_app.config["ADMIN_SESSION_HOURS"]))


def agency_or_404(agency_id: int, *, write: bool = False) -> Agency:
    """Return an agency the current account may see (and, with ``write``, change)."""
    agency = db.session.get(Agency, agency_id)
    if agency is None or not in_scope(db.session, current_user, agency.id):
        abort(404)
    if write and not current_user.can_write:
        abort(403)
    return agency


def assessment_or_404(assessment_id: int, *, write: bool = False) -> Assessment:
    """Return an assessment of an agency the current account may see (and change)."""
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or not in_scope(db.session, current_user, assessment.agency_id):
        abort(404)
    if write and not current_user.can_write:
        abort(403)
    return assessment


def writer_required(view: Callable) -> Callable:
    """Refuse (403) a viewer before the view runs; use on every view that changes data."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.can_write:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def system_admin_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role != Role.SYSTEM_ADMIN:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def audit(action: str, *, target: str = "", detail: str = "", agency_id: int | None = None,
          user: User | None = None) -> None:
    """Record an action of the signed-in account (or ``user``); the caller's transaction commits it."""
    record(db.session, user or current_user, action, target=target, detail=detail,
           agency_id=agency_id)
