"""Publication at the close (issue 17): IIT once, all together; EIT in batches of K; reopening
by a system admin with a reason; late code sheets listed; the mixer as a command; every `ita`
command on an un-migrated embedded database."""

from __future__ import annotations

import collections
import html
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from questionnaires import load_instrument_set
from survey_app import create_app
from survey_app.cli import main
from survey_app.extensions import db
from survey_app.models import Assessment, AuditEvent

from .attacks import (
    attack_world,
    console,
    distinct_answers,
    iit_export,
    submit_iit,
    worker_pass,
)
from .conftest import app_config, count_rows, full_answers

K = 5
SET = "ita-2566"


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(app_config(database_url, tmp_path, MIX_BATCH=K))
    yield app
    db.dispose(app)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_iit_is_published_once_at_the_close_and_only_a_system_admin_reopens(app):
    world = attack_world(app, people=6 + 2 + 3)
    aid, token, codes = world["assessment"], world["token"], world["codes"]
    columns = list(load_instrument_set(SET).columns_for("IIT"))
    insider, root = console(app, "insider"), console(app, "root")
    rng = random.Random(5)

    def answer(range_):
        for i in range_:
            assert submit_iit(app.test_client(), token, codes[i], distinct_answers(rng)) == 200
        worker_pass(app)

    answer(range(6))
    assert iit_export(insider, aid, columns) == collections.Counter()  # open: nothing
    page = _text(insider.get(f"/admin/assessments/{aid}/results?lang=en"))
    assert "IIT: 6 answers received" in page and 'id="total-without-iit"' in page
    insider.post(f"/admin/assessments/{aid}/close")
    assert sum(iit_export(insider, aid, columns).values()) == 6  # all together at the close
    page = _text(insider.get(f"/admin/assessments/{aid}/results?lang=en"))
    assert 'id="total-without-iit"' not in page

    # The agency admin can neither open it again nor move its closing date on.
    insider.post(f"/admin/assessments/{aid}/open")
    edit = insider.get(f"/admin/assessments/{aid}/edit")
    assert edit.status_code == 200
    with app.app_context():
        a = db.session.get(Assessment, aid)
        closes = a.closes_at
    from .attacks import _edit_window

    _edit_window(app, insider, aid, closes_in_days=30)
    with app.app_context():
        assert db.session.get(Assessment, aid).closes_at == closes
    # A system admin needs a reason.
    root.post(f"/admin/assessments/{aid}/reopen", data={"reason": "short"})
    with app.app_context():
        assert db.session.get(Assessment, aid).closes_at == closes
    reason = "ขยายเวลาตามหนังสือของหน่วยงาน"
    assert root.post(f"/admin/assessments/{aid}/reopen",
                     data={"reason": reason}).status_code == 302
    page = _text(insider.get(f"/admin/assessments/{aid}"))
    assert reason in page  # shown to every console user
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "assessment_reopen"))
        assert reason in event.detail and event.username == "root"

    # Fewer than K after the reopening: withheld at the next close, counted and shown.
    answer(range(6, 8))
    insider.post(f"/admin/assessments/{aid}/close")
    assert sum(iit_export(insider, aid, columns).values()) == 6
    page = _text(insider.get(f"/admin/assessments/{aid}?lang=en"))
    assert "IIT: 2 answers withheld" in page
    # Reopened again, K or more by the next close: published then, all together.
    root.post(f"/admin/assessments/{aid}/reopen", data={"reason": reason})
    answer(range(8, 11))
    insider.post(f"/admin/assessments/{aid}/close")
    assert sum(iit_export(insider, aid, columns).values()) == 11


def test_eit_reaches_the_export_in_shuffled_batches_of_k_with_one_day(app):
    from survey_app.services.responses import store_eit_response

    world = attack_world(app, people=0)
    aid = world["assessment"]
    insider = console(app, "insider")
    import datetime as dt

    with app.app_context():
        assessment = db.session.get(Assessment, aid)
        for i in range(K + 2):
            store_eit_response(db.session, assessment, "public", full_answers("EIT"),
                               submitted_on=dt.date(2026, 11, 20) + dt.timedelta(days=i))
            if i == K - 2:
                worker_pass(app)
                got = insider.get(f"/admin/assessments/{aid}/exports/responses-eit.csv")
                assert len(got.get_data(as_text=True).strip().splitlines()) == 1  # header
    worker_pass(app)
    rows = insider.get(f"/admin/assessments/{aid}/exports/responses-eit.csv").get_data(
        as_text=True).strip().splitlines()[1:]
    assert len(rows) == K + 2  # one batch of at least K
    assert {r.rsplit(",", 1)[1] for r in rows} == {"2026-11-26"}  # the batch's newest day


def test_code_sheets_made_after_opening_are_listed_for_the_supervising_office(app):
    world = attack_world(app, people=1)
    aid = world["assessment"]
    insider = console(app, "insider")
    insider.post(f"/admin/assessments/{aid}/codes",
                 data={"count": 3, "batch": "late batch", "nonce": "late-nonce-0000-abcdef"})
    page = _text(insider.get(f"/admin/assessments/{aid}?lang=en"))
    assert 'id="late-code-sheets"' in page and "batch late batch: 3 codes" in page
    root = console(app, "root")
    audit = _text(root.get("/admin/audit"))
    assert "codes_generate" in audit or "late batch" in audit


def test_every_command_migrates_an_unmigrated_embedded_database(tmp_path):
    env = {"ITA_INSTANCE_PATH": str(tmp_path / "fresh"), "ITA_DATABASE_URL": ""}
    result = CliRunner().invoke(main, ["sets", "list"], env=env)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "ita-2566" in result.output


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_ita_mix_watch_mixes_within_seconds_and_stops_on_sigterm(app, database_url, tmp_path):
    from .conftest import make_assessment

    setup = make_assessment(app, codes=K)
    for code in setup.codes:
        assert submit_iit(app.test_client(), setup.token, code, full_answers("IIT")) == 200
    assert count_rows(app, "ballot") == K
    env = {**os.environ, "ITA_DATABASE_URL": database_url, "ITA_SECRET_KEY": "x" * 32,
           "ITA_INSTANCE_PATH": str(tmp_path / "watch"), "ITA_MIX_BATCH": str(K)}
    child = subprocess.Popen([str(Path(sys.executable).parent / "ita"), "mix", "--watch",
                              "--interval", "0.3"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while count_rows(app, "ballot") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert count_rows(app, "ballot") == 0 and count_rows(app, "response") == K
    finally:
        child.send_signal(signal.SIGTERM)
        out, _ = child.communicate(timeout=30)
    assert child.returncode == 0, out
    assert f"mixed {K} IIT ballots" in out


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_slow_download_does_not_hold_the_checkpoint_back(app):
    """A streamed export holds no snapshot between its pages (the driver begins a transaction
    only to write), so the erase's checkpoint goes through while a slow client downloads."""
    import datetime as dt

    from sqlalchemy.orm import Session

    from survey_app.services import exports
    from survey_app.services.responses import store_eit_response

    world = attack_world(app, people=0)
    aid = world["assessment"]
    with app.app_context():
        assessment = db.session.get(Assessment, aid)
        for _ in range(K):
            store_eit_response(db.session, assessment, "public", full_answers("EIT"),
                               submitted_on=dt.date(2026, 11, 20))
        engine = db.engine
    worker_pass(app)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE scratch (x)")  # something in the WAL
    with Session(engine) as session:
        stream = exports.iter_responses_csv(session, aid, "EIT", batch=1)
        next(stream), next(stream)  # the header and the first page: the client stalls here
        with engine.connect() as conn:
            busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()[0]
        assert busy == 0
        assert len(list(stream)) == K - 1
