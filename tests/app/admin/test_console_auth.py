"""Signing in and out, the session cookie, CSRF, the login rate limit and accounts."""

from __future__ import annotations

import re
from unittest import mock

import pytest
import sqlalchemy as sa

from survey_app import create_app
from survey_app.cli import main
from survey_app.extensions import db
from survey_app.models import AuditEvent, User
from survey_app.refusals import say
from survey_app.services import accounts
from survey_app.services.accounts import AccountError, authenticate, create_user, set_password

from ...factories import app_password_strength
from ..conftest import app_config, count_rows
from .console_world import PASSWORD, build_world, csrf_token, login


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_sign_in_lands_on_home_and_is_audited(app, client, world):
    response = login(client, "admin_a")
    assert response.headers["Location"].endswith("/admin/")
    page = client.get("/admin/").get_data(as_text=True)
    assert "สำนักงาน ก" in page and "โรงเรียน ก1" in page
    assert "สำนักงาน ข" not in page  # another agency is not even listed
    [event] = _events(app, "login")
    assert event.username == "admin_a"


def test_wrong_password_and_unknown_user_get_the_same_message(app, client, world):
    wrong = client.post("/admin/login", data={"username": "admin_a", "password": "nope-nope-nope"})
    unknown = client.post("/admin/login", data={"username": "ghost", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in wrong.get_data(as_text=True)
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in unknown.get_data(as_text=True)
    failed = _events(app, "login_failed")
    assert [e.target for e in failed] == ["admin_a", "ghost"]
    assert all("nope" not in e.detail and "nope" not in e.target for e in failed)
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("target, lands", [
    ("/admin/audit", "/admin/audit"),
    ("https://evil.example/", "/admin/"),
    ("//evil.example/x", "/admin/"),
    ("/\\evil.example", "/admin/"),
])
def test_next_only_goes_to_this_site(client, world, target, lands):
    response = client.post("/admin/login", query_string={"next": target},
                           data={"username": "root", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == lands


def test_logout_ends_the_session(client, world):
    login(client, "viewer_a")
    assert client.get("/admin/").status_code == 200
    assert client.post("/admin/logout").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_changing_the_password_signs_out_other_sessions(app, client, world):
    login(client, "admin_a")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "admin_a"))
        set_password(db.session, user, "another-long-password")
        db.session.commit()
    assert client.get("/admin/").status_code == 302


def test_inactive_account_cannot_sign_in(app, client, world):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "viewer_b"))
        user.active = False
        db.session.commit()
    response = client.post("/admin/login", data={"username": "viewer_b", "password": PASSWORD})
    assert response.status_code == 401


def test_passwords_are_scrypt_hashes(app, world):
    with app.app_context():
        hashes = db.session.scalars(sa.select(User.password_hash)).all()
        assert all(h.startswith("scrypt:") and PASSWORD not in h for h in hashes)
        assert authenticate(db.session, "root", PASSWORD) is not None
        assert authenticate(db.session, "root", PASSWORD + "x") is None
        # the tests hash at a cheaper work factor (tests/factories.py); the app, at the one it
        # ships: N=2**15, r=8, p=1, each account with its own salt
        with app_password_strength():
            made = [create_user(db.session, username=f"strong{k}", password=PASSWORD,
                                role="system_admin") for k in (1, 2)]
            db.session.commit()
        assert all(u.password_hash.startswith("scrypt:32768:8:1$") for u in made)
        assert made[0].password_hash != made[1].password_hash
        assert authenticate(db.session, "strong1", PASSWORD) is not None
        assert authenticate(db.session, "strong1", PASSWORD + "x") is None
        # and so does a password set later (the console's and `ita users`' set_password)
        with app_password_strength():
            set_password(db.session, made[1], PASSWORD + "-new")
            db.session.commit()
        assert made[1].password_hash.startswith("scrypt:32768:8:1$")
        assert authenticate(db.session, "strong2", PASSWORD + "-new") is not None
        # an unknown username is checked against a hash of the same strength: as slow as a
        # wrong password, so that it does not tell which usernames exist
        with app_password_strength(), mock.patch.object(
                accounts, "check_password_hash", wraps=accounts.check_password_hash) as check:
            assert authenticate(db.session, "nobody-by-this-name", PASSWORD) is None
        (checked, _password), = [c.args for c in check.call_args_list]
        assert checked.startswith("scrypt:32768:8:1$")


@pytest.mark.parametrize("kwargs, message", [
    ({"username": "x1", "password": "short", "role": "system_admin"}, "at least 10"),
    ({"username": "x2", "password": PASSWORD, "role": "viewer"}, "needs an agency"),
    ({"username": "root", "password": PASSWORD, "role": "system_admin"}, "already taken"),
    ({"username": "ROOT", "password": PASSWORD, "role": "system_admin"}, "already taken"),
    ({"username": "two words", "password": PASSWORD, "role": "system_admin"}, "without spaces"),
    ({"username": "x3", "password": PASSWORD, "role": "boss"}, "Unknown role boss"),
])
def test_create_user_refuses_clearly(app, world, kwargs, message):
    with app.app_context(), pytest.raises(AccountError) as caught:
        create_user(db.session, **kwargs)
    assert message in say(caught.value, "en")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_session_cookie_is_httponly_samesite_and_secure_over_https(app, world):
    plain = login(app.test_client(), "root").headers["Set-Cookie"]
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    https = app.test_client()
    response = https.post("/admin/login", base_url="https://ita.test",
                          data={"username": "root", "password": PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]


@pytest.fixture
def csrf_app(database_url, tmp_path):
    app = create_app(app_config(database_url, tmp_path, WTF_CSRF_ENABLED=True))
    yield app
    db.dispose(app)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_admin_posts_without_a_csrf_token_are_refused_and_change_nothing(csrf_app):
    world = build_world(csrf_app)
    client = csrf_app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    assert client.post("/admin/login", data={"username": "root", "password": PASSWORD}
                       ).status_code == 400
    client.post("/admin/login", data={"username": "root", "password": PASSWORD,
                                      "csrf_token": csrf_token(page)})
    assert client.get("/admin/").status_code == 200
    before = count_rows(csrf_app, "access_code"), count_rows(csrf_app, "improvement_measure")
    a = world.assessment["A"]
    for url, data in [
        (f"/admin/assessments/{a}/codes", {"count": "5", "nonce": "n" * 20}),
        (f"/admin/assessments/{a}/measures", {"indicator": "9", "measure": "x"}),
        (f"/admin/assessments/{a}/measures/{world.measure['A']}/delete", {}),
        (f"/admin/assessments/{a}/close", {}),
        (f"/admin/assessments/{a}/report/texts", {"monitoring-1": "x"}),
        ("/admin/users", {"username": "sneaky", "role": "system_admin", "password": PASSWORD}),
    ]:
        assert client.post(url, data=data).status_code == 400, url
    after = count_rows(csrf_app, "access_code"), count_rows(csrf_app, "improvement_measure")
    assert before == after
    assert count_rows(csrf_app, "user_account") == 5
    assert count_rows(csrf_app, "report_narrative") == 0
    # and with the page's token it works
    page = client.get(f"/admin/assessments/{a}").get_data(as_text=True)
    response = client.post(f"/admin/assessments/{a}/codes",
                           data={"count": "3", "csrf_token": csrf_token(page),
                                 "nonce": re.search(r'name="nonce"[^>]*value="([^"]+)"',
                                                    page).group(1)})
    assert response.status_code == 200
    assert count_rows(csrf_app, "access_code") == before[0] + 3


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_login_is_rate_limited(database_url, tmp_path):
    app = create_app(app_config(database_url, tmp_path, RATELIMIT_ENABLED=True))
    try:
        build_world(app)
        client = app.test_client()
        codes = [client.post("/admin/login", data={"username": "root", "password": "wrong-wrong"}
                             ).status_code for _ in range(11)]
        assert codes[:10] == [401] * 10 and codes[10] == 429
        # the limit applies to attempts, not to reading the page
        assert client.get("/admin/login").status_code == 200
    finally:
        db.dispose(app)


def test_agency_admin_creates_accounts_only_in_scope(app, client, world):
    login(client, "admin_a")
    ok = client.post("/admin/users", data={"username": "new_a1", "role": "viewer",
                                           "agency_id": str(world.agency["A1"]),
                                           "password": PASSWORD})
    assert ok.status_code == 302
    system = client.post("/admin/users", data={"username": "boss", "role": "system_admin",
                                               "agency_id": str(world.agency["A"]),
                                               "password": PASSWORD})
    assert system.status_code == 400  # not a choice for an agency admin
    other = client.post("/admin/users", data={"username": "spy", "role": "viewer",
                                              "agency_id": str(world.agency["B"]),
                                              "password": PASSWORD})
    assert other.status_code == 400  # not a choice either
    page = client.get("/admin/users").get_data(as_text=True)
    assert "new_a1" in page and "viewer_a" in page and "admin_b" not in page
    with app.app_context():
        names = set(db.session.scalars(sa.select(User.username)))
    assert "boss" not in names and "spy" not in names
    assert [e.target for e in _events(app, "user_create")] == ["new_a1"]


def test_audit_log_is_for_system_admins(client, world):
    login(client, "admin_a")
    client.post(f"/admin/assessments/{world.assessment['A']}/close")
    assert client.get("/admin/audit").status_code == 403
    client.post("/admin/logout")
    login(client, "root")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "assessment_close" in page and "admin_a" in page
    filtered = client.get("/admin/audit", query_string={"agency": world.agency["B"]})
    assert "assessment_close" not in filtered.get_data(as_text=True)


# -- ita create-admin ---------------------------------------------------------------------


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch):
    from click.testing import CliRunner

    monkeypatch.setenv("ITA_DATABASE_URL", database_url)
    monkeypatch.setenv("ITA_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("ITA_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    return CliRunner()


def test_create_admin_from_stdin_then_sign_in(app, cli, client):
    from survey_app.services.agencies import get_or_create_agency

    with app.app_context():
        get_or_create_agency(db.session, code="CMI3", name_th="สพป.เชียงใหม่ เขต 3",
                             agency_type="area_office")
        db.session.commit()
    result = cli.invoke(main, ["create-admin", "--username", "somchai", "--role", "agency_admin",
                               "--agency", "CMI3", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "somchai" in result.output and PASSWORD not in result.output
    login(client, "somchai")


def test_create_admin_prompts_twice_hidden(cli, app):
    result = cli.invoke(main, ["create-admin", "--username", "root2", "--role", "system_admin"],
                        input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output


@pytest.mark.parametrize("args, stdin, message", [
    (["--role", "viewer", "--agency", "NOPE"], PASSWORD, "unknown agency"),
    (["--role", "viewer"], PASSWORD, "needs an agency"),
    (["--role", "system_admin"], "short", "at least 10"),
])
def test_create_admin_errors_exit_non_zero(cli, app, args, stdin, message):
    result = cli.invoke(main, ["create-admin", "--username", "someone", *args,
                               "--password-stdin"], input=stdin + "\n")
    assert result.exit_code != 0
    assert message in result.output


def test_create_admin_refuses_a_duplicate(cli, app):
    args = ["create-admin", "--username", "dup", "--role", "system_admin", "--password-stdin"]
    assert cli.invoke(main, args, input=PASSWORD + "\n").exit_code == 0
    again = cli.invoke(main, args, input=PASSWORD + "\n")
    assert again.exit_code != 0 and "already taken" in again.output
