"""Rehearsal imports: upload a Google Forms export, preview what matched, confirm, remove.

The upload and the confirmation are larger than the console's usual request limit, so these
two views raise it for themselves (``IMPORT_MAX_BYTES``) and check their CSRF token through
the form (``validate_on_submit``) rather than before the request is read.
"""

from __future__ import annotations

import base64

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from ..extensions import csrf, db
from ..guards import accepts_files
from ..i18n import current_language
from ..refusals import each, say
from ..services.imports import (
    ImportRefused,
    PreviewExpired,
    delete_import,
    load_preview,
    preview_export,
    store_import,
)
from ..services.instrument_sets import assessment_set
from . import bp
from .access import assessment_or_404, audit, writer_required
from .common import audit_label, choices
from .forms import ImportConfirmForm, ImportDeleteForm, ResponsesImportForm


def _max_bytes() -> int:
    return int(current_app.config["IMPORT_MAX_BYTES"])


def _form() -> ResponsesImportForm:
    form = ResponsesImportForm()
    form.instrument.choices = choices([("IIT", "IIT"), ("EIT", "EIT")])
    return form


def _page(assessment, form, *, preview=None, errors=(), status=200):
    mapping_uri = None
    if preview is not None:
        mapping_uri = "data:application/toml;charset=utf-8;base64," + base64.b64encode(
            preview.mapping_toml.encode()).decode()
    lang = current_language()
    return render_template(
        "admin/imports.html", assessment=assessment, agency=assessment.agency, form=form,
        preview=preview, errors=list(errors), mapping_uri=mapping_uri, lang=lang,
        confirm_form=ImportConfirmForm(formdata=None)), status


@bp.route("/assessments/<int:assessment_id>/imports", methods=["GET", "POST"])
@csrf.exempt
@writer_required
@accepts_files
def responses_import(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    request.max_content_length = _max_bytes()
    try:
        form = _form()
        if request.method == "GET":
            return _page(assessment, form)
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        limit = f"{_max_bytes() / 2**20:g}"
        return _page(assessment, _form_without_data(),
                     errors=[_("The file is larger than %(mb)s MB", mb=limit)], status=413)
    if not valid:
        if form.errors.get("csrf_token"):
            message = _("This page expired; open the import page again and upload again")
        else:
            message = _("Choose an export (.csv or .xlsx) and the instrument")
        return _page(assessment, form, errors=[message], status=400)
    upload, mapping = form.file.data, form.mapping.data
    iset = assessment_set(assessment)
    try:
        preview = preview_export(
            iset, form.instrument.data, upload.read(), upload.filename or "",
            mapping_data=mapping.read() if mapping else None,
            mapping_name=(mapping.filename or "") if mapping else "",
            assessment_id=assessment.id, secret=current_app.secret_key)
    except ImportRefused as exc:
        return _page(assessment, form, status=400,
                     errors=[_("Cannot import; nothing was stored:"), *each(exc)])
    return _page(assessment, form, preview=preview, status=200 if preview.token else 422)


def _form_without_data() -> ResponsesImportForm:
    form = ResponsesImportForm(formdata=None)
    form.instrument.choices = choices([("IIT", "IIT"), ("EIT", "EIT")])
    return form


@bp.post("/assessments/<int:assessment_id>/imports/confirm")
@csrf.exempt
@writer_required
def responses_import_confirm(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    request.max_content_length = _max_bytes()
    try:
        form = ImportConfirmForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        valid = False
    if not valid:
        flash(_("The preview expired or is not valid; upload the file again"), "error")
        return redirect(url_for(".responses_import", assessment_id=assessment.id))
    try:
        payload = load_preview(form.token.data, secret=current_app.secret_key,
                               assessment=assessment)
        record = store_import(db.session, assessment, payload, user=current_user)
    except PreviewExpired as exc:
        db.session.rollback()
        flash(say(exc), "error")
        return redirect(url_for(".responses_import", assessment_id=assessment.id))
    audit("responses_import", agency_id=assessment.agency_id, target=audit_label(assessment),
          detail=f"{record.instrument} {record.rows} rows from {record.file_name} "
                 f"(import {record.id})")
    db.session.commit()
    flash(_("Imported %(n)s rows from %(file)s (rehearsal data, kept apart from collected answers)",
            n=record.rows, file=record.file_name), "ok")
    return redirect(url_for(".assessment", assessment_id=assessment.id))


@bp.post("/assessments/<int:assessment_id>/imports/delete")
@writer_required
def responses_import_delete(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    form = ImportDeleteForm()
    if form.validate_on_submit():
        record = delete_import(db.session, assessment, form.import_id.data)
        if record is None:
            flash(_("No such import"), "error")
        else:
            audit("responses_import_delete", agency_id=assessment.agency_id,
                  target=audit_label(assessment),
                  detail=f"{record.instrument} {record.rows} rows from {record.file_name} "
                         f"(import {record.id})")
            db.session.commit()
            flash(_("Removed the import %(file)s (%(n)s rows)", file=record.file_name, n=record.rows), "ok")
    return redirect(url_for(".assessment", assessment_id=assessment.id))
