"""Stream the responses CSV export of a very large assessment and show memory stays flat.

Inserts two synthetic IIT assessments (``--responses`` and a tenth of it; each response has all
51 IIT answers, so 1,000,000 responses are 51,000,000 answer rows), then exports each in a fresh
process with the console's generator (``iter_responses_csv``) to /dev/null and prints rows/s and
the process's peak RSS.  Flat memory: the large export's peak is about the small one's.

    .venv/bin/python benchmarks/export_bench.py                        # PostgreSQL, 1,000,000
    .venv/bin/python benchmarks/export_bench.py --backend sqlite --responses 200000

PostgreSQL (127.0.0.1:5432, user postgres, or ``ITA_BENCH_PG_URL``) is filled with COPY into a
database created for the run and dropped at the end (``--keep`` keeps it); SQLite with
executemany into a file under /tmp.  Not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import resource
import subprocess
import sys
import time

import numpy as np
import sqlalchemy as sa

PG_SERVER = os.environ.get("ITA_BENCH_PG_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SET = "ita-2566"
CHUNK = 20_000


def rss_kib() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# -- filling the database -------------------------------------------------------------------


def _questions():
    from questionnaires import load_instrument_set

    iset = load_instrument_set(SET)
    cols, codes = [], []
    for item in iset.items_for("IIT"):
        for q in item.questions:
            cols.append(q.column)
            codes.append(np.array(sorted(item.scale.codes)))
    return cols, codes


def _make_assessment(engine, code: str) -> int:
    from survey_app.models import Agency, Assessment, utcnow

    with sa.orm.Session(engine) as session:
        agency = Agency(code=code, name_th=f"หน่วยงานทดสอบ {code}", name_en=code,
                        agency_type="area_office", eligible_headcount=1_000_000)
        session.add(agency)
        session.flush()
        now = utcnow()
        assessment = Assessment(agency_id=agency.id, fiscal_year_be=2569, instrument_set=SET,
                                opens_at=now - dt.timedelta(days=1),
                                closes_at=now + dt.timedelta(days=1),
                                public_token=os.urandom(16).hex())
        session.add(assessment)
        session.commit()
        return assessment.id


def _chunks(n: int, first_id: int, rng: np.random.Generator):
    cols, codes = _questions()
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        ids = np.arange(first_id + start, first_id + start + size)
        options = np.column_stack([c[rng.integers(0, len(c), size)] for c in codes])
        yield ids, cols, options


def fill_postgres(engine, assessment_id: int, n: int, first_id: int, rng) -> None:
    day = dt.date(2026, 11, 1).isoformat()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for ids, cols, options in _chunks(n, first_id, rng):
            with cur.copy("COPY response (id, assessment_id, instrument, submitted_on) "
                          "FROM STDIN") as copy:
                copy.write("".join(f"{i}\t{assessment_id}\tIIT\t{day}\n" for i in ids))
            buf = io.StringIO()
            for j, col in enumerate(cols):
                column = options[:, j]
                buf.write("".join(f"{i}\t{col}\t{o}\n" for i, o in zip(ids, column,
                                                                         strict=True)))
            with cur.copy("COPY answer (response_id, question, option) FROM STDIN") as copy:
                copy.write(buf.getvalue())
            raw.commit()
        cur.execute("SELECT setval('response_id_seq', (SELECT max(id) FROM response))")
        cur.execute("ANALYZE response")
        cur.execute("ANALYZE answer")
        raw.commit()
    finally:
        raw.close()


def fill_sqlite(engine, assessment_id: int, n: int, first_id: int, rng) -> None:
    day = dt.date(2026, 11, 1).isoformat()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("PRAGMA synchronous=OFF")
        for ids, cols, options in _chunks(n, first_id, rng):
            cur.executemany("INSERT INTO response (id, assessment_id, instrument, submitted_on)"
                            " VALUES (?, ?, 'IIT', ?)",
                            [(int(i), assessment_id, day) for i in ids])
            cur.executemany("INSERT INTO answer (response_id, question, option) VALUES (?, ?, ?)",
                            [(int(i), col, int(o)) for j, col in enumerate(cols)
                             for i, o in zip(ids, options[:, j], strict=True)])
            raw.commit()
    finally:
        raw.close()


# -- exporting (in a fresh process per assessment) ------------------------------------------


def export_one(url: str, assessment_id: int) -> None:
    from survey_app.extensions import make_engine
    from survey_app.services.exports import iter_responses_csv

    engine = make_engine(url)
    before = rss_kib()
    rows = 0
    started = time.perf_counter()
    with sa.orm.Session(engine) as session, open(os.devnull, "wb") as out:
        for chunk in iter_responses_csv(session, assessment_id, "IIT", batch=2000):
            out.write(chunk.encode("utf-8"))
            rows += chunk.count("\n")
    seconds = time.perf_counter() - started
    engine.dispose()
    print(f"{rows - 1} {seconds:.3f} {before} {peak_kib()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--export-only", nargs=2, metavar=("URL", "ASSESSMENT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_only:
        export_one(args.export_only[0], int(args.export_only[1]))
        return

    from survey_app.extensions import make_engine
    from survey_app.services.schema import upgrade

    name = f"ita_export_bench_{os.getpid()}"
    if args.backend == "postgresql":
        admin = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
        fill = fill_postgres
    else:
        path = f"/tmp/{name}.sqlite3"
        url = f"sqlite:///{path}"
        fill = fill_sqlite
    engine = make_engine(url)
    try:
        upgrade(engine)
        rng = np.random.default_rng(2569)
        sizes = [("small", args.responses // 10), ("large", args.responses)]
        assessments = {}
        next_id = 1
        for label, n in sizes:
            assessments[label] = _make_assessment(engine, label.upper())
            started = time.perf_counter()
            fill(engine, assessments[label], n, next_id, rng)
            next_id += n
            took = time.perf_counter() - started
            print(f"inserted {n:,} responses ({n * 51:,} answers) on {args.backend} in "
                  f"{took:.0f} s", flush=True)
        engine.dispose()
        print(f"\nexport of the responses CSV (IIT, 51 columns) to /dev/null, "
              f"{args.backend}, one process each:")
        print(f"{'responses':>12} {'seconds':>8} {'rows/s':>10} {'RSS before':>11} "
              f"{'peak RSS':>9}")
        for label, n in sizes:
            out = subprocess.run(
                [sys.executable, __file__, "--export-only", url, str(assessments[label])],
                check=True, capture_output=True, text=True).stdout.split()
            rows, seconds, before, peak = int(out[0]), float(out[1]), int(out[2]), int(out[3])
            assert rows == n, (rows, n)
            print(f"{rows:>12,} {seconds:>8.1f} {rows / seconds:>10,.0f} "
                  f"{before / 1024:>8.0f} MiB {peak / 1024:>6.0f} MiB", flush=True)
    finally:
        engine.dispose()
        if args.keep:
            print(f"kept {url}")
        elif args.backend == "postgresql":
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
        else:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)


if __name__ == "__main__":
    main()
