"""Admin console views: accounts, agencies, assessments, codes, posters, OIT, past results.

Every view loads what it shows through :mod:`.access` (scope, 404 outside it, 403 for a viewer
who tries to change something) and records every change with ``audit``; views own the
transaction, services only add and flush.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter, login_manager
from ..i18n import register_strings, t
from . import access  # noqa: F401  (registers the login manager's user loader)
from .access import audit
from .forms import EmptyForm, LoginForm
from .strings_console import STRINGS

register_strings(STRINGS)

bp = Blueprint("admin", __name__, url_prefix="/admin")

login_manager.login_view = "admin.login"
login_manager.login_message = "login_required_msg"
login_manager.localize_callback = t
login_manager.login_message_category = "warn"

LOGIN_RATE_LIMIT = "10 per minute;50 per hour"


@bp.app_context_processor
def _console_helpers() -> dict[str, object]:
    return {"has_endpoint": has_endpoint, "admin_css_version": _admin_css_version()}


def has_endpoint(name: str) -> bool:
    """Whether a view is registered (pages link to views that may land later)."""
    return name in current_app.view_functions


def _admin_css_version() -> str:
    cached = current_app.extensions.get("ita_admin_css_version")
    if cached is None:
        css = Path(current_app.static_folder or "") / "admin.css"
        cached = hashlib.sha256(css.read_bytes()).hexdigest()[:10] if css.exists() else "0"
        current_app.extensions["ita_admin_css_version"] = cached
    return cached


@bp.errorhandler(403)
def _forbidden(_error):
    return render_template("admin/error.html", code=403, title=t("error_403_title"),
                           body=t("error_403_body")), 403


# -- signing in and out --------------------------------------------------------------------


def _safe_next(target: str | None) -> str | None:
    """Accept only a path on this site (no scheme, no host, no ``//`` or backslash tricks)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("LOGIN_RATE_LIMIT", LOGIN_RATE_LIMIT),
               methods=["POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for(".home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        from ..services.accounts import authenticate

        username = form.username.data.strip()
        user = authenticate(db.session, username, form.password.data)
        if user is None:
            audit_anonymous("login_failed", target=username)
            db.session.commit()
            error = t("login_failed")
        else:
            login_user(user)
            audit("login", target=user.username, user=user, agency_id=user.agency_id)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or url_for(".home"))
    elif request.method == "POST":
        error = t("login_failed")
    return render_template("admin/login.html", form=form, error=error), (401 if error else 200)


def audit_anonymous(action: str, *, target: str) -> None:
    from ..models import AuditEvent

    db.session.add(AuditEvent(user_id=None, username="-", action=action, target=target[:255]))


@bp.post("/logout")
@login_required
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        audit("logout", target=current_user.username, agency_id=current_user.agency_id)
        db.session.commit()
        logout_user()
        flash(t("logged_out"), "ok")
    return redirect(url_for(".login"))


# -- home ----------------------------------------------------------------------------------


@bp.get("/")
@login_required
def home():
    from ..services.console import home_rows

    rows = home_rows(db.session, current_user)
    return render_template("admin/home.html", rows=rows)


# The results, exports and report views register on the same blueprint.
from . import results_routes  # noqa: E402, F401
