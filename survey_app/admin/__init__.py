"""The admin console: one blueprint, ``bp``, whose views live in one module per feature.

auth (sign in and out, home), accounts, agencies, assessments (incl. open/close and the
poster), codes, oit, published, published_oit (a published result's OIT items), measures,
imports (Google Forms rehearsal data), results
(dashboard, yearly report), area (the supervisor's comparison and the area's downloads),
exports, audit and sets (the registry of instrument sets) each do ``from . import bp``; none
imports another.  The app factory imports them so that their views register.  Shared view
helpers live in :mod:`.access` (scope, roles, audit) and :mod:`.common` (form choices, QR
markup, inline CSS, downloads).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, current_app, redirect, request, url_for
from flask_login import current_user

from ..models import Role
from ..services.agencies import may_add_agencies, may_have_children
from ..services.formatting import two_decimals

bp = Blueprint("admin", __name__, url_prefix="/admin")


#: What an account with a temporary password may still reach.
_BEFORE_NEW_PASSWORD = frozenset({"admin.password_change", "admin.logout", "admin.login"})


@bp.before_request
def _temporary_password_first():
    """Send an account with a temporary password to the change-password page, from anywhere."""
    if (request.endpoint not in _BEFORE_NEW_PASSWORD and current_user.is_authenticated
            and current_user.must_change_password):
        return redirect(url_for("admin.password_change"))
    return None


@bp.app_context_processor
def _console_helpers() -> dict[str, object]:
    return {"admin_css_version": _admin_css_version(), "may_add_agencies": may_add_agencies,
            "may_have_children": may_have_children, "roles": Role}


def _admin_css_version() -> str:
    cached = current_app.extensions.get("ita_admin_css_version")
    if cached is None:
        css = Path(current_app.static_folder or "") / "admin.css"
        cached = hashlib.sha256(css.read_bytes()).hexdigest()[:10] if css.exists() else "0"
        current_app.extensions["ita_admin_css_version"] = cached
    return cached


@bp.app_template_filter("score2")
def score2(value) -> str:
    """Show a figure scoring already rounded with its two decimals (or a dash)."""
    return two_decimals(value)

