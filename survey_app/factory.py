"""The app factory: ``create_app()`` builds the app from defaults, ``ITA_*`` env and overrides."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, current_app, jsonify, render_template, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BuildError

from . import config as settings
from .extensions import (
    DATABASE_UNAVAILABLE,
    babel,
    csrf,
    database_error_summary,
    db,
    limiter,
    login_manager,
    safe_rollback,
)
from .guards import register_request_guards
from .headers import CONTENT_SECURITY_POLICY
from .i18n import (
    DEFAULT_LOCALE,
    LANGUAGES,
    current_language,
    format_date,
    format_datetime,
    keep_words,
    localized,
    remember_language,
    select_locale,
)
from .labels import LABELS
from .rate_storage import storage_uri
from .signing import URLSafeTimedSerializer


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Create the app: defaults, then ``ITA_*`` environment variables, then ``config``.

    ``ITA_INSTANCE_PATH`` (or ``INSTANCE_PATH`` in ``config``) moves the instance folder that
    holds the embedded SQLite database and its generated secret.
    """
    overrides = dict(config or {})
    instance_path = overrides.pop("INSTANCE_PATH", None) or os.environ.get("ITA_INSTANCE_PATH")
    app = Flask(
        __package__,  # "survey_app": the app's name, and where its templates and static are
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
    )
    app.config.from_mapping(settings.DEFAULTS)
    app.config.from_prefixed_env(prefix="ITA")
    app.config.from_mapping(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    settings.finalise(app.config, app.instance_path)

    register_proxy(app)
    register_extensions(app)
    register_request_guards(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    return app


def register_proxy(app: Flask) -> None:
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie ``Secure`` whenever the request came over HTTPS.

    ``SESSION_COOKIE_SECURE`` forces it everywhere; without it the embedded server still works
    over plain HTTP on a laptop, while a deployment behind TLS (with ``ITA_PROXY_FIX`` so the
    scheme is known) gets a cookie that is never sent in clear.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer with its settings, built once per app and keys (Flask builds
        one, with a trial serialization, for every opening and saving of a session), and
        without the compression attempt on a short session (signing.py)."""
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)  # current last
        built = app.extensions.get("ita_session_serializer")
        if built is None or built[0] != keys:
            serializer = URLSafeTimedSerializer(
                list(keys), salt=self.salt, serializer=self.serializer,
                signer_kwargs={"key_derivation": self.key_derivation,
                               "digest_method": self.digest_method})
            built = app.extensions["ita_session_serializer"] = (keys, serializer)
        return built[1]


def register_extensions(app: Flask) -> None:
    app.session_interface = HttpsAwareSessionInterface()
    db.init_app(app)
    csrf.init_app(app)
    # memory:// counts in a store that starts no thread per hit (rate_storage.py).
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app.config["RATELIMIT_STORAGE_URI"])
    limiter.init_app(app)
    checks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in checks and not (
            limiter.limit_manager.default_limits or limiter.limit_manager.application_limits
            or app.config.get("RATELIMIT_META")):
        # Every limit is a view's own (limit_posts), counted when its view is called: with no
        # default, application-wide or meta limit, the check Flask-Limiter runs before every
        # request has nothing to count.
        checks.remove(limiter._check_request_limit)
    register_login(app)
    babel.init_app(app, default_locale=DEFAULT_LOCALE, default_timezone=app.config["TIMEZONE"],
                   locale_selector=select_locale)


def register_login(app: Flask) -> None:
    """Bind Flask-Login: the console's sign-in page, its message and the user loader."""
    from .admin.access import load_user

    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "admin.login"
    # Flashed in the request's language: the lazy string is made a str when Flask-Login flashes it.
    login_manager.login_message = _l("Please sign in to see this page")
    login_manager.localize_callback = str
    login_manager.login_message_category = "warn"


def register_blueprints(app: Flask) -> None:
    from .admin import (  # noqa: F401  (each module's views register on the console's bp)
        accounts,
        agencies,
        area,
        assessments,
        audit,
        auth,
        codes,
        exports,
        imports,
        measures,
        oit,
        published,
        published_oit,
        results,
        sets,
    )
    from .admin import bp as admin_bp
    from .respond.routes import bp as respond_bp

    # Respondent forms check their CSRF token themselves (FlaskForm.validate), so that an
    # expired token re-renders the questionnaire with its answers instead of losing them.
    csrf.exempt(respond_bp)
    app.register_blueprint(respond_bp)
    app.register_blueprint(admin_bp)
    app.before_request(remember_language)


@dataclass(frozen=True)
class ErrorText:
    """An error page's words; ``console_body`` where a respondent's would mislead an admin."""

    title: str
    body: str
    console_body: str | None = None


#: Each error page's title and text (Thai through the catalogue); other codes show 400's
#: (client) or 500's (server).  One template, ``errors/error.html``, shows them all.
ERROR_TEXT = {
    400: ErrorText(
        _l("Bad request"),
        _l("The data sent could not be accepted, and nothing was saved. Please open the survey "
           "again from your agency's link."),
        _l("The data sent could not be accepted, and nothing was saved. Go back and try again."),
    ),
    403: ErrorText(  # only the console refuses (a viewer, another agency's page)
        _l("Not allowed"),
        _l("Your account may not change this; nothing was saved."),
    ),
    404: ErrorText(
        _l("Page not found"),
        _l("This link is wrong or no longer exists. Please check the link or QR code from the "
           "agency."),
        _l("This console page does not exist, or your account may not see it."),
    ),
    429: ErrorText(
        _l("Too many attempts"),
        _l("Too many attempts from this network. Please wait a few minutes and try again."),
    ),
    500: ErrorText(
        _l("Something went wrong"),
        _l("Something went wrong on our side and nothing was saved. Please try again in a "
           "moment."),
    ),
    503: ErrorText(
        _l("The system is busy"),
        _l("The system is busy for a moment, so nothing was saved. Please try again in a "
           "moment."),
    ),
}

#: Seconds a person is asked to wait before sending again when the database is busy.
RETRY_AFTER_SECONDS = 5


def register_errorhandlers(app: Flask) -> None:
    error_pages: dict[tuple, str] = {}

    def render_error(error: HTTPException):
        code = error.code or 500
        text = ERROR_TEXT.get(code, ERROR_TEXT[400 if code < 500 else 500])
        # A message written for this case (abort(400, description=_(...))) beats the generic.
        detail = (
            error.description
            if code == 400 and error.description != type(error).description
            else None
        )
        if request.accept_mimetypes.best == "application/json":
            return jsonify(error=code, message=str(detail or text.body)), code
        if _in_console():  # the console's layout and menu, with the way back to its home
            try:
                return render_template("errors/error.html", console=True, code=code,
                                       title=text.title, body=text.console_body or text.body,
                                       detail=detail), code
            except Exception:  # its menu reads the account: with the database gone, plain
                safe_rollback()
        # A respondent's error page depends on nothing but these (its language link on the
        # method and URL): drawn once per worker, so a flood of bad requests costs no template
        # rendering.  The last 256 pages are kept.
        key = (code, current_language(), None if detail is None else str(detail),
               request.method, request.full_path)
        page = error_pages.get(key)
        if page is None:
            page = render_template("errors/error.html", console=False, code=code,
                                   title=text.title, body=text.body, detail=detail)
            if len(error_pages) >= 256:
                try:  # another thread may have dropped it first
                    del error_pages[next(iter(error_pages))]
                except (KeyError, RuntimeError, StopIteration):
                    pass
            error_pages[key] = page
        return page, code

    def handle_http(error: HTTPException):
        if error.code == 500:
            safe_rollback()
        return render_error(error)

    def handle_unexpected(error: Exception):
        safe_rollback()
        app.logger.exception("unhandled error")
        return handle_http(_InternalError())

    def handle_database_unavailable(error: Exception):
        # Locked, timed out or gone: nothing of this request was stored (rolled back).  Log
        # the driver's message only: the statement's parameters stay out of the log.
        safe_rollback()
        app.logger.warning("database unavailable: %s", database_error_summary(error))
        response = app.make_response(render_error(_Unavailable()))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
    for exc_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(exc_class, handle_database_unavailable)


def _in_console() -> bool:
    """Whether the request was for a console page (a known one or not)."""
    prefix = current_app.blueprints["admin"].url_prefix
    return request.blueprint == "admin" or request.path == prefix or request.path.startswith(
        prefix + "/")


class _InternalError(HTTPException):
    code = 500


class _Unavailable(HTTPException):
    code = 503


def register_template_helpers(app: Flask) -> None:
    from .services.instrument_sets import answer_minutes

    # Static files are cached for a day (SEND_FILE_MAX_AGE_DEFAULT); a changed stylesheet
    # gets a new URL at once.
    css_version = _file_version(Path(app.static_folder or "") / "ita.css")
    code_js_version = _file_version(Path(app.static_folder or "") / "iit-code.js")

    app.add_template_filter(keep_words)

    @app.context_processor
    def _helpers() -> dict[str, object]:
        return {
            "localized": localized,
            "labels": LABELS,
            "languages": LANGUAGES,
            "lang": current_language(),
            "lang_url": language_switch_url,
            "css_version": css_version,
            "when": format_datetime,
            "on_day": format_date,
            "code_js_version": code_js_version,
            "answer_minutes": answer_minutes,
        }


def _file_version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.exists() else "0"


def language_switch_url(lang: str) -> str:
    """Return this page's URL in ``lang``, keeping its other query arguments."""
    args = request.args.to_dict()
    args["lang"] = lang
    if request.endpoint and request.method == "GET":
        try:
            return url_for(request.endpoint, **(request.view_args or {}), **args)
        except BuildError:
            pass
    return "?" + urlencode(args)


#: HSTS over HTTPS: two years; no includeSubDomains, an agency's other sites are not ours.
HSTS = "max-age=63072000"


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.blueprint == "admin" or response.status_code >= 400:
            # Console pages and downloads (answers, codes, reports) never sit in a cache, nor
            # does an error page (a cached "busy" page would outlive the fault).
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # Links carry the assessment token: never send them on.
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
