"""The `ita db upgrade`, `ita serve`, `ita demo` and `ita export responses` commands."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from questionnaires import load_instrument_set
from survey_app.cli import main


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """A CLI runner on a fresh embedded instance folder."""
    for name in ("ITA_DATABASE_URL", "ITA_SECRET_KEY", "ITA_CODE_HASH_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ITA_INSTANCE_PATH", str(tmp_path / "instance"))
    return CliRunner()


def _demo(cli) -> dict:
    result = cli.invoke(main, ["demo", "--json", "--base-url", "http://example.test:9000/"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_demo_on_a_fresh_instance_then_again(cli, tmp_path):
    first = _demo(cli)
    assert first["created"] is True
    assert first["agency_code"] == "CMI3"
    assert first["responses"] == {"IIT": 40, "EIT": 200}
    assert len(first["unused_iit_codes"]) == 10
    assert first["eit_url"].startswith("http://example.test:9000/eit/")
    assert first["eit_qr_png"] == first["eit_url"] + "/qr.png"
    assert (tmp_path / "instance" / "ita.sqlite3").exists()
    assert (tmp_path / "instance" / "secret_key").exists()

    second = _demo(cli)
    assert second["created"] is False
    assert second["assessment_id"] == first["assessment_id"]
    assert second["eit_url"] == first["eit_url"]
    assert second["responses"] == {"IIT": 40, "EIT": 200}
    assert len(second["unused_iit_codes"]) == 5
    assert not set(second["unused_iit_codes"]) & set(first["unused_iit_codes"])


def test_demo_responses_adds_synthetic_plausible_responses(cli, demo_instance, tmp_path):
    result = cli.invoke(main, ["demo", "--json", "--responses", "1000"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["responses"] == {"IIT": 40 + 400, "EIT": 200 + 600}  # 40 % IIT, 60 % EIT
    out = tmp_path / "eit.csv"
    assert cli.invoke(main, ["export", "responses", "--assessment", str(info["assessment_id"]),
                             "--instrument", "EIT", "--output", str(out)]).exit_code == 0
    frame = pd.read_csv(out, encoding="utf-8-sig")
    iset = load_instrument_set("ita-2569")
    assert len(frame) == 800 and frame[list(iset.columns_for("EIT"))].notna().all().all()
    assert set(frame["respondent_group"]) <= {g.code for g in iset.respondent_groups}
    # plausible: mostly the best answer, as the demo's own respondents
    question = iset.question("e1")
    scores = iset.item(question.item).scale.scores(question.direction)
    assert frame["e1"].value_counts().index[0] == max(scores, key=scores.get)
    bad = cli.invoke(main, ["demo", "--responses", "-5"])
    assert bad.exit_code != 0 and "-5" in bad.output


def test_demo_text_output_names_what_a_newcomer_needs(cli, demo_instance):
    result = cli.invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    for text in ("/iit/", "/eit/", "qr.png", "qr.svg", "Unused IIT codes", "ita serve"):
        assert text in result.output


def test_demo_codes_work_in_the_web_app(demo_instance, tmp_path):
    from survey_app import create_app
    from survey_app.extensions import db

    info = demo_instance.info
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    token = info["iit_url"].rsplit("/", 1)[1]
    response = client.post(f"/iit/{token}", data={"code": info["unused_iit_codes"][0],
                                                  "eligible": "y"})
    assert response.status_code == 200
    assert 'name="ticket"' in response.get_data(as_text=True)  # the questionnaire
    db.dispose(app)


def test_export_responses_csv_contract(cli, demo_instance, tmp_path):
    info = demo_instance.info
    # the current year (ita-2569) and the seed's year (ita-2566), each with its own columns
    # the open year's IIT answers are published at its close (SECURITY.md): none yet
    cases = [(info["assessment_id"], info["instrument_set"], "IIT", 0),
             (info["assessment_id"], info["instrument_set"], "EIT", 200),
             (info["past_assessment_id"], info["past_instrument_set"], "IIT", 40),
             (info["past_assessment_id"], info["past_instrument_set"], "EIT", 120)]
    assert {c[1] for c in cases} == {"ita-2569", "ita-2566"}
    for assessment_id, set_id, instrument, n in cases:
        iset = load_instrument_set(set_id)
        out = tmp_path / f"{set_id}-{instrument}.csv"
        result = cli.invoke(main, ["export", "responses", "--assessment",
                                   str(assessment_id), "--instrument", instrument,
                                   "--output", str(out)])
        assert result.exit_code == 0, result.output
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        frame = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
        expected = list(iset.columns_for(instrument))
        if instrument == "EIT":
            expected = ["respondent_group", *expected]
        assert list(frame.columns) == [*expected, "submitted_on"]
        assert len(frame) == n
        for item in iset.items_for(instrument):
            for column in item.columns:
                assert set(frame[column].unique()) <= item.scale.codes
        if instrument == "EIT":
            groups = {g.code for g in iset.respondent_groups}
            assert set(frame["respondent_group"]) <= groups
        assert frame["submitted_on"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_export_is_counted_by_ita_score(cli, demo_instance, tmp_path):
    info = demo_instance.info
    paths = {}
    for instrument in ("IIT", "EIT"):  # the closed year: its IIT answers are published
        paths[instrument] = tmp_path / f"{instrument}.csv"
        result = cli.invoke(main, ["export", "responses", "--assessment",
                                   str(info["past_assessment_id"]), "--instrument", instrument,
                                   "--output", str(paths[instrument])])
        assert result.exit_code == 0, result.output
    scored = cli.invoke(main, ["score", "--set", info["past_instrument_set"],
                               "--iit", str(paths["IIT"]), "--eit", str(paths["EIT"]),
                               "--bootstrap", "0", "--format", "json"])
    assert scored.exit_code == 0, scored.output
    instruments = json.loads(scored.output)["instruments"]
    assert instruments["IIT"]["responses"] == 40
    assert instruments["EIT"]["responses"] == 120
    assert instruments["IIT"]["score"] > 70 and instruments["EIT"]["score"] > 70


def test_export_unknown_assessment_is_a_clear_error(cli, demo_instance):
    result = cli.invoke(main, ["export", "responses", "--assessment", "999",
                               "--instrument", "IIT"])
    assert result.exit_code != 0
    assert "no assessment with id 999" in result.output


def test_db_upgrade_on_the_embedded_database(cli, tmp_path):
    result = cli.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    from survey_app.services.schema import head_revision

    assert f"revision {head_revision()}" in result.output


@pytest.mark.postgres
def test_server_database_needs_a_secret(cli, monkeypatch, pg_database_url):
    monkeypatch.setenv("ITA_DATABASE_URL", pg_database_url)
    result = cli.invoke(main, ["db", "upgrade"])
    assert result.exit_code != 0
    assert "ITA_SECRET_KEY is not set" in result.output
    monkeypatch.setenv("ITA_SECRET_KEY", "x" * 64)
    result = cli.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output


def test_serve_migrates_the_embedded_database_then_starts_gunicorn(cli, monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr("survey_app.server.run_gunicorn",
                        lambda **kw: calls.append(kw))
    result = cli.invoke(main, ["serve", "--port", "8123", "--workers", "3"])
    assert result.exit_code == 0, result.output
    assert "migrated the embedded database" in result.output
    assert calls == [{"host": "127.0.0.1", "port": 8123, "workers": 3, "threads": 4}]


@pytest.mark.postgres
def test_serve_refuses_a_server_database_that_is_behind(cli, monkeypatch, tmp_path):
    import sqlalchemy as sa

    from ..external import missing
    from .conftest import PG_SERVER, _pg_admin_engine

    name = f"ita_test_empty_{tmp_path.name[-8:].replace('-', '_')}"
    admin = _pg_admin_engine()
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        missing(f"PostgreSQL at {PG_SERVER} ({exc.orig})")
    try:
        url = sa.make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
        monkeypatch.setenv("ITA_DATABASE_URL", url)
        monkeypatch.setenv("ITA_SECRET_KEY", "y" * 64)
        monkeypatch.setenv("ITA_PUBLIC_BASE_URL", "https://ita.example.go.th")
        monkeypatch.setattr("survey_app.server.run_gunicorn", lambda **kw: None)
        result = cli.invoke(main, ["serve"])
        assert result.exit_code != 0
        assert "ita db upgrade" in result.output
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_export_to_stdout(cli, demo_instance):
    info = demo_instance.info
    result = cli.invoke(main, ["export", "responses", "--assessment",  # closed: published
                               str(info["past_assessment_id"]), "--instrument", "IIT"])
    assert result.exit_code == 0
    first = ",".join(load_instrument_set(info["past_instrument_set"]).columns_for("IIT")[:2])
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf" + first.encode() + b",")
    assert len(result.stdout_bytes.decode("utf-8-sig").splitlines()) == 41


def _cli_audit(instance) -> list[tuple[str, str, str, str]]:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(instance / "ita.sqlite3")) as con:
        return con.execute("SELECT username, action, target, detail FROM audit_event "
                           "WHERE username = '(cli)' ORDER BY id").fetchall()


def test_a_change_is_committed_with_its_audit_line_and_no_change_with_none(cli, demo_instance):
    """The audit-and-commit step of the commands (survey_app/cli/context.py)."""
    code = demo_instance.info["agency_code"]
    stored = cli.invoke(main, ["published", "set", code, "2566", "total=90", "--keep-as-given"])
    assert stored.exit_code == 0 and stored.output.endswith("stored\n"), stored.output
    line = ("(cli)", "published_update", code, "year 2566 (kept as given)")
    assert _cli_audit(demo_instance.path) == [line]
    again = cli.invoke(main, ["published", "set", code, "2566", "total=90", "--keep-as-given"])
    assert again.exit_code == 0 and again.output.endswith("unchanged\n"), again.output
    assert _cli_audit(demo_instance.path) == [line]
    refused = cli.invoke(main, ["published", "set", code, "2566", "total=101"])
    assert refused.exit_code == 1 and "outside 0–100" in refused.output, refused.output
    assert _cli_audit(demo_instance.path) == [line]
    removed = cli.invoke(main, ["published", "remove", code, "2566"])
    assert removed.exit_code == 0, removed.output
    assert _cli_audit(demo_instance.path) == [
        line, ("(cli)", "published_remove", code, "year 2566")]
