"""IIT by one-time access code, through the Flask test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import AccessCode, Assessment, Response, utcnow
from survey_app.services.codes import format_code, revoke_batch

from ..factories import ticket_of
from .conftest import (
    Respondent,
    close_and_mix,
    close_assessment,
    count_rows,
    full_answers,
    make_assessment,
    stored_answers,
    stored_iit,
)


def test_fresh_code_stores_one_anonymous_response(app, respondent, setup):
    code = format_code(setup.codes[0]).lower()  # any case, with dashes
    ticket = respondent.start_iit(code)
    answers = full_answers("IIT", option=3)
    response = respondent.submit_iit(ticket, answers)
    assert response.status_code == 200  # the thank-you page itself: no redirect
    assert "ขอบคุณที่ตอบแบบวัด" in response.get_data(as_text=True)

    # In the ballot box until a batch is complete or the assessment closes (SECURITY.md).
    assert count_rows(app, "ballot") == 1
    assert count_rows(app, "response") == 0
    assert close_and_mix(app, setup.assessment_id) == 1
    assert count_rows(app, "ballot") == 0
    with app.app_context():
        stored = db.session.scalars(sa.select(Response)).one()
        assert stored.instrument == "IIT"
        assert stored.respondent_group is None
        assert isinstance(stored.submitted_on, dt.date)
        assert stored_answers(app) == [{k: int(v) for k, v in answers.items()}]
        statuses = sorted(db.session.scalars(sa.select(AccessCode.status)))
        assert statuses == ["unused", "unused", "used"]


def test_code_without_dashes_and_with_spaces_is_accepted(respondent, setup):
    code = setup.codes[1]
    typed = f" {code[:3].lower()} {code[3:]} "
    assert respondent.enter_code(typed).status_code == 200


def test_a_code_in_the_query_string_is_dropped_never_prefilled(respondent, setup):
    # Links printed before codes moved into the URL fragment: the code leaves the address
    # bar at once and is never written into the page.
    code = format_code(setup.codes[0])
    response = respondent.client.get(f"/iit/{setup.token}?code={code}&lang=en")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/iit/{setup.token}?lang=en"
    page = respondent.client.get(response.headers["Location"]).get_data(as_text=True)
    assert code not in page
    assert 'value=""' in page


def test_code_entry_never_puts_the_code_in_a_url_or_the_session(respondent, setup):
    import base64
    import json
    import zlib

    from flask.sessions import SecureCookieSessionInterface

    code = setup.codes[0]
    entered = respondent.enter_code(format_code(code))
    assert entered.status_code == 200 and "Location" not in entered.headers
    page = entered.get_data(as_text=True)
    again = respondent.open_iit_questionnaire().get_data(as_text=True)  # its own address
    assert code not in again and format_code(code) not in again
    cookie = respondent.client.get_cookie("session", domain="ita.test").value
    serializer = SecureCookieSessionInterface().get_signing_serializer(respondent.client.application)
    assert code not in json.dumps(serializer.loads(cookie))
    payload = cookie.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    text = (zlib.decompress(raw) if cookie.startswith(".") else raw).decode()
    assert code not in text and format_code(code) not in text
    assert code not in page and format_code(code) not in page  # the ticket carries the hash
    assert respondent.submit_iit(respondent.ticket()).status_code == 200
    # After the answers only which hash this browser sent stays (to say "already received"
    # on a reload): no way back to the questionnaire, and still never the code.
    kept = serializer.loads(respondent.client.get_cookie("session", domain="ita.test").value)
    assert "h" not in kept["iit"] and code not in json.dumps(kept)


def test_reused_code_is_refused_at_entry_and_at_submission(app, client, setup):
    first, second = Respondent(client, setup.token), Respondent(app.test_client(), setup.token)
    ticket_1 = first.start_iit(setup.codes[0])
    ticket_2 = second.start_iit(setup.codes[0])  # both verified before either submitted
    assert first.submit_iit(ticket_1).status_code == 200
    again = second.submit_iit(ticket_2)
    assert again.status_code == 409
    assert "รหัสนี้ถูกใช้ตอบแบบวัดไปแล้ว" in again.get_data(as_text=True)
    entry = Respondent(app.test_client(), setup.token).enter_code(setup.codes[0])
    assert entry.status_code == 422
    assert "รหัสนี้ถูกใช้ตอบแบบวัดไปแล้ว" in entry.get_data(as_text=True)
    assert stored_iit(app) == 1


def test_back_and_resubmit_after_thanks_stores_nothing(app, respondent, setup):
    ticket = respondent.start_iit(setup.codes[0])
    assert respondent.submit_iit(ticket).status_code == 200
    # A reload of the thank-you page posts the form again: "already received", not an error.
    reload = respondent.submit_iit(ticket)
    assert reload.status_code == 409
    page = reload.get_data(as_text=True)
    assert "ถูกส่งและบันทึกไปแล้ว" in page and 'role="alert"' not in page
    # Back: the questionnaire page now sends the person to the code page …
    back = respondent.open_iit_questionnaire()
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/iit/{setup.token}")
    # … and a browser that re-posts the old form is still told it was received.
    assert respondent.submit_iit(ticket).status_code == 409
    # Back twice, to the questionnaire the code's POST answered with: the browser posts the
    # code again and is told the answers were received (not "this code was used").
    code_again = respondent.enter_code(setup.codes[0])
    assert code_again.status_code == 409
    page = code_again.get_data(as_text=True)
    assert "ถูกส่งและบันทึกไปแล้ว" in page and 'role="alert"' not in page
    # Another browser with the same code is told it was used, as before.
    other = Respondent(app.test_client(), setup.token).enter_code(setup.codes[0])
    assert other.status_code == 422 and "รหัสนี้ถูกใช้ตอบแบบวัดไปแล้ว" in other.get_data(as_text=True)
    assert stored_iit(app) == 1


def test_the_code_is_answered_with_the_questionnaire_and_a_reload_is_safe(app, respondent,
                                                                           setup):
    """The code's POST answers with the questionnaire itself (no redirect, one request
    fewer): its form posts to the questionnaire's address and its language switch opens that
    address.  A reload sends the code again: the same questionnaire, nothing stored, the code
    still unused until the answers are sent."""
    entered = respondent.enter_code(setup.codes[0])
    assert entered.status_code == 200 and "Location" not in entered.headers
    page = entered.get_data(as_text=True)
    questionnaire = f"/iit/{setup.token}/questionnaire"
    assert f'action="{questionnaire}"' in page and 'name="i1.1"' in page
    assert f'href="{questionnaire}?lang=en"' in page
    reloaded = respondent.enter_code(setup.codes[0])
    assert reloaded.status_code == 200 and 'name="ticket"' in reloaded.get_data(as_text=True)
    assert count_rows(app, "access_code WHERE status = 'used'") == 0
    assert stored_iit(app) == 0
    # The language switch: the questionnaire at its own address, in English, still working.
    english = respondent.client.get(f"{questionnaire}?lang=en")
    assert english.status_code == 200
    assert "Indicator 1 of 5" in english.get_data(as_text=True)
    assert respondent.submit_iit(respondent.ticket()).status_code == 200
    assert respondent.submit_iit(ticket_of(page)).status_code == 409  # one code, one answer
    assert stored_iit(app) == 1


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ABC", "รหัสไม่ถูกรูปแบบ"),
        ("2222-2222-22", "ไม่พบรหัสนี้"),
        ("0OIL-0OIL-01", "รหัสไม่ถูกรูปแบบ"),
    ],
)
def test_wrong_codes_get_their_own_message(app, respondent, typed, expected):
    response = respondent.enter_code(typed)
    assert response.status_code == 422
    assert expected in response.get_data(as_text=True)
    assert stored_iit(app) == 0


def test_revoked_code_gets_its_own_message(app, respondent, setup):
    with app.app_context():
        assessment = db.session.get(Assessment, setup.assessment_id)
        assert revoke_batch(db.session, assessment, "test") == len(setup.codes)
        db.session.commit()
    response = respondent.enter_code(setup.codes[2])
    assert response.status_code == 422
    assert "รหัสนี้ถูกยกเลิกแล้ว" in response.get_data(as_text=True)


def test_code_of_another_assessment_is_unknown(app, client, setup):
    other = make_assessment(app, agency_code="OTHER")
    response = Respondent(client, setup.token).enter_code(other.codes[0])
    assert response.status_code == 422
    assert "ไม่พบรหัสนี้" in response.get_data(as_text=True)


def test_not_yet_open_and_expired_codes_get_their_own_messages(app, client):
    now = utcnow()
    future = make_assessment(app, agency_code="FUT", opens_at=now + dt.timedelta(days=3),
                             closes_at=now + dt.timedelta(days=30))
    past = make_assessment(app, agency_code="PAST", opens_at=now - dt.timedelta(days=30),
                           closes_at=now - dt.timedelta(days=1))
    early = Respondent(client, future.token).enter_code(future.codes[0])
    assert early.status_code == 422 and "ยังไม่เปิดให้ตอบ" in early.get_data(as_text=True)
    late = Respondent(client, past.token).enter_code(past.codes[0])
    assert late.status_code == 422 and "หมดเวลาตอบแบบวัดนี้แล้ว" in late.get_data(as_text=True)
    assert client.get(f"/iit/{future.token}").status_code == 403
    assert client.get(f"/iit/{past.token}").status_code == 410


def test_eligibility_must_be_confirmed(app, respondent, setup):
    refused = respondent.enter_code(setup.codes[0], eligible=False)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "อย่างน้อย 1 ปี" in page and 'id="eligible-error"' in page
    # Skipping the box does not reach the questionnaire.
    assert respondent.open_iit_questionnaire().status_code == 302


def test_a_wrong_code_is_named_before_the_eligibility_box(respondent):
    refused = respondent.enter_code("2222-2222-22", eligible=False)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "ไม่พบรหัสนี้" in page and 'id="eligible-error"' not in page


def test_code_page_shows_the_pdpa_notice_and_the_eligibility_box(respondent, setup):
    page = respondent.client.get(f"/iit/{setup.token}").get_data(as_text=True)
    assert "การคุ้มครองข้อมูลส่วนบุคคล" in page and "ที่อยู่ IP" in page
    assert 'name="eligible" value="y"' in page


def test_missing_answers_rerender_with_answers_kept_and_errors_beside_items(
    app, respondent, setup
):
    ticket = respondent.start_iit(setup.codes[0])
    answers = full_answers("IIT", option=2)
    del answers["i1.2"], answers["i30.4"]
    response = respondent.submit_iit(ticket, answers)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "ยังตอบไม่ครบ 2 ข้อ" in page
    assert 'id="q-i1-2-error"' in page and 'id="q-i30-4-error"' in page
    assert page.count("กรุณาเลือกคำตอบ") == 2
    assert page.count("checked") == len(answers)  # every given answer is still selected
    assert stored_iit(app) == 0
    assert count_rows(app, "access_code WHERE status = 'used'") == 0


@pytest.mark.parametrize(
    "tamper",
    [
        {"i99": "1"},  # unknown item
        {"i1.1": "7"},  # out-of-range code
        {"i4.1": "4"},  # a 4-level code on a yes/no item
        {"i1.1": "x"},  # not a number
    ],
)
def test_tampered_post_is_400_and_stores_nothing(app, respondent, setup, tamper):
    ticket = respondent.start_iit(setup.codes[0])
    response = respondent.submit_iit(ticket, {**full_answers("IIT"), **tamper})
    assert response.status_code == 400
    assert "ไม่ได้บันทึกสิ่งใด" in response.get_data(as_text=True)
    assert stored_iit(app) == 0
    assert count_rows(app, "access_code WHERE status = 'used'") == 0


def test_forged_ticket_is_400(app, respondent, setup):
    respondent.start_iit(setup.codes[0])
    response = respondent.submit_iit("forged.ticket")
    assert response.status_code == 400
    assert stored_iit(app) == 0


def test_submission_to_a_closed_assessment_is_400(app, respondent, setup):
    ticket = respondent.start_iit(setup.codes[0])
    close_assessment(app, setup.assessment_id)
    response = respondent.submit_iit(ticket)
    assert response.status_code == 400
    assert "ไม่ได้เปิดรับคำตอบ" in response.get_data(as_text=True)
    assert stored_iit(app) == 0
    assert count_rows(app, "access_code WHERE status = 'used'") == 0


def test_english_switch(respondent, setup):
    page = respondent.client.get(f"/iit/{setup.token}?lang=en").get_data(as_text=True)
    assert "Access code" in page and 'lang="en"' in page
    ticket = respondent.start_iit(setup.codes[0])
    assert ticket
    page = respondent.open_iit_questionnaire().get_data(as_text=True)
    assert "Indicator 1 of 5" in page and "Following the set procedures" in page


def test_questionnaire_page_is_accessible_markup(respondent, setup):
    respondent.start_iit(setup.codes[0])
    page = respondent.open_iit_questionnaire().get_data(as_text=True)
    assert page.count("<fieldset") >= 51 and page.count("<legend") == page.count("<fieldset")
    assert "ตัวชี้วัดที่ 1 จาก 5" in page and "ตัวชี้วัดที่ 5 จาก 5" in page
    # Every radio button sits inside its label.
    assert page.count('type="radio"') == page.count('<label class="opt">')
    assert "<script" not in page


def test_unknown_token_is_404(client):
    assert client.get("/iit/not-a-token").status_code == 404
    assert client.post("/iit/not-a-token/questionnaire", data={}).status_code == 404


def test_the_code_page_loads_only_our_own_script(respondent, setup):
    page = respondent.client.get(f"/iit/{setup.token}").get_data(as_text=True)
    assert page.count("<script") == 1
    assert '<script src="/static/iit-code.js?v=' in page  # no inline script
    with respondent.client.get("/static/iit-code.js") as served:
        script = served.get_data(as_text=True)
    assert "location.hash" in script and "replaceState" in script and "focus()" in script
    assert "submit()" not in script  # the person ticks the eligibility box and sends


def test_security_headers(respondent, setup):
    response = respondent.client.get(f"/iit/{setup.token}")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_empty_submission_lists_a_dozen_items_and_counts_the_rest(respondent, setup):
    ticket = respondent.start_iit(setup.codes[0])
    page = respondent.submit_iit(ticket, {}).get_data(as_text=True)
    assert "ยังตอบไม่ครบ 51 ข้อ" in page
    assert "และอีก 39 ข้อ" in page
    assert page.count("กรุณาเลือกคำตอบ") == 51
