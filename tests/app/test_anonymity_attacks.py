"""The attacks of issue 17 on IIT and EIT anonymity, each reporting "pinned N of M"; all must say 0.

- PostgreSQL page leftovers: every page (heap, index, TOAST) of every relation read with
  ``pageinspect`` after each submission and mixer run, while another assessment holds a waiting
  ballot; SQLite: the database file and its WAL copied while a reader blocks the checkpoint, and
  again a few seconds after the reader lets go (no request arrives: only the mixer's timer).
- Forced final batches: close now + open now, or the closing date moved into the past and back.
- n−1 flooding with the console's own code sheet.
- EIT export diffs.
"""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path

import pytest

from survey_app import create_app
from survey_app.extensions import db

from .attacks import (
    attack_world,
    ballot_payload,
    close_open_attack,
    distinct_answers,
    eit_export_attack,
    flooding_attack,
    mixed_count,
    pg_page_leftovers,
    sqlite_file_scan,
    submit_iit,
    used_xmins,
    worker_pass,
)
from .conftest import app_config

K = 5


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(app_config(database_url, tmp_path, MIX_BATCH=K))
    yield app
    db.dispose(app)


def _report(name: str, pinned: int, of: int) -> None:
    print(f"{name}: pinned {pinned} of {of}")


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_no_mixed_ballot_is_left_in_any_postgresql_page(app):
    """pageinspect over heap, indexes and TOAST after every submission, with another
    assessment's ballot waiting (so the ballot table's page is never truncated)."""
    world = attack_world(app, people=4 * K)
    assert submit_iit(app.test_client(), world["other_token"], world["other_code"],
                      distinct_answers(random.Random(99))) == 200
    rng = random.Random(17)
    payloads = []
    readable: set[int] = set()
    linked: set[int] = set()
    with app.app_context():
        engine = db.engine
    for i, code in enumerate(world["codes"]):
        given = distinct_answers(rng)
        payloads.append(ballot_payload(given))
        assert submit_iit(app.test_client(), world["token"], code, given) == 200
        worker_pass(app)
        mixed = mixed_count(app, world["assessment"])
        found, tied = pg_page_leftovers(engine, payloads, used_xmins(engine))
        # Ballots still in the box are linkable by design (SECURITY.md); those mixed must not be.
        in_box = set(range(mixed, i + 1)) if mixed <= i else set()
        readable |= {k for k in found if k < mixed or k not in in_box}
        linked |= {k for k in tied if k < mixed or k not in in_box}
    assert mixed_count(app, world["assessment"]) == 4 * K
    _report("PostgreSQL pages (payload readable)", len(readable), len(payloads))
    _report("PostgreSQL pages (linked by xmin)", len(linked), len(payloads))
    assert (len(readable), len(linked)) == (0, 0)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_no_mixed_ballot_is_left_in_the_sqlite_files_once_the_reader_lets_go(app):
    """A reader holds an old snapshot while a batch is mixed, so the WAL cannot be emptied
    then; within seconds after it lets go — with no request arriving — nothing is readable."""
    from survey_app.services import ballots

    watcher = getattr(ballots, "start_watcher", None)
    world = attack_world(app, people=K)
    assert submit_iit(app.test_client(), world["other_token"], world["other_code"],
                      distinct_answers(random.Random(99))) == 200
    with app.app_context():
        path = Path(db.engine.url.database)
        stop = watcher(db.engine, batch_size=K, interval=0.5) if watcher else None
    try:
        reader = sqlite3.connect(path)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM access_code").fetchone()  # an old snapshot
        rng = random.Random(17)
        payloads = []
        for code in world["codes"]:
            given = distinct_answers(rng)
            payloads.append(ballot_payload(given))
            assert submit_iit(app.test_client(), world["token"], code, given) == 200
        deadline = time.monotonic() + 10
        while mixed_count(app, world["assessment"]) < K and time.monotonic() < deadline:
            time.sleep(0.1)
        assert mixed_count(app, world["assessment"]) == K
        reader.rollback()
        reader.close()
        time.sleep(5)  # the mixer's timer (not a request) owes the erase and retries it
        pinned = sqlite_file_scan(app, path, payloads, mix_batch=K, mixed=list(range(K)))
    finally:
        if stop is not None:
            stop()
    _report("SQLite file + WAL after the reader", pinned, K)
    assert pinned == 0


@pytest.mark.parametrize("via", ["buttons", "edit"])
def test_close_and_open_cannot_force_a_small_batch(app, via):
    pinned, of = close_open_attack(app, mix_batch=K, background=K + 2, targets=3, via=via)
    _report(f"close/open ({via})", pinned, of)
    assert (pinned, of) == (0, 3)


def test_n_minus_1_flooding_pins_nobody(app):
    pinned, of = flooding_attack(app, mix_batch=K, background=K, targets=2)
    _report("n-1 flooding", pinned, of)
    assert (pinned, of) == (0, 2)


def test_eit_export_diffs_pin_nobody(app):
    pinned, of = eit_export_attack(app, mix_batch=K, people=2 * K)
    _report("EIT export diffs", pinned, of)
    assert (pinned, of) == (0, 2 * K)
