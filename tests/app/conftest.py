"""Fixtures for the web app, in the flaskr shape: ``app``, ``client``, ``runner`` and helpers.

Flow tests run on SQLite and on PostgreSQL (``backend``).  SQLite tests get a copy of one file
migrated from empty once per test process (one per xdist worker): copying 250 kB costs nothing,
migrating costs a sixth of a second per test.  PostgreSQL tests share a database created and
migrated once per test process on 127.0.0.1:5432 as user ``postgres`` and emptied after each
test (TRUNCATE is faster there than cloning a template database); when the server is
unreachable they are skipped with the reason, unless ``CI=true``, where they fail.  Tests of
the migrations themselves make their own empty database (tests/app/test_migrations.py).

The builders (``make_assessment``, ``Respondent``, ``full_answers`` ...) live in
tests/factories.py and are importable from here as before.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from survey_app import create_app
from survey_app.extensions import db, make_engine
from survey_app.models import Base
from survey_app.services.schema import upgrade

from ..external import IN_CI
from ..factories import (  # noqa: F401 - the builders' old home: tests import them from here
    SET,
    Respondent,
    Setup,
    app_config,
    close_and_mix,
    close_assessment,
    count_answers,
    count_rows,
    full_answers,
    make_assessment,
    stored_answers,
    stored_iit,
    test_password_hashes,
)

PG_SERVER = os.environ.get("ITA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


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


@pytest.fixture(scope="session")
def pg_emptier(pg_migrated: str) -> Iterator[Callable[[], None]]:
    """Empties the migrated PostgreSQL database after a test, through one engine kept for the
    test process (connecting afresh after each test cost more than the TRUNCATE)."""
    engine = make_engine(pg_migrated)
    tables = ", ".join(f'"{t.name}"' for t in reversed(Base.metadata.sorted_tables))

    def empty() -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")

    yield empty
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated from empty, once per test process; tests get copies of it."""
    path = tmp_path_factory.mktemp("template") / "ita-template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection closed: the WAL is checked in, the file complete
    return path


def copy_sqlite_template(template: Path, folder: Path, name: str = "ita-test.sqlite3") -> str:
    """Copy the migrated template into ``folder``; return the copy's database URL."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, folder / name)
    return f"sqlite:///{folder / name}"


@pytest.fixture
def database_url(backend: str, tmp_path, request) -> Iterator[str]:
    """A migrated, empty database on ``backend``."""
    if backend == "sqlite":
        yield copy_sqlite_template(request.getfixturevalue("sqlite_template"), tmp_path)
        return
    empty = request.getfixturevalue("pg_emptier")
    yield request.getfixturevalue("pg_migrated")
    empty()


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


@pytest.fixture
def setup(app) -> Setup:
    return make_assessment(app)


@pytest.fixture
def respondent(client, setup) -> Respondent:
    return Respondent(client, setup.token)


# -- the demo: built once per test process, copied per test ------------------------------------

#: Settings of the environment that would point ``ita`` away from the instance folder.
INSTANCE_ENV = ("ITA_DATABASE_URL", "ITA_SECRET_KEY", "ITA_CODE_HASH_KEY")


@dataclass
class DemoInstance:
    path: Path  # the instance folder; ITA_INSTANCE_PATH points here during the test
    info: dict  # what `ita demo --json` printed when it built the data


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> DemoInstance:
    """`ita demo --json` on a fresh instance folder, once per test process (3 s of CPU)."""
    from click.testing import CliRunner

    from survey_app.cli import main

    folder = tmp_path_factory.mktemp("demo") / "instance"
    with pytest.MonkeyPatch.context() as mp:
        for name in INSTANCE_ENV:
            mp.delenv(name, raising=False)
        mp.setenv("ITA_INSTANCE_PATH", str(folder))
        result = CliRunner().invoke(main, ["demo", "--json"])
    assert result.exit_code == 0, result.output
    return DemoInstance(folder, json.loads(result.output))


@pytest.fixture
def demo_instance(demo_template: DemoInstance, tmp_path, monkeypatch) -> DemoInstance:
    """A copy of the demo's instance folder (its SQLite file, secret and code keys) at
    ``tmp_path / "instance"``, with ``ITA_INSTANCE_PATH`` pointing to it: what a first
    `ita demo` gives, for a test to change as it likes."""
    folder = tmp_path / "instance"
    shutil.copytree(demo_template.path, folder)
    for name in INSTANCE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ITA_INSTANCE_PATH", str(folder))
    info = json.loads(json.dumps(demo_template.info).replace(str(demo_template.path), str(folder)))
    return DemoInstance(folder, info)


# -- scoring ----------------------------------------------------------------------------------

#: ``scoring.assess`` results by their inputs (``assess_once``), for the whole test process.
_ASSESSED: dict[tuple, tuple[object, object]] = {}


@pytest.fixture
def assess_once(monkeypatch):
    """``scoring.assess`` as the results service calls it, run once per distinct input.

    ``assess`` is a pure function of its arguments (its resamples drawn from a fixed seed), so
    the same inputs give the same result: a test comparing a stored result with a fresh
    computation on the data now (tests/app/admin/test_result_cache.py) computes each input
    once.  The key is the exact inputs (the instrument set by identity, kept alive here, and
    every other argument pickled: frames with their index, columns, types and values), so any
    difference in the data is a new computation.  Tests that count or break ``results.assess``
    patch over this and see every call."""
    import pickle

    from survey_app.services import results

    real = results.assess

    def assess(iset, **kwargs):
        key = (id(iset), pickle.dumps(kwargs, protocol=pickle.HIGHEST_PROTOCOL))
        if key not in _ASSESSED:
            _ASSESSED[key] = (iset, real(iset, **kwargs))
        return _ASSESSED[key][1]

    monkeypatch.setattr(results, "assess", assess)


# -- documents --------------------------------------------------------------------------------

#: A 1×1 PNG and a minimal PDF, what ``light_documents`` renders instead of charts and pages.
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
TINY_PDF = b"%PDF-1.4\n% a stand-in for a page: see light_documents\n%%EOF\n"


@pytest.fixture
def light_documents(monkeypatch):
    """Charts (WeasyPrint + pdftoppm, ~2 s each) and PDF pages (WeasyPrint) become a fixed
    small PNG and PDF, for tests that check who may download a document and with which
    headers, not what it says: tests/app/admin/test_report_yearly.py and the other report
    tests check the real files.  The DOCX is still built, from the real view and template."""
    from survey_app.services import reports

    # raising=False: should a renderer be renamed, the test stays right, only slower
    monkeypatch.setattr(reports, "chart_png", lambda *_a, **_k: TINY_PNG, raising=False)
    monkeypatch.setattr(reports, "html_pdf", lambda *_a, **_k: TINY_PDF, raising=False)
