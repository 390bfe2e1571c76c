"""CSRF stays on here: a token-less POST stores nothing; an expired token loses no answers."""

from __future__ import annotations

import re

import pytest

from survey_app import create_app
from survey_app.extensions import db

from ..factories import ticket_of
from .conftest import (
    app_config,
    count_rows,
    full_answers,
    make_assessment,
    stored_iit,
)


@pytest.fixture
def csrf_app(database_url, tmp_path):
    app = create_app(app_config(database_url, tmp_path, WTF_CSRF_ENABLED=True))
    yield app
    db.dispose(app)


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_tokenless_posts_are_400_and_store_nothing(csrf_app):
    setup = make_assessment(csrf_app)
    client = csrf_app.test_client()
    eit = client.post(f"/eit/{setup.token}", data={"respondent_group": "public",
                                                   **full_answers("EIT")})
    assert eit.status_code == 400
    assert "รหัสความปลอดภัย" in eit.get_data(as_text=True)
    iit = client.post(f"/iit/{setup.token}/questionnaire", data=full_answers("IIT"))
    assert iit.status_code == 400
    assert count_rows(csrf_app, "response") == 0


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_expired_token_rerenders_with_answers_then_submits(csrf_app):
    setup = make_assessment(csrf_app)
    client = csrf_app.test_client()
    page = client.get(f"/eit/{setup.token}").get_data(as_text=True)
    nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
    answers = full_answers("EIT", option=3)
    stale = {"csrf_token": "an-expired-token", "nonce": nonce, "respondent_group": "private",
             **answers}
    again = client.post(f"/eit/{setup.token}", data=stale)
    assert again.status_code == 400
    text = again.get_data(as_text=True)
    assert "กรุณากด \"ส่งคำตอบ\" อีกครั้ง" in text or "กรุณากด &#34;ส่งคำตอบ&#34; อีกครั้ง" in text
    assert text.count("checked") == len(answers) + 1  # the answers and the group are kept
    assert count_rows(csrf_app, "response") == 0
    # Pressing submit again posts the re-rendered form with its fresh token and nonce.
    fresh = {"csrf_token": _token(text),
             "nonce": re.search(r'name="nonce" value="([^"]+)"', text).group(1),
             "respondent_group": "private", **answers}
    assert client.post(f"/eit/{setup.token}", data=fresh).status_code == 200
    assert count_rows(csrf_app, "response") == 1


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_iit_flow_with_csrf_and_lost_session(csrf_app):
    setup = make_assessment(csrf_app)
    client = csrf_app.test_client()
    page = client.get(f"/iit/{setup.token}").get_data(as_text=True)
    r = client.post(f"/iit/{setup.token}", data={"csrf_token": _token(page),
                                                 "code": setup.codes[0], "eligible": "y"})
    assert r.status_code == 200  # the questionnaire answers the code
    page = r.get_data(as_text=True)
    ticket = ticket_of(page)
    token = _token(page)
    # The person's session cookie is lost (browser restarted) while answering.
    fresh_browser = csrf_app.test_client()
    data = {"csrf_token": token, "ticket": ticket, **full_answers("IIT")}
    kept = fresh_browser.post(f"/iit/{setup.token}/questionnaire", data=data)
    assert kept.status_code == 400
    text = kept.get_data(as_text=True)
    assert text.count("checked") == 51
    assert stored_iit(csrf_app) == 0
    data["csrf_token"] = _token(text)
    done = fresh_browser.post(f"/iit/{setup.token}/questionnaire", data=data)
    assert done.status_code == 200
    assert stored_iit(csrf_app) == 1
