"""Run the app under gunicorn from Python (``ita serve``)."""

from __future__ import annotations

from flask import Flask
from gunicorn.app.base import BaseApplication

from .extensions import db
from .services.schema import is_up_to_date, upgrade


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


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, object]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 24: no ~/.gunicorn
            self.cfg.set("control_socket_disable", True)

    def load(self):
        # Each worker builds its own app, engine and connection pool after the fork.
        from . import create_app

        return create_app()


def run_gunicorn(*, host: str, port: int, workers: int) -> None:
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "accesslog": None,  # no per-request log of client addresses
            "errorlog": "-",
            "timeout": 60,
        }
    ).run()
