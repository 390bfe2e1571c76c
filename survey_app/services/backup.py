"""Back up and restore the whole database (``ita backup``, ``ita restore``, ``ita db upgrade``).

PostgreSQL goes through ``pg_dump`` / ``pg_restore`` in the custom format; the tools must be
at least the server's major version (``pg_dump`` cannot read a newer server), and the
Debian/Ubuntu copy for that major version (``/usr/lib/postgresql/<major>/bin``) is preferred
over whatever is first on ``PATH``.  SQLite goes through the online backup API, which copies a
consistent snapshot while the app keeps writing.

A backup holds every table as it is, ballot box included: ballots that wait to be mixed sit in
it next to the used codes (SECURITY.md), so the callers mix first and say how many remain.
Backup files are created readable by their owner only.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from .refusals import Refusal

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
#: Longest a pg_dump or pg_restore may run before the command gives up.
TOOL_TIMEOUT_S = 3600


class BackupError(Refusal, RuntimeError):
    """A backup or restore that cannot be done: a key of ``survey_app.refusals`` whose words
    say why and what to do."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    backend: str  # "postgresql" or "sqlite"
    revision: str | None  # the schema revision of what was copied
    ballots_waiting: int  # IIT ballots the copy holds next to the used codes
    size: int  # bytes


def backend_of(engine: sa.Engine) -> str:
    name = engine.url.get_backend_name()
    if name not in ("postgresql", "sqlite"):
        raise BackupError("backup_backend_unknown", backend=name)
    return name


def table_names(engine: sa.Engine) -> list[str]:
    return sa.inspect(engine).get_table_names()


def waiting_ballots(engine: sa.Engine) -> int:
    """IIT ballots in the box (0 on a schema from before the box)."""
    if "ballot" not in table_names(engine):
        return 0
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM ballot")).scalar_one())


def revision_of(engine: sa.Engine) -> str | None:
    if "alembic_version" not in table_names(engine):
        return None
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def backup(engine: sa.Engine, path: str | os.PathLike[str]) -> BackupReport:
    """Copy the whole database to ``path`` (a new file: an existing one is never replaced)."""
    target = Path(path)
    if target.exists():
        raise BackupError("backup_target_exists", path=str(target))
    if not target.parent.is_dir():
        raise BackupError("backup_folder_missing", folder=str(target.parent))
    backend = backend_of(engine)
    revision, ballots = revision_of(engine), waiting_ballots(engine)
    # Written under a temporary name in the same folder, then renamed: a failed or interrupted
    # backup never leaves a file that looks complete.
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    os.chmod(temporary, 0o600)
    try:
        if backend == "postgresql":
            _pg_dump(engine, temporary)
        else:
            _sqlite_copy(_sqlite_source(engine), temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return BackupReport(target, backend, revision, ballots, target.stat().st_size)


def backup_kind(path: str | os.PathLike[str]) -> str:
    """``postgresql`` (pg_dump custom format) or ``sqlite``, read from the file's first bytes."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError("backup_unreadable", path=str(path), reason=exc.strerror) from None
    if head.startswith(PG_MAGIC):
        return "postgresql"
    if head == SQLITE_MAGIC:
        return "sqlite"
    raise BackupError("backup_not_a_backup", path=str(path))


def restore(engine: sa.Engine, path: str | os.PathLike[str], *, force: bool = False
            ) -> BackupReport:
    """Replace the database behind ``engine`` by the backup at ``path``.

    Refuses a database that has any table unless ``force``; with ``force`` everything in it
    is dropped first.  Refuses a backup of the other kind of database.
    """
    backend = backend_of(engine)
    kind = backup_kind(path)
    if kind != backend:
        raise BackupError("backup_other_backend", path=str(path), kind=kind, backend=backend)
    tables = table_names(engine)
    if tables and not force:
        raise BackupError("backup_database_not_empty",
                          database=engine.url.render_as_string(hide_password=True),
                          tables=len(tables))
    if backend == "postgresql":
        _pg_check_archive(engine, path)
        if tables:
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
        _pg_restore(engine, path)
    else:
        _sqlite_check(path)
        engine.dispose()  # no pooled connection may hold the file while it is replaced
        _sqlite_copy(str(path), _sqlite_database(engine))
    engine.dispose()
    return BackupReport(Path(path), backend, revision_of(engine), waiting_ballots(engine),
                        Path(path).stat().st_size)


# -- SQLite -----------------------------------------------------------------------------------


def _sqlite_database(engine: sa.Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("backup_in_memory")
    return database


def _sqlite_source(engine: sa.Engine) -> str:
    database = _sqlite_database(engine)
    if not Path(database).exists():
        raise BackupError("backup_no_database", database=database)
    return database


def _sqlite_copy(source: str, target: str) -> None:
    """Copy a SQLite database with the online backup API (a consistent snapshot)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        # A WAL-mode copy keeps its pages in the main file (the API wrote through dst).
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        dst.close()
        src.close()


def _sqlite_check(path: str | os.PathLike[str]) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError("backup_damaged", path=str(path), reason=str(exc)) from None
    finally:
        conn.close()
    if verdict != "ok":
        raise BackupError("backup_damaged", path=str(path), reason=verdict)


# -- PostgreSQL -------------------------------------------------------------------------------


def _server_major(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000


def _tool_major(tool: str) -> int:
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=30,  # noqa: S603
                         check=False).stdout
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    if not match:
        raise BackupError("backup_tool_version_unknown", tool=tool, output=repr(out.strip()))
    return int(match.group(1))


def pg_tool(name: str, server_major: int) -> str:
    """The ``pg_dump``/``pg_restore`` to use for a server of ``server_major``; refuses older."""
    candidates = [f"/usr/lib/postgresql/{server_major}/bin/{name}", shutil.which(name)]
    found = [c for c in candidates if c and os.access(c, os.X_OK)]
    if not found:
        raise BackupError("backup_tool_missing", tool=name, server=server_major)
    tool = found[0]
    major = _tool_major(tool)
    if major < server_major:
        raise BackupError("backup_tool_too_old", path=tool, tool=name, major=major,
                          server=server_major)
    return tool


def _pg_args(engine: sa.Engine) -> tuple[list[str], dict[str, str]]:
    """Connection options for the libpq tools (the password through the environment)."""
    url = engine.url
    args, env = [], {**os.environ}
    host = url.host or url.query.get("host")
    if isinstance(host, tuple):
        host = host[0]
    if host:
        args += ["--host", host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    args += ["--no-password", "--dbname", url.database or ""]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env,  # noqa: S603
                              timeout=TOOL_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise BackupError("backup_tool_timeout", tool=Path(command[0]).name,
                          seconds=TOOL_TIMEOUT_S) from None
    if done.returncode != 0:
        reason = " ".join(done.stderr.strip().splitlines()[:3]) or f"exit {done.returncode}"
        raise BackupError("backup_tool_failed", tool=Path(command[0]).name, reason=reason)


def _pg_dump(engine: sa.Engine, output: str) -> None:
    tool = pg_tool("pg_dump", _server_major(engine))
    args, env = _pg_args(engine)
    _run([tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={output}", *args],
         env)


def _pg_check_archive(engine: sa.Engine, path: str | os.PathLike[str]) -> None:
    tool = pg_tool("pg_restore", _server_major(engine))
    _run([tool, "--list", str(path)], dict(os.environ))


def _pg_restore(engine: sa.Engine, path: str | os.PathLike[str]) -> None:
    tool = pg_tool("pg_restore", _server_major(engine))
    args, env = _pg_args(engine)
    # One transaction: a restore that fails half-way leaves the database as it was.
    _run([tool, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          *args, str(path)], env)
