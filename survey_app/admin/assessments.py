"""Assessments: create one, edit its window, open or close it now, its page and its poster."""

from __future__ import annotations

import datetime as dt
import io
import secrets
import zoneinfo
from pathlib import Path

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from questionnaires import DefinitionError
from questionnaires.score_maps import fits, score_maps

from ..extensions import db
from ..i18n import format_datetime, localized
from ..labels import SET_ORIGIN_LABELS
from ..models import utcnow
from ..services import publication, reports
from ..services.assessments import (
    assessment_state,
    close_now,
    create_assessment,
    current_fiscal_year_be,
    open_now,
    response_counts,
    rotate_public_token,
)
from ..services.ballots import run_pass
from ..services.codes import code_batches
from ..services.collection import collection_view
from ..services.imports import counts_by_source, imports_of
from ..services.instrument_sets import (
    assessment_set,
    default_set_id,
    list_sets,
    load_set,
    set_info,
)
from ..urls import public_url
from . import bp
from .access import (
    agency_or_404,
    assessment_or_404,
    audit,
    system_admin_required,
    writer_required,
)
from .common import (
    audit_label,
    choices,
    download_name,
    public_qr_markup,
    render_printed,
    report_failed,
)
from .forms import AssessmentForm, CodeBatchForm, EmptyForm, ReopenForm, ScheduleForm


def _tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(current_app.config["TIMEZONE"])


def _to_utc(local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=_tz()).astimezone(dt.UTC)


def _to_local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(_tz()).replace(tzinfo=None, second=0, microsecond=0)


def _window_ok(form) -> bool:
    if form.closes_at.data <= form.opens_at.data:
        form.closes_at.errors.append(_("The closing time must be after the opening time"))
        return False
    return True


@bp.route("/agencies/<int:agency_id>/assessments/new", methods=["GET", "POST"])
@writer_required
def assessment_new(agency_id: int):
    agency = agency_or_404(agency_id, write=True)
    form = AssessmentForm()
    sets = list_sets(db.session)
    form.instrument_set.choices = choices(
        [("", _("The set of the fiscal year entered (default)"))]
        + [(s.id, _("%(id)s · B.E. %(year)s · %(origin)s", id=s.id, year=s.fiscal_year_be,
                    origin=SET_ORIGIN_LABELS[s.origin]))
           for s in sets])
    form.score_map.choices = score_map_choices(None)
    if request.method == "GET":
        today = _to_local(utcnow())
        form.fiscal_year_be.data = current_fiscal_year_be(today)
        form.instrument_set.data = ""
        form.opens_at.data = today.replace(hour=8, minute=0)
        form.closes_at.data = (today + dt.timedelta(days=60)).replace(hour=16, minute=30)
    if form.validate_on_submit() and _window_ok(form) and _score_map_ok(
            form, form.instrument_set.data or default_set_id(sets, form.fiscal_year_be.data)):
        try:
            assessment = create_assessment(
                db.session, agency, fiscal_year_be=form.fiscal_year_be.data,
                instrument_set=form.instrument_set.data
                or default_set_id(sets, form.fiscal_year_be.data),
                opens_at=_to_utc(form.opens_at.data), closes_at=_to_utc(form.closes_at.data),
                eit_minimum=form.eit_minimum.data)
            assessment.indicator_target = form.indicator_target.data
            assessment.score_map = form.score_map.data or None
            audit("assessment_create", agency_id=agency.id,
                  target=f"{agency.code} {assessment.fiscal_year_be} {assessment.instrument_set}",
                  detail=f"opens {assessment.opens_at.isoformat()} closes "
                         f"{assessment.closes_at.isoformat()}"
                         + (f" score_map {assessment.score_map}" if assessment.score_map else ""))
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
            form.fiscal_year_be.errors.append(_(
                "This agency already has an assessment for this year with this instrument set"))
        else:
            flash(_("Saved"), "ok")
            return redirect(url_for(".assessment", assessment_id=assessment.id))
    return render_template("admin/assessment_form.html", form=form, agency=agency,
                           assessment=None, sets=sets,
                           default_set=default_set_id(sets, form.fiscal_year_be.data
                                                      or current_fiscal_year_be(_to_local(utcnow()))))


def score_map_choices(iset) -> list[tuple[str, str]]:
    """The score-map choices: the set's own, then each alternative that fits the set."""
    return [("", _("The instrument set's own map (default)"))] + [
        (code, localized(smap, "label"))
        for code, smap in score_maps().items() if iset is None or fits(iset, smap)]


def _score_map_ok(form, set_id: str | None) -> bool:
    """An alternative map must give scores for every scale of the assessment's set."""
    code = form.score_map.data
    if not code or not set_id:
        return True
    try:
        iset = load_set(set_id, db.session)
    except (KeyError, ValueError, DefinitionError):
        return True  # the set's own check reports it
    if fits(iset, score_maps()[code]):
        return True
    form.score_map.errors.append(_("This score map has no scores for the answer scales of "
                                   "set %(id)s; choose another map.", id=set_id))
    return False


@bp.route("/assessments/<int:assessment_id>/edit", methods=["GET", "POST"])
@writer_required
def assessment_edit(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    form = ScheduleForm()
    form.score_map.choices = score_map_choices(assessment_set(assessment))
    if request.method == "GET":
        form.score_map.data = assessment.score_map or ""
        form.opens_at.data = _to_local(assessment.opens_at)
        form.closes_at.data = _to_local(assessment.closes_at)
        form.eit_minimum.data = assessment.eit_minimum
        form.indicator_target.data = assessment.indicator_target
    if form.validate_on_submit() and _window_ok(form):
        if publication.window_reopens(assessment, _to_utc(form.closes_at.data)):
            # An edit may not do what "open now" may not (SECURITY.md): nothing is changed.
            form.closes_at.errors.append(_(
                "The answers of this assessment were published when it closed: only a system "
                "administrator can reopen it, with a reason, from the assessment page"))
        elif _score_map_ok(form, assessment.instrument_set):
            assessment.opens_at = _to_utc(form.opens_at.data)
            assessment.closes_at = _to_utc(form.closes_at.data)
            assessment.eit_minimum = form.eit_minimum.data
            assessment.indicator_target = form.indicator_target.data
            assessment.score_map = form.score_map.data or None
            audit("assessment_edit", agency_id=assessment.agency_id, target=audit_label(assessment),
                  detail=f"opens {assessment.opens_at.isoformat()} closes "
                         f"{assessment.closes_at.isoformat()} eit_minimum {assessment.eit_minimum} "
                         f"target {assessment.indicator_target} "
                         f"score_map {assessment.score_map or 'set'}")
            db.session.commit()
            flash(_("Saved"), "ok")
            return redirect(url_for(".assessment", assessment_id=assessment.id))
    return render_template("admin/assessment_form.html", form=form, agency=assessment.agency,
                           assessment=assessment)


@bp.get("/assessments/<int:assessment_id>")
@login_required
def assessment(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    counts = response_counts(db.session, assessment)
    eit_url = public_url("respond.eit_questionnaire", token=assessment.public_token)
    return render_template(
        "admin/assessment.html", assessment=assessment, agency=assessment.agency,
        sources=counts_by_source(db.session, assessment), imports=imports_of(db.session, assessment),
        state=assessment_state(assessment), batches=code_batches(db.session, assessment),
        set_info=set_info(db.session, assessment.instrument_set),
        iit=counts["IIT"], eit=counts["EIT"], eit_url=eit_url, eit_qr=public_qr_markup(eit_url),
        publication=publication.publication_status(
            db.session, assessment, batch_size=current_app.config["MIX_BATCH"]),
        reopenings=publication.reopenings(db.session, assessment),
        late_sheets=publication.code_sheets_after_opening(db.session, assessment,
                                                          audit_label(assessment)),
        reopen_form=ReopenForm(formdata=None),
        collection=collection_view(db.session, assessment,
                                   timezone=current_app.config["TIMEZONE"]),
        iit_url=public_url("respond.iit_code", token=assessment.public_token),
        batch_form=CodeBatchForm(formdata=None, count=50, nonce=secrets.token_urlsafe(16)),
        empty_form=EmptyForm())


@bp.post("/assessments/<int:assessment_id>/open")
@writer_required
def assessment_open(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    if (EmptyForm().validate_on_submit() and publication.reopen_needs_reason(assessment)
            and assessment_state(assessment).value == "closed"):
        flash(_("The answers of this assessment were published when it closed: only a system "
                "administrator can reopen it, with a reason."), "error")
    elif EmptyForm().validate_on_submit():
        open_now(assessment)
        audit("assessment_open", agency_id=assessment.agency_id, target=audit_label(assessment),
              detail=f"closes {assessment.closes_at.isoformat()}")
        db.session.commit()
        flash(_("Open now; closes %(closes)s", closes=format_datetime(assessment.closes_at)), "ok")
    return redirect(url_for(".assessment", assessment_id=assessment.id))


@bp.post("/assessments/<int:assessment_id>/close")
@writer_required
def assessment_close(assessment_id: int):
    assessment = assessment_or_404(assessment_id, write=True)
    if EmptyForm().validate_on_submit():
        close_now(assessment)
        audit("assessment_close", agency_id=assessment.agency_id, target=audit_label(assessment))
        db.session.commit()
        # The last ballots are mixed and the answers published by the mixer; run a pass now
        # (it skips at once if the mixer is running: then it does so within seconds).
        run_pass(db.engine, batch_size=current_app.config["MIX_BATCH"])
        flash(_("Closed now: no more answers are accepted"), "ok")
    return redirect(url_for(".assessment", assessment_id=assessment.id))


@bp.post("/assessments/<int:assessment_id>/reopen")
@system_admin_required
def assessment_reopen(assessment_id: int):
    """Reopen an assessment whose answers were published: a system admin, with a reason."""
    assessment = assessment_or_404(assessment_id, write=True)
    form = ReopenForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for reopening (at least 10 characters); nothing was changed."),
              "error")
        return redirect(url_for(".assessment", assessment_id=assessment.id))
    record = publication.reopen(db.session, assessment, username=current_user.username,
                                reason=form.reason.data)
    open_now(assessment)
    audit("assessment_reopen", agency_id=assessment.agency_id, target=audit_label(assessment),
          detail=f"closes {assessment.closes_at.isoformat()} reason: {record.reason}")
    db.session.commit()
    flash(_("Reopened; closes %(closes)s. Answers that arrive now are published at the next "
            "close only if at least %(k)s arrive.", closes=format_datetime(assessment.closes_at),
            k=current_app.config["MIX_BATCH"]), "ok")
    return redirect(url_for(".assessment", assessment_id=assessment.id))


@bp.post("/assessments/<int:assessment_id>/rotate-link")
@writer_required
def assessment_rotate_link(assessment_id: int):
    """Replace the public token after a leak: the old IIT and EIT links stop taking answers."""
    assessment = assessment_or_404(assessment_id, write=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    old = rotate_public_token(db.session, assessment)
    audit("assessment_rotate_link", agency_id=assessment.agency_id,
          target=audit_label(assessment), detail=f"retired token …{old[-4:]}")
    db.session.commit()
    flash(_("New link made; the old one no longer takes answers. Print the new poster."), "ok")
    return redirect(url_for(".assessment", assessment_id=assessment.id))


def _poster_sheet(assessment):
    url = public_url("respond.eit_questionnaire", token=assessment.public_token)
    iset = assessment_set(assessment)
    return render_printed("admin/_poster_sheet.html", assessment=assessment,
                          agency=assessment.agency, url=url, qr=public_qr_markup(url),
                          eit_name=iset.instruments["EIT"].name_th,
                          eit_questions=len(iset.columns_for("EIT")),
                          wording_ours=not iset.instruments["EIT"].wording_official)


@bp.get("/assessments/<int:assessment_id>/poster")
@login_required
def poster(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    return render_template("admin/poster.html", assessment=assessment, agency=assessment.agency,
                           sheet=_poster_sheet(assessment))


@bp.get("/assessments/<int:assessment_id>/poster.pdf")
@login_required
def poster_pdf(assessment_id: int):
    """The poster as an A4 PDF, to send over LINE or print elsewhere (audited)."""
    assessment = assessment_or_404(assessment_id)
    css = (Path(current_app.static_folder or "") / "admin.css").read_text(encoding="utf-8")
    html = render_printed("admin/poster_pdf.html", sheet=_poster_sheet(assessment),
                          sheet_css=Markup(css), font_base=reports.PDF_FONT_BASE)  # noqa: S704
    try:
        data = reports.html_pdf(html)
    except Exception:  # a renderer's failure is a message, never a bare 500
        return report_failed("pdf")
    name = download_name(assessment, "eit-poster", "pdf")
    audit("export", target=name, agency_id=assessment.agency_id, detail="EIT poster (PDF)")
    db.session.commit()
    return send_file(io.BytesIO(data), mimetype=reports.MIMETYPES["pdf"], as_attachment=True,
                     download_name=name)
