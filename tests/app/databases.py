"""Helpers of the backup, restore and upgrade tests: a second, empty database on either backend,
every table's rows, every assessment's result, and CLI runs against ITA_* settings."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from survey_app.cli import main
from survey_app.extensions import make_engine

from .conftest import IN_CI, PG_SERVER, _pg_admin_engine


@contextmanager
def empty_database(backend: str, tmp_path, label: str = "copy") -> Iterator[str]:
    """A new database with no table at all; a PostgreSQL one is dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'{label}.sqlite3'}"
        return
    admin = _pg_admin_engine()
    name = f"ita_test_{label}_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        reason = f"PostgreSQL at {PG_SERVER} is unreachable: {exc.orig}"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield sa.make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


def table_rows(url: str) -> dict[str, list[tuple]]:
    """Every table's rows (sorted), alembic_version included."""
    engine = make_engine(url)
    try:
        meta = sa.MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            return {t.name: sorted((tuple(r) for r in conn.execute(sa.select(t))), key=repr)
                    for t in meta.sorted_tables}
    finally:
        engine.dispose()


def results_of(app) -> dict[int, dict]:
    """Every assessment's full result (``ita score --format json``'s dict, no bootstrap)."""
    from scoring.report import result_to_dict
    from survey_app.extensions import db
    from survey_app.models import Assessment
    from survey_app.services.results import assessment_result

    with app.app_context():
        return {a.id: result_to_dict(assessment_result(db.session, a, bootstrap=0))
                for a in db.session.scalars(sa.select(Assessment).order_by(Assessment.id))}


def run_cli(args: list[str], *, database_url: str, instance: str, secret: str,
            input: str | None = None):
    """Run ``ita ARGS`` with the settings a server would have (database, secret, instance)."""
    env = {"ITA_DATABASE_URL": database_url, "ITA_SECRET_KEY": secret,
           "ITA_INSTANCE_PATH": instance, "ITA_PUBLIC_BASE_URL": "https://ita.test"}
    return CliRunner().invoke(main, args, env=env, input=input, catch_exceptions=False)
