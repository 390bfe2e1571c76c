"""Keyboard only (Tab, Space, arrow keys, Enter) completes both questionnaires, with the
focus visible at every stop (ita.css :focus-visible)."""

from __future__ import annotations

import pytest

from questionnaires import load_instrument_set

from .conftest import wait_for_questionnaire, wait_for_thanks
from .keyboard import answer_questionnaire_by_keyboard, tab_to

pytestmark = pytest.mark.browser


def test_eit_by_keyboard_alone(live, phone):
    info = live.info
    phone.goto(info.eit_url)
    answered = answer_questionnaire_by_keyboard(phone, "ส่งคำตอบ")
    wait_for_thanks(phone)
    assert answered == 1 + len(load_instrument_set(info.instrument_set).columns_for("EIT"))


def test_iit_by_keyboard_alone(live, phone):
    info = live.info
    phone.goto(info.iit_url)
    tab_to(phone, lambda f: f["tag"] == "input" and f["name"] == "code")
    phone.keyboard.type(info.unused_iit_codes[0])
    tab_to(phone, lambda f: f["type"] == "checkbox")
    phone.keyboard.press("Space")
    tab_to(phone, lambda f: f["tag"] == "button")
    phone.keyboard.press("Enter")
    wait_for_questionnaire(phone)
    answered = answer_questionnaire_by_keyboard(phone, "ส่งคำตอบ")
    wait_for_thanks(phone)
    assert answered == len(load_instrument_set(info.instrument_set).columns_for("IIT"))
