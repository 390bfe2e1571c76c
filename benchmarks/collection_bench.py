"""Time the collection monitor (responses per day per instrument) on a large assessment.

Inserts ``--responses`` responses (40% IIT, 60% EIT, spread over a 60-day window; response rows
only: the monitor never reads answers) plus a few waiting ballots, then times
``collection_view`` (its per-day counts come from ``response_tally``, kept by triggers on
``response``) against a baseline measured in the same run: reading every response's day and
instrument and counting them in Python.  Prints the fastest of
``--repeat`` runs of each and the ratio.

    .venv/bin/python benchmarks/collection_bench.py                       # SQLite, 100,000
    .venv/bin/python benchmarks/collection_bench.py --backend postgresql --responses 1000000

PostgreSQL (127.0.0.1:5432, user postgres, or ``ITA_BENCH_PG_URL``) gets a database created for
the run and dropped at the end; SQLite a file under a temporary directory.  Not part of the
test run.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PG_SERVER = os.environ.get("ITA_BENCH_PG_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SET = "ita-2569"
DAYS = 60
CHUNK = 20_000


def _fill(url: str, responses: int) -> int:
    from sqlalchemy.orm import Session

    from survey_app.extensions import make_engine
    from survey_app.models import Agency, Response, utcnow
    from survey_app.services.assessments import create_assessment
    from survey_app.services.ballots import add_ballot
    from survey_app.services.schema import upgrade

    engine = make_engine(url)
    upgrade(engine)
    now = utcnow()
    with Session(engine) as session:
        agency = Agency(code="BENCH", name_th="หน่วยงานทดสอบความเร็ว", agency_type="area_office",
                        eligible_headcount=responses)
        session.add(agency)
        session.flush()
        assessment = create_assessment(session, agency, fiscal_year_be=2569, instrument_set=SET,
                                       opens_at=now - dt.timedelta(days=DAYS),
                                       closes_at=now + dt.timedelta(days=1))
        first = (now - dt.timedelta(days=DAYS)).date()
        for _ in range(3):
            add_ballot(session, assessment, {}, submitted_on=first)
        session.commit()
        assessment_id = assessment.id
    table = Response.__table__
    with engine.begin() as conn:
        for start in range(0, responses, CHUNK):
            conn.execute(table.insert(), [
                {"assessment_id": assessment_id, "instrument": "IIT" if k % 5 < 2 else "EIT",
                 "submitted_on": first + dt.timedelta(days=(k * 7919) % DAYS),
                 "respondent_group": None if k % 5 < 2 else "public", "answers": b""}
                for k in range(start, min(start + CHUNK, responses))])
    engine.dispose()
    return assessment_id


def _fastest(repeat: int, run) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def _measure(url: str, responses: int, repeat: int) -> None:
    from sqlalchemy.orm import Session

    from survey_app.extensions import make_engine
    from survey_app.models import Assessment, Response
    from survey_app.services.collection import collection_view

    started = time.perf_counter()
    assessment_id = _fill(url, responses)
    print(f"{sa.make_url(url).get_backend_name()}: {responses:,} responses over {DAYS} days "
          f"[inserted in {time.perf_counter() - started:.1f} s, not timed]")
    engine = make_engine(url)
    with Session(engine) as session:
        assessment = session.get(Assessment, assessment_id)
        _ = assessment.agency

        def grouped():
            return collection_view(session, assessment, timezone="Asia/Bangkok")

        def per_row():
            counts: collections.Counter = collections.Counter()
            for day, instrument in session.execute(
                    sa.select(Response.submitted_on, Response.instrument)
                    .where(Response.assessment_id == assessment_id)):
                counts[(day, instrument)] += 1
            return counts

        view_s, view = _fastest(repeat, grouped)
        rows_s, counts = _fastest(repeat, per_row)
    engine.dispose()
    same = all(counts.get((d.day, i.instrument), 0) == d.responses
               for i in view.instruments for d in i.days)
    stored = sum(i.responses for i in view.instruments)
    print(f"collection_view (response_tally): {view_s * 1000:.1f} ms for {len(view.days)} days, "
          f"{stored:,} stored, {view.instrument('IIT').pending} waiting (fastest of {repeat})")
    print(f"baseline, every row read and counted in Python: {rows_s * 1000:.1f} ms "
          f"-> {rows_s / view_s:.1f}x")
    print(f"counts equal: {'yes' if same and stored == responses else 'NO'}")
    print(f"goal <500 ms: {'PASS' if view_s < 0.5 else 'MISS'}")
    if not (same and stored == responses):
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            _measure(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.responses, args.repeat)
        return
    admin = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    name = f"ita_bench_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        _measure(sa.make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False),
                 args.responses, args.repeat)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main()
