"""Console accounts: list the accounts in scope, create one, manage one, change one's password.

Managing another account (its role and agency, a temporary password, deactivating and
reactivating it) follows :func:`services.accounts.may_manage`: outside the admin's reach an
account answers 404, as an agency outside the scope does.  Every change is audited.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from ..extensions import db
from ..i18n import localized
from ..labels import ROLE_LABELS
from ..models import Role, User
from ..refusals import say
from ..services.accounts import (
    AccountError,
    assignable_roles,
    change_own_password,
    change_role,
    create_user,
    may_manage,
    reset_password,
    set_active,
    start_session,
    users_in_scope,
)
from ..services.agencies import visible_agencies
from . import bp
from .access import agency_or_404, audit, session_max_age, writer_required
from .common import choices
from .forms import EmptyForm, PasswordChangeForm, UserForm, UserRoleForm


def _role_and_agency_choices(form) -> None:
    form.role.choices = choices((r, ROLE_LABELS[r]) for r in assignable_roles(current_user))
    agencies = list(db.session.scalars(visible_agencies(db.session, current_user)))
    form.agency_id.choices = choices(
        [("", _("— none (system admin) —"))] * (current_user.role == Role.SYSTEM_ADMIN)
        + [(str(a.id), f"{a.code} · {localized(a, 'name')}") for a in agencies])


@bp.route("/users", methods=["GET", "POST"])
@writer_required
def users():
    form = UserForm()
    _role_and_agency_choices(form)
    if form.validate_on_submit():
        agency = agency_or_404(int(form.agency_id.data), write=True) if form.agency_id.data else None
        try:
            user = create_user(db.session, username=form.username.data, password=form.password.data,
                               role=form.role.data, agency=agency,
                               display_name=form.display_name.data or "",
                               must_change=True)  # the admin chose it: a temporary password
        except AccountError as exc:
            db.session.rollback()
            form.username.errors.append(say(exc))
        else:
            audit("user_create", agency_id=user.agency_id, target=user.username,
                  detail=f"role {user.role}")
            db.session.commit()
            flash(_("Account %(username)s created", username=user.username), "ok")
            return redirect(url_for(".users"))
    accounts = users_in_scope(db.session, current_user)
    manageable = {u.id for u in accounts if may_manage(db.session, current_user, u)}
    return render_template("admin/users.html", form=form, users=accounts,
                           manageable=manageable), (400 if form.errors else 200)


def _managed_user_or_404(user_id: int) -> User:
    """An account the signed-in admin may manage; any other answers 404."""
    user = db.session.get(User, user_id)
    if user is None or not may_manage(db.session, current_user, user):
        abort(404)
    return user


def _manage_page(user: User, role_form: UserRoleForm, status: int = 200):
    return render_template("admin/user_manage.html", user=user, role_form=role_form,
                           empty_form=EmptyForm(), is_self=user.id == current_user.id), status


@bp.get("/users/<int:user_id>")
@writer_required
def user_manage(user_id: int):
    user = _managed_user_or_404(user_id)
    form = UserRoleForm(formdata=None, role=user.role,
                        agency_id=str(user.agency_id) if user.agency_id else "")
    _role_and_agency_choices(form)
    return _manage_page(user, form)


@bp.post("/users/<int:user_id>/role")
@writer_required
def user_role(user_id: int):
    user = _managed_user_or_404(user_id)
    form = UserRoleForm()
    _role_and_agency_choices(form)
    if form.validate_on_submit():
        agency = agency_or_404(int(form.agency_id.data), write=True) if form.agency_id.data else None
        before = f"{user.role} {user.agency.code if user.agency else '-'}"
        try:
            change_role(db.session, current_user, user, role=form.role.data, agency=agency)
        except AccountError as exc:
            db.session.rollback()
            form.role.errors.append(say(exc))
        else:
            db.session.flush()
            db.session.refresh(user)
            audit("user_role", agency_id=user.agency_id, target=user.username,
                  detail=f"{before} -> {user.role} {user.agency.code if user.agency else '-'}")
            db.session.commit()
            flash(_("Role of %(username)s changed", username=user.username), "ok")
            return redirect(url_for(".user_manage", user_id=user.id))
    return _manage_page(user, form, 400)


@bp.post("/users/<int:user_id>/reset-password")
@writer_required
def user_reset_password(user_id: int):
    user = _managed_user_or_404(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        password = reset_password(db.session, current_user, user)
    except AccountError as exc:
        db.session.rollback()
        flash(say(exc), "error")
        return redirect(url_for(".user_manage", user_id=user.id))
    audit("user_password_reset", agency_id=user.agency_id, target=user.username,
          detail="temporary password, must change at sign-in")
    db.session.commit()
    # Shown in this one response only: never stored, never cached, never in a URL.
    response = make_response(render_template("admin/temporary_password.html", user=user,
                                             password=password))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/users/<int:user_id>/active")
@writer_required
def user_active(user_id: int):
    user = _managed_user_or_404(user_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        set_active(db.session, current_user, user, active)
    except AccountError as exc:
        db.session.rollback()
        flash(say(exc), "error")
    else:
        audit("user_activate" if active else "user_deactivate", agency_id=user.agency_id,
              target=user.username)
        db.session.commit()
        if active:
            flash(_("Account %(username)s reactivated", username=user.username), "ok")
        else:
            flash(_("Account %(username)s deactivated", username=user.username), "ok")
    return redirect(url_for(".user_manage", user_id=user.id))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password_change():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if form.new_password.data != form.confirm_password.data:
            form.confirm_password.errors.append(_("The two new passwords differ"))
        else:
            user = db.session.get(User, current_user.id)
            try:
                change_own_password(db.session, user, form.current_password.data,
                                    form.new_password.data)
            except AccountError as exc:
                db.session.rollback()
                field = (form.current_password if exc.key == "password_current_wrong"
                         else form.new_password)
                field.errors.append(say(exc))
            else:
                audit("password_change", agency_id=user.agency_id, target=user.username)
                # Every sign-in ended with the old password, this one included; this browser
                # gets a new one.
                start_session(db.session, user, max_age=session_max_age())
                db.session.commit()
                login_user(user)
                flash(_("Password changed; this account's other sign-ins have ended."), "ok")
                return redirect(url_for(".home"))
    status = 400 if form.errors else 200
    return render_template("admin/password_change.html", form=form), status
