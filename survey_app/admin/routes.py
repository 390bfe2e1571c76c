"""Admin console views: accounts, agencies, assessments, codes, posters, OIT, past results.

Every view loads what it shows through :mod:`.access` (scope, 404 outside it, 403 for a viewer
who tries to change something) and records every change with ``audit``; views own the
transaction, services only add and flush.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup

from questionnaires import available_instrument_sets, load_instrument_set

from .. import i18n
from ..extensions import db, limiter, login_manager
from ..i18n import format_datetime, register_strings, t, tr
from ..models import ROLES, Agency, Assessment, ImprovementMeasure, User, utcnow
from ..respond.routes import public_url
from ..services.accounts import AccountError, authenticate, create_user
from ..services.assessments import create_assessment
from ..services.codes import format_code, issue_codes
from ..services.console import (
    AGENCY_TYPES,
    PAST_YEAR_RANGE,
    ConsoleError,
    OitEntry,
    PastImportError,
    add_measure,
    assessment_status,
    audit_page,
    batch_exists,
    close_now,
    code_batches,
    codes_csv,
    home_rows,
    indicator_scores_or_none,
    measures_by_indicator,
    next_batch_label,
    oit_entries,
    oit_results,
    oit_scores,
    open_now,
    parse_evidence_urls,
    parse_past_csv,
    past_codes,
    past_scores,
    replace_past_year,
    response_counts_by_assessment,
    revoke_batch,
    save_agency,
    save_oit,
)
from ..services.qr import qr_svg
from . import access  # noqa: F401  (registers the login manager's user loader)
from .access import (
    agency_or_404,
    agency_scope,
    assessment_or_404,
    audit,
    system_admin_required,
    visible_agencies,
    writer_required,
)
from .forms import (
    AgencyForm,
    AssessmentForm,
    Choice,
    CodeBatchForm,
    EmptyForm,
    LoginForm,
    MeasureForm,
    PastImportForm,
    RevokeBatchForm,
    ScheduleForm,
    UserForm,
)
from .strings_console import STRINGS

register_strings(STRINGS)

bp = Blueprint("admin", __name__, url_prefix="/admin")

login_manager.login_view = "admin.login"
login_manager.login_message = "login_required_msg"
login_manager.localize_callback = t
login_manager.login_message_category = "warn"

LOGIN_RATE_LIMIT = "10 per minute;50 per hour"


@bp.app_context_processor
def _console_helpers() -> dict[str, object]:
    return {"has_endpoint": has_endpoint, "admin_css_version": _admin_css_version(),
            "th": thai}


def thai(key: str, **values: object) -> str:
    """The Thai text of a UI string, whatever the admin's language: printed slips and posters
    are for respondents, who read Thai first."""
    text = i18n.STRINGS[key][0]
    return text.format(**values) if values else text


def has_endpoint(name: str) -> bool:
    """Whether a view is registered (pages link to views that may land later)."""
    return name in current_app.view_functions


def _admin_css_version() -> str:
    cached = current_app.extensions.get("ita_admin_css_version")
    if cached is None:
        css = Path(current_app.static_folder or "") / "admin.css"
        cached = hashlib.sha256(css.read_bytes()).hexdigest()[:10] if css.exists() else "0"
        current_app.extensions["ita_admin_css_version"] = cached
    return cached


@bp.errorhandler(403)
def _forbidden(_error):
    return render_template("admin/error.html", code=403, title=t("error_403_title"),
                           body=t("error_403_body")), 403


# -- signing in and out --------------------------------------------------------------------


def _safe_next(target: str | None) -> str | None:
    """Accept only a path on this site (no scheme, no host, no ``//`` or backslash tricks)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("LOGIN_RATE_LIMIT", LOGIN_RATE_LIMIT),
               methods=["POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for(".home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        username = form.username.data.strip()
        user = authenticate(db.session, username, form.password.data)
        if user is None:
            audit_anonymous("login_failed", target=username)
            db.session.commit()
            error = t("login_failed")
        else:
            login_user(user)
            audit("login", target=user.username, user=user, agency_id=user.agency_id)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or url_for(".home"))
    elif request.method == "POST":
        error = t("login_failed")
    return render_template("admin/login.html", form=form, error=error), (401 if error else 200)


def audit_anonymous(action: str, *, target: str) -> None:
    from ..models import AuditEvent

    db.session.add(AuditEvent(user_id=None, username="-", action=action, target=target[:255]))


@bp.post("/logout")
@login_required
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        audit("logout", target=current_user.username, agency_id=current_user.agency_id)
        db.session.commit()
        logout_user()
        flash(t("logged_out"), "ok")
    return redirect(url_for(".login"))


# -- home ----------------------------------------------------------------------------------


@bp.get("/")
@login_required
def home():
    rows = home_rows(db.session, current_user)
    return render_template("admin/home.html", rows=rows)


# -- agencies ------------------------------------------------------------------------------


def _choices(pairs) -> list:
    return [Choice(v, label) for v, label in pairs]


def _parent_choices(exclude: Agency | None = None) -> list:
    """Agencies in scope that may be a parent (a system admin may also pick none)."""
    options = []
    if current_user.role == "system_admin":
        options.append(("", t("parent_none")))
    for a in db.session.scalars(visible_agencies(db.session, current_user)):
        if exclude is None or a.id != exclude.id:
            options.append((str(a.id), f"{a.code} · {tr(a, 'name')}"))
    return _choices(options)


def _agency_form(agency: Agency | None) -> AgencyForm:
    form = AgencyForm(obj=agency) if agency is not None and request.method == "GET" else AgencyForm()
    form.agency_type.choices = _choices((c, t("agency_type_" + c)) for c in AGENCY_TYPES)
    form.parent_id.choices = _parent_choices(agency)
    if agency is not None and request.method == "GET":
        form.parent_id.data = str(agency.parent_id or "")
    return form


def _save_agency_from(form: AgencyForm, agency: Agency | None) -> Agency | None:
    parent_id = int(form.parent_id.data) if form.parent_id.data else None
    if parent_id is None and current_user.role != "system_admin":
        if agency is None or agency.id != current_user.agency_id:
            form.parent_id.errors.append(t("parent_required"))
            return None
        parent_id = agency.parent_id  # an agency admin cannot move their own agency
    if parent_id is not None:
        agency_or_404(parent_id, write=True)
    if (agency is not None and agency.id == current_user.agency_id
            and current_user.role != "system_admin"):
        parent_id = agency.parent_id  # nor hang it elsewhere
    try:
        return save_agency(
            db.session, agency, code=form.code.data, name_th=form.name_th.data,
            name_en=form.name_en.data or "", agency_type=form.agency_type.data,
            eligible_headcount=form.eligible_headcount.data, parent_id=parent_id)
    except ConsoleError as exc:
        db.session.rollback()
        form.code.errors.append(t(str(exc)))
        return None


@bp.route("/agencies/new", methods=["GET", "POST"])
@writer_required
def agency_new():
    form = _agency_form(None)
    if request.method == "GET" and request.args.get("parent", "").isdigit():
        form.parent_id.data = request.args["parent"]
    if form.validate_on_submit():
        agency = _save_agency_from(form, None)
        if agency is not None:
            audit("agency_create", target=agency.code, agency_id=agency.id,
                  detail=f"{agency.name_th} ({agency.agency_type})")
            db.session.commit()
            flash(t("saved"), "ok")
            return redirect(url_for(".agency", agency_id=agency.id))
    return render_template("admin/agency_form.html", form=form, agency=None)


@bp.get("/agencies/<int:agency_id>")
@login_required
def agency(agency_id: int):
    agency = agency_or_404(agency_id)
    rows = [r for r in home_rows(db.session, current_user) if r.agency.id == agency.id]
    children = [a for a in db.session.scalars(visible_agencies(db.session, current_user))
                if a.parent_id == agency.id]
    type_label = (t("agency_type_" + agency.agency_type) if agency.agency_type in AGENCY_TYPES
                  else agency.agency_type)
    return render_template("admin/agency.html", agency=agency, row=rows[0] if rows else None,
                           children=children, type_label=type_label)


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@writer_required
def agency_edit(agency_id: int):
    agency = agency_or_404(agency_id, write=True)
    form = _agency_form(agency)
    if form.validate_on_submit():
        before = (agency.code, agency.name_th, agency.agency_type, agency.eligible_headcount,
                  agency.parent_id)
        saved = _save_agency_from(form, agency)
        if saved is not None:
            audit("agency_edit", target=saved.code, agency_id=saved.id,
                  detail=f"before {before}")
            db.session.commit()
            flash(t("saved"), "ok")
            return redirect(url_for(".agency", agency_id=saved.id))
    return render_template("admin/agency_form.html", form=form, agency=agency)


# -- assessments ---------------------------------------------------------------------------


def _tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(current_app.config["TIMEZONE"])


def _to_utc(local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=_tz()).astimezone(dt.UTC)


def _to_local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(_tz()).replace(tzinfo=None, second=0, microsecond=0)


def _window_ok(form) -> bool:
    if form.closes_at.data <= form.opens_at.data:
        form.closes_at.errors.append(t("closes_after_opens"))
        return False
    return True


@bp.route("/agencies/<int:agency_id>/assessments/new", methods=["GET", "POST"])
@writer_required
def assessment_new(agency_id: int):
    agency = agency_or_404(agency_id, write=True)
    form = AssessmentForm()
    sets = available_instrument_sets()
    form.instrument_set.choices = _choices((s, s) for s in sets)
    if request.method == "GET":
        today = _to_local(utcnow())
        form.fiscal_year_be.data = today.year + 543 + (1 if today.month >= 10 else 0)
        form.instrument_set.data = sets[-1]
        form.opens_at.data = today.replace(hour=8, minute=0)
        form.closes_at.data = (today + dt.timedelta(days=60)).replace(hour=16, minute=30)
    if form.validate_on_submit() and _window_ok(form):
        try:
            assessment = create_assessment(
                db.session, agency, fiscal_year_be=form.fiscal_year_be.data,
                instrument_set=form.instrument_set.data,
                opens_at=_to_utc(form.opens_at.data), closes_at=_to_utc(form.closes_at.data),
                eit_minimum=form.eit_minimum.data)
            assessment.indicator_target = form.indicator_target.data
            audit("assessment_create", agency_id=agency.id,
                  target=f"{agency.code} {assessment.fiscal_year_be} {assessment.instrument_set}",
                  detail=f"opens {assessment.opens_at.isoformat()} closes "
                         f"{assessment.closes_at.isoformat()}")
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
            form.fiscal_year_be.errors.append(t("assessment_exists"))
        else:
            flash(t("saved"), "ok")
            return redirect(url_for(".assessment", assessment_id=assessment.id))
    return render_template("admin/assessment_form.html", form=form, agency=agency,
                           assessment=None)


@bp.route("/assessments/<int:assessment_id>/edit", methods=["GET", "POST"])
@writer_required
def assessment_edit(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    form = ScheduleForm()
    if request.method == "GET":
        form.opens_at.data = _to_local(assessment.opens_at)
        form.closes_at.data = _to_local(assessment.closes_at)
        form.eit_minimum.data = assessment.eit_minimum
        form.indicator_target.data = assessment.indicator_target
    if form.validate_on_submit() and _window_ok(form):
        assessment.opens_at = _to_utc(form.opens_at.data)
        assessment.closes_at = _to_utc(form.closes_at.data)
        assessment.eit_minimum = form.eit_minimum.data
        assessment.indicator_target = form.indicator_target.data
        audit("assessment_edit", agency_id=assessment.agency_id, target=_label(assessment),
              detail=f"opens {assessment.opens_at.isoformat()} closes "
                     f"{assessment.closes_at.isoformat()} eit_minimum {assessment.eit_minimum} "
                     f"target {assessment.indicator_target}")
        db.session.commit()
        flash(t("saved"), "ok")
        return redirect(url_for(".assessment", assessment_id=assessment.id))
    return render_template("admin/assessment_form.html", form=form, agency=assessment.agency,
                           assessment=assessment)


def _label(assessment: Assessment) -> str:
    return f"{assessment.agency.code} {assessment.fiscal_year_be} #{assessment.id}"


@bp.get("/assessments/<int:assessment_id>")
@login_required
def assessment(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    counts = response_counts_by_assessment(db.session, [assessment.id])
    eit_url = public_url("respond.eit_questionnaire", token=assessment.public_token)
    return render_template(
        "admin/assessment.html", assessment=assessment, agency=assessment.agency,
        status=assessment_status(assessment), batches=code_batches(db.session, assessment),
        iit=counts.get((assessment.id, "IIT"), 0), eit=counts.get((assessment.id, "EIT"), 0),
        eit_url=eit_url, eit_qr=_svg(eit_url),
        iit_url=public_url("respond.iit_code", token=assessment.public_token),
        batch_form=CodeBatchForm(formdata=None, count=50), empty_form=EmptyForm(),
        when=_when)


def _svg(url: str) -> Markup:
    """An inline SVG QR code (no XML declaration: it sits inside the HTML)."""
    text = qr_svg(url).decode()
    text = text[text.index("<svg"):]
    # A viewBox lets the stylesheet size it (segno writes only width and height).
    size = re.search(r'width="(\d+)"', text).group(1)
    text = text.replace("<svg ", f'<svg viewBox="0 0 {size} {size}" shape-rendering="crispEdges" ', 1)
    # segno's own markup; the only input is our URL, which segno escapes in <title>.
    return Markup(text)  # noqa: S704


def _when(value: dt.datetime) -> str:
    return format_datetime(value, current_app.config["TIMEZONE"])


@bp.post("/assessments/<int:assessment_id>/open")
@writer_required
def assessment_open(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    if EmptyForm().validate_on_submit():
        open_now(assessment)
        audit("assessment_open", agency_id=assessment.agency_id, target=_label(assessment),
              detail=f"closes {assessment.closes_at.isoformat()}")
        db.session.commit()
        flash(t("opened_now", closes=_when(assessment.closes_at)), "ok")
    return redirect(url_for(".assessment", assessment_id=assessment.id))


@bp.post("/assessments/<int:assessment_id>/close")
@writer_required
def assessment_close(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    if EmptyForm().validate_on_submit():
        close_now(assessment)
        audit("assessment_close", agency_id=assessment.agency_id, target=_label(assessment))
        db.session.commit()
        flash(t("closed_now"), "ok")
    return redirect(url_for(".assessment", assessment_id=assessment.id))


# -- IIT code batches and the EIT poster -----------------------------------------------------


@bp.post("/assessments/<int:assessment_id>/codes")
@writer_required
def codes_generate(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    form = CodeBatchForm()
    if not form.validate_on_submit():
        flash(t("codes_count_invalid"), "error")
        return redirect(url_for(".assessment", assessment_id=assessment.id))
    batch = (form.batch.data or "").strip() or next_batch_label(db.session, assessment)
    if batch_exists(db.session, assessment, batch):
        flash(t("batch_exists", batch=batch), "error")
        return redirect(url_for(".assessment", assessment_id=assessment.id))
    codes = issue_codes(db.session, assessment, form.count.data,
                        key=current_app.config["CODE_HASH_KEY"], batch=batch)
    audit("codes_generate", agency_id=assessment.agency_id, target=_label(assessment),
          detail=f"batch {batch}: {len(codes)} codes")
    db.session.commit()
    slips = []
    for code in codes:
        printed = format_code(code)
        url = public_url("respond.iit_code", token=assessment.public_token, code=printed)
        slips.append({"code": printed, "url": url, "qr": _svg(url)})
    csv_text = codes_csv([(s["code"], s["url"]) for s in slips])
    csv_uri = "data:text/csv;charset=utf-8;base64," + base64.b64encode(
        ("\ufeff" + csv_text).encode()).decode()
    response = make_response(render_template(
        "admin/code_sheet.html", assessment=assessment, agency=assessment.agency, batch=batch,
        slips=slips, csv_uri=csv_uri,
        csv_name=f"codes-{assessment.agency.code}-{batch}.csv",
        iit_url=public_url("respond.iit_code", token=assessment.public_token)))
    # The only copy of these codes: never cached, never kept by a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/assessments/<int:assessment_id>/codes/revoke")
@writer_required
def codes_revoke(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    form = RevokeBatchForm()
    if form.validate_on_submit():
        if not batch_exists(db.session, assessment, form.batch.data):
            abort(404)
        n = revoke_batch(db.session, assessment, form.batch.data)
        audit("codes_revoke", agency_id=assessment.agency_id, target=_label(assessment),
              detail=f"batch {form.batch.data}: {n} unused codes revoked")
        db.session.commit()
        flash(t("batch_revoked", batch=form.batch.data, n=n), "ok")
    return redirect(url_for(".assessment", assessment_id=assessment.id))


@bp.get("/assessments/<int:assessment_id>/poster")
@login_required
def poster(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    url = public_url("respond.eit_questionnaire", token=assessment.public_token)
    return render_template("admin/poster.html", assessment=assessment, agency=assessment.agency,
                           url=url, qr=_svg(url))


# -- the OIT checklist -----------------------------------------------------------------------


@bp.route("/assessments/<int:assessment_id>/oit", methods=["GET", "POST"])
@login_required
def oit(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=request.method == "POST")
    iset = load_instrument_set(assessment.instrument_set)
    form = EmptyForm()
    entries = oit_entries(db.session, assessment)
    errors: dict[str, list[str]] = {}
    posted: dict[str, dict[str, str]] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        new_entries = []
        for item in iset.oit_items:
            judged = request.form.get(f"{item.code}-passed", "")
            urls_text = request.form.get(f"{item.code}-urls", "")
            note = request.form.get(f"{item.code}-note", "").strip()
            posted[item.code] = {"passed": judged, "urls": urls_text, "note": note}
            urls, bad = parse_evidence_urls(urls_text)
            if bad:
                errors[item.code] = [t("oit_bad_url", url=b) for b in bad]
            if judged not in ("", "pass", "fail") or len(note) > 4000:
                abort(400)
            passed = {"pass": True, "fail": False}.get(judged)
            new_entries.append(OitEntry(item.code, passed, urls, note))
        if not errors:
            changed = save_oit(db.session, assessment, new_entries)
            if changed:
                summary = ", ".join(f"{e.item}={'pass' if e.passed else 'fail' if e.passed is False else '-'}"
                                    for e in new_entries if e.item in changed)
                audit("oit_update", agency_id=assessment.agency_id, target=_label(assessment),
                      detail=summary[:4000])
            db.session.commit()
            flash(t("oit_saved", n=len(changed)), "ok")
            return redirect(url_for(".oit", assessment_id=assessment.id))
    if not posted:
        posted = {
            code: {"passed": {True: "pass", False: "fail"}.get(e.passed, ""),
                   "urls": "\n".join(e.evidence_urls), "note": e.note}
            for code, e in entries.items()
        }
    scores = oit_scores(assessment.instrument_set, oit_results(db.session, assessment))
    groups = [(sub, iset.oit_items_for(sub.code)) for sub in iset.sub_indicators.values()]
    indicators = [iset.indicators[c] for c in iset.indicators if iset.instrument_of(c) == "OIT"]
    status = 400 if errors else 200
    return render_template("admin/oit.html", assessment=assessment, agency=assessment.agency,
                           groups=groups, indicators=indicators, posted=posted, errors=errors,
                           scores=scores, form=form), status


# -- past results ----------------------------------------------------------------------------


def _score_cell(text: str) -> float | None:
    text = text.strip().replace(",", ".")
    if not text:
        return None
    value = float(text)  # ValueError → caller reports the cell
    if not 0 <= value <= 100:
        raise ValueError(text)
    return value


@bp.route("/agencies/<int:agency_id>/past", methods=["GET", "POST"])
@login_required
def past(agency_id: int):
    agency = agency_or_404(agency_id, write=request.method == "POST")
    codes = past_codes()
    shown = ("total", *(c for c in codes if "." not in c and c != "total"))
    form = EmptyForm()
    import_form = PastImportForm(formdata=None)
    errors: list[str] = []
    if request.method == "POST":
        years = request.form.getlist("year")
        # The grid always posts its year column; without it the POST would clear every year.
        if not form.validate_on_submit() or not years:
            abort(400)
        grid: dict[int, dict[str, float | None]] = {}
        lo, hi = PAST_YEAR_RANGE
        for row, year_text in enumerate(years):
            year_text = year_text.strip()
            cells = {c: request.form.get(f"s-{row}-{c}", "") for c in shown}
            if not year_text:
                if any(v.strip() for v in cells.values()):
                    errors.append(t("past_year_missing", row=row + 1))
                continue
            if not year_text.isdigit() or not lo <= int(year_text) <= hi:
                errors.append(t("past_year_bad", year=year_text))
                continue
            year = int(year_text)
            if year in grid:
                errors.append(t("past_year_twice", year=year))
                continue
            scores: dict[str, float | None] = {}
            for c, v in cells.items():
                try:
                    scores[c] = _score_cell(v)
                except ValueError:
                    errors.append(t("past_score_bad", year=year, code=c, value=v))
            grid[year] = scores
        if not errors:
            existing = past_scores(db.session, agency)
            changed = []
            for year in sorted(set(existing) | set(grid)):
                # A year left out of the grid goes entirely (its sub-indicators too).
                scores = grid[year] if year in grid else dict.fromkeys(existing[year])
                if replace_past_year(db.session, agency, year, scores):
                    changed.append(str(year))
            if changed:
                audit("past_update", agency_id=agency.id, target=agency.code,
                      detail="years " + ", ".join(changed))
            db.session.commit()
            flash(t("saved"), "ok")
            return redirect(url_for(".past", agency_id=agency.id))
    return render_template("admin/past.html", agency=agency, shown=shown,
                           scores=past_scores(db.session, agency), errors=errors, form=form,
                           import_form=import_form, codes=codes), (400 if errors else 200)


@bp.post("/agencies/<int:agency_id>/past/import")
@writer_required
def past_import(agency_id: int):
    agency = agency_or_404(agency_id, write=True)
    form = PastImportForm()
    if not form.validate_on_submit():
        flash(t("past_import_nofile"), "error")
        return redirect(url_for(".past", agency_id=agency.id))
    try:
        rows = parse_past_csv(form.file.data.read(), past_codes())
    except PastImportError as exc:
        return render_template(
            "admin/past.html", agency=agency,
            shown=("total", *(c for c in past_codes() if "." not in c and c != "total")),
            scores=past_scores(db.session, agency), errors=[t("past_import_failed"), *exc.messages],
            form=EmptyForm(), import_form=form, codes=past_codes()), 400
    for year, scores in rows.items():
        replace_past_year(db.session, agency, year, scores)
    audit("past_import", agency_id=agency.id, target=agency.code,
          detail="years " + ", ".join(str(y) for y in sorted(rows)))
    db.session.commit()
    flash(t("past_imported", n=len(rows)), "ok")
    return redirect(url_for(".past", agency_id=agency.id))


# -- improvement measures ------------------------------------------------------------------


def _measure_form(assessment: Assessment, iset, measure: ImprovementMeasure | None = None):
    form = MeasureForm(obj=measure) if measure is not None and request.method == "GET" else MeasureForm()
    form.indicator.choices = _choices(
        (c, f"{c}. {tr(ind, 'name')}") for c, ind in iset.indicators.items())
    return form


@bp.route("/assessments/<int:assessment_id>/measures", methods=["GET", "POST"])
@login_required
def measures(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=request.method == "POST")
    iset = load_instrument_set(assessment.instrument_set)
    form = _measure_form(assessment, iset)
    if request.method == "GET" and request.args.get("indicator") in iset.indicators:
        form.indicator.data = request.args["indicator"]
    if form.validate_on_submit():
        row = add_measure(db.session, assessment, indicator=form.indicator.data,
                          measure=form.measure.data, responsible=form.responsible.data or "",
                          steps=form.steps.data or "", period=form.period.data or "")
        audit("measure_add", agency_id=assessment.agency_id, target=_label(assessment),
              detail=f"indicator {row.indicator}: {row.measure[:200]}")
        db.session.commit()
        flash(t("saved"), "ok")
        return redirect(url_for(".measures", assessment_id=assessment.id) + f"#ind-{row.indicator}")
    scores = indicator_scores_or_none(db.session, assessment)
    target = assessment.indicator_target or iset.methodology.indicator_target
    order = list(iset.indicators)
    if scores:  # indicators below the target first, each group in indicator order
        order = ([c for c in order if c in scores and scores[c] < target]
                 + [c for c in order if not (c in scores and scores[c] < target)])
    return render_template(
        "admin/measures.html", assessment=assessment, agency=assessment.agency, iset=iset,
        order=order, scores=scores or {}, target=target, form=form, empty_form=EmptyForm(),
        measures=measures_by_indicator(db.session, assessment)), (400 if form.errors else 200)


def _measure_or_404(assessment: Assessment, measure_id: int) -> ImprovementMeasure:
    row = db.session.get(ImprovementMeasure, measure_id)
    if row is None or row.assessment_id != assessment.id:
        abort(404)
    return row


@bp.route("/assessments/<int:assessment_id>/measures/<int:measure_id>/edit",
          methods=["GET", "POST"])
@writer_required
def measure_edit(assessment_id: int, measure_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    row = _measure_or_404(assessment, measure_id)
    iset = load_instrument_set(assessment.instrument_set)
    form = _measure_form(assessment, iset, row)
    if form.validate_on_submit():
        row.indicator = form.indicator.data
        row.measure = form.measure.data.strip()
        row.responsible = (form.responsible.data or "").strip()
        row.steps = (form.steps.data or "").strip()
        row.period = (form.period.data or "").strip()
        audit("measure_edit", agency_id=assessment.agency_id, target=_label(assessment),
              detail=f"#{row.id} indicator {row.indicator}: {row.measure[:200]}")
        db.session.commit()
        flash(t("saved"), "ok")
        return redirect(url_for(".measures", assessment_id=assessment.id) + f"#ind-{row.indicator}")
    return render_template("admin/measure_form.html", assessment=assessment,
                           agency=assessment.agency, form=form, measure=row)


@bp.post("/assessments/<int:assessment_id>/measures/<int:measure_id>/delete")
@writer_required
def measure_delete(assessment_id: int, measure_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    row = _measure_or_404(assessment, measure_id)
    if EmptyForm().validate_on_submit():
        audit("measure_delete", agency_id=assessment.agency_id, target=_label(assessment),
              detail=f"#{row.id} indicator {row.indicator}: {row.measure[:200]}")
        db.session.delete(row)
        db.session.commit()
        flash(t("deleted"), "ok")
    return redirect(url_for(".measures", assessment_id=assessment.id))


# -- accounts and the audit log ------------------------------------------------------------


@bp.route("/users", methods=["GET", "POST"])
@writer_required
def users():
    form = UserForm()
    roles = ROLES if current_user.role == "system_admin" else ("agency_admin", "viewer")
    form.role.choices = _choices((r, t("role_" + r)) for r in roles)
    agencies = list(db.session.scalars(visible_agencies(db.session, current_user)))
    form.agency_id.choices = _choices(
        [("", t("agency_none"))] * (current_user.role == "system_admin")
        + [(str(a.id), f"{a.code} · {tr(a, 'name')}") for a in agencies])
    if form.validate_on_submit():
        agency = agency_or_404(int(form.agency_id.data), write=True) if form.agency_id.data else None
        try:
            user = create_user(db.session, username=form.username.data, password=form.password.data,
                               role=form.role.data, agency=agency,
                               display_name=form.display_name.data or "")
        except AccountError as exc:
            db.session.rollback()
            form.username.errors.append(str(exc))
        else:
            audit("user_create", agency_id=user.agency_id, target=user.username,
                  detail=f"role {user.role}")
            db.session.commit()
            flash(t("user_created", username=user.username), "ok")
            return redirect(url_for(".users"))
    scope = agency_scope(db.session, current_user)
    query = sa.select(User).order_by(User.username)
    if scope is not None:
        query = query.where(User.agency_id.in_(scope))
    return render_template("admin/users.html", form=form, users=list(db.session.scalars(query))), (
        400 if form.errors else 200)


@bp.get("/audit", endpoint="audit")
@system_admin_required
def audit_log():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    agency_id = request.args.get("agency", type=int)
    events, total = audit_page(db.session, page=page, agency_id=agency_id)
    agencies = list(db.session.scalars(sa.select(Agency).order_by(Agency.code)))
    return render_template("admin/audit.html", events=events, total=total, page=page,
                           pages=max((total + 49) // 50, 1), agency_id=agency_id,
                           agencies=agencies, by_id={a.id: a for a in agencies}, when=_when)


# The results, exports and report views register on the same blueprint.
from . import results_routes  # noqa: E402, F401
