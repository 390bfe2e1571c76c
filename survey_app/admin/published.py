"""Published results: the figures NACC published for an agency, per year (the year's record).

Typed in the grid, or uploaded as CSV/XLSX for this agency or for the agencies below it.
Every figure is checked against the year's instrument set first (:mod:`..services.published`);
a mismatch is named and nothing is stored unless the user keeps the figures as given.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import StringField

from ..extensions import db
from ..guards import accepts_files
from ..models import Agency
from ..refusals import each
from ..services.agencies import in_scope
from ..services.published import (
    YEAR_RANGE,
    PublishedError,
    all_codes,
    all_oit_item_codes,
    parse_score,
    parse_upload,
    published_years,
    set_published,
    store_upload,
    year_summaries,
)
from . import bp
from .access import agency_or_404, audit, writer_required
from .forms import PublishedGridForm, PublishedImportForm, grid_form

#: Blank rows under the stored years, for new ones.
NEW_ROWS = 3


def _grid(codes: tuple[str, ...], stored: dict[int, dict[str, float]], *, writer: bool,
          posted: bool = False) -> PublishedGridForm:
    """The grid: a row per stored year, then blank rows for a writer (``s-0-year``,
    ``s-0-total``, ``s-0-9.1`` …): the posted one, or one filled with the stored figures."""
    years = sorted(stored)
    columns = {"year": StringField(_l("Fiscal year B.E.")), **{c: StringField(c) for c in codes}}
    keys = [f"s-{row}" for row in range(len(years) + (NEW_ROWS if writer else 0))]
    form_class = grid_form(PublishedGridForm, keys, columns)
    if posted:  # what was posted alone: a cell not posted is blank
        return form_class()
    return form_class(data={key: {"year": str(year), **{
        c: f"{v:.2f}" for c, v in stored[year].items() if v is not None}}
        for key, year in zip(keys, years, strict=False)})


def _read_grid(form: PublishedGridForm, codes: tuple[str, ...]
               ) -> tuple[dict[int, dict[str, float | None]], list[str]]:
    """Read the posted grid: year → code → score, and a message for every bad cell."""
    grid: dict[int, dict[str, float | None]] = {}
    errors: list[str] = []
    lo, hi = YEAR_RANGE
    for number, (key, row) in enumerate(form.rows(), start=1):
        if not form.posted(key):
            continue
        year_text = (row.year.data or "").strip()
        cells = {c: row[c].data or "" for c in codes}
        if not year_text:
            if any(v.strip() for v in cells.values()):
                errors.append(_("Row %(row)s: scores without a year", row=number))
            continue
        if not year_text.isdigit() or not lo <= int(year_text) <= hi:
            errors.append(_("Row %(row)s: %(year)s is not a B.E. year (2400–2700)", row=number,
                            year=year_text))
            continue
        year = int(year_text)
        if year in grid:
            errors.append(_("The year %(year)s appears twice", year=year))
            continue
        scores: dict[str, float | None] = {}
        for c, v in cells.items():
            try:
                scores[c] = parse_score(v)
            except PublishedError:
                errors.append(_('Year %(year)s, column %(code)s: "%(value)s" is not a score from 0 to 100',
                                year=year, code=c, value=v))
        grid[year] = scores
    return grid, errors


def _page(agency: Agency, errors: list[str], import_form: PublishedImportForm, *,
          mismatch: bool = False, grid: PublishedGridForm | None = None):
    codes = all_codes(db.session)
    stored = {y: p.scores for y, p in published_years(db.session, agency).items()}
    return render_template("admin/published.html", agency=agency, shown=codes, errors=errors,
                           form=grid or _grid(codes, stored, writer=current_user.can_write),
                           import_form=import_form, codes=codes,
                           years=year_summaries(db.session, agency), mismatch=mismatch,
                           area=db.session.scalar(sa.select(sa.exists().where(
                               Agency.parent_id == agency.id))))


def _who() -> str:
    return current_user.username


@bp.route("/agencies/<int:agency_id>/past", methods=["GET", "POST"])
@login_required
def published(agency_id: int):
    agency = agency_or_404(agency_id, write=request.method == "POST")
    errors: list[str] = []
    mismatch = False
    form = None
    if request.method == "POST":
        codes = all_codes(db.session)
        existing = published_years(db.session, agency)
        form = _grid(codes, {y: p.scores for y, p in existing.items()}, writer=True, posted=True)
        # Without any row the POST would clear every year.
        if (not form.validate() and form.csrf_failed) or not any(map(form.posted, form.row_keys)):
            abort(400)
        grid, errors = _read_grid(form, codes)
        keep = form.keep_as_given.data
        if not errors:
            changed = []
            for year in sorted(set(existing) | set(grid)):
                scores = grid.get(year, {})
                try:
                    if set_published(db.session, agency, year, scores, source="console",
                                     entered_by=_who(), keep_as_given=keep):
                        changed.append(year)
                except PublishedError as exc:
                    mismatch = mismatch or bool(exc.mismatches)
                    errors.extend(_("Year %(year)s: %(problem)s", year=year, problem=m)
                                  for m in each(exc))
            if errors:
                db.session.rollback()
            else:
                if changed:
                    audit("published_update", agency_id=agency.id, target=agency.code,
                          detail="years " + ", ".join(str(y) for y in changed)
                          + (" (kept as given)" if keep else ""))
                db.session.commit()
                flash(_("Saved"), "ok")
                return redirect(url_for(".published", agency_id=agency.id))
    page = _page(agency, errors, PublishedImportForm(formdata=None), mismatch=mismatch,
                 grid=form if errors else None)
    return page, (400 if errors else 200)


@bp.post("/agencies/<int:agency_id>/past/import")
@writer_required
@accepts_files
def published_import(agency_id: int):
    agency = agency_or_404(agency_id, write=True)
    form = PublishedImportForm()
    if not form.validate_on_submit():
        errors = [f"{form[name].label.text}: {', '.join(e)}" for name, e in form.errors.items()
                  if name in form._fields] or [_("Choose a CSV or XLSX file")]
        return _page(agency, [_("Import failed; nothing was saved:"), *errors], form), 400
    upload = form.file.data
    try:
        rows = parse_upload(upload.read(), upload.filename or "", all_codes(db.session),
                            all_oit_item_codes(db.session))
        # Rows naming another agency: this agency or one below it (an area's schools).
        stored = store_upload(
            db.session, rows, default_agency=agency, year=form.fiscal_year.data,
            allowed=lambda a: _below_or_same(agency, a), source="upload",
            entered_by=_who(), keep_as_given=form.keep_as_given.data)
    except PublishedError as exc:
        db.session.rollback()
        return _page(agency, [_("Import failed; nothing was saved:"),
                              *each(exc)], form,
                     mismatch=bool(exc.mismatches)), 400
    for target, year in stored:
        audit("published_import", agency_id=target.id, target=target.code,
              detail=f"year {year}, file {upload.filename or '-'}"
              + (" (kept as given)" if form.keep_as_given.data else ""))
    db.session.commit()
    flash(_("Imported %(n)s rows", n=len(stored)), "ok")
    return redirect(url_for(".published", agency_id=agency.id))


def _below_or_same(page_agency: Agency, target: Agency) -> bool:
    """Whether the signed-in account may set ``target``'s result from this page: the page's
    agency or one below it, and inside the account's own scope."""
    if not in_scope(db.session, current_user, target.id):
        return False
    node: Agency | None = target
    while node is not None:
        if node.id == page_agency.id:
            return True
        node = node.parent
    return False
