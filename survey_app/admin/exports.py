"""Downloads: the exports page, and responses, codebook and scores as CSV, XLSX or JSON.

Every download is written to the audit log; an assessment outside the account's scope is a 404.
"""

from __future__ import annotations

import io
import tempfile

from flask import Response, abort, render_template, send_file
from flask_login import login_required
from sqlalchemy.orm import Session

from ..extensions import db
from ..services import exports, publication
from ..services.results import results_view, stored_result
from . import bp
from .access import assessment_or_404
from .common import download_name, page_css, record_download, with_inline_css


@bp.route("/assessments/<int:assessment_id>/exports", endpoint="exports")
@login_required
def exports_page(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    css = page_css("results")
    html = render_template("admin/results/exports.html", assessment=assessment,
                           counts=publication.published_counts(db.session, assessment.id),
                           kinds=exports.EXPORT_KINDS, inline_css=css)
    return with_inline_css(html, css)


def _stream_responses_csv(engine, assessment_id: int, instrument: str):
    """Stream on a session of its own, closed when the body ends or the client goes away.

    The request's session is removed when the view returns, before the body is sent; a
    stream on it would leave a transaction open after the last row.
    """
    with Session(engine) as session:
        yield from exports.iter_responses_csv(session, assessment_id, instrument)


@bp.route("/assessments/<int:assessment_id>/exports/"
          "<any('responses-iit','responses-eit','codebook','scores'):kind>."
          "<any(csv,xlsx,json):fmt>")
@login_required
def export_download(assessment_id: int, kind: str, fmt: str):
    assessment = assessment_or_404(assessment_id)
    if fmt not in exports.EXPORT_KINDS[kind]:
        abort(404)
    name = download_name(assessment, kind, fmt)
    mimetype = exports.MIMETYPES[fmt]
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    session = db.session
    if kind in exports.RESPONSE_KINDS:
        instrument = kind.rsplit("-", 1)[1].upper()
        record_download(assessment, name)
        if fmt == "csv":
            return Response(_stream_responses_csv(db.engine, assessment.id, instrument), mimetype=mimetype,
                            headers=disposition)
        spool = tempfile.TemporaryFile()  # send_file closes it
        exports.write_responses_xlsx(session, assessment.id, instrument, spool)
        spool.seek(0)
        return send_file(spool, mimetype=mimetype, as_attachment=True, download_name=name)
    if kind == "codebook":
        record_download(assessment, name)
        if fmt == "csv":
            return Response(exports.codebook_csv(assessment), mimetype=mimetype,
                            headers=disposition)
        buffer = io.BytesIO()
        exports.write_codebook_xlsx(assessment, buffer)
        buffer.seek(0)
        return send_file(buffer, mimetype=mimetype, as_attachment=True, download_name=name)
    scores = stored_result(session, assessment).scores
    record_download(assessment, name)  # commits: the stored result too, if it was computed
    if fmt == "csv":
        return Response(exports.scores_csv(scores), mimetype=mimetype, headers=disposition)
    if fmt == "json":
        return Response(exports.scores_json(scores), mimetype=mimetype, headers=disposition)
    buffer = io.BytesIO()
    exports.write_scores_xlsx(results_view(session, assessment, result=scores), scores, buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype=mimetype, as_attachment=True, download_name=name)
