"""`ita db upgrade` on a database made and filled by the oldest supported release (revision 0002,
the first with the console): everything it held is still there and every result is unchanged.

The fixture ``tests/data/upgrade/rev0002.json.gz`` was written by that release's own code (its
``ita demo``, then its scoring for the expected results); ``write_fixture.py`` beside it says how.
The database is built with revision 0002's migrations and filled with the fixture's rows.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from survey_app import create_app
from survey_app.extensions import db, make_engine
from survey_app.models import Assessment
from survey_app.services.accounts import authenticate
from survey_app.services.assessments import close_now
from survey_app.services.schema import head_revision, upgrade

from .conftest import app_config, stored_answers
from .databases import empty_database, results_of, run_cli

FIXTURE = Path(__file__).parents[1] / "data" / "upgrade" / "rev0002.json.gz"
#: The passwords the old release's `ita demo` printed for its two accounts (only hashes stored).
PASSWORDS = {"demo-admin": "Tlmi_9fZl-6Mwtow", "demo-viewer-other": "UDm845qIGMHg4SJk"}


@pytest.fixture(scope="module")
def old() -> dict:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _value(column: sa.Column, value):
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):  # UTC, as the old release stored it
        moment = dt.datetime.fromisoformat(value)
        return moment.replace(tzinfo=dt.UTC) if column.type.timezone else moment
    if isinstance(column.type, sa.Date):
        return dt.date.fromisoformat(value)
    return value


def load_old_database(url: str, old: dict) -> None:
    """Revision 0002's schema (its migrations) and the rows its release wrote."""
    engine = make_engine(url)
    try:
        upgrade(engine, old["revision"])
        meta = sa.MetaData()
        meta.reflect(engine)
        with engine.begin() as conn:
            for name, table in old["tables"].items():
                target = meta.tables[name]
                columns = [target.c[c] for c in table["columns"]]
                rows = [{c.name: _value(c, v) for c, v in zip(columns, row, strict=True)}
                        for row in table["rows"]]
                if rows:
                    conn.execute(target.insert(), rows)
            if engine.url.get_backend_name() == "postgresql":  # ids were given explicitly
                for target in meta.sorted_tables:
                    if "id" in target.c and target.name in old["tables"]:
                        conn.exec_driver_sql(
                            f"SELECT setval(pg_get_serial_sequence('{target.name}', 'id'), "
                            f"(SELECT coalesce(max(id), 0) + 1 FROM {target.name}), false)")
    finally:
        engine.dispose()


def _old_rows(old: dict, name: str) -> list[dict]:
    table = old["tables"][name]
    return [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]


def _plain(value):
    """Dates and times as the fixture writes them (times in UTC, without a zone)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value


def _kept(app, old: dict, name: str, key: str = "id") -> None:
    """Every old row of ``name`` is there with the same values in every column it still has."""
    with app.app_context():
        meta = sa.MetaData()
        meta.reflect(db.engine, only=[name])
        table = meta.tables[name]
        now = {row[key]: row for row in db.session.execute(sa.select(table)).mappings()}
    rows = _old_rows(old, name)
    assert rows, name
    for before in rows:
        after = now.get(before[key])
        assert after is not None, f"{name} {before[key]} is gone"
        for column, value in before.items():
            if column in after:
                assert _plain(after[column]) == value, (name, before[key], column)


def _old_answers(old: dict) -> Counter:
    answers: dict[int, dict[str, int]] = {}
    for row in _old_rows(old, "answer"):
        answers.setdefault(row["response_id"], {})[row["question"]] = row["option"]
    return Counter((r["assessment_id"], r["instrument"], r["respondent_group"],
                    _day(r["instrument"], r["submitted_on"]),
                    json.dumps(answers.get(r["id"], {}), sort_keys=True))
                   for r in _old_rows(old, "response"))


def _day(instrument: str, day):
    """A response's day is its batch's (the newest in the batch: IIT when mixed, EIT when
    published, SECURITY.md): not compared."""
    return None


def _answers_now(app) -> Counter:
    with app.app_context():
        rows = db.session.execute(sa.text(
            "SELECT assessment_id, instrument, respondent_group, submitted_on FROM response "
            "ORDER BY id")).all()
    answers = stored_answers(app)
    return Counter((a, i, g, _day(i, s), json.dumps(ans, sort_keys=True))
                   for (a, i, g, s), ans in zip(rows, answers, strict=True))


def _essentials(result: dict) -> dict:
    """What a person reads off a result: total, grade, verdict, each indicator's score and n,
    each question's distribution."""
    return {
        "total": result["total"], "grade": result["grade"], "passed": result["passed"],
        "indicators": {
            code: (ind["score"], ind.get("n"), ind.get("mean"),
                   [(q["column"], q["distribution"]) for item in ind.get("items") or []
                    for q in item["questions"]])
            for code, ind in result["indicators"].items()},
        "history": result["history"],
    }


def test_upgrade_from_the_oldest_supported_release_keeps_everything(old, backend, tmp_path):
    assert old["revision"] == "0002"
    with empty_database(backend, tmp_path, "old") as url:
        load_old_database(url, old)
        settings = {"instance": str(tmp_path / "instance"), "secret": "upgrade-test"}

        done = run_cli(["db", "upgrade"], database_url=url, **settings)
        assert done.exit_code == 0, done.output
        assert "backed up the database (revision 0002" in done.output
        backups = list((tmp_path / "instance" / "backups").iterdir())
        assert len(backups) == 1 and backups[0].name.startswith("ita-before-upgrade-0002-")
        assert f"database at revision {head_revision()}" in done.output
        assert "applied " in done.output and "0004_ballot_box" in done.output
        iit = sum(1 for r in _old_rows(old, "response") if r["instrument"] == "IIT")
        assert f"{iit} IIT ballots wait in the box: run `ita mix`" in done.output
        # The IIT responses went back into the ballot box (0004): the mixer returns them.
        assert run_cli(["mix"], database_url=url, **settings).exit_code == 0
        again = run_cli(["db", "upgrade"], database_url=url, **settings)
        assert "nothing to do" in again.output
        assert len(list((tmp_path / "instance" / "backups").iterdir())) == 1

        app = create_app(app_config(url, tmp_path / "app"))
        try:
            for name in ("agency", "assessment", "access_code", "oit_result", "user_account"):
                _kept(app, old, name)
            _kept_past_scores(app, old)
            _kept_measures(app, old)
            assert _answers_now(app) == _old_answers(old)  # every response, every answer
            with app.app_context():
                for username, password in PASSWORDS.items():
                    assert authenticate(db.session, username, password) is not None, username
            # The old release showed every answer at once; answers now reach the results when
            # the assessment closes (SECURITY.md): close them all, then compare.
            with app.app_context():
                for assessment in db.session.scalars(sa.select(Assessment)):
                    close_now(assessment)
                db.session.commit()
            assert run_cli(["mix"], database_url=url, **settings).exit_code == 0
            now = results_of(app)
            assert set(now) == {int(a) for a in old["results"]}
            for assessment_id, result in old["results"].items():
                assert _essentials(now[int(assessment_id)]) == _essentials(result), assessment_id
        finally:
            db.dispose(app)


def _kept_past_scores(app, old: dict) -> None:
    """Past scores became the published result (0013): every old figure is a published score
    of its agency and year, with the same code and value."""
    with app.app_context():
        now = {(r.agency_id, r.fiscal_year_be, r.code): r.score for r in db.session.execute(
            sa.text("SELECT r.agency_id, r.fiscal_year_be, s.code, s.score "
                    "FROM published_result r JOIN published_score s ON s.result_id = r.id"))}
    rows = [r for r in _old_rows(old, "past_score") if r["score"] is not None]
    assert rows
    for before in rows:
        key = (before["agency_id"], before["fiscal_year_be"], before["code"])
        assert now.get(key) == before["score"], key


def _kept_measures(app, old: dict) -> None:
    """Measures: every one is there with its text; its period is the quarters read out of the
    old free text plus whatever the text says beyond them (0012)."""
    from survey_app.quarters import parse_period

    with app.app_context():
        rows = {r["id"]: r for r in db.session.execute(
            sa.text("SELECT * FROM improvement_measure")).mappings()}
    for before in _old_rows(old, "improvement_measure"):
        after = rows[before["id"]]
        for column in ("assessment_id", "indicator", "measure", "responsible", "steps"):
            assert after[column] == before[column], column
        start, end, note = parse_period(before["period"])
        assert (after["start_quarter"], after["end_quarter"], after["period"]) == (start, end, note)
        assert start is not None or note == before["period"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_upgrade_without_a_backup_and_to_a_chosen_revision(old, backend, tmp_path):
    with empty_database(backend, tmp_path, "old") as url:
        load_old_database(url, old)
        settings = {"instance": str(tmp_path / "instance"), "secret": "upgrade-test"}
        step = run_cli(["db", "upgrade", "--revision", "0004_ballot_box", "--no-backup"],
                       database_url=url, **settings)
        assert step.exit_code == 0, step.output
        assert "backed up" not in step.output
        assert "applied 2 migrations: 0003_report_narrative, 0004_ballot_box" in step.output
        assert not (tmp_path / "instance" / "backups").exists()
        rest = run_cli(["db", "upgrade", "--backup-dir", str(tmp_path / "elsewhere")],
                       database_url=url, **settings)
        assert rest.exit_code == 0, rest.output
        # The ballots 0004 put back into the box are in this backup, and it says so.
        ballots = sum(1 for r in _old_rows(old, "response") if r["instrument"] == "IIT")
        assert "revision 0004_ballot_box, " in rest.output
        assert f"{ballots} IIT ballots waiting" in rest.output
        assert [p.name[:36] for p in (tmp_path / "elsewhere").iterdir()] == [
            "ita-before-upgrade-0004_ballot_box-2"]
        back = run_cli(["db", "upgrade", "--revision", "0002"], database_url=url, **settings)
        assert back.exit_code == 1 and "cannot upgrade from revision" in back.output
