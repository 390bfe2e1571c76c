"""Improvement measures: add, edit and delete an assessment's measures per indicator; report
each quarter's progress; the dashboard by status; the follow-up report (DOCX, PDF, preview)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from wtforms import RadioField, TextAreaField

from questionnaires import InstrumentSet

from ..extensions import db
from ..i18n import localized
from ..models import Assessment, ImprovementMeasure
from ..quarters import QUARTERS
from ..services import reports
from ..services.document_cache import cached_document
from ..services.instrument_sets import assessment_set
from ..services.measures import (
    NOTE_MAX,
    STATUSES,
    URLS_MAX,
    add_measure,
    current_quarter,
    follow_up_view,
    indicator_order,
    indicator_scores,
    measure_of,
    measures_by_indicator,
    measures_year,
    read_progress,
    save_progress,
    update_measure,
)
from . import bp
from .access import assessment_or_404, audit, writer_required
from .common import (
    audit_label,
    choices,
    document_folder,
    download_name,
    send_report,
    with_inline_css,
)
from .forms import Choice, EmptyForm, GridForm, MeasureForm, grid_form

#: A measure's status as the console names it (the reports' Thai words are in text.j2).
STATUS_LABELS = {"not_started": _l("Not started"), "in_progress": _l("In progress"),
                 "done": _l("Done"), "dropped": _l("Dropped"),
                 # on the dashboard only: planned to start in a later quarter
                 "not_due": _l("Not yet due")}
#: The follow-up report's periods in URLs and file names: a quarter or the whole year.
PERIODS = {"q1": 1, "q2": 2, "q3": 3, "q4": 4, "year": None}


def _measure_form(iset: InstrumentSet, measure: ImprovementMeasure | None = None) -> MeasureForm:
    form = MeasureForm(obj=measure) if measure is not None and request.method == "GET" else MeasureForm()
    form.indicator.choices = choices(
        (c, f"{c}. {localized(ind, 'name')}") for c, ind in iset.indicators.items())
    return form


def _fields(form: MeasureForm) -> dict[str, str]:
    return {"indicator": form.indicator.data, "measure": form.measure.data,
            "responsible": form.responsible.data or "", "steps": form.steps.data or "",
            "issue": form.issue.data or "", "start_quarter": form.start_quarter.data,
            "end_quarter": form.end_quarter.data, "period": form.period.data or ""}


def _measure_or_404(assessment: Assessment, measure_id: int) -> ImprovementMeasure:
    row = measure_of(db.session, assessment, measure_id)
    if row is None:
        abort(404)
    return row


@bp.route("/assessments/<int:assessment_id>/measures", methods=["GET", "POST"])
@login_required
def measures(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=request.method == "POST")
    iset = assessment_set(assessment)
    form = _measure_form(iset)
    if request.method == "GET" and request.args.get("indicator") in iset.indicators:
        form.indicator.data = request.args["indicator"]
    if form.validate_on_submit():
        row = add_measure(db.session, assessment, **_fields(form))
        audit("measure_add", agency_id=assessment.agency_id, target=audit_label(assessment),
              detail=f"indicator {row.indicator} Q{row.start_quarter}-Q{row.end_quarter}: "
                     f"{row.measure[:200]}")
        db.session.commit()
        flash(_("Saved"), "ok")
        return redirect(url_for(".measures", assessment_id=assessment.id) + f"#ind-{row.indicator}")
    scores = indicator_scores(db.session, assessment)
    db.session.commit()  # the stored result, if it had to be computed
    target = assessment.indicator_target or iset.methodology.indicator_target
    return render_template(
        "admin/measures.html", assessment=assessment, agency=assessment.agency, iset=iset,
        order=indicator_order(iset, scores, target), scores=scores, target=target, form=form,
        empty_form=EmptyForm(), measures=measures_by_indicator(db.session, assessment),
        year=measures_year(assessment)), (
        400 if form.errors else 200)


@bp.route("/assessments/<int:assessment_id>/measures/<int:measure_id>/edit",
          methods=["GET", "POST"])
@writer_required
def measure_edit(assessment_id: int, measure_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    row = _measure_or_404(assessment, measure_id)
    form = _measure_form(assessment_set(assessment), row)
    if form.validate_on_submit():
        update_measure(row, **_fields(form))
        audit("measure_edit", agency_id=assessment.agency_id, target=audit_label(assessment),
              detail=f"#{row.id} indicator {row.indicator} Q{row.start_quarter}-Q"
                     f"{row.end_quarter}: {row.measure[:200]}")
        db.session.commit()
        flash(_("Saved"), "ok")
        return redirect(url_for(".measures", assessment_id=assessment.id) + f"#ind-{row.indicator}")
    return render_template("admin/measure_form.html", assessment=assessment,
                           agency=assessment.agency, form=form, measure=row,
                           year=measures_year(assessment)), (400 if form.errors else 200)


@bp.post("/assessments/<int:assessment_id>/measures/<int:measure_id>/delete")
@writer_required
def measure_delete(assessment_id: int, measure_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    row = _measure_or_404(assessment, measure_id)
    if EmptyForm().validate_on_submit():
        audit("measure_delete", agency_id=assessment.agency_id, target=audit_label(assessment),
              detail=f"#{row.id} indicator {row.indicator}: {row.measure[:200]}")
        db.session.delete(row)
        db.session.commit()
        flash(_("Deleted"), "ok")
    return redirect(url_for(".measures", assessment_id=assessment.id))


# -- progress per quarter ---------------------------------------------------------------------


#: Each quarter's row of the progress form.  The status's choices are the service's
#: (:func:`~survey_app.services.measures.read_progress` judges what was posted).
PROGRESS_COLUMNS = {
    "status": RadioField(_l("Status"), validate_choice=False,
                         choices=[Choice(s, STATUS_LABELS[s]) for s in STATUSES]),
    "note": TextAreaField(_l("What was done")),
    "urls": TextAreaField(_l("Evidence links (one per line)")),
}


def _problem_message(p) -> str:
    """A problem :func:`read_progress` found, naming the quarter (and the field by its words)."""
    if p.problem == "url":
        return _("Quarter %(q)s: not a valid evidence link: %(url)s (type web links such as "
                 "https://example.go.th/page, one per line)", q=p.quarter, url=p.value)
    if p.problem == "urls":
        return _("Quarter %(q)s: at most %(n)s evidence links", q=p.quarter, n=URLS_MAX)
    if p.problem == "note":
        return _("Quarter %(q)s: the note is longer than %(n)s characters", q=p.quarter,
                 n=NOTE_MAX)
    return _("Quarter %(q)s: choose a status", q=p.quarter)


@bp.route("/assessments/<int:assessment_id>/measures/<int:measure_id>/progress",
          methods=["GET", "POST"])
@login_required
def measure_progress(assessment_id: int, measure_id: int):
    """Each quarter's status, note and evidence links of one measure (writers change them)."""
    assessment = assessment_or_404(assessment_id, write=request.method == "POST")
    row = _measure_or_404(assessment, measure_id)
    saved = {p.quarter: p for p in row.progress}
    form_class = grid_form(GridForm, (f"q{q}" for q in QUARTERS), PROGRESS_COLUMNS)
    form = form_class(data=None if request.method == "POST" else {
        f"q{q}": {"status": saved[q].status if q in saved else "not_started",
                  "note": saved[q].note if q in saved else "",
                  "urls": saved[q].evidence_urls if q in saved else ""} for q in QUARTERS})
    errors: dict[int, list[str]] = {}
    if form.is_submitted():
        if not form.validate() and form.csrf_failed:
            abort(400)
        # a quarter whose status was not posted (a reader's disabled radios) is left alone
        posted = {q: (form[f"q{q}"].status.data or "", form[f"q{q}"].note.data or "",
                      form[f"q{q}"].urls.data or "") for q in QUARTERS
                  if form[f"q{q}"].status.raw_data}
        entries, problems = read_progress(posted)
        for p in problems:
            errors.setdefault(p.quarter, []).append(_problem_message(p))
        if not errors:
            changed = save_progress(db.session, row, entries)
            if changed:
                audit("measure_progress", agency_id=assessment.agency_id,
                      target=audit_label(assessment),
                      detail=f"#{row.id} " + "; ".join(
                          f"Q{q} {entries[q].status}" for q in changed))
            db.session.commit()
            flash(_("Saved"), "ok")
            return redirect(url_for(".measure_progress", assessment_id=assessment.id,
                                    measure_id=row.id))
    iset = assessment_set(assessment)
    return render_template(
        "admin/measure_progress.html", assessment=assessment, agency=assessment.agency,
        measure=row, indicator=iset.indicators.get(row.indicator), quarters=QUARTERS,
        errors=errors, form=form, year=measures_year(assessment),
        current=current_quarter(assessment)), (400 if errors else 200)


# -- the dashboard and the follow-up report ---------------------------------------------------


@bp.route("/assessments/<int:assessment_id>/measures/dashboard")
@login_required
def measures_dashboard(assessment_id: int):
    """The measures by status as of a quarter (the current one unless ``?quarter=``)."""
    assessment = assessment_or_404(assessment_id)
    current = current_quarter(assessment)
    quarter = request.args.get("quarter", type=int)
    if quarter not in QUARTERS:
        quarter = current
    view = follow_up_view(db.session, assessment, quarter)
    return render_template("admin/measures_dashboard.html", assessment=assessment,
                           agency=assessment.agency, view=view, current=current,
                           status_labels=STATUS_LABELS, periods=PERIODS)


@bp.route("/assessments/<int:assessment_id>/follow-up/<any(q1,q2,q3,q4,year):period>")
@login_required
def follow_up_preview(assessment_id: int, period: str):
    assessment = assessment_or_404(assessment_id)
    html, css = reports.follow_up_html(follow_up_view(db.session, assessment, PERIODS[period]),
                                       font_base=url_for("static", filename="fonts/"))
    return with_inline_css(html, css, fonts=True)


@bp.route("/assessments/<int:assessment_id>/follow-up/<any(q1,q2,q3,q4,year):period>"
          ".<any(docx,pdf):fmt>")
@login_required
def follow_up_report(assessment_id: int, period: str, fmt: str):
    """The follow-up report (รายงานผลการดำเนินงานตามมาตรการ) as DOCX or PDF, audited."""
    assessment = assessment_or_404(assessment_id)
    view = follow_up_view(db.session, assessment, PERIODS[period])
    return send_report(assessment, download_name(assessment, f"follow-up-{period}", fmt), fmt,
                       lambda: cached_document(document_folder(), "follow-up", fmt, view,
                                               lambda: reports.follow_up_file(view, fmt)))
