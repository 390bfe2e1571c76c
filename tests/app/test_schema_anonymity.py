"""No path from a response back to an access code or a person, proved on the migrated schema."""

from __future__ import annotations

import re

import sqlalchemy as sa

from survey_app.extensions import make_engine

FORBIDDEN = re.compile(r"ip|addr|agent|code|time|created|updated|user|session|token|device|"
                       r"browser|cookie|name|email|phone", re.IGNORECASE)


def test_response_and_its_layout_cannot_be_traced(database_url):
    engine = make_engine(database_url)
    try:
        inspector = sa.inspect(engine)
        for table in ("response", "response_layout", "ballot"):
            columns = {c["name"]: c for c in inspector.get_columns(table)}
            suspicious = [name for name in columns if FORBIDDEN.search(name)]
            assert not suspicious, f"{table} has identifying columns: {suspicious}"
            for column in columns.values():
                assert not isinstance(column["type"], (sa.DateTime, sa.Time)), column
            referred = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
            assert "access_code" not in referred
        assert {c["name"] for c in inspector.get_columns("response")} == {
            "id", "assessment_id", "instrument", "submitted_on", "respondent_group", "answers",
            "publication_id",  # which release published it (shared by the whole release)
        }
        # The column order of the compact answers: one row per (assessment, instrument).
        assert {c["name"] for c in inspector.get_columns("response_layout")} == {
            "assessment_id", "instrument", "questions",
        }
        assert "answer" not in inspector.get_table_names()
        # The ballot box: the day and the answers, nothing that says whose (SECURITY.md).
        assert {c["name"] for c in inspector.get_columns("ballot")} == {
            "id", "assessment_id", "submitted_on", "answers",
        }
        submitted_on = next(
            c for c in inspector.get_columns("response") if c["name"] == "submitted_on"
        )
        assert isinstance(submitted_on["type"], sa.Date)
        assert not isinstance(submitted_on["type"], sa.DateTime)
    finally:
        engine.dispose()


def test_access_code_keeps_only_whether_it_was_used(database_url):
    engine = make_engine(database_url)
    try:
        inspector = sa.inspect(engine)
        columns = {c["name"]: c for c in inspector.get_columns("access_code")}
        assert set(columns) == {"id", "assessment_id", "batch", "code_hash", "status"}
        assert not any(isinstance(c["type"], (sa.DateTime, sa.Date, sa.Time))
                       for c in columns.values())
        # No table refers to an access code.
        for table in inspector.get_table_names():
            referred = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
            assert "access_code" not in referred, table
    finally:
        engine.dispose()


def test_codes_are_stored_only_as_keyed_hashes(app, setup):
    from survey_app.extensions import db

    with app.app_context():
        stored = list(db.session.scalars(sa.text("SELECT code_hash FROM access_code")))
    assert len(stored) == len(setup.codes)
    for code in setup.codes:
        assert all(code not in h and code.lower() not in h for h in stored)
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in stored)
