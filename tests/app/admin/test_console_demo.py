"""`ita demo` sets up the console too: an admin of CMI3 with schools below it, OIT results and
past totals, and a viewer of another office who can reach none of it."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from questionnaires import load_instrument_set
from survey_app import create_app
from survey_app.cli import main
from survey_app.demo.data import DEMO_OIT_FAILS, DEMO_OIT_FAILS_2566, DEMO_PAST_TOTALS
from survey_app.extensions import db


@pytest.fixture
def demo(demo_instance):
    """The shared demo (tests/app/conftest.py), copied for this test."""
    app = create_app({"INSTANCE_PATH": str(demo_instance.path), "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "SERVER_NAME": "ita.test"})
    yield CliRunner(), demo_instance.info, app
    db.dispose(app)


def _login(client, login: dict):
    return client.post("/admin/login", data={"username": login["username"],
                                              "password": login["password"]})


def test_demo_admin_signs_in_and_sees_cmi3_and_its_schools(demo):
    _, info, app = demo
    assert info["admin_login"]["username"] == "demo-admin"
    assert info["admin_login"]["url"].endswith("/admin/login")
    assert len(info["child_agencies"]) == 4
    assert all(c["responses"]["IIT"] > 0 and c["responses"]["EIT"] > 0
               for c in info["child_agencies"])
    client = app.test_client()
    assert _login(client, info["admin_login"]).status_code == 302
    home = client.get("/admin/").get_data(as_text=True)
    assert "CMI3-S01" in home and "CMI3-S04" in home and "CMI1" not in home
    oit = client.get(f"/admin/assessments/{info['assessment_id']}/oit").get_data(as_text=True)
    # the current year runs on ita-2569 (26 OIT items), the seed's year on ita-2566 (43)
    assert info["instrument_set"] == "ita-2569" and info["fiscal_year_be"] == 2569
    n = len(load_instrument_set("ita-2569").oit_items)
    assert f"ตรวจแล้ว {n} จาก {n} ข้อ" in oit
    assert info["past_fiscal_year_be"] == 2566 and info["past_instrument_set"] == "ita-2566"
    past_oit = client.get(f"/admin/assessments/{info['past_assessment_id']}/oit")
    assert "ตรวจแล้ว 43 จาก 43 ข้อ" in past_oit.get_data(as_text=True)
    with app.app_context():
        from survey_app.models import Assessment
        from survey_app.services.oit import oit_results

        judged = oit_results(db.session, db.session.get(Assessment, info["assessment_id"]))
        judged_2566 = oit_results(db.session,
                                  db.session.get(Assessment, info["past_assessment_id"]))
    assert sorted(code for code, ok in judged.items() if not ok) == sorted(DEMO_OIT_FAILS)
    assert sorted(c for c, ok in judged_2566.items() if not ok) == sorted(DEMO_OIT_FAILS_2566)
    past = client.get(f"/admin/agencies/{_agency_id(app, 'CMI3')}/past").get_data(as_text=True)
    assert all(f"{v:.2f}" in past for v in DEMO_PAST_TOTALS.values())


def test_demo_viewer_of_another_office_reaches_none_of_cmi3(demo):
    _, info, app = demo
    client = app.test_client()
    assert _login(client, info["viewer_login"]).status_code == 302
    assert "CMI3" not in client.get("/admin/").get_data(as_text=True)
    a = info["assessment_id"]
    for url in (f"/admin/assessments/{a}", f"/admin/assessments/{a}/oit",
                f"/admin/assessments/{a}/poster", f"/admin/assessments/{a}/measures",
                f"/admin/agencies/{_agency_id(app, 'CMI3')}/past"):
        assert client.get(url).status_code == 404, url


def test_demo_again_keeps_the_data_and_gives_new_passwords(demo):
    runner, first, app = demo
    result = runner.invoke(main, ["demo", "--json"])
    second = json.loads(result.output)
    assert [c["assessment_id"] for c in second["child_agencies"]] == [
        c["assessment_id"] for c in first["child_agencies"]]
    assert second["child_agencies"] == first["child_agencies"]
    assert second["admin_login"]["password"] != first["admin_login"]["password"]
    client = app.test_client()
    assert _login(client, first["admin_login"]).status_code == 401
    assert _login(client, second["admin_login"]).status_code == 302


def test_demo_text_output_prints_the_logins(demo):
    result = demo[0].invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert "demo-admin / " in result.output and "demo-viewer-other / " in result.output
    assert "/admin/login" in result.output


def test_demo_prints_the_links_of_the_port_served(tmp_path, monkeypatch):
    monkeypatch.delenv("ITA_DATABASE_URL", raising=False)
    monkeypatch.setenv("ITA_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()
    plain = runner.invoke(main, ["demo"])  # the README's command: ita demo && ita serve
    assert plain.exit_code == 0, plain.output
    assert "http://127.0.0.1:8000/eit/" in plain.output
    assert "Start the server with: ita serve\n" in plain.output
    moved = runner.invoke(main, ["demo", "--port", "9123"])
    assert moved.exit_code == 0, moved.output
    links = re.findall(r"https?://\S+", moved.output)
    assert links and all(link.startswith("http://127.0.0.1:9123/") for link in links), links
    assert "Start the server with: ita serve --port 9123" in moved.output


def test_serve_prints_the_console_link_of_its_port(tmp_path, monkeypatch):
    from survey_app import server

    monkeypatch.delenv("ITA_DATABASE_URL", raising=False)
    monkeypatch.setenv("ITA_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setattr(server, "run_gunicorn", lambda **options: None)
    result = CliRunner().invoke(main, ["serve", "--port", "9124"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:9124/admin/login" in result.output


def _agency_id(app, code: str) -> int:
    import sqlalchemy as sa

    from survey_app.models import Agency

    with app.app_context():
        return db.session.scalar(sa.select(Agency.id).where(Agency.code == code))
