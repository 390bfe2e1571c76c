"""Bodies no page of ours sends are refused with a Thai 400 page and store nothing.

(The seeded fuzz of thousands of such bodies per endpoint is ``test_fuzz.py``; these are the
named cases.)
"""

from __future__ import annotations

import io

import pytest

from .conftest import count_answers, count_rows, full_answers
from .test_database_faults import stored_responses

NOT_OPTION_CODES = ["๔", "٤", "４", "+4", "4.0", " 4", "4 ", "04", "4e0", "4_0", "-1",
                    "9" * 400, "9" * 5000, "0x4", "①"]


def _stored(app) -> tuple[int, int, int]:
    return (stored_responses(app), count_answers(app),
            count_rows(app, "access_code WHERE status = 'used'"))


@pytest.mark.parametrize("value", NOT_OPTION_CODES)
def test_an_option_code_written_any_other_way_is_refused(app, respondent, setup, value):
    answers = {**full_answers("EIT"), "e1": value}
    response = respondent.submit_eit(answers)
    assert response.status_code == 400
    assert "ไม่ได้บันทึกสิ่งใด" in response.get_data(as_text=True)
    ticket = respondent.start_iit(setup.codes[0])
    response = respondent.submit_iit(ticket, {**full_answers("IIT"), "i2": value})
    assert response.status_code == 400
    assert _stored(app) == (0, 0, 0)


def test_the_plain_ascii_codes_are_still_taken(app, respondent):
    assert respondent.submit_eit().status_code == 200
    assert stored_responses(app) == 1


@pytest.mark.parametrize("with_file", [True, False], ids=["file-part", "multipart-text-only"])
@pytest.mark.parametrize("path, fields", [
    ("/eit/{token}", {**full_answers("EIT"), "respondent_group": "public", "nonce": "x"}),
    ("/iit/{token}", {"code": "2222-2222-22", "eligible": "y"}),
    ("/iit/{token}/questionnaire", {**full_answers("IIT"), "ticket": "x"}),
    ("/admin/login", {"username": "root", "password": "a-long-test-password"}),
], ids=["eit", "code", "iit", "login"])
def test_multipart_bodies_and_file_parts_are_refused(app, client, setup, path, fields,
                                                     with_file):
    data: dict[str, object] = dict(fields)
    if with_file:
        name = next(iter(fields))
        data[name] = (io.BytesIO(b"4"), "answer.txt")  # a file where text belongs
    response = client.post(path.format(token=setup.token), data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "ไม่รับไฟล์แนบ" in response.get_data(as_text=True)
    assert _stored(app) == (0, 0, 0) and count_rows(app, "audit_event") == 0


@pytest.mark.parametrize("value", ["yes", "on", "1", "true", "Y", " y", "y ", "y\x00", "ใช่",
                                   "ｙ", "y" * 300])
def test_consent_values_other_than_the_form_s_are_refused(app, respondent, setup, value):
    response = respondent.client.post(f"/iit/{setup.token}",
                                      data={"code": setup.codes[0], "eligible": value})
    assert response.status_code == 400
    assert "ค่าการยืนยันคุณสมบัติ" in response.get_data(as_text=True)
    # not confirmed: the questionnaire is not open to this session
    assert respondent.open_iit_questionnaire().status_code == 302
    assert respondent.enter_code(setup.codes[0]).status_code == 200  # the real checkbox works


def test_unticked_consent_is_asked_again_not_refused(respondent, setup):
    response = respondent.enter_code(setup.codes[0], eligible=False)
    assert response.status_code == 422
    assert setup.codes[0] in response.get_data(as_text=True)  # what was typed is kept
    assert respondent.open_iit_questionnaire().status_code == 302


@pytest.mark.parametrize("path, data", [
    ("/iit/{token}", [("code", "2222-2222-22"), ("code", "3333-3333-33")]),
    ("/iit/{token}", [("code", "2222-2222-22"), ("role", "admin")]),
    ("/eit/{token}", [*full_answers("EIT").items(), ("e1", "1"), ("respondent_group", "public")]),
])
def test_repeated_or_unknown_fields_are_refused(app, client, setup, path, data):
    from urllib.parse import urlencode

    response = client.post(path.format(token=setup.token), data=urlencode(data),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert _stored(app) == (0, 0, 0)


@pytest.mark.parametrize("username", ["root\x00", "a\x00b", "ro\not", "x" * 65])
def test_malformed_sign_ins_are_refused_before_any_query(app, client, username):
    response = client.post("/admin/login", data={"username": username,
                                                 "password": "a-long-test-password"})
    assert response.status_code == 401
    assert count_rows(app, "audit_event") == 0 and count_rows(app, "admin_session") == 0
