"""The measures dashboard in words (issue 18): a measure planned for a later quarter is "not yet
due" (ยังไม่ถึงกำหนด), not "not started"; one quarter reads "ไตรมาส 3", not "ไตรมาส 3–3"; a
reported quarter says so in words, not a bare ✓; the follow-up preview link says what it opens."""

from __future__ import annotations

import re

from survey_app.extensions import db
from survey_app.models import Assessment
from survey_app.services.measures import ProgressEntry, add_measure, save_progress

from .console_world import login
from .test_measures_year import _plan


def _cells(html: str, measure: str) -> list[str]:
    """The cells of ``measure``'s row of the table of all measures: indicator, measure,
    period, Q1-Q4."""
    table = html[html.index('id="all"'):]
    row = re.search(r"<tr>(?:(?!</tr>).)*>" + measure + r"</a>(?:(?!</tr>).)*</tr>", table, re.S)
    assert row, measure
    return [re.sub(r"<[^>]+>|\s+", " ", c).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)]


def test_a_measure_planned_for_q3_is_not_yet_due_in_q1(app, client, world):
    _plan(app, world)
    with app.app_context():
        row = add_measure(db.session, db.session.get(Assessment, world.assessment["A"]),
                          indicator="10", measure="only-q3", start_quarter=3, end_quarter=3)
        save_progress(db.session, row, {3: ProgressEntry(3, "in_progress", "", ())})
        db.session.commit()
    login(client, "admin_a")
    base = f"/admin/assessments/{world.assessment['A']}/measures/dashboard"
    q1 = client.get(base + "?quarter=1").get_data(as_text=True)
    counts = dict(re.findall(r'data-status="(\w+)">(\d+)<', q1))
    # "dropped" (Q2), "late" (Q3-4) and "only-q3" are not due in Q1; the world's measure
    # has no quarters: not started
    assert counts["not_due"] == "3" and counts["not_started"] == "1", counts
    assert _cells(q1, "late")[2:] == ["ไตรมาส 3–4", "ยังไม่ถึงกำหนด", "", "", ""]
    assert _cells(q1, "only-q3")[2] == "ไตรมาส 3"
    q3 = client.get(base + "?quarter=3").get_data(as_text=True)
    assert "ไตรมาส 3–3" not in q3 and "✓" not in q3
    assert _cells(q3, "only-q3")[3:] == ["ยังไม่ถึงกำหนด", "ยังไม่ถึงกำหนด",
                                        "อยู่ระหว่างดำเนินการ รายงานแล้ว", ""]
    # the early measure reported in Q1 says so in words
    assert _cells(q3, "early")[3].endswith("รายงานแล้ว")
    q4 = client.get(base + "?quarter=4").get_data(as_text=True)
    assert _cells(q4, "late")[3:] == ["ยังไม่ถึงกำหนด", "ยังไม่ถึงกำหนด", "ยังไม่ดำเนินการ",
                                     "ยังไม่ดำเนินการ"]
    # the follow-up report's preview is named as the report, not as an import check
    preview = re.search(r'<a href="[^"]*/follow-up/q1">([^<]+)</a>', q1).group(1)
    assert preview == "ดูรายงานบนหน้าเว็บ"
    assert "ตรวจสอบก่อนนำเข้า" not in q1
