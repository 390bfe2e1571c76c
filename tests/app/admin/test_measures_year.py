"""Improvement measures through the year: quarters, per-quarter progress with evidence, the
dashboard by status and the follow-up report (รายงานผลการดำเนินงานตามมาตรการ) per quarter and for
the year, from the console and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import unicodedata

import docx
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from survey_app.cli import main
from survey_app.extensions import db
from survey_app.models import Assessment, AuditEvent, ImprovementMeasure, MeasureProgress
from survey_app.quarters import parse_period, quarter_of, quarters_closed
from survey_app.services import reports
from survey_app.services.measures import (
    add_measure,
    follow_up_view,
    measures_year,
    read_progress,
    save_progress,
)

from ...external import tool
from .console_world import login


@pytest.fixture
def admin(client, world):
    login(client, "admin_a")
    return client


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


# -- quarters of the fiscal year ---------------------------------------------------------------


def test_quarters_of_the_fiscal_year():
    # B.E. 2570 runs from October 2026 (C.E.) to September 2027
    assert quarter_of(dt.date(2026, 10, 1), 2570) == 1
    assert quarter_of(dt.date(2026, 12, 31), 2570) == 1
    assert quarter_of(dt.date(2027, 1, 1), 2570) == 2
    assert quarter_of(dt.date(2027, 7, 1), 2570) == 4
    assert quarter_of(dt.date(2026, 5, 1), 2570) == 1  # before the year
    assert quarters_closed(dt.date(2027, 4, 1), 2570) == 2
    assert quarters_closed(dt.date(2027, 10, 1), 2570) == 4


@pytest.mark.parametrize(("text", "expected"), [
    ("ไตรมาส 3 ของปีงบประมาณ พฤษภาคม – มิถุนายน 2567",  # the seed's: months kept as the note
     (3, 3, "ไตรมาส 3 ของปีงบประมาณ พฤษภาคม – มิถุนายน 2567")),
    ("ดำเนินการต่อเนื่อง ทุกไตรมาส", (1, 4, "")),
    ("ไตรมาสที่ 1 - ไตรมาสที่ 2", (1, 2, "")),
    ("Q2-Q4", (2, 4, "")),
    ("ตุลาคม 2567 – กันยายน 2568", (None, None, "ตุลาคม 2567 – กันยายน 2568")),
    ("ไตรมาส 4-2", (None, None, "ไตรมาส 4-2")),
    ("", (None, None, "")),
])
def test_a_free_text_period_is_read_and_never_lost(text, expected):
    assert parse_period(text) == expected


# -- the measure form ----------------------------------------------------------------------------


def test_a_measure_with_its_issue_and_quarters(app, admin, world):
    a = world.assessment["A"]
    response = admin.post(f"/admin/assessments/{a}/measures", data={
        "indicator": "9", "issue": "การเผยแพร่ข้อมูลต่อสาธารณะ", "measure": "ปรับปรุงเว็บไซต์",
        "responsible": "กลุ่มอำนวยการ", "steps": "1. ประชุม", "start_quarter": "2",
        "end_quarter": "3", "period": "มกราคม – มิถุนายน"})
    assert response.status_code == 302
    with app.app_context():
        m = db.session.scalar(sa.select(ImprovementMeasure)
                              .where(ImprovementMeasure.measure == "ปรับปรุงเว็บไซต์"))
        assert (m.issue, m.start_quarter, m.end_quarter, m.period) == (
            "การเผยแพร่ข้อมูลต่อสาธารณะ", 2, 3, "มกราคม – มิถุนายน")
    page = admin.get(f"/admin/assessments/{a}/measures").get_data(as_text=True)
    assert "ไตรมาส 2–3" in page and "การเผยแพร่ข้อมูลต่อสาธารณะ" in page


@pytest.mark.parametrize(("start", "end", "message"), [
    ("3", "2", "ไตรมาสที่สิ้นสุดอยู่ก่อนไตรมาสที่เริ่ม"),
    ("0", "2", None),
    ("1", "5", None),
    ("1", "x", None),
])
def test_a_bad_quarter_range_is_refused_and_nothing_stored(app, admin, world, start, end,
                                                          message):
    a, before = world.assessment["A"], _count(app, ImprovementMeasure)
    response = admin.post(f"/admin/assessments/{a}/measures", data={
        "indicator": "9", "measure": "มาตรการใหม่", "start_quarter": start, "end_quarter": end})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page
    if message:
        assert message in page
    assert _count(app, ImprovementMeasure) == before
    # editing is held to the same rule
    m = world.measure["A"]
    response = admin.post(f"/admin/assessments/{a}/measures/{m}/edit", data={
        "indicator": "9", "measure": "แก้ไข", "start_quarter": start, "end_quarter": end})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(ImprovementMeasure, m).measure == "มาตรการของ A"


def test_the_service_refuses_a_reversed_range_too(app, world):
    with app.app_context():
        assessment = db.session.get(Assessment, world.assessment["A"])
        with pytest.raises(ValueError, match="end not before the start"):
            add_measure(db.session, assessment, indicator="9", measure="x", start_quarter=4,
                        end_quarter=1)


# -- progress per quarter ----------------------------------------------------------------------


def test_progress_with_a_bad_link_stores_nothing_and_says_which(app, admin, world):
    a, m = world.assessment["A"], world.measure["A"]
    url = f"/admin/assessments/{a}/measures/{m}/progress"
    response = admin.post(url, data={
        "q1-status": "done", "q1-note": "ประชุมแล้ว", "q1-urls": "example.go.th/ita\nnot a link",
        "q2-status": "in_progress", "q2-note": "", "q2-urls": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "ไตรมาส 1: ลิงก์หลักฐานไม่ถูกต้อง: not a link" in page
    assert "ประชุมแล้ว" in page  # what was typed is shown again
    assert _count(app, MeasureProgress) == 0
    # a status that is not one of the four
    assert admin.post(url, data={"q1-status": "finished"}).status_code == 400
    assert _count(app, MeasureProgress) == 0


def test_progress_per_quarter_is_stored_audited_and_carried_forward(app, admin, world):
    a, m = world.assessment["A"], world.measure["A"]
    url = f"/admin/assessments/{a}/measures/{m}/progress"
    response = admin.post(url, data={
        "q1-status": "in_progress", "q1-note": "แต่งตั้งคณะทำงาน", "q1-urls": "example.go.th/ita",
        "q2-status": "not_started", "q2-note": "", "q2-urls": "",
        "q3-status": "done", "q3-note": "เผยแพร่แล้ว\r\n\r\nรายงานผู้บริหาร",
        "q3-urls": "https://example.go.th/report"})
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(sa.select(MeasureProgress).order_by(MeasureProgress.quarter))
        assert [(r.quarter, r.status, r.evidence_urls) for r in rows] == [
            (1, "in_progress", "https://example.go.th/ita"),  # a bare host gets https://
            (3, "done", "https://example.go.th/report")]  # an empty quarter has no report
        assessment = db.session.get(Assessment, a)
        view = follow_up_view(db.session, assessment, None)
        line = next(x for x in view.measures if x.id == m)
        assert [p.status for p in line.quarters] == ["in_progress", "in_progress", "done", "done"]
        assert [p.recorded for p in line.quarters] == [True, False, True, False]
        assert line.progress(3).note == ("เผยแพร่แล้ว", "รายงานผู้บริหาร")
    assert _actions(app)[-1] == "measure_progress"
    page = admin.get(url).get_data(as_text=True)
    assert "แต่งตั้งคณะทำงาน" in page and "https://example.go.th/ita" in page
    # a viewer reads the page but cannot change it
    viewer = app.test_client()
    login(viewer, "viewer_a")
    assert viewer.get(url).status_code == 200
    assert viewer.post(url, data={"q1-status": "done"}).status_code == 403


def test_read_progress_names_every_problem():
    entries, problems = read_progress({1: ("done", "x" * 4001, ""), 2: ("?", "", ""),
                                       3: ("done", "", "a.go.th\nftp://b.go.th")})
    assert [(p.quarter, p.problem) for p in problems] == [(1, "note"), (2, "status"), (3, "url")]
    assert entries[3].evidence_urls == ("https://a.go.th",)


# -- the dashboard -----------------------------------------------------------------------------


def _plan(app, world) -> dict[str, int]:
    """Four measures of agency A's assessment with reports in some quarters."""
    with app.app_context():
        assessment = db.session.get(Assessment, world.assessment["A"])
        ids = {}
        for name, start, end, reports_ in [
                ("early", 1, 1, {1: "in_progress"}),  # ended in Q1, not done: overdue from Q2
                ("done", 1, 2, {1: "in_progress", 2: "done"}),
                ("dropped", 2, 2, {2: "dropped"}),
                ("late", 3, 4, {})]:
            row = add_measure(db.session, assessment, indicator="10", measure=name,
                              start_quarter=start, end_quarter=end)
            from survey_app.services.measures import ProgressEntry
            save_progress(db.session, row, {q: ProgressEntry(q, s, "", ())
                                            for q, s in reports_.items()})
            ids[name] = row.id
        db.session.commit()
        return ids


def test_dashboard_counts_per_status_and_overdue(app, admin, world):
    _plan(app, world)
    with app.app_context():
        assessment = db.session.get(Assessment, world.assessment["A"])
        year = measures_year(assessment)
        assert year == assessment.fiscal_year_be + 1
        in_q3 = dt.date(year - 543, 4, 15)  # April of the year: quarter 3
        view = follow_up_view(db.session, assessment, 3, today=in_q3)
        # the world's own measure (no quarters) counts as not started
        assert {c.status: c.count for c in view.counts} == {
            "not_started": 2, "in_progress": 1, "done": 1, "dropped": 1}
        assert [m.measure for m in view.overdue] == [("early",)]
        q1 = follow_up_view(db.session, assessment, 1, today=in_q3)
        assert (q1.count("in_progress"), q1.count("done")) == (2, 0)
        assert [m.measure for m in q1.overdue] == [("early",)]  # Q1 is over
        current = follow_up_view(db.session, assessment, 1, today=dt.date(year - 544, 11, 1))
        assert current.overdue == ()  # Q1 has not ended yet
    page = admin.get(f"/admin/assessments/{world.assessment['A']}/measures/dashboard?quarter=3")
    text = page.get_data(as_text=True)
    counts = dict(re.findall(r'data-status="(\w+)">(\d+)<', text))
    assert counts["done"] == "1" and counts["dropped"] == "1" and counts["in_progress"] == "1"
    assert "ไตรมาส 3" in text and "รายงานผลการดำเนินงานตามมาตรการ" in text
    # reachable from the assessment page
    home = admin.get(f"/admin/assessments/{world.assessment['A']}").get_data(as_text=True)
    assert f"/admin/assessments/{world.assessment['A']}/measures/dashboard" in home
    # a quarter out of range shows the current quarter, never an error
    assert admin.get(f"/admin/assessments/{world.assessment['A']}/measures/dashboard"
                     "?quarter=9").status_code == 200


# -- the follow-up report ----------------------------------------------------------------------


def _flat(text: str) -> str:
    """Text as pdftotext gives it back: SARA AM split, no space differences."""
    text = unicodedata.normalize("NFKC", text).replace("\u0e4d", "")
    return re.sub(r"\s+", "", text)


def _docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def test_follow_up_report_docx_per_quarter_and_year(app, admin, world):
    _plan(app, world)
    a = world.assessment["A"]
    response = admin.get(f"/admin/assessments/{a}/follow-up/q2.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith("ita-A-2569-follow-up-q2.docx")
    document = docx.Document(io.BytesIO(response.data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["1. วัตถุประสงค์ของรายงาน",
                            "2. สรุปสถานะการดำเนินงาน ณ สิ้นไตรมาสที่ 2 (มกราคม – มีนาคม 2570)",
                            "มาตรการที่เลยกำหนดระยะเวลาตามแผน"]
    text = _docx_text(document)
    # it says what it serves: the OIT items on the measures of the set of the measures' year
    # (B.E. 2570: no set of its own, so ita-2569's O25 and O26), not the assessment's (ita-2566)
    assert "O25 “การนำผลการประเมิน ITA ไปสู่การพัฒนาองค์กร”" in text
    assert "O26 “รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน”" in text
    assert "O42" not in text
    table = next(t for t in document.tables
                 if [c.text for c in t.rows[0].cells][2:3] == ["ประเด็น / มาตรการ"])
    rows = {r.cells[2].text: r.cells[5].text for r in table.rows[1:]}
    # every measure the report counts is listed; the one planned for Q3-Q4 is not yet due
    assert len(rows) == 5
    assert {k: v for k, v in rows.items() if k in ("early", "done", "dropped", "late")} == {
        "early": "อยู่ระหว่างดำเนินการ", "done": "ดำเนินการแล้ว", "dropped": "ยกเลิก",
        "late": "ยังไม่ถึงกำหนด"}
    counts = next(t for t in document.tables if t.rows[0].cells[0].text == "สถานะ")
    assert [(r.cells[0].text, r.cells[1].text) for r in counts.rows[1:]] == [
        ("ยังไม่ดำเนินการ", "1"), ("อยู่ระหว่างดำเนินการ", "1"), ("ดำเนินการแล้ว", "1"),
        ("ยกเลิก", "1"), ("ยังไม่ถึงกำหนด", "1"), ("รวม", "5")]
    assert sum(int(r.cells[1].text) for r in counts.rows[1:-1]) == len(rows)
    year = docx.Document(io.BytesIO(admin.get(f"/admin/assessments/{a}/follow-up/year.docx").data))
    grid = next(t for t in year.tables if [c.text for c in t.rows[0].cells][2:3] == ["ไตรมาส 1"])
    statuses = {r.cells[1].text: [c.text for c in r.cells[2:]] for r in grid.rows[1:]}
    assert statuses["done"] == ["อยู่ระหว่างดำเนินการ", "ดำเนินการแล้ว", "ดำเนินการแล้ว",
                                "ดำเนินการแล้ว"]
    assert "รอบปีงบประมาณ (ไตรมาสที่ 1 – 4)" in _docx_text(year)
    with app.app_context():
        targets = list(db.session.scalars(sa.select(AuditEvent.target)
                                          .where(AuditEvent.action == "report")))
    assert targets == ["ita-A-2569-follow-up-q2.docx", "ita-A-2569-follow-up-year.docx"]


@pytest.mark.slow
def test_follow_up_report_pdf_and_preview(app, admin, world):
    pdftotext = tool("pdftotext")
    _plan(app, world)
    a = world.assessment["A"]
    response = admin.get(f"/admin/assessments/{a}/follow-up/year.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = subprocess.run([pdftotext, "-layout", "-", "-"], input=response.data,
                          capture_output=True, check=True).stdout.decode()
    flat = _flat(text)
    assert _flat("รายงานผลการดำเนินงานตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน") in flat
    assert "O25" in flat and "O26" in flat
    assert _flat("ดำเนินการแล้ว") in flat and _flat("ยกเลิก") in flat
    assert _flat("สถานะรายไตรมาส") in flat  # the year's grid of statuses
    preview = admin.get(f"/admin/assessments/{a}/follow-up/q1")
    assert preview.status_code == 200
    assert "ไตรมาสที่ 1 (ตุลาคม – ธันวาคม 2569)" in preview.get_data(as_text=True)
    assert admin.get(f"/admin/assessments/{a}/follow-up/q5.pdf").status_code == 404


def test_follow_up_report_names_the_year_s_own_items():
    """B.E. 2569: O25 and O26, B.E. 2566: O42 and O43, from the sets' data; B.E. 2568's set
    names none."""
    from questionnaires import load_instrument_set
    from survey_app.services import view_models as vm
    from survey_app.services.assessments import AssessmentState
    from survey_app.services.measures import build_follow_up

    agency = vm.AgencyInfo(1, "X", "สำนักงาน X", "Office X", "area_office", 10)
    info = vm.AssessmentInfo(1, 2568, "ita-2569", AssessmentState.CLOSED)
    view = build_follow_up(load_instrument_set("ita-2569"), [], agency=agency, assessment=info,
                           fiscal_year_be=2569, quarter=None, closed=4)
    assert [(o.code, o.asks) for o in view.oit_items] == [("O25", "plan"), ("O26", "report")]
    older = build_follow_up(load_instrument_set("ita-2569"), [], agency=agency, assessment=info,
                            fiscal_year_be=2566, quarter=None, closed=4,
                            oit_set=load_instrument_set("ita-2566"))
    assert [(o.code, o.asks) for o in older.oit_items] == [("O42", "plan"), ("O43", "report")]
    html, _ = reports.follow_up_html(view)
    assert "O25 “การนำผลการประเมิน ITA ไปสู่การพัฒนาองค์กร”" in html
    assert "O26 “รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน”" in html
    none = build_follow_up(load_instrument_set("ita-2568"), [], agency=agency, assessment=info,
                           fiscal_year_be=2569, quarter=2, closed=1)
    assert none.oit_items == ()
    assert "แบบตรวจการเปิดเผยข้อมูลสาธารณะ (OIT)" not in reports.follow_up_html(none)[0]


def test_cli_writes_the_follow_up_report(app, world, database_url, tmp_path, monkeypatch):
    _plan(app, world)
    monkeypatch.setenv("ITA_DATABASE_URL", database_url)
    monkeypatch.setenv("ITA_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.setenv("ITA_SECRET_KEY", "cli-test-secret-" + "0" * 32)
    monkeypatch.setenv("ITA_CODE_HASH_KEY", app.config["CODE_HASH_KEY"])
    out = tmp_path / "q3.docx"
    result = CliRunner().invoke(main, ["report", "--assessment", str(world.assessment["A"]),
                                       "--follow-up", "3", "--output", str(out)])
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    assert "ไตรมาสที่ 3 (เมษายน – มิถุนายน 2570)" in _docx_text(document)
    bad = CliRunner().invoke(main, ["report", "--assessment", str(world.assessment["A"]),
                                    "--follow-up", "5", "--output", str(out)])
    assert bad.exit_code == 2 and "'5' is not one of" in bad.output
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.action, event.username, event.target) == (
            "report", "(cli)", "ita-A-2569-follow-up-q3.docx")
