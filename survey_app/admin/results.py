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

from ..extensions import db
from ..services import reports
from ..services.ballots import pending_count
from ..services.collection import collection_view
from ..services.document_cache import cached_document
from ..services.imports import counts_by_source
from ..services.results import results_view
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
from .forms import EmptyForm


@bp.record_once
def _report_filters(state) -> None:
    """The report templates' filters (``f``, ``signed``, ``lines``) on the app's environment."""
    reports.add_filters(state.app.jinja_env)


@bp.route("/assessments/<int:assessment_id>/results")
@login_required
def results(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    imported = sum(counts_by_source(db.session, assessment)["imported"].values())
    include_imported = imported > 0 and request.args.get("imported") == "1"
    view = results_view(db.session, assessment, include_imported=include_imported)
    db.session.commit()  # the stored result, if it had to be computed (services only flush)
    css = page_css("results")
    html = render_template("admin/results/dashboard.html", inline_css=css, view=view,
                           iit_pending=pending_count(db.session, assessment.id),
                           collection=collection_view(db.session, assessment,
                                                      timezone=current_app.config["TIMEZONE"]),
                           imported=imported, include_imported=include_imported)
    return with_inline_css(html, css)


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


@bp.route("/assessments/<int:assessment_id>/report/texts", methods=["GET", "POST"])
@login_required
def report_narrative(assessment_id: int):
    """The office's own words in the report, prefilled with drafts built from the data."""
    assessment = assessment_or_404(assessment_id, write=request.method == "POST")
    results = results_view(db.session, assessment, bootstrap=0)
    db.session.commit()  # the stored result, if it had to be computed
    drafts = reports.narrative_drafts(results)
    saved = reports.load_narratives(db.session, assessment)
    errors: dict[tuple[str, str], str] = {}
    values = {key: saved.get(key, draft) for key, draft in drafts.items()}
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        posted = {key: request.form[f"{key[0]}-{key[1]}"] for key in drafts
                  if f"{key[0]}-{key[1]}" in request.form}
        for key, value in posted.items():
            if len(value) > reports.NARRATIVE_MAX:
                errors[key] = _("The text is longer than %(n)s characters", n=reports.NARRATIVE_MAX)
        values.update(posted)
        if not errors:
            changed = reports.save_narratives(db.session, assessment, posted, drafts)
            if changed:
                audit("report_texts", agency_id=assessment.agency_id,
                      target=audit_label(assessment),
                      detail="; ".join(f"{kind} {code}" for kind, code in changed))
            db.session.commit()
            flash(_("Saved"), "ok")
            return redirect(url_for(".report_narrative", assessment_id=assessment.id))
    report = reports.build_report_view(results, saved=saved, measures={})
    return render_template("admin/results/narrative.html", assessment=assessment,
                           report=report, values=values, saved=saved, errors=errors,
                           form=EmptyForm(), max_length=reports.NARRATIVE_MAX), \
        (400 if errors else 200)
