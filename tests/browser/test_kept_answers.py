"""Nothing a respondent chose is lost: not when the form is sent incomplete, not when the
page stayed open past the CSRF token's lifetime (two seconds here; an hour by default)."""

from __future__ import annotations

import time

import pytest

from .conftest import (
    answer_everything,
    wait_for_questionnaire,
    wait_for_slip_code,
    wait_for_thanks,
)

pytestmark = pytest.mark.browser

CSRF_SECONDS = 2
LIVE_CONFIG = {"WTF_CSRF_TIME_LIMIT": CSRF_SECONDS}


def _checked(page) -> dict[str, str]:
    return page.evaluate("""() => Object.fromEntries(
        [...document.querySelectorAll('input[type=radio]:checked')].map(e => [e.name, e.value]))""")


def test_a_rejected_eit_keeps_every_answer(live, phone, shot):
    info = live.info
    phone.goto(info.eit_url)
    answer_everything(phone, pick="first")
    left_blank = phone.locator("fieldset.question input[type=radio]").nth(0).get_attribute("name")
    phone.evaluate(f"() => document.querySelectorAll('input[name=\"{left_blank}\"]')"
                   ".forEach(e => e.checked = false)")
    chosen = _checked(phone)
    phone.get_by_role("button", name="ส่งคำตอบ").click()
    phone.wait_for_load_state()
    assert "ยังตอบไม่ครบ" in phone.content()
    assert phone.locator(".has-error").count() == 1
    assert _checked(phone) == chosen
    shot(phone, "eit-phone-missing-answer")
    phone.locator(f'input[name="{left_blank}"]').first.check()
    phone.get_by_role("button", name="ส่งคำตอบ").click()
    wait_for_thanks(phone)


def _wait_past_the_token() -> None:
    time.sleep(CSRF_SECONDS + 1.5)


EXPIRED = "หน้านี้เปิดไว้นาน"


def test_an_eit_past_the_csrf_lifetime_keeps_every_answer(live, phone):
    info = live.info
    phone.goto(info.eit_url)
    answer_everything(phone)
    chosen = _checked(phone)
    _wait_past_the_token()
    phone.get_by_role("button", name="ส่งคำตอบ").click()
    phone.wait_for_load_state()
    assert EXPIRED in phone.locator("[role=alert]").first.inner_text()
    assert _checked(phone) == chosen
    phone.get_by_role("button", name="ส่งคำตอบ").click()
    wait_for_thanks(phone)


def test_an_iit_past_the_csrf_lifetime_keeps_every_answer(live, phone):
    info = live.info
    phone.goto(info.iit_code_urls[2])
    wait_for_slip_code(phone)
    phone.locator("input[type=checkbox]").check()
    phone.locator("form button[type=submit]").click()
    wait_for_questionnaire(phone)
    answer_everything(phone)
    chosen = _checked(phone)
    _wait_past_the_token()
    phone.get_by_role("button", name="ส่งคำตอบ").click()
    phone.wait_for_load_state()
    assert EXPIRED in phone.locator("[role=alert]").first.inner_text()
    assert _checked(phone) == chosen
    phone.get_by_role("button", name="ส่งคำตอบ").click()
    wait_for_thanks(phone)
