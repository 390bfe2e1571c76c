"""Console accounts: list the accounts in scope and create one."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..extensions import db
from ..i18n import t, tr
from ..services.accounts import AccountError, assignable_roles, create_user, users_in_scope
from ..services.agencies import visible_agencies
from . import bp
from .access import agency_or_404, audit, writer_required
from .common import choices
from .forms import UserForm


@bp.route("/users", methods=["GET", "POST"])
@writer_required
def users():
    form = UserForm()
    form.role.choices = choices((r, t("role_" + r)) for r in assignable_roles(current_user))
    agencies = list(db.session.scalars(visible_agencies(db.session, current_user)))
    form.agency_id.choices = choices(
        [("", t("agency_none"))] * (current_user.role == "system_admin")
        + [(str(a.id), f"{a.code} · {tr(a, 'name')}") for a in agencies])
    if form.validate_on_submit():
        agency = agency_or_404(int(form.agency_id.data), write=True) if form.agency_id.data else None
        try:
            user = create_user(db.session, username=form.username.data, password=form.password.data,
                               role=form.role.data, agency=agency,
                               display_name=form.display_name.data or "")
        except AccountError as exc:
            db.session.rollback()
            form.username.errors.append(str(exc))
        else:
            audit("user_create", agency_id=user.agency_id, target=user.username,
                  detail=f"role {user.role}")
            db.session.commit()
            flash(t("user_created", username=user.username), "ok")
            return redirect(url_for(".users"))
    return render_template("admin/users.html", form=form,
                           users=users_in_scope(db.session, current_user)), (
        400 if form.errors else 200)
