"""Past results: the grid of earlier years' published figures, and its CSV import."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..extensions import db
from ..guards import accepts_files
from ..models import Agency
from ..services.past_results import (
    PAST_YEAR_RANGE,
    PastImportError,
    grid_codes,
    parse_past_csv,
    parse_score,
    past_codes,
    past_scores,
    replace_past_results,
    replace_past_year,
)
from . import bp
from .access import agency_or_404, audit, writer_required
from .forms import EmptyForm, PastImportForm


def _read_grid(shown: tuple[str, ...]) -> tuple[dict[int, dict[str, float | None]], list[str]]:
    """Read the posted grid: year → code → score, and a message for every bad cell."""
    grid: dict[int, dict[str, float | None]] = {}
    errors: list[str] = []
    lo, hi = PAST_YEAR_RANGE
    for row, year_text in enumerate(request.form.getlist("year")):
        year_text = year_text.strip()
        cells = {c: request.form.get(f"s-{row}-{c}", "") for c in shown}
        if not year_text:
            if any(v.strip() for v in cells.values()):
                errors.append(_("Row %(row)s: scores without a year", row=row + 1))
            continue
        if not year_text.isdigit() or not lo <= int(year_text) <= hi:
            errors.append(_("%(year)s is not a B.E. year (2400–2700)", year=year_text))
            continue
        year = int(year_text)
        if year in grid:
            errors.append(_("The year %(year)s appears twice", year=year))
            continue
        scores: dict[str, float | None] = {}
        for c, v in cells.items():
            try:
                scores[c] = parse_score(v)
            except ValueError:
                errors.append(_('Year %(year)s, column %(code)s: "%(value)s" is not a score from 0 to 100',
                                year=year, code=c, value=v))
        grid[year] = scores
    return grid, errors


def _page(agency: Agency, errors: list[str], import_form: PastImportForm):
    codes = past_codes(db.session)
    return render_template("admin/past.html", agency=agency, shown=grid_codes(codes),
                           scores=past_scores(db.session, agency), errors=errors,
                           form=EmptyForm(), import_form=import_form, codes=codes)


@bp.route("/agencies/<int:agency_id>/past", methods=["GET", "POST"])
@login_required
def past(agency_id: int):
    agency = agency_or_404(agency_id, write=request.method == "POST")
    errors: list[str] = []
    if request.method == "POST":
        # The grid always posts its year column; without it the POST would clear every year.
        if not EmptyForm().validate_on_submit() or not request.form.getlist("year"):
            abort(400)
        grid, errors = _read_grid(grid_codes(past_codes(db.session)))
        if not errors:
            changed = replace_past_results(db.session, agency, grid)
            if changed:
                audit("past_update", agency_id=agency.id, target=agency.code,
                      detail="years " + ", ".join(str(y) for y in changed))
            db.session.commit()
            flash(_("Saved"), "ok")
            return redirect(url_for(".past", agency_id=agency.id))
    return _page(agency, errors, PastImportForm(formdata=None)), (400 if errors else 200)


@bp.post("/agencies/<int:agency_id>/past/import")
@writer_required
@accepts_files
def past_import(agency_id: int):
    agency = agency_or_404(agency_id, write=True)
    form = PastImportForm()
    if not form.validate_on_submit():
        flash(_("Choose a CSV file"), "error")
        return redirect(url_for(".past", agency_id=agency.id))
    try:
        rows = parse_past_csv(form.file.data.read(), past_codes(db.session))
    except PastImportError as exc:
        return _page(agency, [_("Import failed; nothing was saved:"), *exc.messages], form), 400
    for year, scores in rows.items():
        replace_past_year(db.session, agency, year, scores)
    audit("past_import", agency_id=agency.id, target=agency.code,
          detail="years " + ", ".join(str(y) for y in sorted(rows)))
    db.session.commit()
    flash(_("Imported %(n)s years", n=len(rows)), "ok")
    return redirect(url_for(".past", agency_id=agency.id))
