"""IIT code batches: generate a batch (printed once, never stored in plain) and revoke one."""

from __future__ import annotations

import base64

from flask import abort, current_app, flash, make_response, redirect, render_template, url_for

from ..extensions import db
from ..i18n import t
from ..services.codes import (
    batch_exists,
    codes_csv,
    format_code,
    issue_codes,
    next_batch_label,
    revoke_batch,
)
from ..urls import code_slip_url, public_url
from . import bp
from .access import assessment_or_404, audit, writer_required
from .common import audit_label, qr_markup
from .forms import CodeBatchForm, RevokeBatchForm


@bp.post("/assessments/<int:assessment_id>/codes")
@writer_required
def codes_generate(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    form = CodeBatchForm()
    if not form.validate_on_submit():
        flash(t("codes_count_invalid"), "error")
        return redirect(url_for(".assessment", assessment_id=assessment.id))
    batch = (form.batch.data or "").strip() or next_batch_label(db.session, assessment)
    if batch_exists(db.session, assessment, batch):
        flash(t("batch_exists", batch=batch), "error")
        return redirect(url_for(".assessment", assessment_id=assessment.id))
    codes = issue_codes(db.session, assessment, form.count.data,
                        key=current_app.config["CODE_HASH_KEY"], batch=batch)
    audit("codes_generate", agency_id=assessment.agency_id, target=audit_label(assessment),
          detail=f"batch {batch}: {len(codes)} codes")
    db.session.commit()
    slips = []
    for code in codes:
        printed = format_code(code)
        url = code_slip_url(assessment.public_token, printed)
        slips.append({"code": printed, "url": url, "qr": qr_markup(url)})
    csv_text = codes_csv([(s["code"], s["url"]) for s in slips])
    csv_uri = "data:text/csv;charset=utf-8;base64," + base64.b64encode(
        ("\ufeff" + csv_text).encode()).decode()
    response = make_response(render_template(
        "admin/code_sheet.html", assessment=assessment, agency=assessment.agency, batch=batch,
        slips=slips, csv_uri=csv_uri,
        csv_name=f"codes-{assessment.agency.code}-{batch}.csv",
        iit_url=public_url("respond.iit_code", token=assessment.public_token)))
    # The only copy of these codes: never cached, never kept by a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/assessments/<int:assessment_id>/codes/revoke")
@writer_required
def codes_revoke(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    form = RevokeBatchForm()
    if form.validate_on_submit():
        if not batch_exists(db.session, assessment, form.batch.data):
            abort(404)
        n = revoke_batch(db.session, assessment, form.batch.data)
        audit("codes_revoke", agency_id=assessment.agency_id, target=audit_label(assessment),
              detail=f"batch {form.batch.data}: {n} unused codes revoked")
        db.session.commit()
        flash(t("batch_revoked", batch=form.batch.data, n=n), "ok")
    return redirect(url_for(".assessment", assessment_id=assessment.id))
