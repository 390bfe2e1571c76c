"""Console sign-ins end on the server; console pages are never cached; HTTPS gets HSTS and
Secure cookies; printed and QR links come from ITA_PUBLIC_BASE_URL, never from the Host header."""

from __future__ import annotations

import base64
import datetime as dt
import re
import subprocess

import pytest
import sqlalchemy as sa

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import AdminSession, User

from ...external import tool
from ..conftest import app_config, count_rows
from .console_world import PASSWORD, build_world, login

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _session_cookie(client) -> str:
    return client.get_cookie("session", domain="ita.test").value


def _client_with(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie("session", cookie, domain="ita.test")
    return thief


def test_a_copied_cookie_is_useless_after_logout(app, client, world):
    login(client, "admin_a")
    copied = _session_cookie(client)
    thief = _client_with(app, copied)
    assert thief.get("/admin/").status_code == 200  # the copy works while the sign-in lives
    assert client.post("/admin/logout").status_code == 302
    assert count_rows(app, "admin_session") == 0
    assert thief.get("/admin/").status_code == 302  # and not after logout
    assert "/admin/login" in thief.get("/admin/").headers["Location"]


def test_only_a_hash_of_the_session_token_is_stored(app, client, world):
    login(client, "root")
    with app.app_context():
        [row] = db.session.scalars(sa.select(AdminSession)).all()
        token = row.token_hash
    assert re.fullmatch(r"[0-9a-f]{64}", token)
    # the cookie carries the token itself, never its stored hash
    payload = _session_cookie(client).split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("latin-1")
    assert token not in decoded


def test_a_password_change_ends_every_sign_in_of_the_account(app, world):
    from survey_app.services.accounts import set_password

    first, second, other = app.test_client(), app.test_client(), app.test_client()
    login(first, "admin_a")
    login(second, "admin_a")
    login(other, "admin_b")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "admin_a"))
        set_password(db.session, user, "another-long-password")
        db.session.commit()
    assert first.get("/admin/").status_code == 302
    assert second.get("/admin/").status_code == 302
    assert other.get("/admin/").status_code == 200  # another account is not touched
    login(first, "admin_a", "another-long-password")
    assert first.get("/admin/").status_code == 200


def test_a_sign_in_expires_after_its_lifetime(app, client, world):
    login(client, "viewer_a")
    with app.app_context():
        db.session.execute(sa.update(AdminSession).values(
            created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=13)))
        db.session.commit()
    assert client.get("/admin/").status_code == 302


def test_a_deactivated_account_is_signed_out_at_once(app, client, world):
    login(client, "viewer_a")
    with app.app_context():
        db.session.execute(sa.update(User).where(User.username == "viewer_a").values(active=False))
        db.session.commit()
    assert client.get("/admin/").status_code == 302


@pytest.mark.usefixtures("light_documents")  # headers are checked here; the files elsewhere
def test_console_pages_and_downloads_are_never_cached(app, client, world):
    a = world.assessment["A"]
    assert client.get("/admin/login").headers["Cache-Control"] == "no-store"
    login(client, "admin_a")
    for url in ("/admin/", f"/admin/assessments/{a}", f"/admin/assessments/{a}/poster",
                f"/admin/assessments/{a}/exports/responses-eit.csv",
                f"/admin/assessments/{a}/exports/codebook.xlsx",
                f"/admin/assessments/{a}/report.docx", "/admin/nowhere"):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert response.headers["Cache-Control"] == "no-store", url


def test_https_gets_hsts_and_secure_cookies(app, world, setup):
    client = app.test_client()
    plain = client.get(f"/eit/{setup.token}")
    assert "Strict-Transport-Security" not in plain.headers
    secure = app.test_client()
    page = secure.get(f"/eit/{setup.token}", base_url="https://ita.test")
    assert page.headers["Strict-Transport-Security"] == "max-age=63072000"
    assert "Secure" in page.headers["Set-Cookie"]
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    from ..conftest import full_answers

    sent = secure.post(f"/eit/{setup.token}", base_url="https://ita.test",
                       data={**full_answers("EIT"), "respondent_group": "public", "nonce": nonce})
    assert sent.status_code == 200
    cookies = sent.headers.getlist("Set-Cookie")
    answered = [c for c in cookies if c.startswith(f"ita_eit_{setup.assessment_id}=")]
    assert answered and all("Secure" in c for c in cookies)
    signed_in = app.test_client().post("/admin/login", base_url="https://ita.test",
                                       data={"username": "root", "password": PASSWORD})
    assert "Secure" in signed_in.headers["Set-Cookie"]
    assert signed_in.headers["Strict-Transport-Security"] == "max-age=63072000"


# -- links from ITA_PUBLIC_BASE_URL ----------------------------------------------------------

BASE = "https://ita.example.go.th"
FORGED = {"Host": "evil.example"}


@pytest.fixture
def public_app(database_url, tmp_path):
    # No SERVER_NAME: the app answers any Host, as behind a catch-all virtual host.
    app = create_app(app_config(database_url, tmp_path, PUBLIC_BASE_URL=BASE + "/",
                                SERVER_NAME=None))
    yield app
    db.dispose(app)


def test_qr_slip_and_poster_links_ignore_a_forged_host(public_app):
    world = build_world(public_app)
    client = public_app.test_client()
    response = client.post("/admin/login", headers=FORGED,
                           data={"username": "admin_a", "password": PASSWORD})
    assert response.status_code == 302
    a, token = world.assessment["A"], world.token["A"]
    hub = client.get(f"/admin/assessments/{a}", headers=FORGED).get_data(as_text=True)
    poster = client.get(f"/admin/assessments/{a}/poster", headers=FORGED).get_data(as_text=True)
    slips = client.post(f"/admin/assessments/{a}/codes", headers=FORGED,
                        data={"count": "2", "nonce": "n" * 20}).get_data(as_text=True)
    csv_b64 = re.search(r"data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)", slips).group(1)
    csv_text = base64.b64decode(csv_b64).decode("utf-8-sig")
    for text in (hub, poster, slips, csv_text):
        assert "evil.example" not in text
    assert f"{BASE}/eit/{token}" in poster and f"{BASE}/eit/{token}" in hub
    assert csv_text.count(f"{BASE}/iit/{token}") == 2
    svg = client.get(f"/eit/{token}/qr.svg", headers=FORGED).get_data(as_text=True)
    assert "evil.example" not in svg


def test_the_qr_image_encodes_the_public_url_whatever_the_host(public_app, tmp_path):
    zbarimg = tool("zbarimg")
    world = build_world(public_app)
    token = world.token["A"]
    png = public_app.test_client().get(f"/eit/{token}/qr.png", headers=FORGED).data
    path = tmp_path / "qr.png"
    path.write_bytes(png)
    decoded = subprocess.run([zbarimg, "--quiet", "--raw", str(path)], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert decoded == f"{BASE}/eit/{token}"


def test_ita_set_password_ends_the_account_s_sign_ins(app, client, world, database_url,
                                                      tmp_path, monkeypatch):
    from click.testing import CliRunner

    from survey_app.cli import main

    login(client, "admin_a")
    monkeypatch.setenv("ITA_DATABASE_URL", database_url)
    monkeypatch.setenv("ITA_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("ITA_INSTANCE_PATH", str(tmp_path / "cli"))
    args = ["users", "set-password", "admin_a", "--password-stdin"]
    result = CliRunner().invoke(main, args, input="a-new-long-password\n")
    assert result.exit_code == 0, result.output
    assert "a-new-long-password" not in result.output
    assert client.get("/admin/").status_code == 302
    login(client, "admin_a", "a-new-long-password")
    short = CliRunner().invoke(main, args, input="short\n")
    assert short.exit_code != 0 and "at least 10" in short.output
    ghost = CliRunner().invoke(main, ["users", "set-password", "ghost", "--password-stdin"],
                               input="a-new-long-password\n")
    assert ghost.exit_code != 0 and "unknown account" in ghost.output
