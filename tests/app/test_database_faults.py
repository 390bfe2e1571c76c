"""A locked, slow or vanished database: the respondent keeps every answer and is asked to send
again within seconds (503 + Retry-After), nothing is stored half, and a later send works.

SQLite is locked from another connection with ``BEGIN EXCLUSIVE``; PostgreSQL with a row lock
(``SELECT … FOR UPDATE`` on the codes) or a table lock (``LOCK TABLE response``) held by another
connection.  The apps here use short timeouts (1.5 s, or ``ITA_FAULT_TIMEOUT_MS``) so the
tests stay fast; the defaults (5 s) are checked in ``test_settings.py``.  The time a respondent
waits is printed with ``pytest tests/app/test_database_faults.py -s -k locked``.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time

import pytest
import sqlalchemy as sa

from survey_app import create_app
from survey_app.extensions import db

from .conftest import (
    Respondent,
    app_config,
    count_answers,
    count_rows,
    full_answers,
    make_assessment,
)

TIMEOUT_MS = int(os.environ.get("ITA_FAULT_TIMEOUT_MS", "1500"))
#: What the respondent's wait may add to the lock timeout (rendering, a busy CI machine).
SLACK_S = 3.0


def checked(page: str) -> dict[str, str]:
    """The radio answers a page shows as selected."""
    return dict(re.findall(r'name="([^"]+)" value="([^"]+)" required\s+checked', page))


def varied_answers(instrument: str) -> dict[str, str]:
    """Every question answered, not all alike, so that keeping them is visible."""
    answers = full_answers(instrument)
    for k, column in enumerate(sorted(answers)):
        if answers[column] == "4":
            answers[column] = str(1 + k % 4)
    return answers


@pytest.fixture
def fault_app(database_url, tmp_path):
    app = create_app(app_config(database_url, tmp_path, SQLITE_BUSY_TIMEOUT_MS=TIMEOUT_MS,
                                DB_LOCK_TIMEOUT_MS=TIMEOUT_MS))
    yield app
    db.dispose(app)


class _Lock:
    """Hold a write lock on the database from another connection."""

    def __init__(self, url: str, backend: str, what: str):
        self.url, self.backend, self.what = url, backend, what

    def __enter__(self):
        if self.backend == "sqlite":
            self.conn = sqlite3.connect(sa.make_url(self.url).database, isolation_level=None)
            self.conn.execute("BEGIN EXCLUSIVE")
        else:
            self.engine = sa.create_engine(self.url, poolclass=sa.NullPool)
            self.conn = self.engine.connect()
            self.conn.begin()
            if self.what == "codes":
                self.conn.exec_driver_sql("SELECT id FROM access_code FOR UPDATE").all()
            elif self.what == "ballot":
                self.conn.exec_driver_sql("LOCK TABLE ballot IN ACCESS EXCLUSIVE MODE")
            else:
                self.conn.exec_driver_sql("LOCK TABLE response IN EXCLUSIVE MODE")
        return self

    def __exit__(self, *exc):
        self.conn.rollback()
        self.conn.close()
        if self.backend != "sqlite":
            self.engine.dispose()


def _used_codes(app) -> int:
    return count_rows(app, "access_code WHERE status = 'used'")


def stored_responses(app) -> int:
    """Responses stored, wherever they wait (a ballot box, where the schema has one)."""
    with app.app_context():
        tables = sa.inspect(db.engine).get_table_names()
    return sum(count_rows(app, t) for t in ("response", "ballot") if t in tables)


def test_locked_database_re_renders_the_iit_questionnaire_with_every_answer(
        fault_app, database_url, backend):
    setup = make_assessment(fault_app)
    person = Respondent(fault_app.test_client(), setup.token)
    ticket = person.start_iit(setup.codes[0])
    answers = varied_answers("IIT")
    with _Lock(database_url, backend, "codes"):
        started = time.monotonic()
        response = person.submit_iit(ticket, answers)
        waited = time.monotonic() - started
    page = response.get_data(as_text=True)
    print(f"\n{backend}: locked-database IIT submission answered {response.status_code} "
          f"in {waited:.2f} s (lock timeout {TIMEOUT_MS / 1000:.1f} s)")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "ระบบไม่ว่างชั่วคราว" in page and "อีกครั้งในอีกสักครู่" in page
    assert checked(page) == answers  # every answer kept, as given
    assert f'name="ticket" value="{ticket}"' in page
    assert TIMEOUT_MS / 1000 - 0.2 <= waited < TIMEOUT_MS / 1000 + SLACK_S
    # nothing stored half: no response, no answer, the code still unused
    assert stored_responses(fault_app) == 0 and count_answers(fault_app) == 0
    assert _used_codes(fault_app) == 0
    # the lock is gone: pressing submit again on the same page stores it exactly once
    assert person.submit_iit(ticket, answers).status_code == 200
    assert stored_responses(fault_app) == 1 and _used_codes(fault_app) == 1


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_locked_ballot_table_is_answered_within_one_lock_timeout(fault_app, database_url,
                                                                   backend):
    """Issue 17: a before-request mixer check waited its own lock timeout first (10.1 s with a
    5 s timeout).  The mixer is off the request path: one timeout, then "send again"."""
    setup = make_assessment(fault_app)
    person = Respondent(fault_app.test_client(), setup.token)
    ticket = person.start_iit(setup.codes[0])
    answers = varied_answers("IIT")
    with _Lock(database_url, backend, "ballot"):
        started = time.monotonic()
        response = person.submit_iit(ticket, answers)
        waited = time.monotonic() - started
    print(f"\n{backend}: IIT with the ballot table locked answered {response.status_code} "
          f"in {waited:.2f} s (lock timeout {TIMEOUT_MS / 1000:.1f} s)")
    assert response.status_code == 503
    assert waited < TIMEOUT_MS / 1000 + SLACK_S
    assert person.submit_iit(ticket, answers).status_code == 200


def test_locked_database_re_renders_the_eit_questionnaire_in_english(
        fault_app, database_url, backend):
    setup = make_assessment(fault_app)
    person = Respondent(fault_app.test_client(), setup.token)
    person.client.get(f"/eit/{setup.token}?lang=en")
    nonce = person.eit_nonce()
    answers = varied_answers("EIT")
    with _Lock(database_url, backend, "responses"):
        started = time.monotonic()
        response = person.submit_eit(answers, group="school", nonce=nonce)
        waited = time.monotonic() - started
    page = response.get_data(as_text=True)
    print(f"\n{backend}: locked-database EIT submission answered {response.status_code} "
          f"in {waited:.2f} s (lock timeout {TIMEOUT_MS / 1000:.1f} s)")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "The system is busy for a moment" in page
    assert checked(page) == {**answers, "respondent_group": "school"}
    assert waited < TIMEOUT_MS / 1000 + SLACK_S
    assert stored_responses(fault_app) == 0 and count_answers(fault_app) == 0
    # the same form (same nonce) goes through once the lock is released
    assert person.submit_eit(answers, group="school", nonce=nonce).status_code == 200
    assert stored_responses(fault_app) == 1


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_statement_that_runs_too_long_is_cancelled(database_url, tmp_path):
    app = create_app(app_config(database_url, tmp_path, DB_STATEMENT_TIMEOUT_MS=300))
    try:
        with app.app_context():
            started = time.monotonic()
            with pytest.raises(sa.exc.OperationalError, match="statement timeout"):
                db.session.execute(sa.text("SELECT pg_sleep(5)"))
            assert time.monotonic() - started < 3
            db.session.rollback()
    finally:
        db.dispose(app)


@pytest.mark.parametrize("url", [
    "sqlite:////nonexistent-ita-directory/ita.sqlite3",
    "postgresql+psycopg://postgres@127.0.0.1:1/ita",  # nothing listens on port 1
], ids=["sqlite-gone", "postgresql-refused"])
def test_a_database_that_is_gone_keeps_the_answers_in_a_send_again_page(tmp_path, url):
    app = create_app(app_config(url, tmp_path))
    try:
        client = app.test_client()
        answers = full_answers("EIT")
        started = time.monotonic()
        response = client.post("/eit/some-token", data={**answers, "respondent_group": "public",
                                                         "nonce": "n1"})
        waited = time.monotonic() - started
        page = response.get_data(as_text=True)
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        assert "ระบบไม่ว่างชั่วคราว" in page and "ส่งอีกครั้ง" in page
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
        assert hidden == {**answers, "respondent_group": "public", "nonce": "n1"}
        assert 'action="/eit/some-token"' in page
        assert waited < SLACK_S + 5
        # the code page's POST: the typed code is never written back into the page
        coded = client.post("/iit/some-token", data={"code": "ABCD-EFGH-JK", "eligible": "y"})
        assert coded.status_code == 503
        assert "ABCD" not in coded.get_data(as_text=True)
        assert 'type="hidden"' not in coded.get_data(as_text=True)
        assert "ลองอีกครั้ง" in coded.get_data(as_text=True)
        # a page that only reads: the Thai "try again in a moment" page, not a bare 500
        reading = client.get("/eit/some-token")
        assert reading.status_code == 503
        assert "ลองอีกครั้ง" in reading.get_data(as_text=True)
        # and the console answers the same way
        console = client.get("/admin/login")
        assert console.status_code in (200, 503)
        login = client.post("/admin/login", data={"username": "x", "password": "y" * 12})
        assert login.status_code == 503 and "ระบบไม่ว่างชั่วคราว" in login.get_data(as_text=True)
    finally:
        db.dispose(app)
