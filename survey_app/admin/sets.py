"""Instrument sets: the registry's list, a set's readable preview, and adding a set by upload.

Adding is two steps, both for system admins only: the upload is validated with the loader's
messages and shown as a preview (nothing stored), and only an explicit confirm stores it, after
which it is offered for new assessments.  The rules are :mod:`services.instrument_sets`'.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from questionnaires import DefinitionError

from ..extensions import db
from ..guards import accepts_files
from ..refusals import place, say
from ..services.instrument_sets import (
    add_set,
    check_definition,
    decode_upload,
    list_sets,
    load_set,
    provenance_status,
    set_info,
    text_sha256,
)
from ..services.refusals import reason
from ..services.results import unconfirmed_data
from . import bp
from .access import audit, system_admin_required
from .forms import SetConfirmForm, SetUploadForm


@bp.get("/sets")
@login_required
def sets():
    return render_template("admin/sets.html", sets=list_sets(db.session))


@bp.get("/sets/<set_id>")
@login_required
def set_detail(set_id: str):
    info = set_info(db.session, set_id)
    if info is None:
        abort(404)
    iset = load_set(set_id, db.session)
    return render_template("admin/set.html", iset=iset, info=info,
                           status=info.provenance, confirm_form=None,
                           unconfirmed=unconfirmed_data(iset))


@bp.route("/sets/upload", methods=["GET", "POST"])
@system_admin_required
@accepts_files
def set_upload():
    form = SetUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        filename = (upload.filename or "upload.toml").rsplit("/", 1)[-1]
        try:
            candidate = check_definition(db.session, decode_upload(upload.read(), filename),
                                         filename)
        except DefinitionError as exc:
            return _upload_page(form, error=exc), 400
        if candidate.already is not None:
            flash(_("Instrument set %(id)s is already there with the same content; nothing "
                    "changed.", id=candidate.iset.id), "ok")
            return redirect(url_for(".set_detail", set_id=candidate.iset.id))
        confirm = SetConfirmForm(formdata=None, text=candidate.text, filename=filename,
                                 sha256=candidate.sha256)
        return render_template("admin/set.html", iset=candidate.iset, info=None,
                               status=provenance_status(candidate.iset), confirm_form=confirm,
                               sha256=candidate.sha256,
                               unconfirmed=unconfirmed_data(candidate.iset))
    return _upload_page(form), 400 if form.errors else 200


def _upload_page(form: SetUploadForm, error: DefinitionError | None = None):
    """The upload form, with why a definition was refused in the admin's language."""
    said = None if error is None else {"where": place(error.where),
                                       "reason": say(reason(error.key, **error.values))}
    return render_template("admin/set_upload.html", form=form, error=error, said=said)


@bp.post("/sets/confirm")
@system_admin_required
def set_confirm():
    form = SetConfirmForm()
    if not form.validate_on_submit():
        return _upload_page(SetUploadForm(formdata=None), error=DefinitionError(
            form.filename.data or "upload", "confirm", "set_confirm_incomplete")), 400
    filename = form.filename.data or "upload.toml"
    if text_sha256(form.text.data) != form.sha256.data:
        return _upload_page(SetUploadForm(formdata=None), error=DefinitionError(
            filename, "confirm", "set_confirm_text_differs")), 400
    try:
        candidate = add_set(db.session, form.text.data, filename,
                            added_by=current_user.username)
        if candidate.already is None:
            audit("set_add", target=candidate.iset.id,
                  detail=f"{filename} sha256 {candidate.sha256} fiscal year "
                         f"{candidate.iset.fiscal_year_be}")
        db.session.commit()
    except DefinitionError as exc:
        db.session.rollback()
        return _upload_page(SetUploadForm(formdata=None), error=exc), 400
    except sa.exc.IntegrityError:  # the same id stored at the same moment by someone else
        db.session.rollback()
        return _upload_page(SetUploadForm(formdata=None), error=DefinitionError(
            filename, "confirm", "set_stored_meanwhile")), 409
    if candidate.already is None:
        flash(_("Instrument set %(id)s stored; it is offered for new assessments.",
                id=candidate.iset.id), "ok")
    else:
        flash(_("Instrument set %(id)s is already there with the same content; nothing changed.",
                id=candidate.iset.id), "ok")
    return redirect(url_for(".set_detail", set_id=candidate.iset.id))
