"""Improvement measures: add, edit and delete an assessment's measures per indicator."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from questionnaires import InstrumentSet

from ..extensions import db
from ..i18n import localized
from ..models import Assessment, ImprovementMeasure
from ..services.instrument_sets import assessment_set
from ..services.measures import (
    add_measure,
    indicator_order,
    indicator_scores,
    measure_of,
    measures_by_indicator,
    update_measure,
)
from . import bp
from .access import assessment_or_404, audit, writer_required
from .common import audit_label, choices
from .forms import EmptyForm, MeasureForm


def _measure_form(iset: InstrumentSet, measure: ImprovementMeasure | None = None) -> MeasureForm:
    form = MeasureForm(obj=measure) if measure is not None and request.method == "GET" else MeasureForm()
    form.indicator.choices = choices(
        (c, f"{c}. {localized(ind, 'name')}") for c, ind in iset.indicators.items())
    return form


def _fields(form: MeasureForm) -> dict[str, str]:
    return {"indicator": form.indicator.data, "measure": form.measure.data,
            "responsible": form.responsible.data or "", "steps": form.steps.data or "",
            "period": form.period.data or ""}


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
              detail=f"indicator {row.indicator}: {row.measure[:200]}")
        db.session.commit()
        flash(_("Saved"), "ok")
        return redirect(url_for(".measures", assessment_id=assessment.id) + f"#ind-{row.indicator}")
    scores = indicator_scores(db.session, assessment)
    db.session.commit()  # the stored result, if it had to be computed
    target = assessment.indicator_target or iset.methodology.indicator_target
    return render_template(
        "admin/measures.html", assessment=assessment, agency=assessment.agency, iset=iset,
        order=indicator_order(iset, scores, target), scores=scores, target=target, form=form,
        empty_form=EmptyForm(), measures=measures_by_indicator(db.session, assessment)), (
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
              detail=f"#{row.id} indicator {row.indicator}: {row.measure[:200]}")
        db.session.commit()
        flash(_("Saved"), "ok")
        return redirect(url_for(".measures", assessment_id=assessment.id) + f"#ind-{row.indicator}")
    return render_template("admin/measure_form.html", assessment=assessment,
                           agency=assessment.agency, form=form, measure=row)


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
