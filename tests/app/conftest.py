"""Fixtures for the web app, in the flaskr shape: ``app``, ``client``, ``runner`` and helpers.

Flow tests run on SQLite and on PostgreSQL (``backend``).  PostgreSQL tests get a database
created for the run (one per xdist worker) on 127.0.0.1:5432 as user ``postgres``; when the
server is unreachable they are skipped with the reason, unless ``CI=true``, where they fail.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from questionnaires import load_instrument_set
from survey_app import create_app
from survey_app.extensions import db, make_engine
from survey_app.models import Base, utcnow
from survey_app.services.agencies import get_or_create_agency
from survey_app.services.assessments import create_assessment
from survey_app.services.codes import issue_codes
from survey_app.services.schema import upgrade

PG_SERVER = os.environ.get("ITA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
SET = "ita-2566"


def _pg_admin_engine() -> sa.Engine:
    return sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """Create a uniquely named PostgreSQL database for this test process; drop it after."""
    admin = _pg_admin_engine()
    name = f"ita_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        reason = f"PostgreSQL at {PG_SERVER} is unreachable: {exc.orig}"
        if IN_CI:
            pytest.fail(reason)
        print(reason)
        pytest.skip(reason)
    url = sa.make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


@pytest.fixture(scope="session")
def pg_migrated(pg_database_url: str) -> str:
    engine = make_engine(pg_database_url)
    upgrade(engine)
    engine.dispose()
    return pg_database_url


def _truncate_pg(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in reversed(Base.metadata.sorted_tables))
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, tmp_path, request) -> Iterator[str]:
    """A migrated, empty database on ``backend``."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'ita-test.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    url = request.getfixturevalue("pg_migrated")
    yield url
    _truncate_pg(url)


def app_config(database_url: str, tmp_path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-" + secrets.token_hex(8),
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "ita.test",
    }
    config.update(overrides)
    return config


@pytest.fixture
def app(database_url: str, tmp_path):
    app = create_app(app_config(database_url, tmp_path))
    yield app
    db.dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# -- small factories --------------------------------------------------------------------------


@dataclass
class Setup:
    assessment_id: int
    token: str
    codes: list[str]


def make_assessment(
    app,
    *,
    codes: int = 3,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    agency_code: str = "TEST1",
) -> Setup:
    """Create an agency and an assessment (open now unless told) with ``codes`` IIT codes."""
    now = utcnow()
    with app.app_context():
        session = db.session
        agency, _ = get_or_create_agency(
            session, code=agency_code, name_th="หน่วยงานทดสอบ", name_en="Test agency",
            agency_type="area_office", eligible_headcount=40,
        )
        assessment = create_assessment(
            session, agency, fiscal_year_be=2569, instrument_set=SET,
            opens_at=opens_at or now - dt.timedelta(days=1),
            closes_at=closes_at or now + dt.timedelta(days=30),
        )
        issued = issue_codes(
            session, assessment, codes, key=app.config["CODE_HASH_KEY"], batch="test"
        )
        session.commit()
        return Setup(assessment.id, assessment.public_token, issued)


@pytest.fixture
def setup(app) -> Setup:
    return make_assessment(app)


def full_answers(instrument: str, option: int | None = None) -> dict[str, str]:
    """Every question of ``instrument`` answered (with its scale's first code unless told)."""
    iset = load_instrument_set(SET)
    answers = {}
    for item in iset.items_for(instrument):
        for q in item.questions:
            code = option if option in item.scale.codes else item.scale.options[-1].code
            answers[q.column] = str(code)
    return answers


def close_assessment(app, assessment_id: int) -> None:
    """Move an assessment's window into the past."""
    from survey_app.models import Assessment

    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assessment.opens_at = utcnow() - dt.timedelta(days=30)
        assessment.closes_at = utcnow() - dt.timedelta(minutes=1)
        db.session.commit()


def count_rows(app, table: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))


def stored_answers(app, instrument: str | None = None, where: str = "") -> list[dict[str, int]]:
    """Each stored response's answers (column → option; blanks left out), oldest id first,
    decoded from ``response.answers`` with its layout."""
    from survey_app.services.compact import BLANK, stored_layout

    query = "SELECT id, assessment_id, instrument, answers FROM response"
    conditions = ([f"instrument = '{instrument}'"] if instrument else []) + (
        [where] if where else [])
    if conditions:
        query += " WHERE " + " AND ".join(conditions)
    with app.app_context():
        connection = db.session.connection()
        rows = connection.execute(sa.text(query + " ORDER BY id")).all()
        layouts = {(a, i): stored_layout(connection, a, i) for _id, a, i, _b in rows}
        return [{q: o for q, o in zip(layouts[(a, i)], bytes(b), strict=False) if o != BLANK}
                for _id, a, i, b in rows]


def count_answers(app) -> int:
    """How many answers (non-blank question cells) all stored responses hold."""
    return sum(len(a) for a in stored_answers(app))


def stored_iit(app) -> int:
    """IIT answers stored anywhere: ballots waiting in the box plus mixed IIT responses."""
    return count_rows(app, "ballot") + count_rows(app, "response WHERE instrument = 'IIT'")


def close_and_mix(app, assessment_id: int) -> int:
    """Close the assessment and run a pass of the mixer, as the console's close does: its
    remaining ballots are mixed and its answers published.  Returns the ballots mixed."""
    from survey_app.services.ballots import run_pass

    close_assessment(app, assessment_id)
    with app.app_context():
        report = run_pass(db.engine, batch_size=app.config["MIX_BATCH"])
    return report.mixed.get(assessment_id, 0)


class Respondent:
    """Walks a test client through the respondent flows."""

    def __init__(self, client, token: str):
        self.client = client
        self.token = token

    def enter_code(self, code: str):
        return self.client.post(f"/iit/{self.token}", data={"code": code})

    def confirm_eligibility(self):
        return self.client.post(f"/iit/{self.token}/start", data={"eligible": "y"})

    def open_iit_questionnaire(self):
        return self.client.get(f"/iit/{self.token}/questionnaire")

    def ticket(self) -> str:
        import re

        page = self.open_iit_questionnaire().get_data(as_text=True)
        return re.search(r'name="ticket" value="([^"]+)"', page).group(1)

    def start_iit(self, code: str) -> str:
        """Enter the code and confirm eligibility; return the questionnaire's ticket."""
        assert self.enter_code(code).status_code == 302
        assert self.confirm_eligibility().status_code == 302
        return self.ticket()

    def submit_iit(self, ticket: str, answers: dict[str, str] | None = None, **extra):
        data = {"ticket": ticket, **(full_answers("IIT") if answers is None else answers)}
        data.update(extra)
        return self.client.post(f"/iit/{self.token}/questionnaire", data=data)

    def eit_nonce(self) -> str:
        import re

        page = self.client.get(f"/eit/{self.token}").get_data(as_text=True)
        return re.search(r'name="nonce" value="([^"]+)"', page).group(1)

    def submit_eit(self, answers: dict[str, str] | None = None, *, group: str | None = "public",
                   nonce: str | None = None, **extra):
        data = {"nonce": self.eit_nonce() if nonce is None else nonce,
                **(full_answers("EIT") if answers is None else answers)}
        if group is not None:
            data["respondent_group"] = group
        data.update(extra)
        return self.client.post(f"/eit/{self.token}", data=data)


@pytest.fixture
def respondent(client, setup) -> Respondent:
    return Respondent(client, setup.token)
