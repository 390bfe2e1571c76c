"""The supervisor's views: every agency in scope compared, and the area's downloads.

The comparison page flags agencies below their minimum samples and lists the agencies that
still need answers; the area workbook (Score-Final shape, XLSX) and the area summary report
(DOCX, PDF) are built from the same comparison.  Every account sees only the agencies in its
scope; every download is in the audit log.
"""

from __future__ import annotations

import io

from flask import abort, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..labels import agency_type_labels, agency_type_labels_th
from ..services import area, reports
from ..services.agencies import may_have_children
from ..services.document_cache import cached_document
from ..services.exports import MIMETYPES as EXPORT_MIMETYPES
from . import bp
from .access import audit
from .common import document_folder, page_css, report_failed, with_inline_css


def _comparison():
    year = request.args.get("year", type=int)
    sort = request.args.get("sort", "shortfall")
    return area.supervisor_view(db.session, current_user, year,
                                sort=sort if sort in area.SORTS else "shortfall")


def _has_area() -> bool:
    """Whether the account's scope can be an area: not a school's (nothing below it)."""
    return current_user.agency is None or may_have_children(current_user.agency)


def _area_comparison():
    """The comparison an area download is made of (404 for a school's account)."""
    if not _has_area():
        abort(404)
    return _comparison()


def _name(view, kind: str, ext: str) -> str:
    """``ita-area-<own agency code or all>-<year>-<kind>.<ext>``."""
    own = current_user.agency.code if current_user.agency is not None else "all"
    return area.area_filename(own, view.fiscal_year_be, kind, ext)


def _record(view, name: str, action: str) -> None:
    audit(action, target=name, agency_id=current_user.agency_id,
          detail=f"area roll-up {view.fiscal_year_be}: {len(view.rows)} agencies")
    db.session.commit()


def _choice(name: str, allowed: tuple[str, ...]) -> str:
    """A query argument among ``allowed`` (anything else: the first)."""
    value = request.args.get(name, allowed[0])
    return value if value in allowed else allowed[0]


def _results_link():
    """An assessment's results page, for a table of many: the URL built once by ``url_for``
    (with a stand-in id) and each row's id put in its place."""
    stand_in = "9" * 12
    head, _, tail = url_for("admin.results", assessment_id=int(stand_in)).partition(stand_in)
    return lambda assessment_id: f"{head}{int(assessment_id)}{tail}"


@bp.route("/supervisor")
@login_required
def supervisor():
    """The comparison; its long tables page and sort on the server (``order`` and ``page`` for
    the agencies, ``sort`` and ``needs_page`` for those that need answers, ``missing_page`` for
    those without an assessment); every link keeps the year and the other table's choice."""
    comparison = _comparison()
    db.session.commit()  # the stored points that had to be computed
    order, sort = _choice("order", area.ORDERS), _choice("sort", area.SORTS)
    rows = area.page_of(area.ordered_rows(comparison, order), request.args.get("page", type=int))
    needs = area.page_of(comparison.needs_answers, request.args.get("needs_page", type=int))
    missing = area.page_of(comparison.without_assessment,
                           request.args.get("missing_page", type=int))
    state = {"year": comparison.fiscal_year_be, "order": order, "sort": sort,
             "page": rows.number, "needs_page": needs.number, "missing_page": missing.number}

    def link(**changes) -> str:
        """This page with ``changes`` (a new order or sort starts at its first page)."""
        merged = {**state, **changes}
        if "order" in changes:
            merged["page"] = 1
        if "sort" in changes:
            merged["needs_page"] = 1
        return url_for("admin.supervisor", **{k: v for k, v in merged.items()
                                              if v is not None and v != 1})

    css = page_css("results")
    html = render_template("admin/results/supervisor.html", comparison=comparison,
                           has_area=_has_area(), rows=rows, needs=needs, missing=missing,
                           order=order, sort=sort, link=link, inline_css=css,
                           results_link=_results_link(), type_names=agency_type_labels())
    return with_inline_css(html, css)


@bp.route("/supervisor/area.xlsx")
@login_required
def area_workbook():
    view = _area_comparison()
    name = _name(view, "rollup", "xlsx")
    buffer = io.BytesIO()
    area.write_area_workbook(view, buffer, type_labels=agency_type_labels_th(),
                             title=area.workbook_title(view))
    _record(view, name, "export")
    buffer.seek(0)
    return send_file(buffer, mimetype=EXPORT_MIMETYPES["xlsx"], as_attachment=True,
                     download_name=name)


@bp.route("/supervisor/summary.<any(docx,pdf):fmt>")
@login_required
def area_report(fmt: str):
    view = _area_comparison()
    name = _name(view, "summary", fmt)
    summary = area.area_report_view(db.session, view)
    try:
        data = cached_document(document_folder(), "area", fmt, summary,
                               lambda: reports.area_file(summary, fmt))
    except Exception:  # a renderer's failure is a message, never a bare 500
        return report_failed(fmt)
    _record(view, name, "report")
    return send_file(io.BytesIO(data), mimetype=reports.MIMETYPES[fmt], as_attachment=True,
                     download_name=name)
