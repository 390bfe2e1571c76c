"""The IIT ballot box and mixer (SECURITY.md), attacked as in issue 8, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from survey_app import create_app
from survey_app.config import ConfigError
from survey_app.extensions import db
from survey_app.models import AccessCode, Assessment, Response
from survey_app.services import ballots
from survey_app.services.codes import hash_code
from survey_app.services.responses import store_iit_response

from .attacks import (
    distinct_answers,
    run_attacks,
    submit_iit,
    wal_replay,
    worker_pass,
    xmin_pairs,
)
from .conftest import (
    app_config,
    close_assessment,
    count_answers,
    count_rows,
    full_answers,
    make_assessment,
    stored_answers,
)

K = 5


def test_attacks_find_nothing_closer_than_a_batch(database_url, backend, tmp_path):
    """2K submissions through the web, the mixer running after each: xmin, WAL replay and the
    console viewer pair nothing.  The viewer sees no IIT row at all while the assessment is
    open (publication at the close: test_anonymity_attacks.py attacks that)."""
    result = run_attacks(database_url, tmp_path, people=2 * K, mix_batch=K)
    assert result.viewer_candidates == []  # nobody's answers appeared while open
    if backend == "postgresql":
        assert result.xmin_pairs == 0, result.xmin_tables
    else:
        assert result.wal_pairs == 0
        assert result.payload_hits == 0  # no ballot readable in the database file or WAL


def test_pending_ballots_are_linkable_which_is_why_they_are_not_results(app, backend, tmp_path):
    """The attacks do work on a ballot still in the box: the tests above can fail."""
    setup = make_assessment(app, codes=1)
    answers = full_answers("IIT", option=2)
    assert submit_iit(app.test_client(), setup.token, setup.codes[0], answers) == 200
    with app.app_context():
        engine = db.engine
        if backend == "postgresql":
            pairs, tables = xmin_pairs(engine)
            assert (pairs, tables["ballot"], tables["response"]) == (1, 1, 0)
        else:
            path = Path(engine.url.database)
            _commits, pairs = wal_replay(path, Path(f"{path}-wal"), mix_batch=K)
            assert pairs == 1
    assert count_rows(app, "response") == 0  # nor does it show anywhere in the results


@pytest.fixture
def mix_app(database_url, tmp_path):
    app = create_app(app_config(database_url, tmp_path, MIX_BATCH=3))
    yield app
    db.dispose(app)


def test_k_is_configurable_and_results_change_only_in_steps_of_k(mix_app):
    setup = make_assessment(mix_app, codes=7)
    counts = []
    for code in setup.codes:
        assert submit_iit(mix_app.test_client(), setup.token, code, full_answers("IIT")) == 200
        assert count_rows(mix_app, "ballot") >= 1  # the request itself never mixes
        worker_pass(mix_app)
        counts.append((count_rows(mix_app, "response"), count_rows(mix_app, "ballot")))
    assert counts == [(0, 1), (0, 2), (3, 0), (3, 1), (3, 2), (6, 0), (6, 1)]
    assert count_answers(mix_app) == 6 * 51


@pytest.mark.parametrize("value", [1, 0, "5", True])
def test_a_batch_below_two_is_refused(tmp_path, value):
    with pytest.raises(ConfigError, match="ITA_MIX_BATCH"):
        create_app(app_config(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, MIX_BATCH=value))


def test_console_counts_received_answers_and_close_mixes_and_publishes_the_rest(app, client):
    from .admin.console_world import build_world, login

    world = build_world(app)
    assessment_id, token = world.assessment["A"], world.token["A"]
    with app.app_context():
        from survey_app.services.codes import issue_codes

        codes = issue_codes(db.session, db.session.get(Assessment, assessment_id), 3,
                            key=app.config["CODE_HASH_KEY"], batch="pending")
        db.session.commit()
    for code in codes:
        assert submit_iit(app.test_client(), token, code, full_answers("IIT")) == 200
    worker_pass(app)
    login(client, "admin_a")
    hub = client.get(f"/admin/assessments/{assessment_id}?lang=en").get_data(as_text=True)
    assert "IIT: 3 answers received of the minimum" in hub
    assert "of which" not in hub  # the waiting count is never shown on its own
    home = client.get("/admin/?lang=en").get_data(as_text=True)
    assert "of which" not in home
    results = client.get(f"/admin/assessments/{assessment_id}/results?lang=en")
    assert 'id="total-without-iit"' in results.get_data(as_text=True)
    exports = client.get(f"/admin/assessments/{assessment_id}/exports").get_data(as_text=True)
    assert "(n = 0)" in exports
    # Close now: the remaining ballots, fewer than K, are mixed and published at once.
    assert client.post(f"/admin/assessments/{assessment_id}/close").status_code == 302
    assert count_rows(app, "ballot") == 0
    assert count_rows(app, f"response WHERE assessment_id = {assessment_id} "
                           "AND publication_id IS NOT NULL") == 3
    exports = client.get(f"/admin/assessments/{assessment_id}/exports").get_data(as_text=True)
    assert "(n = 3)" in exports
    results = client.get(f"/admin/assessments/{assessment_id}/results?lang=en")
    assert 'id="total-without-iit"' not in results.get_data(as_text=True)


def test_the_window_end_mixes_and_publishes_at_the_next_pass_without_a_request(app):
    setup = make_assessment(app, codes=2)
    for code in setup.codes:
        assert submit_iit(app.test_client(), setup.token, code, full_answers("IIT")) == 200
    close_assessment(app, setup.assessment_id)  # the scheduled closing time passes
    assert count_rows(app, "ballot") == 2
    worker_pass(app)  # the mixer's timer, not a request
    assert count_rows(app, "ballot") == 0
    assert count_rows(app, "response WHERE publication_id IS NOT NULL") == 2


def test_a_batch_is_shuffled_with_ids_assigned_after_and_one_day(app, monkeypatch):
    setup = make_assessment(app, codes=K)
    key = app.config["CODE_HASH_KEY"]
    answers = [full_answers("IIT", option=1 + i % 4) for i in range(K)]
    days = [dt.date(2026, 11, 20), dt.date(2026, 11, 20), dt.date(2026, 11, 21),
            dt.date(2026, 11, 22), dt.date(2026, 11, 22)]
    with app.app_context():
        assessment = db.session.get(Assessment, setup.assessment_id)
        for code, given, day in zip(setup.codes, answers, days, strict=True):
            store_iit_response(db.session, assessment, hash_code(key, code), given,
                               submitted_on=day)
        assert ballots.pending_count(db.session, assessment.id) == K
        # A shuffle that reverses the arrival order shows that ids follow the shuffle.
        monkeypatch.setattr(ballots._SHUFFLER, "shuffle", lambda items: items.reverse())
        assert ballots.mix_assessment(db.engine, assessment.id, minimum=K) == K
        rows = db.session.execute(sa.select(Response.id, Response.submitted_on)
                                  .order_by(Response.id)).all()
        assert {day for _id, day in rows} == {dt.date(2026, 11, 22)}  # the newest ballot's day
        first = stored_answers(app, where=f"id = {rows[0].id}")[0]
        assert first == {q: int(v) for q, v in answers[-1].items()}  # the last to arrive
    assert isinstance(ballots._SHUFFLER, random.SystemRandom)


def test_two_mixers_at_once_mix_each_ballot_once(app):
    with app.app_context():
        engine = db.engine
    results = []
    barrier = threading.Barrier(2)
    setup2 = make_assessment(app, codes=K, agency_code="RACE")
    with app.app_context():
        assessment = db.session.get(Assessment, setup2.assessment_id)
        for code in setup2.codes:
            store_iit_response(db.session, assessment, hash_code(app.config["CODE_HASH_KEY"],
                                                                 code),
                               full_answers("IIT"), submitted_on=dt.date(2026, 11, 22))

    def mix():
        barrier.wait()
        results.append(ballots.mix_assessment(engine, setup2.assessment_id, minimum=K))

    threads = [threading.Thread(target=mix) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [0, K]
    assert count_rows(app, f"response WHERE assessment_id = {setup2.assessment_id}") == K


def test_erase_leaves_no_ballot_on_disk(app, backend):
    setup = make_assessment(app, codes=K)
    payloads = []
    rng = random.Random(3)
    for code in setup.codes:
        given = distinct_answers(rng)
        payloads.append(json.dumps({q: int(v) for q, v in given.items()}, separators=(",", ":"),
                                   sort_keys=True))
        assert submit_iit(app.test_client(), setup.token, code, given) == 200
    worker_pass(app)
    with app.app_context():
        engine = db.engine
        if backend == "postgresql":
            with engine.connect() as conn:
                assert conn.scalar(sa.text("SELECT pg_relation_size('ballot')")) == 0
        else:
            path = Path(engine.url.database)
            data = path.read_bytes() + Path(f"{path}-wal").read_bytes()
            assert Path(f"{path}-wal").stat().st_size == 0
            assert not any(p.encode() in data for p in payloads)
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


_KILLED_CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {tests!r})
    from survey_app import create_app
    from survey_app.services import ballots
    from attacks import submit_iit, distinct_answers
    import random

    def hang(items):
        print("MIXING", flush=True)  # inside the mix transaction, ballots claimed
        time.sleep(120)

    ballots._SHUFFLER.shuffle = hang
    app = create_app({config!r})
    rng = random.Random(1)
    for code in {codes!r}:
        print(submit_iit(app.test_client(), {token!r}, code, distinct_answers(rng)), flush=True)
    with app.app_context():
        from survey_app.extensions import db
        ballots.run_pass(db.engine, batch_size={k})
""")


def test_sigkill_between_submission_and_mixing_loses_nothing(app, database_url, tmp_path):
    setup = make_assessment(app, codes=K)
    config = {"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
              "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "child"),
              "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SERVER_NAME": "ita.test"}
    script = _KILLED_CHILD.format(tests=str(Path(__file__).parent), config=config,
                                  codes=setup.codes, token=setup.token, k=K)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in child.stdout:
            lines.append(line.strip())
            if line.strip() == "MIXING":
                break
        assert lines == ["200"] * K + ["MIXING"]
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(10)
        child.stdout.close()
    assert count_rows(app, "access_code WHERE status = 'used'") == K
    # The K submissions committed their ballots; the mixer died mixing: its transaction is
    # gone, every ballot is still in the box.
    assert count_rows(app, "ballot") == K
    assert count_rows(app, "response") == 0
    from click.testing import CliRunner

    from survey_app.cli import main

    env = {"ITA_DATABASE_URL": database_url, "ITA_SECRET_KEY": app.config["SECRET_KEY"],
           "ITA_INSTANCE_PATH": str(tmp_path / "cli")}
    result = CliRunner().invoke(main, ["mix"], env=env)
    assert result.exit_code == 0, result.output
    assert f"mixed {K} IIT ballots of assessment {setup.assessment_id}" in result.output
    assert count_rows(app, "ballot") == 0
    assert count_rows(app, "response") == K
    again = CliRunner().invoke(main, ["mix"], env=env)
    assert again.exit_code == 0 and "nothing to mix" in again.output


def test_ita_mix_reports_ballots_waiting_for_a_batch(app, database_url, tmp_path):
    setup = make_assessment(app, codes=2)
    for code in setup.codes:
        assert submit_iit(app.test_client(), setup.token, code, full_answers("IIT")) == 200
    from click.testing import CliRunner

    from survey_app.cli import main

    env = {"ITA_DATABASE_URL": database_url, "ITA_SECRET_KEY": app.config["SECRET_KEY"],
           "ITA_INSTANCE_PATH": str(tmp_path / "cli")}
    result = CliRunner().invoke(main, ["mix"], env=env)
    assert f"assessment {setup.assessment_id}: 2 IIT ballots waiting" in result.output
    assert count_rows(app, "ballot") == 2
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AccessCode)
                                 .where(AccessCode.status == "used")) == 2


def test_upgrade_puts_earlier_iit_responses_back_into_the_box(tmp_path):
    from survey_app.extensions import make_engine
    from survey_app.services.schema import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'legacy.sqlite3'}")
    try:
        upgrade(engine, "0003_report_narrative")
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO agency (id, code, name_th, name_en, agency_type) "
                "VALUES (1, 'L', 'ล', 'L', 'school')")
            conn.exec_driver_sql(
                "INSERT INTO assessment (id, agency_id, fiscal_year_be, instrument_set, "
                "opens_at, closes_at, public_token) VALUES (1, 1, 2569, 'ita-2566', "
                "'2026-01-01 00:00:00', '2026-02-01 00:00:00', 'tok')")
            for rid, instrument in ((1, "IIT"), (2, "IIT"), (3, "EIT")):
                conn.exec_driver_sql(
                    "INSERT INTO response (id, assessment_id, instrument, submitted_on) "
                    f"VALUES ({rid}, 1, '{instrument}', '2026-01-1{rid}')")
                conn.exec_driver_sql(
                    f"INSERT INTO answer (response_id, question, option) VALUES ({rid}, 'i1.1', {rid})")
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT instrument FROM response").scalars().all() == ["EIT"]
            boxed = conn.exec_driver_sql(
                "SELECT submitted_on, answers FROM ballot ORDER BY submitted_on").all()
        assert [json.loads(a) for _d, a in boxed] == [{"i1.1": 1}, {"i1.1": 2}]
        report = ballots.mix_all_due(engine, batch_size=K)  # the assessment has closed
        assert report.mixed == {1: 2} and report.erased
        with engine.connect() as conn:
            ids = conn.exec_driver_sql(
                "SELECT id FROM response WHERE instrument = 'IIT'").scalars().all()
        assert len(ids) == 2 and not set(ids) & {1, 2}
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_an_erase_blocked_by_a_reader_is_owed_in_the_database_and_retried_by_the_timer(app,
                                                                                      monkeypatch):
    import sqlite3

    monkeypatch.setattr(ballots, "CHECKPOINT_WAIT_MS", 200)
    setup = make_assessment(app, codes=K)
    with app.app_context():
        path = Path(db.engine.url.database)
        engine = db.engine
    reader = sqlite3.connect(path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM access_code").fetchone()  # holds an old snapshot
    try:
        for code in setup.codes:
            assert submit_iit(app.test_client(), setup.token, code, full_answers("IIT")) == 200
        report = ballots.run_pass(engine, batch_size=K)
        assert report.mixed and not report.erased
        assert count_rows(app, "response") == K  # mixed all the same
        assert Path(f"{path}-wal").stat().st_size > 0  # but the WAL could not be emptied
    finally:
        reader.rollback()
        reader.close()
    # The debt is in the database: another process's mixer (a fresh engine) sees and pays it.
    from survey_app.extensions import make_engine

    other = make_engine(str(engine.url))
    try:
        owed = ballots.erase_owed(other)
        assert owed is not None and owed.attempts >= 1 and "snapshot" in owed.last_error
        stop = ballots.start_watcher(other, batch_size=K, interval=0.2)
        try:
            deadline = time.monotonic() + 10
            while ballots.erase_owed(other) is not None and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            stop()
        assert ballots.erase_owed(other) is None
    finally:
        other.dispose()
    assert Path(f"{path}-wal").stat().st_size == 0


def test_a_second_mixer_skips_at_once_while_one_runs(app):
    with app.app_context():
        engine = db.engine
    with ballots.mixer_lock(engine) as first:
        assert first
        started = time.monotonic()
        assert ballots.run_pass(engine, batch_size=K).busy
        assert time.monotonic() - started < 1.0  # never waits for the lock
    assert not ballots.run_pass(engine, batch_size=K).busy


def test_serve_mixes_what_is_due_at_start_up(app, database_url, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from survey_app import server
    from survey_app.cli import main

    setup = make_assessment(app, codes=K)
    with app.app_context():
        assessment = db.session.get(Assessment, setup.assessment_id)
        for code in setup.codes:  # K ballots committed, then the process died before mixing
            store_iit_response(db.session, assessment, hash_code(app.config["CODE_HASH_KEY"],
                                                                 code),
                               full_answers("IIT"), submitted_on=dt.date(2026, 11, 22))
    started = []
    monkeypatch.setattr(server, "run_gunicorn", lambda **options: started.append(options))
    env = {"ITA_DATABASE_URL": database_url, "ITA_SECRET_KEY": app.config["SECRET_KEY"],
           "ITA_INSTANCE_PATH": str(tmp_path / "serve"),
           "ITA_PUBLIC_BASE_URL": "https://ita.example.go.th"}  # serve needs it for a server DB
    result = CliRunner().invoke(main, ["serve"], env=env)
    assert result.exit_code == 0, result.output
    assert started and f"mixed {K} IIT ballots" in result.output
    assert count_rows(app, "ballot") == 0 and count_rows(app, "response") == K


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_vacuum_blocked_by_an_open_transaction_is_owed_and_retried(app):
    setup = make_assessment(app, codes=K)
    for code in setup.codes:
        assert submit_iit(app.test_client(), setup.token, code, full_answers("IIT")) == 200
    with app.app_context():
        engine = db.engine
    reader = engine.connect()
    reader.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ")
    reader.exec_driver_sql("SELECT count(*) FROM ballot").scalar()  # an old snapshot
    try:
        report = ballots.run_pass(engine, batch_size=K)
        assert report.mixed and not report.erased
        assert count_rows(app, "response") == K
        assert ballots.erase_owed(engine).attempts >= 1
    finally:
        reader.rollback()
        reader.close()
    assert ballots.run_pass(engine, batch_size=K).erased  # the next pass, no request
    assert ballots.erase_owed(engine) is None
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT pg_relation_size('ballot')")) == 0
