"""The questionnaire's answered counter counts what the validation asks for (issue 11: the EIT
counter said "0 of 17" while the error said "18 not answered")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import survey_app

CSS = Path(survey_app.__file__).parent / "static" / "ita.css"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_eit_counter_total_matches_the_not_answered_count(respondent):
    page = respondent.submit_eit(answers={}, group=None)
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    not_answered = int(re.search(r"ยังตอบไม่ครบ (\d+) ข้อ", text).group(1))
    total = int(re.search(r'<span class="count"></span> จาก (\d+)</p>', text).group(1))
    assert total == not_answered
    # every fieldset the CSS counter counts is one of those required answers …
    assert len(re.findall(r'<fieldset class="question[ "]', text)) == total
    # … because the counter counts every question fieldset, the respondent group included
    assert ".question input:checked { counter-increment: answered; }" in CSS.read_text()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_iit_counter_counts_the_questions(respondent, setup):
    ticket = respondent.start_iit(setup.codes[0])
    text = respondent.submit_iit(ticket, answers={}).get_data(as_text=True)
    not_answered = int(re.search(r"ยังตอบไม่ครบ (\d+) ข้อ", text).group(1))
    total = int(re.search(r'<span class="count"></span> จาก (\d+)</p>', text).group(1))
    assert total == not_answered == len(re.findall(r'<fieldset class="question[ "]', text))
