"""Agencies: create, show and edit one (within the account's scope)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..i18n import localized
from ..labels import AGENCY_TYPE_LABELS
from ..models import Agency, Role
from ..refusals import say
from ..services.agencies import (
    AGENCY_TYPES,
    AgencyError,
    agency_tree,
    may_add_agencies,
    may_have_children,
    save_agency,
    visible_agencies,
)
from . import bp
from .access import agency_or_404, audit, writer_required
from .common import choices, pending_ballots
from .forms import AgencyForm


def _parent_choices(exclude: Agency | None = None) -> list:
    """Agencies in scope that may be a parent (a system admin may also pick none)."""
    options = []
    if current_user.role == Role.SYSTEM_ADMIN:
        options.append(("", _("— none (top level) —")))
    for a in db.session.scalars(visible_agencies(db.session, current_user)):
        if exclude is None or a.id != exclude.id:
            options.append((str(a.id), f"{a.code} · {localized(a, 'name')}"))
    return choices(options)


def _agency_form(agency: Agency | None) -> AgencyForm:
    form = AgencyForm(obj=agency) if agency is not None and request.method == "GET" else AgencyForm()
    form.agency_type.choices = choices((c, AGENCY_TYPE_LABELS[c]) for c in AGENCY_TYPES)
    form.parent_id.choices = _parent_choices(agency)
    if agency is not None and request.method == "GET":
        form.parent_id.data = str(agency.parent_id or "")
    return form


def _save_agency_from(form: AgencyForm, agency: Agency | None) -> Agency | None:
    parent_id = int(form.parent_id.data) if form.parent_id.data else None
    if parent_id is None and current_user.role != Role.SYSTEM_ADMIN:
        if agency is None or agency.id != current_user.agency_id:
            form.parent_id.errors.append(_("Choose the parent agency"))
            return None
        parent_id = agency.parent_id  # an agency admin cannot move their own agency
    if parent_id is not None:
        parent = agency_or_404(parent_id, write=True)
        if agency is None and not may_have_children(parent):
            form.parent_id.errors.append(_("No agency can be added below a school"))
            return None
    if (agency is not None and agency.id == current_user.agency_id
            and current_user.role != Role.SYSTEM_ADMIN):
        parent_id = agency.parent_id  # nor hang it elsewhere
    try:
        return save_agency(
            db.session, agency, code=form.code.data, name_th=form.name_th.data,
            name_en=form.name_en.data or "", agency_type=form.agency_type.data,
            eligible_headcount=form.eligible_headcount.data, parent_id=parent_id)
    except AgencyError as exc:
        db.session.rollback()
        form.code.errors.append(say(exc))
        return None


@bp.route("/agencies/new", methods=["GET", "POST"])
@writer_required
def agency_new():
    if not may_add_agencies(current_user):
        abort(403)  # a school's admin has no agencies to add
    form = _agency_form(None)
    if request.method == "GET" and request.args.get("parent", "").isdigit():
        form.parent_id.data = request.args["parent"]
    if form.validate_on_submit():
        agency = _save_agency_from(form, None)
        if agency is not None:
            audit("agency_create", target=agency.code, agency_id=agency.id,
                  detail=f"{agency.name_th} ({agency.agency_type})")
            db.session.commit()
            flash(_("Saved"), "ok")
            return redirect(url_for(".agency", agency_id=agency.id))
    return render_template("admin/agency_form.html", form=form, agency=None)


@bp.get("/agencies/<int:agency_id>")
@login_required
def agency(agency_id: int):
    agency = agency_or_404(agency_id)
    rows = [r for r in agency_tree(db.session, current_user) if r.agency.id == agency.id]
    children = [a for a in db.session.scalars(visible_agencies(db.session, current_user))
                if a.parent_id == agency.id]
    type_label = AGENCY_TYPE_LABELS.get(agency.agency_type, agency.agency_type)
    return render_template("admin/agency.html", agency=agency, row=rows[0] if rows else None,
                           children=children, type_label=type_label,
                           pending=pending_ballots(rows))


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@writer_required
def agency_edit(agency_id: int):
    agency = agency_or_404(agency_id, write=True)
    form = _agency_form(agency)
    if form.validate_on_submit():
        before = (agency.code, agency.name_th, agency.agency_type, agency.eligible_headcount,
                  agency.parent_id)
        saved = _save_agency_from(form, agency)
        if saved is not None:
            audit("agency_edit", target=saved.code, agency_id=saved.id,
                  detail=f"before {before}")
            db.session.commit()
            flash(_("Saved"), "ok")
            return redirect(url_for(".agency", agency_id=saved.id))
    return render_template("admin/agency_form.html", form=form, agency=agency)
