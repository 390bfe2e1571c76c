"""A PostgreSQL database of the benchmarks' own, created for one run and dropped after it.

The server is ``ITA_BENCH_PG_URL`` (default: the machine's PostgreSQL 15 on loopback, user
``postgres``); the database is named ``ita_<prefix>_<pid>_<hex>`` so that runs never meet.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable

import sqlalchemy as sa

PG_SERVER = os.environ.get("ITA_BENCH_PG_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def scratch_pg_database(prefix: str) -> tuple[str, Callable[[], None]]:
    """Create an empty database; return its URL and the function that drops it (ending any
    session still connected to it)."""
    admin = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    name = f"ita_{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()

    return sa.make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False), drop
