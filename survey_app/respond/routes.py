"""Respondent pages.

IIT: code page (code, eligibility and PDPA notice in one form), whose POST answers with the
questionnaire itself (no redirect: a reload sends the code again, which redeems nothing), whose
POST answers with the thank-you page.  The code is entered by POST only (a slip's QR puts it in
the URL fragment, which browsers never send; ``iit-code.js`` moves it into the form).  After it
is verified only its keyed hash is kept: in the signed session (for the questionnaire's own
address, which its language switch opens), and with the questionnaire as a signed hidden
``ticket``, so answers survive an expired CSRF token or a lost session cookie; the hash is
checked again, and the code redeemed, in the same transaction that drops the answers into the
ballot box.  Then the session keeps only that this browser sent that hash (a reload of either
page says "already received").  See SECURITY.md.

EIT: one public page per assessment, whose POST answers with the thank-you page; a honeypot,
a per-client rate limit, a one-time form nonce (a reload, or back + resubmit, stores nothing and
shows "already received") and a signed cookie that warns a browser which already answered.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import NoReturn

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import BadData, BadSignature
from markupsafe import Markup, escape
from wtforms import ValidationError

from ..extensions import (
    DATABASE_UNAVAILABLE,
    database_error_summary,
    db,
    limit_posts,
    safe_rollback,
)
from ..i18n import current_language, format_datetime
from ..models import Assessment, utcnow
from ..services.assessments import (
    AssessmentCache,
    AssessmentState,
    assessment_state,
    is_retired_token,
)
from ..services.instrument_sets import assessment_set
from ..services.qr import qr_png, qr_svg
from ..services.responses import (
    CodeRejected,
    CodeState,
    StaleAssessment,
    TamperedSubmission,
    WindowShut,
    check_code,
    clean_answers,
    local_today,
    store_eit_response,
    store_iit_response,
)
from ..signing import URLSafeSerializer, URLSafeTimedSerializer
from ..urls import public_url
from .forms import CONTROL_FIELDS, CodeForm, questionnaire_form

bp = Blueprint("respond", __name__)

_NONCES_KEPT = 10


# -- helpers ----------------------------------------------------------------------------------


@bp.record_once
def _make_assessment_cache(state) -> None:
    state.app.extensions["ita_assessment_cache"] = AssessmentCache(
        state.app.config["ASSESSMENT_CACHE_SECONDS"])


def _assessment(token: str, *, fresh: bool = False) -> Assessment:
    """The assessment behind ``token``: from this worker's cache unless ``fresh`` (the IIT
    answers' POST asks for the row itself; the EIT one stores with an INSERT that checks the
    row, see eit_questionnaire and AssessmentCache)."""
    cache: AssessmentCache = current_app.extensions["ita_assessment_cache"]
    # A kept copy needs no database session (a GET of a kept page then opens none).
    assessment = None if fresh else cache.kept(token)
    if assessment is None:
        assessment = cache.get(db.session, token, fresh=fresh)
    if assessment is None:
        if is_retired_token(db.session, token):  # rotated after a leak: say so, take nothing
            abort(make_response(render_template("respond/replaced.html"), 410))
        abort(404)
    return assessment


def _code_key() -> str:
    return current_app.config["CODE_HASH_KEY"]


def _serializer(kind: type[URLSafeSerializer], salt: str) -> URLSafeSerializer:
    """A ``kind`` serializer of the app's secret key and ``salt``, built once per app and key
    (building one costs a trial serialization)."""
    built = current_app.extensions.setdefault("ita_respond_serializers", {})
    key = (kind, salt, current_app.secret_key)
    serializer = built.get(key)
    if serializer is None:
        serializer = built[key] = kind(current_app.secret_key, salt=salt)
    return serializer


def _ticket_serializer() -> URLSafeSerializer:
    return _serializer(URLSafeSerializer, "ita-iit-ticket")


def _answered_serializer() -> URLSafeTimedSerializer:
    return _serializer(URLSafeTimedSerializer, "ita-eit-answered")


def _answered_cookie(assessment: Assessment) -> str:
    return f"ita_eit_{assessment.id}"


def _code_message(state: CodeState) -> str:
    """What the code page says about a code that cannot be used (every state but OK)."""
    messages = {
        CodeState.MALFORMED: _(
            "That is not an access code: codes have 10 characters (letters and digits 2–9). "
            "Please check your slip."),
        CodeState.UNKNOWN: _(
            "This code does not belong to this agency's survey. Check that you typed it "
            "correctly, or ask your agency's ITA coordinator."),
        CodeState.USED: _(
            "This code has already been used. Each code works only once. If you have not "
            "answered yet, ask your agency's ITA coordinator for a new code."),
        CodeState.REVOKED: _(
            "This code has been cancelled. Ask your agency's ITA coordinator for a new code."),
    }
    return messages[state]


def _window_message(state: AssessmentState, assessment: Assessment) -> str:
    """What the code page says about a code typed while the survey takes no answers."""
    if state is AssessmentState.SCHEDULED:
        return _("This survey is not open yet. It opens on %(opens)s.",
                 opens=format_datetime(assessment.opens_at))
    return _("This survey has closed (%(closes)s), so codes can no longer be used.",
             closes=format_datetime(assessment.closes_at))


def _refuse_foreign_fields() -> NoReturn:
    """400 for a body with a field, question or option that no page of ours sends."""
    abort(400, description=_(
        "The answers sent contain a question or an option that is not in the survey, so nothing was "
        "saved."))


def _refuse_shut_window() -> NoReturn:
    """400 for answers sent while the survey takes none (the page was opened earlier)."""
    abort(400, description=_("This survey is not accepting answers now, so nothing was saved."))


def _unavailable(assessment: Assessment, state: AssessmentState, *, code_page: bool = False
                 ) -> tuple[str, int]:
    """The page for a survey that is not open yet (403) or closed (410)."""
    if state is AssessmentState.SCHEDULED:
        title = _("Not open yet")
        body = _("This survey opens on %(opens)s.", opens=format_datetime(assessment.opens_at))
    else:
        title = _("Closed")
        body = _("This survey closed on %(closes)s. Thank you for your interest.",
                 closes=format_datetime(assessment.closes_at))
    return (
        render_template("respond/unavailable.html", assessment=assessment, title=title, body=body,
                        code_page=code_page),
        403 if state is AssessmentState.SCHEDULED else 410,
    )


def _reject_tampered_post(assessment: Assessment, instrument: str) -> dict[str, int | None]:
    """Abort with 400 for a POST no honest form produces; return the cleaned answers."""
    if current_app.config.get("WTF_CSRF_ENABLED", True) and not request.form.get("csrf_token"):
        abort(400, description=_(
            "The form arrived without its security token, so nothing was saved. Please open the survey "
            "again from your agency's link."))
    if assessment_state(assessment) is not AssessmentState.OPEN:
        _refuse_shut_window()
    iset = assessment_set(assessment)
    columns = set(iset.columns_for(instrument))
    if set(request.form) - columns - CONTROL_FIELDS:
        _refuse_foreign_fields()
    try:
        return clean_answers(
            iset, instrument, {k: v for k, v in request.form.items() if k in columns}
        )
    except TamperedSubmission:
        _refuse_foreign_fields()


#: The blank questions' markup by (instrument set, instrument, language); see _questions_markup.
_BLANK_QUESTIONS: dict[tuple[int, str, str], tuple[object, Markup]] = {}


def _questions_markup(iset, instrument: str, indicators, form,
                      missing: list[str]) -> Markup | None:
    """The questions of a blank questionnaire, rendered once per process and language.

    Blank = nothing answered and nothing marked missing (every GET of the form): then the
    markup of ``respond/_questions.html`` depends only on the instrument set (a parsed set is
    never changed: a changed definition is a new set, see services/instrument_sets.py), the
    instrument and the language.  A form with answers or errors is rendered afresh (None).
    """
    if missing or any(form[c].data is not None for c in iset.columns_for(instrument)):
        return None
    key = (id(iset), instrument, current_language())
    cached = _BLANK_QUESTIONS.get(key)
    if cached is None or cached[0] is not iset:  # the set object is kept, so id() is its own
        # An autoescaped template's output: safe markup (S704 cannot see that).
        markup = Markup(render_template(  # noqa: S704
            "respond/_questions.html", iset=iset, form=form, instrument=instrument,
            indicators=indicators, missing=set()))
        cached = _BLANK_QUESTIONS[key] = (iset, markup)
    return cached[1]


def _render_questionnaire(
    assessment: Assessment, instrument: str, form, *, status: int = 200,
    action: str | None = None, **extra
) -> tuple[str, int]:
    iset = assessment_set(assessment)
    indicators = [
        (indicator, [i for i in iset.items_for(instrument) if i.indicator == indicator.code])
        for indicator in iset.indicators_for(instrument)
    ]
    missing = extra.pop("missing", [])
    return (
        render_template(
            "respond/questionnaire.html",
            assessment=assessment,
            iset=iset,
            instrument=instrument,
            instrument_def=iset.instruments[instrument],
            indicators=indicators,
            questions_markup=_questions_markup(iset, instrument, indicators, form, missing),
            form=form,
            missing=set(missing),
            missing_count=len(missing),
            total_questions=len(iset.columns_for(instrument)),
            total_items=len(iset.items_for(instrument)),
            action=action or request.path,
            **extra,
        ),
        status,
    )


def _answers_again(assessment: Assessment, instrument: str, answers: dict[str, int | None], *,
                   csrf_ok: bool, missing_group: bool = False) -> tuple[str, int]:
    """The questionnaire again, every posted answer kept, for a POST refused by the one check
    of a respondent POST (``_csrf_valid`` and ``clean_answers``, whose None is unanswered):
    400 when the page's CSRF token had expired, 422 when answers are missing.  The form is
    built only to carry the posted values into the page."""
    form = questionnaire_form(assessment.instrument_set, instrument)()
    if instrument == "EIT" and not csrf_ok:
        form.nonce.data = _new_nonce()  # the page's own nonce went with its expired token
    missing = [c for c, v in answers.items() if v is None]
    return _render_questionnaire(
        assessment,
        instrument,
        form,
        status=422 if csrf_ok else 400,
        missing=missing + (["respondent_group"] if missing_group else []),
        csrf_expired=not csrf_ok,
    )


def _code_page(assessment: Assessment, form: CodeForm, **extra) -> str:
    iit = assessment_set(assessment).instruments["IIT"]
    return render_template("respond/code.html", assessment=assessment, form=form, iit_def=iit,
                           **extra)


def _csrf_valid() -> bool:
    """Whether the POST carries a valid CSRF token (what the forms' own check decides: the
    same function and settings), without building a form."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def _csrf_expired_message() -> str:
    return _("This page was open for a long time, so your answers were not saved yet. They are all "
             'still here: please press "Submit answers" again.')


def _code_refused(_response: Response) -> bool:
    """Count a code-entry attempt against the rate limit only when its code was refused (not
    for an expired page or an unticked eligibility box)."""
    return bool(g.get("code_refused"))


def _rate(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


# -- input checks: bodies no page of ours sends are refused before a view reads them --------

#: The only fields the code page posts.
_SMALL_FORM_FIELDS = {
    "respond.iit_code": frozenset({"csrf_token", "code", "eligible"}),
}
#: The value the eligibility checkbox posts (code.html).
CONSENT_VALUE = "y"


@bp.before_request
def _refuse_malformed_post():
    if request.method != "POST":
        return None
    form = request.form
    if any(len(form.getlist(name)) > 1 for name in form):
        _refuse_foreign_fields()  # every field of ours is posted once
    fields = _SMALL_FORM_FIELDS.get(request.endpoint or "")
    if fields is not None and set(form) - fields:
        _refuse_foreign_fields()
    if request.endpoint == "respond.iit_code" and form.get("eligible", CONSENT_VALUE) != CONSENT_VALUE:
        abort(400, description=_(
            "The eligibility confirmation sent is not valid, so nothing was saved. Please open the survey "
            "again from your agency's link."))
    return None


# -- a database that is locked, timed out or gone --------------------------------------------

#: Seconds a respondent is asked to wait before sending again.
RETRY_AFTER_SECONDS = 5
_QUESTIONNAIRES = {"respond.iit_questionnaire": "IIT", "respond.eit_questionnaire": "EIT"}


def _database_unavailable(error: Exception):
    """Show the questionnaire again with every answer kept and "send again in a moment".

    The transaction was rolled back, so nothing of this submission is stored.  If even the
    assessment cannot be read, a page with the posted fields carried in hidden inputs and a
    "send again" button keeps the answers instead.  503 with Retry-After.
    """
    safe_rollback()
    current_app.logger.warning("database unavailable during %s: %s", request.endpoint,
                               database_error_summary(error))
    page = None
    instrument = _QUESTIONNAIRES.get(request.endpoint or "")
    if request.method == "POST" and instrument is not None:
        try:
            assessment = _assessment((request.view_args or {}).get("token", ""))
            form = questionnaire_form(assessment.instrument_set, instrument)()
            page, _ = _render_questionnaire(assessment, instrument, form, db_busy=True)
        except DATABASE_UNAVAILABLE:
            safe_rollback()
    if page is None:
        # The code page's fields are not kept: the plain code is never written into a page
        # (SECURITY.md), and it is on the slip to type again.
        fields = (list(request.form.items(multi=True))
                  if request.method == "POST" and request.endpoint != "respond.iit_code" else [])
        page = render_template("respond/busy.html", fields=fields, action=request.path)
    response = make_response(page, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


for _exc_class in DATABASE_UNAVAILABLE:
    bp.register_error_handler(_exc_class, _database_unavailable)


@bp.after_request
def _no_store(response: Response) -> Response:
    # Answers never sit in a shared computer's cache, and Back re-requests the page.
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


# -- landing ---------------------------------------------------------------------------------


@bp.get("/")
def index():
    return render_template("respond/index.html")


# -- IIT --------------------------------------------------------------------------------------


@bp.route("/iit/<token>", methods=["GET", "POST"])
@limit_posts(_rate("CODE_RATE_LIMIT"), deduct_when=_code_refused)
def iit_code(token: str):
    """The code page: the code, the PDPA notice and the eligibility box in one form; a usable
    code with the box ticked is answered with the blank questionnaire (_blank_iit_page)."""
    assessment = _assessment(token)
    if request.method == "GET":
        if "code" in request.args:
            # A link from before codes moved into the fragment: drop the code from the
            # address bar and history (the person types it, as printed on the slip).
            args = {k: v for k, v in request.args.items() if k != "code"}
            return redirect(url_for(".iit_code", token=token, **args))
        state = assessment_state(assessment)
        if state is not AssessmentState.OPEN:
            return _unavailable(assessment, state, code_page=True)
        return _filled_page(assessment, ("code page",), _csrf_value(),
                            lambda: _code_page(assessment, CodeForm()))
    if not _csrf_valid():
        return _code_page_again(assessment, _csrf_expired_message())
    try:
        code_state, code_hash = check_code(db.session, assessment, request.form.get("code", ""),
                                           key=_code_key())
    except WindowShut as shut:
        return _code_page_again(assessment, _window_message(shut.state, assessment))
    if code_state is CodeState.USED and _sent_here(assessment, code_hash):
        return _already_received(assessment, "IIT")  # back or reload after the thank-you page
    if code_state is not CodeState.OK:
        g.code_refused = True
        return _code_page_again(assessment, _code_message(code_state))
    if request.form.get("eligible") != CONSENT_VALUE:
        message = _("Only people who have worked in the agency for at least one year may answer "
                    "IIT. Please confirm to continue.")
        return _code_page_again(assessment, message, eligibility_refused=True)
    # Only the keyed hash: the session cookie never carries the code itself.  The session
    # lets the questionnaire's own address (its language switch) find the code again.
    session["iit"] = {"a": assessment.id, "h": code_hash}
    return _blank_iit_page(assessment, code_hash)


def _code_page_again(assessment: Assessment, message: str, **extra) -> tuple[str, int]:
    """The code page again with ``message`` and what was typed (the form is built only here,
    to carry the posted values back).  Rendered once per worker, message, language and box
    (ticked or not), with a mark where the typed code goes: later refusals fill in their
    CSRF token and their code, escaped as the template escapes it (see _filled_page)."""
    form = CodeForm()
    typed = str(escape(form.code.data or ""))  # what ``{{ form.code.data or '' }}`` writes

    def render() -> str:
        form.code.data = _mark("code")  # escaping leaves the mark as it is
        return _code_page(assessment, form, message=message, **extra)

    what = ("code page again", message, bool(form.eligible.data), *sorted(extra.items()))
    return _filled_page(assessment, what, _csrf_value(), render, typed={"code": typed}), 422


def _blank_iit_page(assessment: Assessment, code_hash: str) -> str:
    """The blank IIT questionnaire for a verified code: this request's CSRF token and the
    signed ticket (the code's keyed hash) in the kept page.  The answer to the code's POST
    and to a GET of the questionnaire's address, so the form posts there and the language
    switch leads there (not to the code page the browser's address bar shows after the POST).
    """
    values = {"ticket": _ticket_serializer().dumps({"a": assessment.id, "h": code_hash}),
              **_csrf_value()}

    def render() -> str:
        form = questionnaire_form(assessment.instrument_set, "IIT")()
        form.ticket.data = values["ticket"]
        token = assessment.public_token
        return _render_questionnaire(
            assessment, "IIT", form, action=url_for(".iit_questionnaire", token=token),
            lang_url=lambda lang: url_for(".iit_questionnaire", token=token, lang=lang))[0]

    return _filled_page(assessment, ("blank IIT",), values, render)


def _iit_session(assessment: Assessment) -> dict | None:
    data = session.get("iit")
    if isinstance(data, dict) and data.get("a") == assessment.id and data.get("h"):
        return data
    return None


def _sent_here(assessment: Assessment, code_hash: str) -> bool:
    """Whether this browser's session says it sent the answers of the code ``code_hash``."""
    sent = session.get("iit")
    return (isinstance(sent, dict) and sent.get("a") == assessment.id
            and sent.get("sent") == code_hash)


#: Pages kept per worker: (assessment.id, what) → (the assessment object, the page); see
#: _kept_page.
_KEPT_PAGES: dict[tuple, tuple[Assessment, str]] = {}
_KEPT_PAGES_MAX = 512


def _kept_page(assessment: Assessment, what: tuple) -> str | None:
    """A page of ``assessment`` kept by :func:`_keep_page`, or None.

    ``what`` must name everything else the page depends on (page, language, query …).  An
    entry belongs to the assessment object of this worker's AssessmentCache, which is
    replaced on any change to the assessment or its agency: then the page is made afresh.
    """
    kept = _KEPT_PAGES.get((assessment.id, *what))
    return kept[1] if kept is not None and kept[0] is assessment else None


def _keep_page(assessment: Assessment, what: tuple, page: str) -> None:
    if len(_KEPT_PAGES) >= _KEPT_PAGES_MAX:
        _KEPT_PAGES.clear()
    _KEPT_PAGES[(assessment.id, *what)] = (assessment, page)


def _mark(name: str) -> str:
    return f"\x00{name}\x00"


def _csrf_value() -> dict[str, str]:
    """This request's CSRF token as a per-request value of a page (none when CSRF is off)."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return {}
    return {"csrf_token": generate_csrf()}


def _filled_page(assessment: Assessment, what: tuple, values: dict[str, str],
                 render: Callable[[], str], *, typed: dict[str, str] | None = None) -> str:
    """A page of ``assessment`` that differs between requests only in ``values`` and
    ``typed``, rendered once per worker and language, with this request's ``values`` (name →
    value of hidden inputs) and ``typed`` (name → escaped text) filled in.

    Two GETs of a blank page differ only in such values (CSRF token, EIT nonce, IIT ticket:
    all plain URL-safe text; ``test_respondent_page_cache`` checks the rest is identical), so
    the first rendering is kept with marks in their place and later GETs fill them in: no
    form object and no template.  A value that is not exactly once in the page, as an
    attribute, keeps nothing (rendered afresh each time).  ``render`` writes the mark of each
    ``typed`` name itself (``_mark(name)``, exactly once, or nothing is kept); typed text is
    filled in last, so whatever it holds is never read as a mark.
    """
    typed = typed or {}
    what = (*what, current_language(), request.query_string)
    kept = _kept_page(assessment, what)
    if kept is None:
        page = kept = render()
        for name, value in values.items():
            attribute = f'value="{value}"'
            if page.count(value) != 1 or attribute not in page:
                return _fill(page, {}, typed)
            kept = kept.replace(attribute, f'value="{_mark(name)}"')
        if any(page.count(_mark(name)) != 1 for name in typed):
            return _fill(page, {}, typed)
        _keep_page(assessment, what, kept)
    return _fill(kept, values, typed)


def _fill(page: str, values: dict[str, str], typed: dict[str, str]) -> str:
    for name, value in values.items():
        page = page.replace(_mark(name), value)
    if typed:  # in one pass: no typed text is searched for marks
        marks = "|".join(re.escape(_mark(name)) for name in typed)
        page = re.sub(marks, lambda m: typed[m.group(0).strip("\x00")], page)
    return page


def _thanks(assessment: Assessment, instrument: str, *, already: bool = False) -> str:
    """The thank-you page: the answer to a POST that stored a questionnaire (or, ``already``,
    to one whose answers were stored before).  The same for everyone who sends the same
    page in the same language: rendered once per worker."""
    what = ("thanks", instrument, already, current_language(), request.method,
            request.full_path)
    page = _kept_page(assessment, what)
    if page is None:
        page = render_template("respond/thanks.html", assessment=assessment,
                               instrument=instrument, already=already)
        _keep_page(assessment, what, page)
    return page


def _already_received(assessment: Assessment, instrument: str) -> tuple[str, int]:
    """A reload of the thank-you page (the browser posts the same form again), or back and
    send again: these answers were stored before, nothing is stored twice.  A friendly page
    (the thank-you page saying so); 409 tells a program that nothing was taken."""
    return _thanks(assessment, instrument, already=True), 409


@bp.route("/iit/<token>/questionnaire", methods=["GET", "POST"])
def iit_questionnaire(token: str):
    """The questionnaire's own address: the code's POST answers with this page (see
    iit_code); a GET (a language switch, a bookmark) finds the verified code in the session,
    else goes back to the code page.  Its POST stores the answers, see _iit_post."""
    if request.method == "POST":
        return _post_answers(token, _iit_post)
    assessment = _assessment(token)
    state = assessment_state(assessment)
    if state is not AssessmentState.OPEN:
        return _unavailable(assessment, state)
    data = _iit_session(assessment)
    if data is None:
        return redirect(url_for(".iit_code", token=token))
    return _blank_iit_page(assessment, data["h"])


def _iit_post(assessment: Assessment, token: str):
    """The answer to an IIT POST (raises StaleAssessment, nothing stored and the code still
    unused, when the row no longer matches ``assessment``)."""
    answers = _reject_tampered_post(assessment, "IIT")
    try:
        ticket = _ticket_serializer().loads(request.form.get("ticket") or "")
    except BadData:
        ticket = None
    if (not isinstance(ticket, dict) or ticket.get("a") != assessment.id
            or not isinstance(ticket.get("h"), str)):
        abort(400, description=_(
            "Your code confirmation was not found. Please enter your access code again."))
    csrf_ok = _csrf_valid()
    if not csrf_ok or None in answers.values():
        return _answers_again(assessment, "IIT", answers, csrf_ok=csrf_ok)
    try:
        store_iit_response(
            db.session,
            assessment,
            ticket["h"],
            answers,
            submitted_on=local_today(current_app.config["TIMEZONE"]),
        )
    except WindowShut:  # the assessment closed during this request
        _refuse_shut_window()
    except CodeRejected as rejected:
        if rejected.state is CodeState.USED and _sent_here(assessment, ticket["h"]):
            return _already_received(assessment, "IIT")  # this browser's own reload
        session.pop("iit", None)
        return render_template(
            "respond/code_rejected.html",
            assessment=assessment,
            state=rejected.state.value,
            message=_code_message(rejected.state),
        ), 409 if rejected.state is CodeState.USED else 422
    # The code is spent: the session keeps only which hash this browser sent (a reload of
    # this page then says "already received"), never a way back to the questionnaire.
    session["iit"] = {"a": assessment.id, "sent": ticket["h"]}
    return _thanks(assessment, "IIT")


def _post_answers(token: str, post: Callable[[Assessment, str], object]):
    """Answer a questionnaire POST with ``post`` from the worker's cached assessment.

    The store's own statement checks that the row still has the token, definition and open
    window of the copy (StaleAssessment: nothing stored; read the row, decide again).  A copy
    that says "not open" is read again at once, so a reopening counts immediately.
    """
    assessment = _assessment(token)
    if assessment_state(assessment) is not AssessmentState.OPEN:
        assessment = _assessment(token, fresh=True)
    try:
        return post(assessment, token)
    except StaleAssessment:
        pass
    for _attempt in range(2):
        try:
            return post(_assessment(token, fresh=True), token)
        except StaleAssessment:  # changed again between the read and the write
            continue
    _refuse_shut_window()


# -- EIT --------------------------------------------------------------------------------------


def _new_nonce() -> str:
    nonce = secrets.token_urlsafe(12)
    session["eit_nonces"] = [*session.get("eit_nonces", [])[-(_NONCES_KEPT - 1) :], nonce]
    return nonce


def _already_answered(assessment: Assessment) -> bool:
    value = request.cookies.get(_answered_cookie(assessment))
    if not value:
        return False
    try:
        return _answered_serializer().loads(value) == assessment.id
    except BadSignature:
        return False


def _blank_eit_page(assessment: Assessment) -> str:
    """The blank EIT questionnaire: this request's CSRF token and nonce in the kept page."""
    answered = _already_answered(assessment)
    values = {"nonce": _new_nonce(), **_csrf_value()}

    def render() -> str:
        form = questionnaire_form(assessment.instrument_set, "EIT")()
        form.nonce.data = values["nonce"]
        return _render_questionnaire(assessment, "EIT", form, already_answered=answered)[0]

    return _filled_page(assessment, ("blank EIT", answered), values, render)


@bp.route("/eit/<token>", methods=["GET", "POST"])
@limit_posts(_rate("EIT_RATE_LIMIT"))
def eit_questionnaire(token: str):
    if request.method == "GET":
        assessment = _assessment(token)
        state = assessment_state(assessment)
        if state is not AssessmentState.OPEN:
            return _unavailable(assessment, state)
        return _blank_eit_page(assessment)
    return _post_answers(token, _eit_post)


def _eit_post(assessment: Assessment, token: str):
    """The answer to an EIT POST (raises StaleAssessment, nothing stored, when the row no
    longer matches ``assessment``)."""
    answers = _reject_tampered_post(assessment, "EIT")
    if request.form.get("website"):
        # A bot filled the honeypot: it gets the same page as a person, so it has no
        # signal to adapt to; nothing is stored.
        return _thanks(assessment, "EIT")
    groups = {g.code for g in assessment_set(assessment).respondent_groups}
    group = request.form.get("respondent_group")
    if group and group not in groups:
        _refuse_foreign_fields()
    csrf_ok = _csrf_valid()
    if not csrf_ok or not group or None in answers.values():
        return _answers_again(assessment, "EIT", answers, csrf_ok=csrf_ok,
                              missing_group=not group)
    nonces = session.get("eit_nonces", [])
    nonce = request.form.get("nonce")
    if not nonce or nonce not in nonces:
        return _already_received(assessment, "EIT")
    try:
        store_eit_response(
            db.session,
            assessment,
            group,
            answers,
            submitted_on=local_today(current_app.config["TIMEZONE"]),
        )
    except WindowShut:  # the assessment closed during this request
        _refuse_shut_window()
    session["eit_nonces"] = [n for n in nonces if n != nonce]
    response = make_response(_thanks(assessment, "EIT"))
    max_age = max(int((assessment.closes_at - utcnow()).total_seconds()), 0) + 86400
    response.set_cookie(
        _answered_cookie(assessment),
        _answered_serializer().dumps(assessment.id),
        max_age=max_age,
        path=url_for(".eit_questionnaire", token=token),
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]) or request.is_secure,
    )
    return response


# -- QR codes ---------------------------------------------------------------------------------


def _qr(kind: str, url: str) -> Response:
    if kind == "png":
        response = make_response(qr_png(url))
        response.mimetype = "image/png"
    else:
        response = make_response(qr_svg(url))
        response.mimetype = "image/svg+xml"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/eit/<token>/qr.<any(png, svg):kind>")
def eit_qr(token: str, kind: str):
    _assessment(token)
    return _qr(kind, public_url(".eit_questionnaire", token=token))


@bp.get("/iit/<token>/qr.<any(png, svg):kind>")
def iit_qr(token: str, kind: str):
    _assessment(token)
    return _qr(kind, public_url(".iit_code", token=token))
