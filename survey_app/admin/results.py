"""Admin console views for results: the dashboard, the supervisor comparison and the report.

Every view goes through ``access``: an assessment outside the account's scope is a 404, the
supervisor view lists only agencies in scope, and every report download is in the audit log.
"""

from __future__ import annotations

import io

from flask import current_app, render_template, request, send_file
from flask_login import current_user, login_required

from ..extensions import db
from ..i18n import current_language, t
from ..models import Assessment
from ..services import charts, reports
from ..services.results import results_view, supervisor_view
from . import bp
from .access import assessment_or_404
from .common import download_name, page_css, record_download, with_inline_css


def _loc(d: dict, name: str) -> str:
    """Pick ``d[name_th]`` or ``d[name_en]`` for the current language."""
    if current_language() == "en" and d.get(f"{name}_en"):
        return d[f"{name}_en"]
    return d.get(f"{name}_th") or ""


def dashboard_context(assessment: Assessment, view: dict) -> dict:
    lang = current_language()
    scores = view["scores"]
    bars = [{"code": c, "name_th": d["name_th"], "name_en": d["name_en"], "score": d["score"]}
            for c, d in scores["indicators"].items()]
    iset_pass = view["iset"]["pass_mark"]
    return {
        "assessment": assessment,
        "v": view,
        "s": scores,
        "loc": _loc,
        "bars_svg": charts.indicator_bars_svg(bars, scores["target"], lang=lang,
                                              title=t("res_chart_indicators")),
        "trend_svg": charts.trend_svg(scores["history"], lang=lang, title=t("res_trend"),
                                      pass_mark=iset_pass),
    }


@bp.route("/assessments/<int:assessment_id>/results")
@login_required
def results(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    view = results_view(db.session, assessment)
    css = page_css("results")
    html = render_template("admin/results/dashboard.html", inline_css=css,
                           **dashboard_context(assessment, view))
    return with_inline_css(html, css)


@bp.route("/supervisor")
@login_required
def supervisor():
    year = request.args.get("year", type=int)
    comparison = supervisor_view(db.session, current_user, year)
    svg = charts.grade_bars_svg(comparison.distribution, title=t("sup_distribution"))
    css = page_css("results")
    html = render_template("admin/results/supervisor.html", c=comparison, grades_svg=svg,
                           inline_css=css)
    return with_inline_css(html, css)


# -- the yearly report ------------------------------------------------------------------------


def _message(assessment: Assessment, message: str, status: int):
    return render_template("admin/results/message.html", assessment=assessment,
                           message=message), status


@bp.route("/assessments/<int:assessment_id>/report")
@login_required
def report_preview(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    html, css = reports.report_html(db.session, assessment, results_view(db.session, assessment))
    return with_inline_css(html, css)


@bp.route("/assessments/<int:assessment_id>/report.<any(docx,pdf):fmt>")
@login_required
def report(assessment_id: int, fmt: str):
    assessment = assessment_or_404(assessment_id)
    view = results_view(db.session, assessment)
    name = download_name(assessment, "report", fmt)
    if fmt == "docx":
        data = reports.report_docx(db.session, assessment, view)
        mimetype = ("application/vnd.openxmlformats-officedocument."
                    "wordprocessingml.document")
    else:
        try:
            data = reports.report_pdf(db.session, assessment, view,
                                      chromium=current_app.config.get("CHROMIUM"))
        except reports.PdfUnavailable:
            return _message(assessment, t("rep_pdf_unavailable"), 503)
        except RuntimeError:
            current_app.logger.exception("PDF report failed")
            return _message(assessment, t("rep_pdf_failed"), 503)
        mimetype = "application/pdf"
    record_download(assessment, name, "report")
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=name)
