"""Signing in and out, and the console's home page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limit_posts
from ..services.accounts import authenticate, end_session, start_session
from ..services.agencies import agency_tree
from ..services.audit import record
from ..services.ballots import erase_owed
from . import bp
from .access import audit, session_max_age
from .common import pending_ballots
from .forms import EmptyForm, LoginForm

LOGIN_RATE_LIMIT = "10 per minute;50 per hour"


def _safe_next(target: str | None) -> str | None:
    """Accept only a path on this site (no scheme, no host, no ``//`` or backslash tricks)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route("/login", methods=["GET", "POST"])
@limit_posts(lambda: current_app.config.get("LOGIN_RATE_LIMIT", LOGIN_RATE_LIMIT))
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for(".home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        username = form.username.data.strip()
        user = authenticate(db.session, username, form.password.data)
        if user is None:
            record(db.session, None, "login_failed", target=username)
            db.session.commit()
            error = _("Wrong username or password")
        else:
            start_session(db.session, user, max_age=session_max_age())
            login_user(user)
            audit("login", target=user.username, user=user, agency_id=user.agency_id)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or url_for(".home"))
    elif request.method == "POST":
        error = _("Wrong username or password")
    return render_template("admin/login.html", form=form, error=error), (401 if error else 200)


@bp.post("/logout")
@login_required
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        audit("logout", target=current_user.username, agency_id=current_user.agency_id)
        end_session(db.session, current_user.session_token)  # a copied cookie dies with it
        db.session.commit()
        logout_user()
        flash(_("You have signed out"), "ok")
    return redirect(url_for(".login"))


@bp.get("/")
@login_required
def home():
    rows = agency_tree(db.session, current_user)
    return render_template("admin/home.html", rows=rows, pending=pending_ballots(rows),
                           erase_owed=erase_owed(db.engine))
