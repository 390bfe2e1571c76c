"""`ita backup` and `ita restore`: a database filled through the app comes back table for table,
with every assessment's result, on SQLite (online backup API) and PostgreSQL (pg_dump/pg_restore)."""

from __future__ import annotations

import os
import stat

import pytest

from survey_app import create_app
from survey_app.extensions import db
from survey_app.refusals import say
from survey_app.services.backup import BackupError, pg_tool

from .conftest import Respondent, app_config, count_rows, make_assessment
from .databases import empty_database, results_of, run_cli, table_rows


def _fill_through_the_app(app, tmp_path) -> int:
    """The demo (console data, codes, mixed IIT, EIT), three IIT ballots still waiting and two
    EIT answers sent through the respondent pages; returns the ballots waiting."""
    result = run_cli(["demo", "--json"], database_url=app.config["DATABASE_URL"],
                     instance=str(tmp_path / "cli"), secret=app.config["SECRET_KEY"])
    assert result.exit_code == 0, result.output
    setup = make_assessment(app, codes=3, agency_code="BACKUP1")
    for code in setup.codes:
        respondent = Respondent(app.test_client(), setup.token)
        assert respondent.submit_iit(respondent.start_iit(code)).status_code == 200
    for _ in range(2):
        assert Respondent(app.test_client(), setup.token).submit_eit().status_code == 200
    return count_rows(app, "ballot")


def test_backup_restores_every_table_and_result(app, backend, tmp_path):
    waiting = _fill_through_the_app(app, tmp_path)
    assert waiting == 3  # fewer than ITA_MIX_BATCH (5): they wait, and the backup says so
    source = app.config["DATABASE_URL"]
    settings = {"instance": str(tmp_path / "cli"), "secret": app.config["SECRET_KEY"]}
    output = tmp_path / ("ita.dump" if backend == "postgresql" else "ita-backup.sqlite3")

    made = run_cli(["backup", str(output)], database_url=source, **settings)
    assert made.exit_code == 0, made.output
    assert f"the backup holds {waiting} IIT ballots still waiting" in made.output
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o600
    again = run_cli(["backup", str(output)], database_url=source, **settings)
    assert again.exit_code == 1 and "already exists" in again.output

    expected_rows, expected_results = table_rows(source), results_of(app)
    assert expected_rows["ballot"] and expected_rows["response"] and expected_rows["user_account"]
    with empty_database(backend, tmp_path, "restored") as target:
        done = run_cli(["restore", str(output)], database_url=target, **settings)
        assert done.exit_code == 0, done.output
        assert f"{waiting} IIT ballots waiting" in done.output
        assert table_rows(target) == expected_rows
        restored = create_app(app_config(target, tmp_path / "restored-app"))
        try:
            assert results_of(restored) == expected_results
        finally:
            db.dispose(restored)

        # A database with tables is never overwritten by accident; --force replaces it.
        refused = run_cli(["restore", str(output)], database_url=target, **settings)
        assert refused.exit_code == 1 and "is not empty" in refused.output
        forced = run_cli(["restore", "--force", str(output)], database_url=target, **settings)
        assert forced.exit_code == 0, forced.output
        assert table_rows(target) == expected_rows


def test_restore_refuses_what_is_not_a_backup_of_this_kind(app, backend, tmp_path):
    settings = {"instance": str(tmp_path / "cli"), "secret": app.config["SECRET_KEY"]}
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    with empty_database(backend, tmp_path, "target") as target:
        result = run_cli(["restore", str(junk)], database_url=target, **settings)
        assert result.exit_code == 1
        assert "is not a backup made by `ita backup`" in result.output
        other = tmp_path / "other"
        other.write_bytes(b"PGDMP" if backend == "sqlite" else b"SQLite format 3\x00")
        result = run_cli(["restore", str(other)], database_url=target, **settings)
        assert result.exit_code == 1 and "restore it into a" in result.output


def test_pg_tools_older_than_the_server_are_refused(tmp_path, monkeypatch):
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.2'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    # No Debian copy for PostgreSQL 99 exists, so PATH's (13) is checked and refused.
    with pytest.raises(BackupError) as caught:
        pg_tool("pg_dump", 99)
    assert "PostgreSQL 13 and the server is PostgreSQL 99" in say(caught.value, "en")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_backup_mixes_what_is_due_first(app, backend, tmp_path):
    import datetime as dt

    from survey_app.models import Assessment
    from survey_app.services.ballots import add_ballot

    from .conftest import full_answers

    setup = make_assessment(app, codes=1, agency_code="MIXFIRST")
    batch = app.config["MIX_BATCH"]
    with app.app_context():  # a full batch waiting (the mixer has not run since)
        assessment = db.session.get(Assessment, setup.assessment_id)
        answers = {k: int(v) for k, v in full_answers("IIT").items()}
        for _ in range(batch):
            add_ballot(db.session, assessment, answers, submitted_on=dt.date(2026, 12, 1))
        db.session.commit()
    output = tmp_path / "mixed.sqlite3"
    made = run_cli(["backup", str(output)], database_url=app.config["DATABASE_URL"],
                   instance=str(tmp_path / "cli"), secret=app.config["SECRET_KEY"])
    assert made.exit_code == 0, made.output
    assert "the backup holds 0 IIT ballots still waiting" in made.output
    assert count_rows(app, "ballot") == 0  # mixed in the database itself, then copied
    assert table_rows(f"sqlite:///{output}")["ballot"] == []
