"""Responses exports (CSV, XLSX) and the scoring read at 1,000 / 10,000 / 100,000 responses.

Fills one synthetic IIT assessment per size (ita-2566, 51 questions, plausible answers drawn as
``ita demo --responses`` draws them, stored compactly by bulk insert), then, each in a fresh
process: exports the responses CSV (``iter_responses_csv``, what the console streams) and the
XLSX (``write_responses_xlsx``), reads the whole assessment as the scoring frame
(``responses_frame``), and reads the exported CSV with ``pandas.read_csv`` (the floor).  Prints
responses/s and the peak RSS of each process, then the goals: CSV at least 100,000 responses/s
with flat memory (the 100,000 export's peak within 1.25x the 1,000 one's).

    .venv/bin/python benchmarks/export_bench.py                       # SQLite and PostgreSQL
    .venv/bin/python benchmarks/export_bench.py --backend sqlite --sizes 1000 10000 100000

PostgreSQL (127.0.0.1:5432, user postgres, or ``ITA_BENCH_PG_URL``) gets a database created for
the run and dropped at the end (``--keep`` keeps it).  Not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import sqlalchemy as sa

PG_SERVER = os.environ.get("ITA_BENCH_PG_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SET = "ita-2566"
CSV_GOAL = 100_000  # responses/s
FLAT = 1.25  # the largest export's peak RSS within this factor of the smallest's


def peak_kib() -> int:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited)."""
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))


def _make_assessment(engine, code: str, n: int) -> int:
    from questionnaires import load_instrument_set
    from survey_app.demo import plausible_codes
    from survey_app.models import Agency, Assessment, utcnow
    from survey_app.services.compact import insert_coded

    with sa.orm.Session(engine) as session:
        agency = Agency(code=code, name_th=f"หน่วยงานทดสอบ {code}", name_en=code,
                        agency_type="area_office", eligible_headcount=max(n, 1))
        session.add(agency)
        session.flush()
        now = utcnow()
        assessment = Assessment(agency_id=agency.id, fiscal_year_be=2569, instrument_set=SET,
                                opens_at=now - dt.timedelta(days=1),
                                closes_at=now + dt.timedelta(days=1),
                                public_token=os.urandom(16).hex())
        session.add(assessment)
        session.flush()
        rng = np.random.default_rng(n)
        columns, codes = plausible_codes(load_instrument_set(SET), "IIT", n, rng)
        days = [dt.date(2026, 11, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 20, n)]
        insert_coded(session.connection(), assessment.id, "IIT", columns, codes,
                     submitted_on=days)
        session.commit()
        return assessment.id


# -- one measurement per fresh process -------------------------------------------------------


def measure(kind: str, url: str, assessment_id: int, path: str) -> None:
    started = time.perf_counter()
    if kind == "read_csv":
        import pandas as pd

        rows = len(pd.read_csv(path))
    else:
        from sqlalchemy.orm import Session

        from survey_app.extensions import make_engine
        from survey_app.models import Assessment
        from survey_app.services import exports
        from survey_app.services.imports import responses_frame

        engine = make_engine(url)
        started = time.perf_counter()
        with Session(engine) as session:
            if kind == "csv":
                rows = -1
                with open(path, "wb") as out:
                    for chunk in exports.iter_responses_csv(session, assessment_id, "IIT"):
                        out.write(chunk.encode("utf-8"))
                        rows += chunk.count("\n")
            elif kind == "xlsx":
                with open(path, "wb") as out:
                    rows = exports.write_responses_xlsx(session, assessment_id, "IIT", out)
            else:
                rows = len(responses_frame(session, session.get(Assessment, assessment_id),
                                           "IIT"))
        engine.dispose()
    print(f"{rows} {time.perf_counter() - started:.4f} {peak_kib()}")


def run(kind: str, url: str, assessment_id: int, path: str) -> tuple[int, float, int]:
    out = subprocess.run([sys.executable, __file__, "--measure", kind, url, str(assessment_id),
                          path], check=True, capture_output=True, text=True).stdout.split()
    return int(out[0]), float(out[1]), int(out[2])


def bench(backend: str, sizes: list[int], keep: bool) -> bool:
    from survey_app.extensions import make_engine
    from survey_app.services.schema import upgrade

    name = f"ita_export_bench_{os.getpid()}"
    tmp = tempfile.mkdtemp(prefix="ita-export-bench-")
    if backend == "postgresql":
        admin = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp}/{name}.sqlite3"
    engine = make_engine(url)
    ok = True
    try:
        upgrade(engine)
        ids = {}
        for n in sizes:
            started = time.perf_counter()
            ids[n] = _make_assessment(engine, f"B{n}", n)
            print(f"{backend}: inserted {n:,} IIT responses (compact, bulk) in "
                  f"{time.perf_counter() - started:.2f} s", flush=True)
        engine.dispose()
        print(f"\n{backend}: IIT, 51 question columns; each figure one fresh process; "
              "responses/s and peak RSS")
        print(f"{'responses':>10} {'CSV export':>22} {'XLSX export':>22} "
              f"{'read for scoring':>22} {'pandas.read_csv floor':>24} {'CSV/floor':>9}")
        peaks = {}
        for n in sizes:
            csv_path, xlsx_path = f"{tmp}/r{n}.csv", f"{tmp}/r{n}.xlsx"
            figures = {}
            for kind, path in (("csv", csv_path), ("xlsx", xlsx_path), ("frame", ""),
                               ("read_csv", csv_path)):
                rows, seconds, peak = run(kind, url, ids[n], path)
                assert rows == n, (kind, rows, n)
                figures[kind] = (n / seconds, seconds, peak)
            peaks[n] = figures["csv"][2]
            cells = [f"{figures[k][0]:>9,.0f}/s {figures[k][2] / 1024:>5.0f} MiB"
                     for k in ("csv", "xlsx", "frame")]
            print(f"{n:>10,} {cells[0]:>22} {cells[1]:>22} {cells[2]:>22} "
                  f"{figures['read_csv'][0]:>11,.0f}/s {figures['read_csv'][2] / 1024:>5.0f} MiB"
                  f" {figures['csv'][1] / figures['read_csv'][1]:>8.2f}x"
                  f"   (read {n:,}: {figures['frame'][1]:.3f} s)", flush=True)
        largest = max(sizes)
        rate = largest / run("csv", url, ids[largest], f"{tmp}/again.csv")[1]
        flat = peaks[largest] <= FLAT * peaks[min(sizes)]
        print(f"goals ({backend}): CSV >= {CSV_GOAL:,} responses/s at {largest:,}: "
              f"{'PASS' if rate >= CSV_GOAL else 'MISS'} ({rate:,.0f}/s, second run)   "
              f"flat memory (peak at {largest:,} <= {FLAT}x peak at {min(sizes):,}): "
              f"{'PASS' if flat else 'MISS'} ({peaks[largest] / 1024:.0f} vs "
              f"{peaks[min(sizes)] / 1024:.0f} MiB)\n", flush=True)
        ok = rate >= CSV_GOAL and flat
    finally:
        engine.dispose()
        for f in os.listdir(tmp):
            if not keep:
                os.remove(os.path.join(tmp, f))
        if backend == "postgresql":
            if keep:
                print(f"kept {url}")
            else:
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
        elif keep:
            print(f"kept {url}")
        if not keep:
            os.rmdir(tmp)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--measure", nargs=4, metavar=("KIND", "URL", "ASSESSMENT", "PATH"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, url, assessment, path = args.measure
        measure(kind, url, int(assessment), path)
        return
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = [bench(b, sorted(args.sizes), args.keep) for b in backends]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
