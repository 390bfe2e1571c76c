"""Print what the issue-8 attacks on IIT anonymity find, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/anonymity_attacks.py [--people 10] [--mix-batch 5]

``people`` staff answer IIT through the web app (each with a code batch of their own: the
worst case, a viewer who knows whose slip is whose) while a read-only console viewer watches
the batch counts and downloads the IIT CSV after every submission.  Then the database is
attacked: PostgreSQL ``xmin`` shared with a used code, a replay of a copy of the SQLite WAL,
the viewer's diff of CSV downloads.  The attacks live in ``tests/app/attacks.py``; with
``PYTHONPATH`` pointing at an older checkout they measure that version instead ("before").
PostgreSQL is ``ITA_TEST_PG_URL`` (default postgres@127.0.0.1:5432); a database is created
and dropped for the run.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "app"))

from attacks import run_attacks

PG_SERVER = os.environ.get("ITA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _report(result) -> None:
    print(f"{result.backend}: {result.people} IIT submissions, mix batch K = {result.mix_batch}")
    if result.xmin_pairs is not None:
        tables = ", ".join(f"{t} {n}" for t, n in sorted(result.xmin_tables.items()) if n)
        print(f"  xmin: {result.xmin_pairs} of {result.people} used codes share a transaction "
              f"id with another row{f' ({tables})' if tables else ''}")
    if result.wal_pairs is not None:
        print(f"  WAL replay: {result.wal_commits} commits in the -wal copy, {result.wal_pairs} "
              f"of {result.people} codes paired; ballot payloads readable in db+wal: "
              f"{result.payload_hits}")
    sizes = sorted(result.viewer_candidates)
    print(f"  console viewer: {result.viewer_identified} of {result.people} people identified "
          f"exactly, {result.viewer_closer_than_k} narrowed to fewer than K; candidate set "
          f"sizes {sizes} (truth always among them: {result.viewer_correct})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10)
    parser.add_argument("--mix-batch", type=int, default=5)
    args = parser.parse_args()
    import survey_app

    print(f"app under attack: {Path(survey_app.__file__).parent}")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'attack.sqlite3'}"
        _migrate(url)
        _report(run_attacks(url, Path(tmp), people=args.people, mix_batch=args.mix_batch))
    admin = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    name = f"ita_attack_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        print(f"postgresql: skipped ({exc.orig})")
        return
    try:
        url = sa.make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
        _migrate(url)
        with tempfile.TemporaryDirectory() as tmp:
            _report(run_attacks(url, Path(tmp), people=args.people, mix_batch=args.mix_batch))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


def _migrate(url: str) -> None:
    from survey_app.extensions import make_engine
    from survey_app.services.schema import upgrade

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


if __name__ == "__main__":
    main()
