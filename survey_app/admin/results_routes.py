"""Admin console views for results: dashboards, supervisor comparison, exports, reports.

Every view goes through ``access``: an assessment outside the account's scope is a 404, the
supervisor view lists only agencies in scope, and every download is written to the audit log.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tempfile

from flask import (
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    send_file,
)
from flask_login import current_user, login_required
from sqlalchemy.orm import Session

from ..extensions import db
from ..i18n import current_language, register_strings, t
from ..models import Assessment
from ..services import charts, exports, reports
from ..services.results import results_view, supervisor_view
from .access import assessment_or_404, audit
from .routes import bp
from .strings_results import STRINGS

register_strings(STRINGS)


@bp.app_template_filter("score2")
def score2(value) -> str:
    """Show a figure scoring already rounded with its two decimals (or a dash)."""
    return "–" if value is None else f"{value:.2f}"


def _loc(d: dict, name: str) -> str:
    """Pick ``d[name_th]`` or ``d[name_en]`` for the current language."""
    if current_language() == "en" and d.get(f"{name}_en"):
        return d[f"{name}_en"]
    return d.get(f"{name}_th") or ""


def page_css(name: str) -> str:
    return render_template(f"admin/results/{name}.css")


def with_inline_css(html: str, css: str) -> Response:
    """Send a page whose one inline ``<style>`` the CSP allows by its hash (no 'unsafe-inline')."""
    from .. import CONTENT_SECURITY_POLICY

    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()
    response = make_response(html)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'", f"style-src 'self' 'sha256-{digest}'")
    return response


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


@bp.route("/assessments/<int:assessment_id>/exports", endpoint="exports")
@login_required
def exports_page(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    from ..services.responses import response_counts

    css = page_css("results")
    html = render_template("admin/results/exports.html", assessment=assessment,
                           counts=response_counts(db.session, assessment),
                           kinds=exports.EXPORT_KINDS, inline_css=css,
                           chromium=reports.chromium_path(current_app.config.get("CHROMIUM")))
    return with_inline_css(html, css)


def _stream_responses_csv(engine, assessment_id: int, instrument: str):
    """Stream on a session of its own, closed when the body ends or the client goes away.

    The request's session is removed when the view returns, before the body is sent; a
    stream on it would leave a transaction open after the last row.
    """
    with Session(engine) as session:
        yield from exports.iter_responses_csv(session, assessment_id, instrument)


def _download_name(assessment: Assessment, kind: str, ext: str) -> str:
    return exports.export_filename(assessment.agency.code, assessment.fiscal_year_be, kind, ext)


def _record(assessment: Assessment, name: str, action: str = "export") -> None:
    audit(action, target=name, agency_id=assessment.agency_id,
          detail=f"assessment {assessment.id}")
    db.session.commit()


@bp.route("/assessments/<int:assessment_id>/exports/"
          "<any('responses-iit','responses-eit','codebook','scores'):kind>."
          "<any(csv,xlsx,json):fmt>")
@login_required
def export_download(assessment_id: int, kind: str, fmt: str):
    assessment = assessment_or_404(assessment_id)
    if fmt not in exports.EXPORT_KINDS[kind]:
        abort(404)
    name = _download_name(assessment, kind, fmt)
    mimetype = exports.MIMETYPES[fmt]
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    session = db.session
    if kind in exports.RESPONSE_KINDS:
        instrument = kind.rsplit("-", 1)[1].upper()
        _record(assessment, name)
        if fmt == "csv":
            return Response(_stream_responses_csv(db.engine, assessment.id, instrument), mimetype=mimetype,
                            headers=disposition)
        spool = tempfile.TemporaryFile()  # send_file closes it
        exports.write_responses_xlsx(session, assessment.id, instrument, spool)
        spool.seek(0)
        return send_file(spool, mimetype=mimetype, as_attachment=True, download_name=name)
    if kind == "codebook":
        _record(assessment, name)
        if fmt == "csv":
            return Response(exports.codebook_csv(assessment.instrument_set), mimetype=mimetype,
                            headers=disposition)
        buffer = io.BytesIO()
        exports.write_codebook_xlsx(assessment.instrument_set, buffer)
        buffer.seek(0)
        return send_file(buffer, mimetype=mimetype, as_attachment=True, download_name=name)
    from ..services.results import assessment_result

    result = assessment_result(session, assessment)
    _record(assessment, name)
    if fmt == "csv":
        return Response(exports.scores_csv(result), mimetype=mimetype, headers=disposition)
    if fmt == "json":
        return Response(exports.scores_json(result), mimetype=mimetype, headers=disposition)
    buffer = io.BytesIO()
    exports.write_scores_xlsx(results_view(session, assessment, result=result), result, buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype=mimetype, as_attachment=True, download_name=name)


# -- the yearly report ------------------------------------------------------------------------


def report_html(assessment: Assessment, view: dict) -> tuple[str, str]:
    """Render the report page (self-contained: inline CSS and SVG); return (html, css)."""
    model = reports.report_model(view, reports.load_measures(db.session, assessment))
    css = page_css("report")
    bars = [{"code": c, "name_th": d["name_th"], "name_en": d["name_en"], "score": d["score"]}
            for c, d in view["scores"]["indicators"].items()]
    html = render_template(
        "admin/results/report.html", m=model, inline_css=css,
        bars_svg=charts.indicator_bars_svg(bars, view["scores"]["target"], lang="th",
                                           title="คะแนนรายตัวชี้วัดเทียบกับเป้าหมาย"),
        trend_svg=charts.trend_svg(view["scores"]["history"], lang="th",
                                   title="ผลคะแนน ITA ย้อนหลัง",
                                   pass_mark=view["iset"]["pass_mark"]))
    return html, css


def _message(assessment: Assessment, message: str, status: int):
    return render_template("admin/results/message.html", assessment=assessment,
                           message=message), status


@bp.route("/assessments/<int:assessment_id>/report")
@login_required
def report_preview(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    html, css = report_html(assessment, results_view(db.session, assessment))
    return with_inline_css(html, css)


@bp.route("/assessments/<int:assessment_id>/report.<any(docx,pdf):fmt>")
@login_required
def report(assessment_id: int, fmt: str):
    assessment = assessment_or_404(assessment_id)
    view = results_view(db.session, assessment)
    name = _download_name(assessment, "report", fmt)
    if fmt == "docx":
        model = reports.report_model(view, reports.load_measures(db.session, assessment))
        data = reports.build_report_docx(model)
        mimetype = ("application/vnd.openxmlformats-officedocument."
                    "wordprocessingml.document")
    else:
        html, _ = report_html(assessment, view)
        try:
            data = reports.html_to_pdf(html, chromium=current_app.config.get("CHROMIUM"))
        except reports.PdfUnavailable:
            return _message(assessment, t("rep_pdf_unavailable"), 503)
        except RuntimeError:
            current_app.logger.exception("PDF report failed")
            return _message(assessment, t("rep_pdf_failed"), 503)
        mimetype = "application/pdf"
    _record(assessment, name, "report")
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=name)
