"""IIT code batches: generate a batch (printed once, never stored in plain) and revoke one.

The generate form carries a one-time nonce; the browser's session remembers the nonces it has
used (and the batch each made), so reloading the code sheet re-posts a spent nonce and issues
nothing: the admin is sent back to the assessment page, told which batch those codes were.
"""

from __future__ import annotations

import base64

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _

from ..extensions import db
from ..services.codes import (
    batch_exists,
    codes_csv,
    format_code,
    issue_codes,
    next_batch_label,
    revoke_batch,
)
from ..services.instrument_sets import assessment_set
from ..urls import code_slip_url, public_url
from . import bp
from .access import assessment_or_404, audit, writer_required
from .common import audit_label, qr_markup, render_printed
from .forms import CodeBatchForm, RevokeBatchForm

_NONCES_KEPT = 20


def _spent_nonces() -> dict[str, str]:
    spent = session.get("code_batch_nonces")
    return spent if isinstance(spent, dict) else {}


@bp.post("/assessments/<int:assessment_id>/codes")
@writer_required
def codes_generate(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    back = redirect(url_for(".assessment", assessment_id=assessment.id))
    form = CodeBatchForm()
    if not form.validate_on_submit():
        if form.batch.errors:
            flash(_("A batch name may have letters (Thai or English), digits, spaces and "
                    ". _ - / ( ), at most 40; no codes were made."), "error")
        elif form.nonce.errors:
            flash(_("The form has expired; make the codes again from this page. No codes were "
                    "made."), "error")
        else:
            flash(_("The number of codes must be 1–2000"), "error")
        return back
    spent = _spent_nonces()
    if form.nonce.data in spent:  # a reload of the code sheet: never issue again
        flash(_("The codes of batch %(batch)s were already made and shown; reloading makes none. "
                "If they were lost, revoke that batch and make a new one.",
                batch=spent[form.nonce.data]), "warn")
        return back
    batch = " ".join((form.batch.data or "").split()) or next_batch_label(db.session, assessment)
    if batch_exists(db.session, assessment, batch):
        flash(_("A batch named %(batch)s already exists", batch=batch), "error")
        return back
    codes = issue_codes(db.session, assessment, form.count.data,
                        key=current_app.config["CODE_HASH_KEY"], batch=batch)
    audit("codes_generate", agency_id=assessment.agency_id, target=audit_label(assessment),
          detail=f"batch {batch}: {len(codes)} codes")
    db.session.commit()
    spent[form.nonce.data] = batch
    session["code_batch_nonces"] = dict(list(spent.items())[-_NONCES_KEPT:])
    slips = []
    for code in codes:
        printed = format_code(code)
        url = code_slip_url(assessment.public_token, printed)
        slips.append({"code": printed, "url": url, "qr": qr_markup(url)})
    csv_text = codes_csv([(s["code"], s["url"]) for s in slips])
    csv_uri = "data:text/csv;charset=utf-8;base64," + base64.b64encode(
        ("\ufeff" + csv_text).encode()).decode()
    sheet = render_printed(
        "admin/_code_slips.html", assessment=assessment, agency=assessment.agency, slips=slips,
        iit_name=assessment_set(assessment).instruments["IIT"].name_th,
        iit_url=public_url("respond.iit_code", token=assessment.public_token))
    response = make_response(render_template(
        "admin/code_sheet.html", assessment=assessment, agency=assessment.agency, batch=batch,
        slips=slips, csv_uri=csv_uri, csv_name=f"codes-{assessment.agency.code}-{batch}.csv",
        sheet=sheet))
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
        flash(_("Revoked %(n)s unused codes of batch %(batch)s (used codes stay counted)",
                batch=form.batch.data, n=n), "ok")
    return redirect(url_for(".assessment", assessment_id=assessment.id))
