"""EIT by public link, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Response

from .conftest import close_assessment, count_rows, full_answers, stored_answers


def test_eit_submission_stores_group_and_answers(app, respondent, setup):
    answers = full_answers("EIT", option=4)
    response = respondent.submit_eit(answers, group="school")
    assert response.status_code == 200  # the thank-you page itself: no redirect
    page = response.get_data(as_text=True)
    assert "ขอบคุณที่ตอบแบบวัด" in page
    with app.app_context():
        stored = db.session.scalars(sa.select(Response)).one()
        assert (stored.instrument, stored.respondent_group) == ("EIT", "school")
    assert stored_answers(app) == [{k: int(v) for k, v in answers.items()}]


def test_page_shows_groups_pdpa_and_all_items(respondent, setup):
    page = respondent.client.get(f"/eit/{setup.token}").get_data(as_text=True)
    for label in ("สถานศึกษา / โรงเรียน", "ประชาชนทั่วไป / ผู้ปกครอง", "หน่วยงานของรัฐอื่น"):
        assert label in page
    assert "การคุ้มครองข้อมูลส่วนบุคคล" in page
    assert "ตัวชี้วัดที่ 3 จาก 3" in page
    assert page.count('type="radio"') == page.count('<label class="opt">')


def test_back_and_resubmit_stores_nothing_but_a_new_visit_may_answer(app, respondent, setup):
    nonce = respondent.eit_nonce()
    assert respondent.submit_eit(nonce=nonce).status_code == 200
    again = respondent.submit_eit(nonce=nonce)  # a reload of the thank-you page
    assert again.status_code == 409
    page = again.get_data(as_text=True)
    assert "ถูกส่งและบันทึกไปแล้ว" in page and 'role="alert"' not in page  # friendly, no error
    assert count_rows(app, "response") == 1
    # The browser is warned it already answered, and a new person on it can still answer.
    page = respondent.client.get(f"/eit/{setup.token}").get_data(as_text=True)
    assert "เบราว์เซอร์นี้เคยใช้ตอบแบบวัดนี้แล้ว" in page
    assert respondent.submit_eit().status_code == 200
    assert count_rows(app, "response") == 2


def test_fresh_browser_gets_no_warning(respondent, setup):
    page = respondent.client.get(f"/eit/{setup.token}").get_data(as_text=True)
    assert "เบราว์เซอร์นี้เคยใช้ตอบ" not in page


def test_forged_answered_cookie_is_ignored(respondent, setup, app):
    respondent.client.set_cookie(f"ita_eit_{setup.assessment_id}", "forged", domain="ita.test")
    page = respondent.client.get(f"/eit/{setup.token}").get_data(as_text=True)
    assert "เบราว์เซอร์นี้เคยใช้ตอบ" not in page


def test_honeypot_pretends_success_and_stores_nothing(app, respondent, setup):
    response = respondent.submit_eit(website="http://spam.example")
    assert response.status_code == 200
    assert "ขอบคุณที่ตอบแบบวัด" in response.get_data(as_text=True)
    assert count_rows(app, "response") == 0


def test_missing_group_and_answers_rerender_with_answers_kept(app, respondent):
    answers = full_answers("EIT", option=3)
    del answers["e4.2"]
    response = respondent.submit_eit(answers, group=None)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "ยังตอบไม่ครบ 2 ข้อ" in page
    assert "กรุณาเลือกกลุ่มของท่าน" in page and 'id="q-e4-2-error"' in page
    assert page.count("checked") == len(answers)
    assert count_rows(app, "response") == 0


@pytest.mark.parametrize(
    "tamper",
    [{"e16": "1"}, {"e1": "5"}, {"e8": "3"}, {"respondent_group": "martian"}, {"i1.1": "4"}],
)
def test_tampered_post_is_400_and_stores_nothing(app, respondent, tamper):
    response = respondent.submit_eit(**tamper)
    assert response.status_code == 400
    assert count_rows(app, "response") == 0


def test_closed_assessment_page_and_post(app, respondent, setup):
    close_assessment(app, setup.assessment_id)
    assert respondent.client.get(f"/eit/{setup.token}").status_code == 410
    response = respondent.submit_eit(nonce="x")
    assert response.status_code == 400
    assert count_rows(app, "response") == 0


def test_qr_codes_are_served_as_png_and_svg(client, setup):
    png = client.get(f"/eit/{setup.token}/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data.startswith(b"\x89PNG")
    svg = client.get(f"/eit/{setup.token}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert b"<svg" in svg.data
    assert f"http://ita.test/eit/{setup.token}".encode() in svg.data  # the title
    assert client.get("/eit/unknown/qr.png").status_code == 404
