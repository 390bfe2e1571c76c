"""The questionnaire on a 360 px phone (issue 18): a 6-level scale is one list top to bottom,
the red "please choose" goes once the question is answered (no script), the counter and the
intro give the same number of answers, and no Thai compound word is split across lines."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from survey_app.i18n import THAI_COMPOUNDS

from .conftest import answer_everything, wait_for_slip_code

pytestmark = pytest.mark.browser

#: Every place a line breaks between two Thai letters: "8 letters before|8 after".
LINE_BREAKS = (Path(__file__).parent / "line_breaks.js").read_text(encoding="utf-8")


def split_compounds(page) -> list[str]:
    """The line breaks of ``page`` that fall inside a word of THAI_COMPOUNDS."""
    split = []
    for where in page.evaluate(LINE_BREAKS):
        before, after = where.split("|", 1)
        for word in THAI_COMPOUNDS:
            if any(before.endswith(word[:i]) and after.startswith(word[i:])
                   for i in range(1, len(word))):
                split.append(f"{where} ({word})")
    return split


def test_a_six_level_scale_is_one_list_in_order(live, phone):
    phone.goto(live.info.eit_url)
    scales = phone.locator(".options-6")
    assert scales.count() > 0
    for k in range(scales.count()):
        boxes = [o.bounding_box() for o in scales.nth(k).locator(".opt").all()]
        assert len(boxes) == 6
        assert len({round(b["x"]) for b in boxes}) == 1  # one column
        assert all(a["y"] < b["y"] for a, b in itertools.pairwise(boxes))  # in order
        # each label on one or two lines, never 3-5 in a narrow box
        assert all(b["height"] < 80 and b["width"] > 250 for b in boxes), boxes


def test_thai_words_stay_whole_on_a_phone(live, phone, shot):
    phone.goto(live.info.eit_url)
    assert split_compounds(phone) == []
    phone.goto(live.info.iit_code_urls[2])
    wait_for_slip_code(phone)
    phone.get_by_role("checkbox").first.check()
    phone.get_by_role("button").last.click()
    phone.wait_for_load_state()
    assert phone.locator(".options").count() > 10  # the IIT questionnaire itself
    assert split_compounds(phone) == []
    shot(phone, "iit-phone-questionnaire")


def test_the_counter_and_the_intro_agree(live, phone):
    phone.goto(live.info.eit_url)
    intro = phone.locator("p.meta", has_text="ทุกข้อต้องตอบ").inner_text()
    total = re.search(r"รวม (\d+) คำตอบ", intro)[1]
    counter = phone.locator(".submit-bar .progress").inner_text()
    assert counter.strip().endswith(f"จาก {total}"), (intro, counter)
    assert answer_everything(phone) == int(total)  # radio groups: the questions and the group


def test_the_red_please_choose_goes_once_answered_without_script(live, new_page, shot):
    from .conftest import PHONE

    page = new_page(java_script_enabled=False, viewport=PHONE, device_scale_factor=2,
                    is_mobile=True, has_touch=True)
    page.goto(live.info.eit_url)
    page.locator('input[name="respondent_group"]').first.check()
    page.locator("button[type=submit]").click()  # every question left blank
    page.wait_for_load_state()
    errors = page.locator("fieldset.question:not(.group) .field-error")
    assert errors.count() > 5 and errors.first.is_visible()
    name = page.locator("fieldset.question:not(.group) input[type=radio]").nth(0) \
        .get_attribute("name")
    page.locator(f'input[name="{name}"]').last.check()
    assert not page.locator(f"#q-{name.replace('.', '-')} .field-error").is_visible()
    assert errors.nth(1).is_visible()  # the questions still blank keep theirs
    shot(page, "eit-phone-answered-after-error")
