"""Managing accounts as an admin reaches it: one's own password, a temporary password, the
role and agency, deactivating and reactivating, and ``ita users`` on the command line."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from survey_app.cli import main
from survey_app.extensions import db
from survey_app.models import AuditEvent, User

from .console_world import PASSWORD, csrf_token, login

NEW_PASSWORD = "a-brand-new-password"


def _user(app, username: str) -> User:
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.username == username))


def _actions(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(e.username, e.action, e.target) for e in db.session.scalars(
            sa.select(AuditEvent).order_by(AuditEvent.id))]


def _signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def _post(client, path: str, data: dict | None = None, page: str | None = None):
    token = csrf_token(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


@pytest.fixture
def csrf_app(app):
    """The console with CSRF checked, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _client(app, username: str, password: str = PASSWORD):
    client = app.test_client()
    login_with_csrf(client, username, password)
    return client


def login_with_csrf(client, username: str, password: str = PASSWORD):
    token = csrf_token(client.get("/admin/login").get_data(as_text=True))
    response = client.post("/admin/login", data={"csrf_token": token, "username": username,
                                                 "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


# -- one's own password ------------------------------------------------------------------------


def test_change_own_password_needs_the_current_one_and_ends_other_sign_ins(csrf_app, world):
    app = csrf_app
    me, elsewhere = _client(app, "viewer_a"), _client(app, "viewer_a")
    page = "/admin/account/password"
    wrong = _post(me, page, {"current_password": "not-my-password", "new_password": NEW_PASSWORD,
                             "confirm_password": NEW_PASSWORD})
    assert wrong.status_code == 400
    assert "รหัสผ่านปัจจุบันไม่ถูกต้อง" in wrong.get_data(as_text=True)
    short = _post(me, page, {"current_password": PASSWORD, "new_password": "short",
                             "confirm_password": "short"})
    assert short.status_code == 400 and "อย่างน้อย 10" in short.get_data(as_text=True)
    mismatch = _post(me, page, {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                "confirm_password": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 400 and "ไม่ตรงกัน" in mismatch.get_data(as_text=True)
    assert _signed_in(elsewhere)

    done = _post(me, page, {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                            "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302
    assert _signed_in(me)  # this browser stays signed in …
    assert not _signed_in(elsewhere)  # … the account's other sign-in has ended
    assert ("viewer_a", "password_change", "viewer_a") in _actions(app)
    fresh = app.test_client()
    token = csrf_token(fresh.get("/admin/login").get_data(as_text=True))
    old = fresh.post("/admin/login", data={"csrf_token": token, "username": "viewer_a",
                                           "password": PASSWORD})
    assert old.status_code == 401
    login_with_csrf(fresh, "viewer_a", NEW_PASSWORD)


# -- a temporary password --------------------------------------------------------------------


def _manage_url(app, username: str) -> str:
    return f"/admin/users/{_user(app, username).id}"


def test_agency_admin_gives_a_temporary_password_that_must_be_changed(csrf_app, world):
    app = csrf_app
    admin, victim = _client(app, "admin_a"), _client(app, "viewer_a")
    url = _manage_url(app, "viewer_a")
    response = _post(admin, url + "/reset-password", page=url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    temporary = re.search(r'id="temporary-password">([^<]+)<', response.get_data(as_text=True))[1]
    assert len(temporary) >= 10
    assert not _signed_in(victim)  # the account's open sign-in ended
    assert ("admin_a", "user_password_reset", "viewer_a") in _actions(app)
    assert temporary not in str(_actions(app))
    assert _user(app, "viewer_a").must_change_password

    owner = app.test_client()
    login_with_csrf(owner, "viewer_a", temporary)
    for page in ("/admin/", f"/admin/assessments/{world.assessment['A']}", "/admin/supervisor"):
        forced = owner.get(page)
        assert forced.status_code == 302, page
        assert forced.headers["Location"].endswith("/admin/account/password")
    form = owner.get("/admin/account/password").get_data(as_text=True)
    assert "รหัสผ่านชั่วคราว" in form
    done = _post(owner, "/admin/account/password",
                 {"current_password": temporary, "new_password": NEW_PASSWORD,
                  "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302
    assert owner.get("/admin/").status_code == 200
    assert not _user(app, "viewer_a").must_change_password


def test_out_of_scope_accounts_answer_404_and_viewers_403(client, world, app):
    login(client, "admin_a")
    for other in ("admin_b", "viewer_b", "root"):
        assert client.get(_manage_url(app, other)).status_code == 404
        assert client.post(_manage_url(app, other) + "/reset-password").status_code == 404
        assert client.post(_manage_url(app, other) + "/active", data={"active": "0"}
                           ).status_code == 404
    assert _user(app, "admin_b").active and not _user(app, "root").must_change_password
    viewer = app.test_client()
    login(viewer, "viewer_a")
    assert viewer.get(_manage_url(app, "viewer_a")).status_code == 403
    assert viewer.post(_manage_url(app, "admin_a") + "/reset-password").status_code == 403


# -- deactivating -----------------------------------------------------------------------------


def test_deactivated_account_is_signed_out_and_cannot_sign_in_until_reactivated(app, world):
    admin, victim = app.test_client(), app.test_client()
    login(admin, "admin_a")
    login(victim, "viewer_a")
    url = _manage_url(app, "viewer_a")
    assert admin.post(url + "/active", data={"active": "0"}).status_code == 302
    assert not _signed_in(victim)
    again = app.test_client().post("/admin/login", data={"username": "viewer_a",
                                                         "password": PASSWORD})
    assert again.status_code == 401
    users_page = admin.get("/admin/users").get_data(as_text=True)
    assert "ระงับแล้ว" in users_page
    assert admin.post(url + "/active", data={"active": "1"}).status_code == 302
    login(app.test_client(), "viewer_a")
    actions = [a for _, a, t in _actions(app) if t == "viewer_a"]
    assert "user_deactivate" in actions and "user_activate" in actions


def test_nobody_deactivates_or_re_roles_themselves(client, world, app):
    login(client, "root")
    url = _manage_url(app, "root")
    response = client.post(url + "/active", data={"active": "0"}, follow_redirects=True)
    assert "ระงับบัญชีหรือเปลี่ยนบทบาทของตนเองไม่ได้" in response.get_data(as_text=True)
    refused = client.post(url + "/role", data={"role": "viewer",
                                               "agency_id": str(world.agency["A"])})
    assert refused.status_code == 400
    root = _user(app, "root")
    assert root.active and root.role == "system_admin"
    assert _signed_in(client)


# -- roles --------------------------------------------------------------------------------------


def test_agency_admin_changes_roles_only_within_its_tree_and_never_to_system_admin(
        client, world, app):
    login(client, "admin_a")
    url = _manage_url(app, "viewer_a")
    page = client.get(url).get_data(as_text=True)
    assert 'value="system_admin"' not in page
    raised = client.post(url + "/role", data={"role": "system_admin", "agency_id": ""})
    assert raised.status_code == 400
    assert _user(app, "viewer_a").role == "viewer"
    elsewhere = client.post(url + "/role", data={"role": "viewer",
                                                 "agency_id": str(world.agency["B"])})
    assert elsewhere.status_code == 400  # agency B is not among the choices
    assert _user(app, "viewer_a").agency_id == world.agency["A"]
    moved = client.post(url + "/role", data={"role": "agency_admin",
                                             "agency_id": str(world.agency["A1"])})
    assert moved.status_code == 302
    user = _user(app, "viewer_a")
    assert (user.role, user.agency_id) == ("agency_admin", world.agency["A1"])
    assert ("admin_a", "user_role", "viewer_a") in _actions(app)


def test_system_admin_makes_and_unmakes_a_system_admin_but_keeps_one(client, world, app):
    login(client, "root")
    url = _manage_url(app, "admin_b")
    assert client.post(url + "/role", data={"role": "system_admin", "agency_id": ""}
                       ).status_code == 302
    assert _user(app, "admin_b").role == "system_admin"
    assert client.post(url + "/role", data={"role": "viewer", "agency_id": str(world.agency["B"])}
                       ).status_code == 302
    assert _user(app, "admin_b").role == "viewer"


# -- ita users -----------------------------------------------------------------------------------


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch):
    from click.testing import CliRunner

    monkeypatch.setenv("ITA_DATABASE_URL", database_url)
    monkeypatch.setenv("ITA_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("ITA_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    return CliRunner()


def test_ita_users_list_set_password_deactivate_activate(cli, app, world, client):
    listed = cli.invoke(main, ["users", "list"])
    assert listed.exit_code == 0, listed.output
    assert "admin_a\tagency_admin\tA\tyes\tno" in listed.output
    assert "root\tsystem_admin\t-\tyes\tno" in listed.output

    signed_in = app.test_client()
    login(signed_in, "viewer_b")
    result = cli.invoke(main, ["users", "set-password", "viewer_b", "--password-stdin"],
                        input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output and NEW_PASSWORD not in result.output
    assert not _signed_in(signed_in)
    login(client, "viewer_b", NEW_PASSWORD)

    prompted = cli.invoke(main, ["users", "set-password", "viewer_b", "--must-change"],
                          input=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0, prompted.output
    assert PASSWORD not in prompted.output and "must be changed" in prompted.output
    assert _user(app, "viewer_b").must_change_password

    assert cli.invoke(main, ["users", "deactivate", "admin_b"]).exit_code == 0
    assert app.test_client().post("/admin/login", data={
        "username": "admin_b", "password": PASSWORD}).status_code == 401
    assert cli.invoke(main, ["users", "activate", "admin_b"]).exit_code == 0
    login(app.test_client(), "admin_b")
    actions = [(u, a, t) for u, a, t in _actions(app) if u == "(cli)"]
    assert ("(cli)", "user_deactivate", "admin_b") in actions
    assert ("(cli)", "user_password_set", "viewer_b") in actions


@pytest.mark.parametrize("args, stdin, message", [
    (["set-password", "ghost", "--password-stdin"], PASSWORD, "unknown account 'ghost'"),
    (["set-password", "admin_a", "--password-stdin"], "short", "at least 10"),
    (["deactivate", "root"], "", "last active system admin"),
    (["activate", "nobody"], "", "unknown account"),
])
def test_ita_users_refusals_exit_non_zero(cli, app, world, args, stdin, message):
    result = cli.invoke(main, ["users", *args], input=stdin + "\n")
    assert result.exit_code == 1
    assert message in result.output
    assert _user(app, "root").active


def test_a_role_change_ends_the_accounts_sign_ins(app, world):
    admin, victim = app.test_client(), app.test_client()
    login(admin, "admin_a")
    login(victim, "viewer_a")
    url = _manage_url(app, "viewer_a")
    assert admin.post(url + "/role", data={"role": "agency_admin",
                                           "agency_id": str(world.agency["A"])}
                      ).status_code == 302
    assert not _signed_in(victim)  # signs in again, under the new role
    assert _signed_in(admin)
    login(victim, "viewer_a")
    assert victim.get("/admin/users").status_code == 200  # an agency admin's page now


def test_an_account_made_with_an_admin_chosen_password_must_change_it_first(csrf_app, world):
    app = csrf_app
    admin = _client(app, "admin_a")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "รหัสผ่านชั่วคราว" in page  # the form says whose password it is
    agency = re.search(r'<option value="(\d+)">A ', page)[1]
    chosen = "chosen-by-the-admin-1"
    made = _post(admin, "/admin/users", {"username": "newcomer", "display_name": "",
                                         "role": "viewer", "agency_id": agency,
                                         "password": chosen})
    assert made.status_code == 302, made.get_data(as_text=True)[:500]
    assert _user(app, "newcomer").must_change_password
    owner = app.test_client()
    login_with_csrf(owner, "newcomer", chosen)
    forced = owner.get("/admin/")
    assert forced.status_code == 302
    assert forced.headers["Location"].endswith("/admin/account/password")
    done = _post(owner, "/admin/account/password",
                 {"current_password": chosen, "new_password": NEW_PASSWORD,
                  "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302
    assert owner.get("/admin/").status_code == 200
    assert not _user(app, "newcomer").must_change_password
