"""The OIT checklist page: judge each item, with evidence URLs and a note; download it as XLSX."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from wtforms import RadioField, TextAreaField
from wtforms.validators import Length

from questionnaires import InstrumentSet

from ..extensions import db
from ..services.instrument_sets import assessment_set
from ..services.oit import (
    DUE_LABELS,
    NOTE_MAX,
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
from .forms import Choice, GridForm, grid_form

#: Each OIT item's row of the checklist form: its judgement, evidence links and note.
OIT_COLUMNS = {
    "passed": RadioField(_l("Judgement"), default="", choices=[
        Choice("pass", _l("Pass")), Choice("fail", _l("Fail")), Choice("", _l("Not judged"))]),
    "urls": TextAreaField(_l("Evidence links (one per line)")),
    "note": TextAreaField(_l("Note"), filters=[lambda v: v.strip() if v else v],
                          validators=[Length(max=NOTE_MAX)]),
}
_JUDGED = {True: "pass", False: "fail", None: ""}


def _checklist(iset: InstrumentSet, entries: dict[str, OitEntry]) -> GridForm:
    """The checklist form: one row per OIT item of the set; shown, it holds what is stored."""
    form_class = grid_form(GridForm, (item.code for item in iset.oit_items), OIT_COLUMNS)
    if request.method == "POST":  # the posted checklist alone: an item not posted is cleared
        return form_class()
    return form_class(data={code: {"passed": _JUDGED[e.passed], "urls": "\n".join(e.evidence_urls),
                                   "note": e.note} for code, e in entries.items()})


@bp.route("/assessments/<int:assessment_id>/oit", methods=["GET", "POST"])
@login_required
def oit(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=request.method == "POST")
    iset = assessment_set(assessment)
    form = _checklist(iset, oit_entries(db.session, assessment))
    errors: dict[str, list[str]] = {}
    if form.is_submitted():
        if not form.validate() and form.csrf_failed:
            abort(400)
        new_entries = []
        errors = form.row_errors()
        for code, row in form.rows():
            urls, bad = parse_evidence_urls(row.urls.data or "")
            errors.setdefault(code, []).extend(
                _("%(item)s: not a valid evidence link: %(url)s (type web links such as "
                  "https://example.go.th/page, one per line)", item=code, url=b) for b in bad)
            passed = {"pass": True, "fail": False}.get(row.passed.data)
            new_entries.append(OitEntry(code, passed, urls, row.note.data or ""))
        errors = {code: messages for code, messages in errors.items() if messages}
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
    scores = oit_scores(assessment, oit_results(db.session, assessment))
    groups = [(sub, iset.oit_items_for(sub.code)) for sub in iset.sub_indicators.values()]
    indicators = [iset.indicators[c] for c in iset.indicators if iset.instrument_of(c) == "OIT"]
    status = 400 if errors else 200
    return render_template("admin/oit.html", assessment=assessment, agency=assessment.agency,
                           groups=groups, indicators=indicators, errors=errors,
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
