"""Extension objects, created unbound and bound to an app in ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from .i18n import RequestBabel


def make_engine(url: str, *, sqlite_busy_timeout_ms: int = 5000, lock_timeout_ms: int = 0,
                statement_timeout_ms: int = 0, connect_timeout_s: int = 0,
                pooled: bool = True) -> sa.Engine:
    """Create an engine; SQLite files get WAL, a busy timeout and enforced foreign keys.

    On PostgreSQL ``lock_timeout_ms`` and ``statement_timeout_ms`` become the connection's
    ``lock_timeout`` and ``statement_timeout`` (0 = none), so that a locked table or a hung
    query fails in seconds with an ``OperationalError`` instead of holding a request.
    """
    engine_url = sa.make_url(url)
    if engine_url.get_backend_name() != "sqlite":
        connect_args: dict[str, object] = {}
        if engine_url.get_backend_name() == "postgresql":
            options = [f"-c lock_timeout={int(lock_timeout_ms)}",
                       f"-c statement_timeout={int(statement_timeout_ms)}"]
            connect_args["options"] = " ".join(options)
            if connect_timeout_s:
                connect_args["connect_timeout"] = int(connect_timeout_s)
        return sa.create_engine(engine_url, pool_pre_ping=True, connect_args=connect_args,
                                **({} if pooled else {"poolclass": sa.NullPool}))
    engine = sa.create_engine(
        engine_url, connect_args={"timeout": sqlite_busy_timeout_ms / 1000},
        **({} if pooled else {"poolclass": sa.NullPool})
    )

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
        cursor = dbapi_connection.cursor()
        # WAL lets readers continue while one writer commits; busy_timeout makes a second
        # writer wait for the lock instead of failing at once.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(sqlite_busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows (mixed ballots) are overwritten with zeros, not left in free space.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    return engine


@dataclass
class _DatabaseState:
    engine: sa.Engine
    session: scoped_session[Session]


class Database:
    """Plain SQLAlchemy 2.0: one engine and one request-scoped session per app."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(
            app.config["DATABASE_URL"],
            sqlite_busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
            lock_timeout_ms=app.config["DB_LOCK_TIMEOUT_MS"],
            statement_timeout_ms=app.config["DB_STATEMENT_TIMEOUT_MS"],
            connect_timeout_s=app.config["DB_CONNECT_TIMEOUT_S"],
        )
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        state = _DatabaseState(engine=engine, session=scoped_session(factory))
        app.extensions["ita_db"] = state

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            state.session.remove()

    @staticmethod
    def dispose(app: Flask) -> None:
        """Close the app's connections (end of a CLI command or a test)."""
        state: _DatabaseState = app.extensions["ita_db"]
        state.session.remove()
        state.engine.dispose()

    @staticmethod
    def _state() -> _DatabaseState:
        return current_app.extensions["ita_db"]

    @property
    def session(self) -> Session:
        """The current thread's session for the current app (views and CLI commands commit)."""
        return self._state().session()

    @property
    def engine(self) -> sa.Engine:
        return self._state().engine


#: What a database that is locked, overloaded or gone raises: the request is rolled back and
#: the person is asked to send again in a moment (nothing was stored).
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sa.exc.OperationalError,  # SQLite "database is locked", PG lock/statement timeout, refused
    sa.exc.InterfaceError,  # a connection that died under the driver
    sa.exc.TimeoutError,  # no free connection in the pool
)


def database_error_summary(error: Exception) -> str:
    """The driver's one-line reason (``database is locked``), without SQL or parameters."""
    orig = getattr(error, "orig", None) or error
    lines = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {lines[0] if lines else ''}"


def safe_rollback() -> None:
    """Roll the request's session back; a connection that is already gone is just dropped."""
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: drop it and carry on
        try:
            db.session.close()
        except Exception:  # noqa: S110
            pass


db = Database()
babel = RequestBabel()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()


def limit_posts(limit, **options):
    """``limiter.limit`` counting POSTs only: the one way a view of this app is rate limited.

    No limit counts any other method and there are no default limits, so every other request
    skips the limiter's per-request work (:func:`_only_posts_are_limited`)."""
    return limiter.limit(limit, methods=["POST"], **options)


@limiter.request_filter
def _only_posts_are_limited() -> bool:
    return request.method != "POST"
