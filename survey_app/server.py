"""Run the app under gunicorn from Python (``ita serve``).

Workers are gunicorn's ``gthread`` workers: each worker process runs ``threads`` request
threads and keeps idle connections open for ``KEEPALIVE_SECONDS`` (HTTP keep-alive), so a
respondent's form, answers and thank-you page travel over one connection instead of three.
The default number of worker processes is the number of CPU cores the process may use
(:func:`default_workers`): the work of a request is Python code holding the GIL, so more
processes than cores only add memory and context switches, while the threads of a worker
overlap the waits (database, network) of its requests.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from flask import Flask
from gunicorn.app.base import BaseApplication

from .extensions import db
from .services.schema import is_up_to_date, upgrade

#: Request threads per worker process (``ita serve --threads``).
DEFAULT_THREADS = 4
#: How long an idle keep-alive connection is kept open (gunicorn ``keepalive``), in seconds.
KEEPALIVE_SECONDS = 5


def default_workers() -> int:
    """The number of CPU cores this process may run on (at least 1)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(os.cpu_count() or 1, 1)


def prepare_database(app: Flask) -> str | None:
    """Migrate the embedded database; refuse to serve a server database that is behind."""
    with app.app_context():
        if is_up_to_date(db.engine):
            return None
        if app.config["EMBEDDED_DATABASE"]:
            upgrade(db.engine)
            return f"migrated the embedded database at {db.engine.url.database}"
        raise RuntimeError(
            "the database is not at the newest schema revision: run `ita db upgrade` first"
        )


def gunicorn_options(*, host: str, port: int, workers: int, threads: int) -> dict[str, object]:
    """The gunicorn settings of ``ita serve`` (also used by ``benchmarks/submit_bench.py``)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "keepalive": KEEPALIVE_SECONDS,
        "accesslog": None,  # no per-request log of client addresses
        "errorlog": "-",
        "timeout": 60,
    }


def _create_app() -> Flask:
    # Each worker builds its own app, engine and connection pool after the fork.
    from . import create_app

    return create_app()


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, object], loader: Callable[[], object]):
        self.options = options
        self.loader = loader
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 24: no ~/.gunicorn
            self.cfg.set("control_socket_disable", True)

    def load(self):
        return self.loader()


def run_gunicorn(*, host: str, port: int, workers: int, threads: int = DEFAULT_THREADS,
                 loader: Callable[[], object] = _create_app) -> None:
    """Serve the WSGI app ``loader()`` builds in each worker (default: the survey app)."""
    options = gunicorn_options(host=host, port=port, workers=workers, threads=threads)
    _Gunicorn(options, loader).run()
