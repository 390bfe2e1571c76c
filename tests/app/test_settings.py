"""Settings: defaults → ITA_* environment → explicit overrides; no insecure secret."""

from __future__ import annotations

import pytest

from survey_app import create_app
from survey_app.config import ConfigError
from survey_app.extensions import db


def test_embedded_default_generates_and_keeps_a_secret(tmp_path, monkeypatch):
    for name in ("ITA_DATABASE_URL", "ITA_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ITA_INSTANCE_PATH", str(tmp_path / "inst"))
    first = create_app()
    second = create_app()
    try:
        assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
        assert len(first.config["SECRET_KEY"]) == 64
        assert first.config["SECRET_KEY"] != "dev"
        secret_file = tmp_path / "inst" / "secret_key"
        assert secret_file.stat().st_mode & 0o077 == 0
        assert first.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'inst' / 'ita.sqlite3'}"
        assert first.config["EMBEDDED_DATABASE"] is True
    finally:
        db.dispose(first)
        db.dispose(second)


def test_server_database_without_secret_fails_clearly(tmp_path, monkeypatch):
    monkeypatch.delenv("ITA_SECRET_KEY", raising=False)
    monkeypatch.setenv("ITA_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/x")
    with pytest.raises(ConfigError, match="ITA_SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_environment_then_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("ITA_SECRET_KEY", "from-env")
    monkeypatch.setenv("ITA_PROXY_FIX", "1")
    monkeypatch.setenv("ITA_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "TIMEZONE": "UTC"})
    try:
        assert app.config["SECRET_KEY"] == "from-env"
        assert app.config["PROXY_FIX"] == 1
        assert app.config["TIMEZONE"] == "UTC"
        assert app.config["EMBEDDED_DATABASE"] is False
        assert app.config["CODE_HASH_KEY"] != "from-env"
    finally:
        db.dispose(app)


def test_sqlite_connections_use_wal_and_a_busy_timeout(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True})
    try:
        with app.app_context(), db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000  # bounded: seconds
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose(app)


@pytest.mark.postgres
def test_postgresql_connections_have_lock_and_statement_timeouts(pg_migrated, tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True,
                      "DATABASE_URL": pg_migrated})
    try:
        with app.app_context(), db.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "5s"
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "15s"
    finally:
        db.dispose(app)


def test_json_errors_when_asked(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True})
    try:
        response = app.test_client().get("/nowhere", headers={"Accept": "application/json"})
        assert response.status_code == 404
        assert response.json["error"] == 404
    finally:
        db.dispose(app)


def test_unexpected_errors_roll_back_and_show_the_500_page(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True})

    def boom():
        raise RuntimeError("boom")

    app.add_url_rule("/boom", view_func=boom)
    try:
        response = app.test_client().get("/boom")
        assert response.status_code == 500
        assert "ระบบขัดข้อง" in response.get_data(as_text=True)
    finally:
        db.dispose(app)


def test_a_server_database_without_a_public_base_url_is_not_served(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from survey_app.cli import main

    monkeypatch.setenv("ITA_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/x")
    monkeypatch.setenv("ITA_SECRET_KEY", "s" * 32)
    monkeypatch.setenv("ITA_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("ITA_PUBLIC_BASE_URL", raising=False)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code != 0 and "ITA_PUBLIC_BASE_URL is not set" in result.output
    monkeypatch.setenv("ITA_PUBLIC_BASE_URL", "ita.example.go.th")  # not absolute
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code != 0 and "absolute http(s) address" in result.output
