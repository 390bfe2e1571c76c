"""Admin console views for results: the dashboard and the yearly report (the supervisor's
comparison is in :mod:`.area`).

Every view goes through ``access``: an assessment outside the account's scope is a 404, every
report download is in the audit log, and
the report's texts are changed only by writers in scope (and audited).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms import TextAreaField

from ..extensions import db
from ..guards import accepts_files
from ..services import publication, report_document, reports
from ..services.collection import collection_view
from ..services.document_cache import cached_document
from ..services.imports import REHEARSAL, counts_by_source
from ..services.results import comparison_view, results_view
from . import bp
from .access import assessment_or_404, audit
from .common import (
    audit_label,
    document_folder,
    download_name,
    page_css,
    send_report,
    with_inline_css,
)
from .forms import ReportTextsForm, grid_form


@bp.record_once
def _report_filters(state) -> None:
    """The report templates' filters (``f``, ``signed``, ``lines``) on the app's environment."""
    reports.add_filters(state.app.jinja_env)


@bp.route("/assessments/<int:assessment_id>/results")
@login_required
def results(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    counts = counts_by_source(db.session, assessment)
    imported = sum(counts["imported"].values())
    # which responses: collected only (default), both (?imported=1), the rehearsal alone (=only)
    chosen = request.args.get("imported") if imported else None
    include_imported = {"1": True, "only": REHEARSAL}.get(chosen or "", False)
    view = results_view(db.session, assessment, include_imported=include_imported)
    db.session.commit()  # the stored result, if it had to be computed (services only flush)
    css = page_css("results")
    html = render_template("admin/results/dashboard.html", inline_css=css, view=view,
                           publication=publication.publication_status(
                               db.session, assessment, batch_size=current_app.config["MIX_BATCH"]),
                           collection=collection_view(db.session, assessment,
                                                      timezone=current_app.config["TIMEZONE"]),
                           imported=imported, collected=sum(counts["collected"].values()),
                           responses_shown="rehearsal" if include_imported == REHEARSAL
                           else "both" if include_imported else "collected")
    return with_inline_css(html, css)


@bp.route("/assessments/<int:assessment_id>/comparison")
@login_required
def comparison(assessment_id: int):
    """Our own survey against the published result of the same year (issue 16)."""
    assessment = assessment_or_404(assessment_id)
    view = comparison_view(db.session, assessment)
    db.session.commit()  # the stored result, if it had to be computed
    return render_template("admin/results/comparison.html", view=view, assessment=assessment)


# -- the yearly report ------------------------------------------------------------------------


@bp.route("/assessments/<int:assessment_id>/report")
@login_required
def report_preview(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    view = reports.report_view(db.session, assessment)
    db.session.commit()  # the stored result, if it had to be computed
    html, css = reports.render_report_html(view, font_base=url_for("static", filename="fonts/"))
    return with_inline_css(html, css, fonts=True)


@bp.route("/assessments/<int:assessment_id>/report.<any(docx,pdf):fmt>")
@login_required
def report(assessment_id: int, fmt: str):
    assessment = assessment_or_404(assessment_id)
    view = reports.report_view(db.session, assessment)
    db.session.commit()  # the stored result, if it had to be computed
    return send_report(assessment, download_name(assessment, "report", fmt), fmt,
                       lambda: cached_document(document_folder(), "report", fmt, view,
                                               lambda: reports.report_file(view, fmt)))


def _document_problem(problem: report_document.Problem) -> str:
    """A document field's problem in the console's language."""
    limits = {"foreword": report_document.TEXT_MAX, "background": report_document.TEXT_MAX,
              "internal_measures": report_document.TEXT_MAX}
    code = problem.code
    if code == "too_long":
        return _("The text is longer than %(n)s characters",
                 n=limits.get(problem.field, report_document.LINE_MAX))
    if code == "too_many":
        return _("At most %(n)s measures, one per line", n=report_document.MEASURES_MAX)
    if code == "number":
        return _("Type a number (digits only)")
    if code == "range":
        return (_("The score must be between 0 and 100") if problem.field == "comparison_score"
                else _("The number of agencies must be between 1 and %(n)s",
                       n=report_document.UNITS_MAX))
    if code == "score_needed":
        return _("Give the average score the comparison is about")
    if code == "date":
        return _("The date is not a valid date")
    if code == "image_size":
        return _("The logo is larger than %(kb)s KB", kb=report_document.LOGO_MAX // 1024)
    if code == "image_pixels":
        return _("The logo is larger than %(px)s pixels on a side",
                 px=report_document.LOGO_PIXELS)
    return _("The logo must be a PNG or JPEG image")


def _document_values(row) -> dict[str, object]:
    if row is None:
        return {field: "" for field in report_document.FIELDS}
    values = {field: getattr(row, field) for field in report_document.FIELDS}
    return {k: ("" if v is None else v) for k, v in values.items()}


def _texts_form(drafts: dict[tuple[str, str], str], values: dict[tuple[str, str], str],
                stored) -> ReportTextsForm:
    """The texts page's form: one row per kind of text, one column per indicator with a
    draft (``strength-1``, ``monitoring-10``), then the document's fields."""
    codes = dict.fromkeys(code for _kind, code in drafts)
    columns = {code: TextAreaField(code) for code in codes}
    form_class = grid_form(ReportTextsForm, reports.NARRATIVE_KINDS, columns)
    data: dict[str, object] = {kind: {code: values[(kind, code)] for code in codes
                                      if (kind, code) in values}
                               for kind in reports.NARRATIVE_KINDS}
    if request.method == "POST":  # what was posted alone (a field not posted is blank)
        return form_class()
    return form_class(data={**data, **_document_values(stored)})


@bp.route("/assessments/<int:assessment_id>/report/texts", methods=["GET", "POST"])
@login_required
@accepts_files
def report_narrative(assessment_id: int):
    """The office's own words in the report, prefilled with drafts built from the data, and
    its document: foreword, background, internal measures, comparison, signature, cover date,
    logo."""
    assessment = assessment_or_404(assessment_id, write=request.method == "POST")
    results = results_view(db.session, assessment, bootstrap=0)
    db.session.commit()  # the stored result, if it had to be computed (services only flush)
    drafts = reports.narrative_drafts(results)
    saved = reports.load_narratives(db.session, assessment)
    errors: dict[tuple[str, str], str] = {}
    doc_errors: dict[str, str] = {}
    stored = report_document.load_document(db.session, assessment)
    form = _texts_form(drafts, {key: saved.get(key, draft) for key, draft in drafts.items()},
                       stored)
    if form.is_submitted():
        if not form.validate() and form.csrf_failed:
            abort(400)
        posted = {(kind, code): form[kind][code].data or "" for kind, code in drafts
                  if form[kind][code].raw_data}
        for key, value in posted.items():
            if len(value) > reports.NARRATIVE_MAX:
                errors[key] = _("The text is longer than %(n)s characters", n=reports.NARRATIVE_MAX)
        document = None
        if form.document.raw_data:
            upload = form.logo.data
            logo = upload.read(report_document.LOGO_MAX + 1) if upload and upload.filename else None
            document, problems = report_document.read_document(
                {**{f: form[f].data or "" for f in report_document.FIELDS},
                 "remove_logo": "1" if form.remove_logo.data else ""}, logo)
            for problem in problems:
                doc_errors.setdefault(problem.field, _document_problem(problem))
        if not errors and not doc_errors:
            changed = reports.save_narratives(db.session, assessment, posted, drafts)
            changed_doc = (report_document.save_document(db.session, assessment, document)
                           if document is not None else [])
            if changed or changed_doc:
                audit("report_texts", agency_id=assessment.agency_id,
                      target=audit_label(assessment),
                      detail="; ".join([f"{kind} {code}" for kind, code in changed]
                                       + [f"document {field}" for field in changed_doc]))
            db.session.commit()
            flash(_("Saved"), "ok")
            return redirect(url_for(".report_narrative", assessment_id=assessment.id))
    report = reports.build_report_view(results, saved=saved, measures={},
                                       document=report_document.document_view(stored))
    return render_template("admin/results/narrative.html", assessment=assessment,
                           report=report, saved=saved, errors=errors, doc_errors=doc_errors,
                           has_logo=bool(stored and stored.logo), limits=report_document,
                           form=form, max_length=reports.NARRATIVE_MAX), \
        (400 if errors or doc_errors else 200)
