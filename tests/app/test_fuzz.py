"""Fuzz every respondent POST endpoint and the console sign-in with hostile bodies.

For each endpoint, ``ITA_FUZZ_BODIES`` bodies from :mod:`.hostile` (seeded: ``ITA_FUZZ_SEED``,
default 2566) are posted with CSRF protection on, each starting from what the honest page
posts.  Every answer must be below 500, and after every request the stored rows must be
exactly what they were before (responses, answers, used codes, console sessions), except the
audit log's record of a failed sign-in, which is what the console promises for a well-formed
wrong password.

The full fuzz (5,000 bodies on SQLite, 1,000 on PostgreSQL per endpoint) runs under ``CI=true``
(.ci/run sets it); a developer's run posts a tenth of that unless ``ITA_FUZZ_BODIES`` says
otherwise, and ``pytest --quick`` leaves the fuzz out (it is marked ``slow``).

Print the figures with ``pytest tests/app/test_fuzz.py -s``.
"""

from __future__ import annotations

import collections
import io
import os
import re
import time
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask.testing import EnvironBuilder
from werkzeug.test import run_wsgi_app
from werkzeug.wsgi import get_current_url

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import User
from survey_app.services.accounts import create_user

from ..external import IN_CI
from .conftest import app_config, full_answers, make_assessment
from .hostile import Body, HostileBodies

SEED = os.environ.get("ITA_FUZZ_SEED", "2566")
#: Bodies per endpoint: the full fuzz (CI) and a developer's run.
FULL_BODIES = {"sqlite": 5000, "postgresql": 1000}
QUICK_BODIES = {"sqlite": 500, "postgresql": 100}

pytestmark = pytest.mark.slow


def _bodies_for(backend: str) -> int:
    default = (FULL_BODIES if IN_CI else QUICK_BODIES)[backend]
    return int(os.environ.get("ITA_FUZZ_BODIES", default))


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.fixture
def fuzz_app(database_url, tmp_path):
    app = create_app(app_config(database_url, tmp_path, WTF_CSRF_ENABLED=True))
    yield app
    db.dispose(app)


#: What a request could store; the ballot box counts where the schema has one.
COUNTED = ("response", "response_layout", "ballot", "admin_session", "user_account")


def snapshot_query(engine: sa.Engine) -> sa.TextClause:
    tables = set(sa.inspect(engine).get_table_names())
    counts = [f"(SELECT count(*) FROM {t})" for t in COUNTED if t in tables]
    counts += ["(SELECT count(*) FROM access_code WHERE status <> 'unused')",
               "(SELECT count(*) FROM audit_event WHERE action <> 'login_failed')",
               "(SELECT count(*) FROM audit_event WHERE action = 'login_failed')"]
    return sa.text("SELECT " + ", ".join(counts))


class Poster:
    """Posts bodies to one URL straight through the app's WSGI call, with the client's cookies.

    What ``client.post`` sends, without building an EnvironBuilder and a TestResponse for
    each of thousands of bodies: the environ of the URL is built once by the same builder and
    copied per body; only the status is read.  The cookies go in and out as the client's own
    ``run_wsgi_app`` takes them (``_add_cookies_to_wsgi``, ``_update_cookies_from_response``),
    for the host and path of that one URL, worked out once instead of twice a body (the app
    has no ProxyFix here, so it leaves them as they are)."""

    def __init__(self, client, url: str):
        self.client = client
        builder = EnvironBuilder(client.application, url, method="POST",
                                 environ_base=dict(client.environ_base))
        try:
            self.environ = builder.get_environ()
        finally:
            builder.close()
        assert client._cookies is not None  # the fuzz's clients keep cookies
        where = urlsplit(get_current_url(self.environ))
        self.host, self.path = where.hostname or "localhost", where.path

    def post(self, body: Body) -> int:
        data, content_type = body.encode()
        environ = dict(self.environ, CONTENT_TYPE=content_type, CONTENT_LENGTH=str(len(data)))
        environ["wsgi.input"] = io.BytesIO(data)
        client = self.client
        cookies = "; ".join(c._to_request_header() for c in client._cookies.values()
                            if c._matches_request(self.host, self.path))
        if cookies:
            environ["HTTP_COOKIE"] = cookies
        app_iter, status, headers = run_wsgi_app(client.application, environ)
        client._update_cookies_from_response(self.host, self.path, headers.getlist("Set-Cookie"))
        if hasattr(app_iter, "close"):
            app_iter.close()
        return int(status.split(" ", 1)[0])


class Fuzzer:
    def __init__(self, app, database_url: str, name: str):
        self.app, self.name = app, name
        self.engine = sa.create_engine(database_url, poolclass=sa.NullPool)
        self.query = str(snapshot_query(self.engine))
        # Counted after every body: one autocommitting connection, each query its own
        # transaction (it sees every commit), through the driver's cursor without
        # SQLAlchemy's statement handling around it.
        self.conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self.cursor = self.conn.connection.dbapi_connection.cursor()
        self.statuses: collections.Counter[int] = collections.Counter()
        # SQLite's data_version changes when another connection commits to the file: while it
        # stands still nothing was stored, and the counts need not be taken again.
        self.version = "PRAGMA data_version" if self.engine.dialect.name == "sqlite" else None
        self.last: tuple[object, tuple[int, ...]] | None = None
        if self.version is not None:
            self._check_the_version_moves()

    def _row(self, sql: str) -> tuple:
        self.cursor.execute(sql)
        (row,) = self.cursor.fetchall()
        return tuple(row)

    def _check_the_version_moves(self) -> None:
        """A commit by another connection must move data_version, or the shortcut is unsafe."""
        before = self._row(self.version)
        with self.engine.begin() as other:
            other.execute(sa.text("CREATE TABLE fuzz_probe (x INTEGER)"))
        with self.engine.begin() as other:
            other.execute(sa.text("DROP TABLE fuzz_probe"))
        assert self._row(self.version) != before, "data_version stood still"

    def snapshot(self) -> tuple[int, ...]:
        version = None
        if self.version is not None:
            version = self._row(self.version)
            if self.last is not None and self.last[0] == version:
                return self.last[1]
        row = self._row(self.query)
        self.last = (version, row)
        return row

    def run(self, client, url: str, generator: HostileBodies, n: int, *, refresh=None,
            weights=None, login_failed_ok: bool = False) -> None:
        before = self.snapshot()
        started = time.monotonic()
        poster = Poster(client, url)
        for k, body in enumerate(generator.bodies(n, weights=weights)):
            if refresh is not None and k % 250 == 0:
                refresh()
            status = poster.post(body)
            self.statuses[status] += 1
            assert status < 500, (status, body)
            assert status not in (200, 201), (status, body)  # nothing is ever accepted
            after = self.snapshot()
            if login_failed_ok and status == 401:
                # a well-formed wrong password is logged, and nothing else
                assert after[:-1] == before[:-1] and after[-1] <= before[-1] + 1, body
                before = after
            else:
                assert after == before, (status, body)
        elapsed = time.monotonic() - started
        print(f"\n{self.name}: {n} hostile bodies in {elapsed:.1f} s, 5xx: "
              f"{sum(v for s, v in self.statuses.items() if s >= 500)}, statuses: "
              f"{dict(sorted(self.statuses.items()))}, rows stored: 0")

    def close(self) -> None:
        self.cursor.close()
        self.conn.close()
        self.engine.dispose()


def _answers_fields(instrument: str) -> list[tuple[str, str]]:
    return list(full_answers(instrument).items())


def _started_iit(app, setup):
    """A client that entered a valid code and confirmed eligibility; its questionnaire page."""
    client = app.test_client()
    page = client.get(f"/iit/{setup.token}").get_data(as_text=True)
    entered = client.post(f"/iit/{setup.token}", data={"code": setup.codes[0], "eligible": "y",
                                                        "csrf_token": _csrf(page)})
    assert entered.status_code == 200  # the questionnaire answers the code
    return client, entered.get_data(as_text=True)


def test_fuzz_eit_submission(fuzz_app, database_url, backend):
    setup = make_assessment(fuzz_app)
    client = fuzz_app.test_client()
    fuzzer = Fuzzer(fuzz_app, database_url, f"{backend} EIT submit")
    honest: list[tuple[str, str]] = []

    def refresh():  # a fresh page: its CSRF token and one-time nonce
        page = client.get(f"/eit/{setup.token}").get_data(as_text=True)
        nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
        honest[:] = [("csrf_token", _csrf(page)), ("nonce", nonce),
                     ("respondent_group", "public"), ("website", ""),
                     *_answers_fields("EIT")]

    refresh()
    columns = [k for k, _ in _answers_fields("EIT")]
    generator = HostileBodies(f"eit-{SEED}", honest, numeric=columns,
                              text=["respondent_group"], secrets_=["csrf_token", "nonce"],
                              required=[*columns, "respondent_group"])
    try:
        # Bodies that fail only on a missing answer or token re-render the whole questionnaire
        # (~10 ms each): rarer, so the run stays short; every kind still occurs hundreds of times.
        fuzzer.run(client, f"/eit/{setup.token}", generator, _bodies_for(backend),
                   refresh=refresh, weights={"drop_required": 0.25, "forge_secret": 0.25})
    finally:
        fuzzer.close()


def test_fuzz_iit_code_entry(fuzz_app, database_url, backend):
    setup = make_assessment(fuzz_app, codes=2)
    client = fuzz_app.test_client()
    page = client.get(f"/iit/{setup.token}").get_data(as_text=True)
    honest = [("csrf_token", _csrf(page)), ("code", setup.codes[0]), ("eligible", "y")]
    generator = HostileBodies(f"code-{SEED}", honest, numeric=[], text=["code", "eligible"],
                              secrets_=["csrf_token"], required=["code", "eligible"])
    fuzzer = Fuzzer(fuzz_app, database_url, f"{backend} IIT code entry")
    try:
        fuzzer.run(client, f"/iit/{setup.token}", generator, _bodies_for(backend))
    finally:
        fuzzer.close()


def test_fuzz_iit_submission(fuzz_app, database_url, backend):
    setup = make_assessment(fuzz_app, codes=2)
    client, page = _started_iit(fuzz_app, setup)
    ticket = re.search(r'name="ticket" value="([^"]+)"', page).group(1)
    honest = [("csrf_token", _csrf(page)), ("ticket", ticket), *_answers_fields("IIT")]
    columns = [k for k, _ in _answers_fields("IIT")]
    generator = HostileBodies(f"iit-{SEED}", honest, numeric=columns, text=[],
                              secrets_=["csrf_token", "ticket"], required=columns)
    fuzzer = Fuzzer(fuzz_app, database_url, f"{backend} IIT submit")
    try:
        fuzzer.run(client, f"/iit/{setup.token}/questionnaire", generator,
                   _bodies_for(backend), weights={"drop_required": 0.25, "forge_secret": 0.25})
    finally:
        fuzzer.close()


def test_fuzz_admin_login(fuzz_app, database_url, backend):
    with fuzz_app.app_context():
        create_user(db.session, username="fuzzed", password="the-right-password-1",
                    role="system_admin")
        db.session.commit()
    client = fuzz_app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    # The honest body signs in with a wrong password: no body of the fuzz may sign in.
    honest = [("csrf_token", _csrf(page)), ("username", "fuzzed"),
              ("password", "a-wrong-password-1")]
    generator = HostileBodies(f"login-{SEED}", honest, numeric=[],
                              text=["username", "password"], secrets_=["csrf_token"],
                              required=["username", "password"])
    fuzzer = Fuzzer(fuzz_app, database_url, f"{backend} admin login")
    try:
        fuzzer.run(client, "/admin/login", generator, _bodies_for(backend),
                   login_failed_ok=True)
        assert client.get("/admin/").status_code == 302  # never signed in
    finally:
        fuzzer.close()
    with fuzz_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
