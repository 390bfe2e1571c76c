"""The OIT checklist page: judge each item, with evidence URLs and a note; download it as XLSX."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..extensions import db
from ..services.instrument_sets import assessment_set
from ..services.oit import (
    DUE_LABELS,
    XLSX_MIMETYPE,
    OitEntry,
    checklist_xlsx,
    oit_entries,
    oit_results,
    oit_scores,
    parse_evidence_urls,
    save_oit,
)
from . import bp
from .access import assessment_or_404, audit
from .common import audit_label, download_name, record_download
from .forms import EmptyForm


@bp.route("/assessments/<int:assessment_id>/oit", methods=["GET", "POST"])
@login_required
def oit(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=request.method == "POST")
    iset = assessment_set(assessment)
    form = EmptyForm()
    entries = oit_entries(db.session, assessment)
    errors: dict[str, list[str]] = {}
    posted: dict[str, dict[str, str]] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        new_entries = []
        for item in iset.oit_items:
            judged = request.form.get(f"{item.code}-passed", "")
            urls_text = request.form.get(f"{item.code}-urls", "")
            note = request.form.get(f"{item.code}-note", "").strip()
            posted[item.code] = {"passed": judged, "urls": urls_text, "note": note}
            urls, bad = parse_evidence_urls(urls_text)
            if bad:
                errors[item.code] = [
                    _("%(item)s: not a valid evidence link: %(url)s (type web links such as "
                      "https://example.go.th/page, one per line)", item=item.code, url=b)
                    for b in bad]
            if judged not in ("", "pass", "fail") or len(note) > 4000:
                abort(400)
            passed = {"pass": True, "fail": False}.get(judged)
            new_entries.append(OitEntry(item.code, passed, urls, note))
        if not errors:
            changed = save_oit(db.session, assessment, new_entries)
            if changed:
                summary = ", ".join(f"{e.item}={'pass' if e.passed else 'fail' if e.passed is False else '-'}"
                                    for e in new_entries if e.item in changed)
                audit("oit_update", agency_id=assessment.agency_id, target=audit_label(assessment),
                      detail=summary[:4000])
            db.session.commit()
            flash(_("OIT checklist saved (%(n)s items changed)", n=len(changed)), "ok")
            return redirect(url_for(".oit", assessment_id=assessment.id))
    if not posted:
        posted = {
            code: {"passed": {True: "pass", False: "fail"}.get(e.passed, ""),
                   "urls": "\n".join(e.evidence_urls), "note": e.note}
            for code, e in entries.items()
        }
    scores = oit_scores(assessment, oit_results(db.session, assessment))
    groups = [(sub, iset.oit_items_for(sub.code)) for sub in iset.sub_indicators.values()]
    indicators = [iset.indicators[c] for c in iset.indicators if iset.instrument_of(c) == "OIT"]
    status = 400 if errors else 200
    return render_template("admin/oit.html", assessment=assessment, agency=assessment.agency,
                           groups=groups, indicators=indicators, posted=posted, errors=errors,
                           scores=scores, form=form, due_labels=DUE_LABELS), status


@bp.get("/assessments/<int:assessment_id>/oit.xlsx")
@login_required
def oit_download(assessment_id: int):
    """The checklist as stored (item, title, sub-indicator, due, judgement, links, notes)."""
    assessment = assessment_or_404(assessment_id)
    name = download_name(assessment, "oit-checklist", "xlsx")
    body = checklist_xlsx(db.session, assessment)
    record_download(assessment, name)
    return Response(body, mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
