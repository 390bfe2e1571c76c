"""The published result's OIT part entered item by item, as NACC judged each checklist item.

A section of the published-result page (:mod:`.published`) with its own form: the year's
set's OIT items, each pass, fail or blank.  The set's own OIT scoring gives the sub-indicators
9.x/10.x and indicators 9/10 (:func:`..services.published.from_oit_items`); they replace those
of the year's published result, whose other figures stay, and the whole is checked like any
entry (the OIT part and the total against them): a mismatch is named and nothing is stored
unless the figures are kept as given.  Audited.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectField

from questionnaires import InstrumentSet

from ..extensions import db
from ..models import Agency
from ..refusals import say
from ..services.published import (
    YEAR_RANGE,
    PublishedError,
    from_oit_items,
    oit_items_note,
    parse_oit_item,
    published_for,
    set_published,
    year_set,
)
from ..services.refusals import reason
from . import bp
from .access import agency_or_404, audit
from .forms import Choice, PublishedOitItemsForm, grid_form


def oit_items_form(iset: InstrumentSet) -> type[PublishedOitItemsForm]:
    """The grid of ``iset``'s OIT items: one row per item (``O1-result`` …), pass/fail/blank."""
    choices = [Choice("", "–"), Choice("pass", _l("pass")), Choice("fail", _l("fail"))]
    return grid_form(PublishedOitItemsForm, [o.code for o in iset.oit_items], {
        "result": SelectField(_l("Result"), choices=choices, default="", validate_choice=False)})


def _year() -> tuple[int | None, str | None]:
    """The year asked for (``?year=``) and a message if it is not a B.E. year."""
    text = (request.args.get("year") or "").strip()
    lo, hi = YEAR_RANGE
    if not text.isdigit() or not lo <= int(text) <= hi:
        return None, say(reason("published_year_invalid", year=text or "–", lo=lo, hi=hi))
    return int(text), None


def _read_items(form: PublishedOitItemsForm, iset: InstrumentSet) -> tuple[dict[str, bool], list[str]]:
    items: dict[str, bool] = {}
    errors: list[str] = []
    for o in iset.oit_items:
        value = form[o.code].form.result.data or ""
        try:
            passed = parse_oit_item(value)
        except PublishedError as exc:
            errors.append(say(reason("oit_item_value_invalid", value=value,
                                     where=reason("oit_item_where", item=o.code),
                                     reason=exc.reasons[0])))
            continue
        if passed is not None:
            items[o.code] = passed
    if not items and not errors:
        errors.append(_("Enter the result (pass or fail) of the OIT items"))
    return items, errors


@bp.route("/agencies/<int:agency_id>/past/oit", methods=["GET", "POST"])
@login_required
def published_oit(agency_id: int):
    agency: Agency = agency_or_404(agency_id, write=request.method == "POST")
    if request.method == "GET" and not (request.args.get("year") or "").strip():
        # no year chosen yet: the page asks for one (the published-results page links here)
        return render_template("admin/published_oit.html", agency=agency, year=None, iset=None,
                               form=None, errors=[], mismatch=False)
    year, problem = _year()
    iset = year_set(db.session, agency, year) if year is not None else None
    if problem is None and iset is None:
        problem = _("The year %(year)s has no instrument set: its OIT items cannot be scored",
                    year=year)
    if problem is not None:
        return render_template("admin/published_oit.html", agency=agency, year=None,
                               iset=None, form=None, errors=[problem], mismatch=False), 400
    form = oit_items_form(iset)()
    errors: list[str] = []
    mismatch = False
    if request.method == "POST" and form.validate_on_submit():
        items, errors = _read_items(form, iset)
        if not errors:
            keep = form.keep_as_given.data
            try:
                replaced = from_oit_items(iset, items)  # what the items give replaces the year's
                existing = published_for(db.session, agency.id, year)
                scores = {c: v for c, v in (existing.scores if existing else {}).items()
                          if c not in replaced}
                changed = set_published(db.session, agency, year, scores, source="console",
                                        entered_by=current_user.username, keep_as_given=keep,
                                        iset=iset, oit_items=items)
            except PublishedError as exc:
                db.session.rollback()
                mismatch = bool(exc.mismatches)
                errors = [_("Year %(year)s: %(problem)s", year=year, problem=say(m))
                          for m in exc.reasons]
            else:
                if changed:
                    audit("published_update", agency_id=agency.id, target=agency.code,
                          detail=f"year {year}, {oit_items_note(items)}"
                          + (" (kept as given)" if keep else ""))
                db.session.commit()
                flash(_("Saved"), "ok")
                return redirect(url_for(".published", agency_id=agency.id))
    elif request.method == "POST":
        errors = [f"{form[name].label.text}: {', '.join(e)}" for name, e in form.errors.items()
                  if name in form._fields] or [_("The form has expired; try again")]
    page = render_template("admin/published_oit.html", agency=agency, year=year, iset=iset,
                           form=form, errors=errors, mismatch=mismatch)
    return page, (400 if errors else 200)
