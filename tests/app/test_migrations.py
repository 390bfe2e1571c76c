"""Migrations: one head, upgrade from empty on both databases, models agree with migrations."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from survey_app.extensions import db, make_engine
from survey_app.models import Base
from survey_app.services.schema import alembic_config, current_revision, head_revision, upgrade

from ..external import missing
from .conftest import PG_SERVER, _pg_admin_engine


def test_one_head():
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1


def test_upgrade_from_empty_and_models_match(fresh_url):
    # From an empty database of its own: the shared fixtures copy a migrated template instead.
    engine = make_engine(fresh_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "target_metadata": Base.metadata}
            )
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back_on_sqlite(tmp_path):
    from alembic import command

    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    try:
        upgrade(engine)
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


@pytest.fixture
def fresh_url(backend, tmp_path) -> Iterator[str]:
    """An empty database of its own (it is downgraded, so never the shared one)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    admin = _pg_admin_engine()
    name = f"ita_migration_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        missing(f"PostgreSQL at {PG_SERVER} ({exc.orig})")
    try:
        yield sa.make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _legacy_answers(rng) -> dict[tuple[int, str], list[dict[str, int]]]:
    """Answers as the ``answer`` table held them: every question, some blank, one empty row."""
    from questionnaires import load_instrument_set

    iset = load_instrument_set("ita-2566")
    out: dict[tuple[int, str], list[dict[str, int]]] = {}
    for instrument, n in (("IIT", 30), ("EIT", 40)):
        rows = []
        for k in range(n):
            row = {}
            for item in iset.items_for(instrument):
                codes = sorted(item.scale.codes)
                for q in item.questions:
                    if rng.random() > 0.05:  # mostly good answers, as real ones
                        row[q.column] = int(codes[-min(len(codes), int(rng.geometric(0.6)))])
            rows.append({} if k == 7 else row)
        out[(1, instrument)] = rows
    return out


def _scores(url: str):
    from sqlalchemy.orm import Session

    from survey_app.models import Assessment
    from survey_app.services.exports import responses_frame_by_id
    from survey_app.services.results import assessment_result

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            assessment = session.get(Assessment, 1)
            result = assessment_result(session, assessment, bootstrap=0)
            frames = {i: responses_frame_by_id(session, 1, i) for i in ("IIT", "EIT")}
            return ((result.total, result.grade,
                     {c: i.score for c, i in result.indicators.items()}), frames)
    finally:
        engine.dispose()


def test_answers_survive_upgrade_downgrade_upgrade_with_the_same_scores(fresh_url):
    """Legacy ``answer`` rows become compact bytes, back again, and compact again."""
    import numpy as np
    from alembic import command

    engine = make_engine(fresh_url)
    legacy = _legacy_answers(np.random.default_rng(7))
    try:
        upgrade(engine, "0009_scored_result_cache")
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO agency (id, code, name_th, name_en, agency_type, eligible_headcount)"
                " VALUES (1, 'M', 'ม', 'M', 'school', 40)"))
            conn.execute(sa.text(
                "INSERT INTO assessment (id, agency_id, fiscal_year_be, instrument_set, opens_at,"
                " closes_at, public_token) VALUES (1, 1, 2566, 'ita-2566', "
                "'2023-03-01 00:00:00', '2023-05-01 00:00:00', 'tok')"))
            rid = 0
            for (_a, instrument), rows in legacy.items():
                for k, row in enumerate(rows):
                    rid += 1
                    conn.execute(sa.text(
                        "INSERT INTO response (id, assessment_id, instrument, submitted_on, "
                        "respondent_group) VALUES (:id, 1, :i, :d, :g)"),
                        {"id": rid, "i": instrument, "d": f"2023-03-{1 + k % 28:02d}",
                         "g": ("school", "public")[k % 2] if instrument == "EIT" else None})
                    if row:
                        conn.execute(sa.text("INSERT INTO answer (response_id, question, option)"
                                             " VALUES (:r, :q, :o)"),
                                     [{"r": rid, "q": q, "o": o} for q, o in row.items()])
        upgrade(engine)
        first, frames = _scores(fresh_url)
        for instrument in ("IIT", "EIT"):
            stored = [{c: int(v) for c, v in r.items() if c not in
                       ("respondent_group", "submitted_on") and not pd.isna(v)}
                      for r in frames[instrument].to_dict("records")]
            assert stored == legacy[(1, instrument)]
        assert sum(v is not None for v in first[2].values()) >= 6  # IIT and EIT indicators (no OIT)
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0009_scored_result_cache")
        with engine.connect() as conn:
            back = conn.execute(sa.text("SELECT count(*) FROM answer")).scalar()
        assert back == sum(len(r) for rows in legacy.values() for r in rows)
        upgrade(engine)
        again, frames_again = _scores(fresh_url)
        assert again == first
        for instrument in ("IIT", "EIT"):
            pd.testing.assert_frame_equal(frames_again[instrument], frames[instrument])
    finally:
        engine.dispose()


def test_measure_periods_become_quarters_and_come_back(app, database_url):
    """0012: a free-text period is read for quarters, kept as a note when it says more or
    names none; the downgrade writes the quarters back into the text."""
    from alembic import command

    from tests.app.admin.console_world import build_world

    world = build_world(app)
    db.dispose(app)
    engine = make_engine(database_url)
    table = sa.table("improvement_measure", sa.column("id"), sa.column("period"),
                     sa.column("start_quarter"), sa.column("end_quarter"))
    given = {world.measure["A"]: ("ดำเนินการต่อเนื่อง ทุกไตรมาส", None, None),
             world.measure["A1"]: ("ตุลาคม – ธันวาคม", None, None),
             world.measure["B"]: ("", 2, 3)}
    try:
        with engine.begin() as conn:
            for mid, (period, start, end) in given.items():
                conn.execute(table.update().where(table.c.id == mid)
                             .values(period=period, start_quarter=start, end_quarter=end))
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0011_response_tally")
        with engine.connect() as conn:
            old = dict(conn.execute(sa.text("SELECT id, period FROM improvement_measure")).all())
        assert old[world.measure["B"]] == "ไตรมาส 2-3"
        assert old[world.measure["A"]] == "ดำเนินการต่อเนื่อง ทุกไตรมาส"
        upgrade(engine)
        with engine.connect() as conn:
            rows = {r[0]: tuple(r[1:]) for r in conn.execute(
                sa.select(table.c.id, table.c.period, table.c.start_quarter, table.c.end_quarter))}
        assert rows[world.measure["A"]] == ("", 1, 4)
        assert rows[world.measure["A1"]] == ("ตุลาคม – ธันวาคม", None, None)  # kept, never lost
        assert rows[world.measure["B"]] == ("", 2, 3)
    finally:
        upgrade(engine)
        engine.dispose()


def test_0013_keeps_every_past_figure_and_gives_them_back(fresh_url):
    """The past scores become published results (every figure kept), and the downgrade puts
    them back."""
    from alembic import command

    engine = make_engine(fresh_url)
    cfg = alembic_config()
    try:
        upgrade(engine, "0012_measure_quarters")
        rows = [(1, 2565, "total", 96.53), (1, 2566, "total", 94.67), (1, 2566, "1", 99.02),
                (1, 2566, "9.5", 75.0), (2, 2566, "total", 80.0)]
        with engine.begin() as conn:
            for k in (1, 2):
                conn.execute(sa.text("INSERT INTO agency (id, code, name_th, name_en, "
                                     "agency_type) VALUES (:i, :c, 'x', 'x', 'school')"),
                             {"i": k, "c": f"A{k}"})
            for a, y, c, s in rows:
                conn.execute(sa.text("INSERT INTO past_score (agency_id, fiscal_year_be, code, "
                                     "score) VALUES (:a, :y, :c, :s)"),
                             {"a": a, "y": y, "c": c, "s": s})
        upgrade(engine, "0013_published_result")
        with engine.connect() as conn:
            got = conn.execute(sa.text(
                "SELECT r.agency_id, r.fiscal_year_be, s.code, s.score, r.source FROM "
                "published_score s JOIN published_result r ON r.id = s.result_id")).all()
        assert sorted((a, y, c, s) for a, y, c, s, _ in got) == sorted(rows)
        assert {src for *_, src in got} == {"migrated"}
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0012_measure_quarters")
        with engine.connect() as conn:
            back = conn.execute(sa.text(
                "SELECT agency_id, fiscal_year_be, code, score FROM past_score")).all()
        assert sorted(back) == sorted(rows)
    finally:
        engine.dispose()
