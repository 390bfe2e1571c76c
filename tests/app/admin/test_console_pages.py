"""Running an assessment from the console: agencies, assessments, code slips, the EIT poster,
the OIT checklist, past results and improvement measures."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import io
import re
import secrets

import pytest
import sqlalchemy as sa

from questionnaires import load_instrument_set
from scoring import assess
from scoring.rollup import oit_indicators, oit_sub_indicator_scores
from survey_app.extensions import db
from survey_app.models import (
    AccessCode,
    Agency,
    Assessment,
    AuditEvent,
    ImprovementMeasure,
    OitResult,
    PublishedResult,
    PublishedScore,
)
from survey_app.services.assessments import AssessmentState, assessment_state
from survey_app.services.codes import hash_code, normalise_code
from survey_app.services.oit import oit_results
from survey_app.services.published import all_codes, parse_upload

from ..conftest import Respondent, count_rows
from .console_world import SET, login

ISET = load_instrument_set(SET)


@pytest.fixture
def admin(client, world):
    login(client, "admin_a")
    return client


def _audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


# -- agencies and assessments ------------------------------------------------------------------


def test_agency_admin_adds_a_child_school_but_not_a_top_level_agency(app, admin, world):
    top = admin.post("/admin/agencies/new", data={"code": "X1", "name_th": "ไม่มีต้นสังกัด",
                                                  "agency_type": "school", "parent_id": ""})
    assert top.status_code == 200 and "กรุณาเลือกหน่วยงานต้นสังกัด" in top.get_data(as_text=True)
    elsewhere = admin.post("/admin/agencies/new", data={
        "code": "X2", "name_th": "ใต้ ข", "agency_type": "school",
        "parent_id": str(world.agency["B"])})
    assert elsewhere.status_code in (200, 404)  # not a choice, and never stored
    child = admin.post("/admin/agencies/new", data={
        "code": "a2", "name_th": "โรงเรียน ก2", "agency_type": "school",
        "eligible_headcount": "14", "parent_id": str(world.agency["A"])})
    assert child.status_code == 302
    with app.app_context():
        codes = set(db.session.scalars(sa.select(Agency.code)))
        a2 = db.session.scalar(sa.select(Agency).where(Agency.code == "A2"))
        assert a2.parent_id == world.agency["A"] and a2.eligible_headcount == 14
    assert "X1" not in codes and "X2" not in codes
    assert _audit_actions(app)[-1] == "agency_create"


def test_agency_edit_refuses_a_cycle_and_a_duplicate_code(admin, world):
    a1 = world.agency["A1"]
    dup = admin.post(f"/admin/agencies/{a1}/edit", data={
        "code": "B", "name_th": "x", "agency_type": "school", "parent_id": str(world.agency["A"])})
    assert "รหัสหน่วยงานนี้มีอยู่แล้ว" in dup.get_data(as_text=True)
    # A under its own child A1: refused (A1 is in scope, so this reaches the cycle check)
    cycle = admin.post(f"/admin/agencies/{world.agency['A']}/edit", data={
        "code": "A", "name_th": "x", "agency_type": "area_office", "parent_id": str(a1)})
    # an agency admin cannot move their own agency at all; the parent is kept
    assert cycle.status_code == 302


def test_system_admin_cannot_make_a_cycle(client, world):
    login(client, "root")
    cycle = client.post(f"/admin/agencies/{world.agency['A']}/edit", data={
        "code": "A", "name_th": "x", "agency_type": "area_office",
        "parent_id": str(world.agency["A1"])})
    assert cycle.status_code == 200
    assert "หน่วยงานในสังกัดของหน่วยงานนี้" in cycle.get_data(as_text=True)


def test_assessment_times_are_bangkok_input_stored_utc(app, admin, world):
    response = admin.post(f"/admin/agencies/{world.agency['A1']}/assessments/new", data={
        "fiscal_year_be": "2570", "instrument_set": SET, "opens_at": "2026-12-01T08:00",
        "closes_at": "2027-01-31T16:30", "eit_minimum": "150", "indicator_target": "90"})
    assert response.status_code == 302
    with app.app_context():
        a = db.session.scalar(sa.select(Assessment).where(Assessment.fiscal_year_be == 2570))
        assert a.opens_at == dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)
        assert a.closes_at == dt.datetime(2027, 1, 31, 9, 30, tzinfo=dt.UTC)
        assert (a.eit_minimum, a.indicator_target) == (150, 90.0)
    again = admin.post(f"/admin/agencies/{world.agency['A1']}/assessments/new", data={
        "fiscal_year_be": "2570", "instrument_set": SET, "opens_at": "2026-12-01T08:00",
        "closes_at": "2027-01-31T16:30"})
    assert "มีการประเมินของปีงบประมาณนี้" in again.get_data(as_text=True)
    backwards = admin.post(f"/admin/agencies/{world.agency['A1']}/assessments/new", data={
        "fiscal_year_be": "2571", "instrument_set": SET, "opens_at": "2026-12-01T08:00",
        "closes_at": "2026-11-01T08:00"})
    assert "เวลาปิดต้องอยู่หลังเวลาเปิด" in backwards.get_data(as_text=True)
    # the edit form refuses it too (one message) and changes nothing
    edited = admin.post(f"/admin/assessments/{a.id}/edit", data={
        "opens_at": "2026-12-01T08:00", "closes_at": "2026-11-01T08:00", "score_map": ""})
    assert edited.get_data(as_text=True).count("เวลาปิดต้องอยู่หลังเวลาเปิด") == 1
    with app.app_context():
        assert db.session.get(Assessment, a.id).closes_at == dt.datetime(
            2027, 1, 31, 9, 30, tzinfo=dt.UTC)


def test_close_now_stops_answers_and_open_now_restarts_them(app, client, admin, world):
    a = world.assessment["A"]
    assert admin.post(f"/admin/assessments/{a}/close").status_code == 302
    eit = app.test_client().get(f"/eit/{world.token['A']}")
    assert "ปิดรับคำตอบแล้ว" in eit.get_data(as_text=True)
    assert admin.post(f"/admin/assessments/{a}/open").status_code == 302
    with app.app_context():
        assert assessment_state(db.session.get(Assessment, a)) is AssessmentState.OPEN
    assert _audit_actions(app)[-2:] == ["assessment_close", "assessment_open"]


# -- IIT code batches --------------------------------------------------------------------------


def _nonce() -> str:
    """A fresh one-time value of the code batch form (the assessment page makes one)."""
    return secrets.token_urlsafe(16)


def test_code_sheet_shows_codes_once_and_stores_only_hashes(app, admin, world):
    a = world.assessment["A"]
    response = admin.post(f"/admin/assessments/{a}/codes",
                          data={"nonce": _nonce(), "count": "12", "batch": "staff"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    printed = re.findall(r'<div class="code">([0-9A-Z-]{12})</div>', page)
    assert len(printed) == 12 == page.count("<svg")
    assert "แสดงเพียงครั้งเดียว" in page and "สำนักงาน ก" in page
    # the CSV travels inside the page, nothing is kept on the server
    uri = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)" download="([^"]+)"', page)
    assert uri.group(2) == "codes-A-staff.csv"
    rows = list(csv.reader(io.StringIO(base64.b64decode(uri.group(1)).decode("utf-8-sig"))))
    assert rows[0] == ["code", "url"] and [r[0] for r in rows[1:]] == printed
    # The code rides in the URL fragment, which no server or proxy ever receives.
    assert rows[1][1] == f"http://ita.test/iit/{world.token['A']}#{printed[0]}"
    assert "?code=" not in page and f"#{printed[0]}" in page
    with app.app_context():
        stored = db.session.execute(sa.select(AccessCode.code_hash, AccessCode.batch)
                                    .where(AccessCode.batch == "staff")).all()
        key = app.config["CODE_HASH_KEY"]
        assert {h for h, _ in stored} == {hash_code(key, normalise_code(c)) for c in printed}
        dump = " ".join(str(v) for row in db.session.execute(sa.text("SELECT * FROM access_code"))
                        for v in row)
        assert not any(normalise_code(c) in dump or c in dump for c in printed)
        [event] = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "codes_generate")).all()
        assert not any(c in event.detail for c in printed)
    # the batch table shows counts only, and the same label cannot be reused
    hub = admin.get(f"/admin/assessments/{a}").get_data(as_text=True)
    assert "staff" in hub and printed[0] not in hub
    dup = admin.post(f"/admin/assessments/{a}/codes",
                     data={"nonce": _nonce(), "count": "2", "batch": "staff"}, follow_redirects=True)
    assert "มีชุดรหัสชื่อ staff อยู่แล้ว" in dup.get_data(as_text=True)
    too_many = admin.post(f"/admin/assessments/{a}/codes", data={"nonce": _nonce(), "count": "2001"})
    assert too_many.status_code == 302
    assert count_rows(app, "access_code") == 2 * 3 + 12


def test_a_slip_code_works_and_revoking_the_batch_leaves_used_codes_used(app, admin, world):
    a = world.assessment["A"]
    page = admin.post(f"/admin/assessments/{a}/codes",
                      data={"nonce": _nonce(), "count": "3"}).get_data(as_text=True)
    codes = re.findall(r'<div class="code">([0-9A-Z-]{12})</div>', page)
    respondent = Respondent(app.test_client(), world.token["A"])
    ticket = respondent.start_iit(codes[0])
    assert respondent.submit_iit(ticket).status_code == 200
    batch = re.search(r"codes-A-([^\"]+)\.csv", page).group(1)
    assert admin.post(f"/admin/assessments/{a}/codes/revoke", data={"batch": batch}
                      ).status_code == 302
    with app.app_context():
        statuses = sorted(db.session.scalars(sa.select(AccessCode.status)
                                             .where(AccessCode.batch == batch)))
    assert statuses == ["revoked", "revoked", "used"]
    hub = admin.get(f"/admin/assessments/{a}").get_data(as_text=True)
    assert re.search(rf"<td>{batch}</td><td class=\"num\">3</td><td class=\"num\">0</td>\s*"
                     r"<td class=\"num\">1</td><td class=\"num\">2</td>", hub)
    missing = admin.post(f"/admin/assessments/{a}/codes/revoke", data={"batch": "nope"})
    assert missing.status_code == 404


def test_revoking_another_assessments_batch_changes_nothing(app, client, world):
    login(client, "admin_b")
    response = client.post(f"/admin/assessments/{world.assessment['B']}/codes/revoke",
                           data={"batch": "first"})
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.execute(sa.select(AccessCode.assessment_id, AccessCode.status)).all()
    assert {s for a, s in rows if a == world.assessment["B"]} == {"revoked"}
    assert {s for a, s in rows if a != world.assessment["B"]} == {"unused"}


def test_poster_has_the_qr_link_and_thai_invitation(admin, world):
    page = admin.get(f"/admin/assessments/{world.assessment['A']}/poster").get_data(as_text=True)
    assert "<svg" in page and f"http://ita.test/eit/{world.token['A']}" in page
    assert "ขอเชิญผู้รับบริการและผู้มาติดต่อ" in page and "สำนักงาน ก" in page
    english = admin.get(f"/admin/assessments/{world.assessment['A']}/poster?lang=en")
    assert "ขอเชิญผู้รับบริการ" in english.get_data(as_text=True)  # printed matter stays Thai


# -- the OIT checklist -------------------------------------------------------------------------


def _oit_form(passed: dict[str, bool], urls: dict[str, str] | None = None) -> dict[str, str]:
    data = {}
    for code, ok in passed.items():
        data[f"{code}-passed"] = "pass" if ok else "fail"
    for code, text in (urls or {}).items():
        data[f"{code}-urls"] = text
    return data


def test_oit_bad_evidence_url_saves_nothing(app, admin, world):
    a = world.assessment["A"]
    response = admin.post(f"/admin/assessments/{a}/oit", data={
        **_oit_form({"O1": True, "O2": True}),
        "O1-urls": "https://example.go.th/o1", "O2-urls": "javascript:alert(1)\nftp://x/y"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="item-O2"' in page and "javascript:alert(1)" in page
    assert "https://example.go.th/o1" in page  # what was typed is kept
    assert count_rows(app, "oit_result") == 0


@pytest.mark.parametrize("fails", [(), ("O29", "O37"), ("O1", "O11", "O20", "O35", "O43")])
def test_oit_entries_change_indicators_9_10_and_the_total_as_the_formulas_say(
        app, admin, world, fails):
    a = world.assessment["A"]
    passed = {o.code: o.code not in fails for o in ISET.oit_items}
    response = admin.post(f"/admin/assessments/{a}/oit", data={
        **_oit_form(passed, {"O1": "https://example.go.th/o1\nhttp://example.go.th/o1b"}),
        "O1-note": "ดูหน้าโครงสร้าง"})
    assert response.status_code == 302
    with app.app_context():
        assessment = db.session.get(Assessment, a)
        stored = oit_results(db.session, assessment)
        row = db.session.scalar(sa.select(OitResult).where(OitResult.item == "O1"))
        assert row.evidence_urls.splitlines() == ["https://example.go.th/o1",
                                                  "http://example.go.th/o1b"]
        assert row.note == "ดูหน้าโครงสร้าง"
    assert stored == passed
    # the reference formulas (ita_methodology.md §2), written out by hand
    subs = {}
    for sub in ISET.sub_indicators.values():
        items = ISET.oit_items_for(sub.code)
        subs[sub.code] = 100 * sum(passed[o.code] for o in items) / len(items)
    ind9 = sum(subs[c] for c in ("9.1", "9.2", "9.3", "9.4", "9.5")) / 5
    ind10 = (subs["10.1"] + subs["10.2"]) / 2
    given = {"1": 99.02, "2": 96.90, "3": 96.49, "4": 98.69, "5": 98.13,
             "6": 93.20, "7": 91.94, "8": 90.53}
    result = assess(ISET, given=given, oit=stored, bootstrap=0)
    iit, eit = sum(given[c] for c in "12345") / 5, sum(given[c] for c in "678") / 3
    assert result.indicators["9"].score == pytest.approx(ind9)
    assert result.indicators["10"].score == pytest.approx(ind10)
    assert result.total == pytest.approx(0.3 * iit + 0.3 * eit + 0.4 * (ind9 + ind10) / 2)
    # and the page shows what scoring says
    page = admin.get(f"/admin/assessments/{a}/oit").get_data(as_text=True)
    assert f"{ind9:.2f}" in page and f"{ind10:.2f}" in page
    assert "43" in page


def test_oit_page_counts_unjudged_items_as_not_passed(app, admin, world):
    a = world.assessment["A"]
    admin.post(f"/admin/assessments/{a}/oit", data=_oit_form({"O1": True, "O2": False}))
    page = admin.get(f"/admin/assessments/{a}/oit").get_data(as_text=True)
    assert "ตรวจแล้ว 2 จาก 43 ข้อ" in page
    passed = {"O1": True, "O2": False}
    subs = oit_sub_indicator_scores(ISET, passed, missing="fail")
    assert f"{oit_indicators(ISET, subs)['9']:.2f}" in page
    # un-judging an item removes its judgement
    admin.post(f"/admin/assessments/{a}/oit", data=_oit_form({"O1": True}))
    with app.app_context():
        assert oit_results(db.session, db.session.get(Assessment, a)) == {"O1": True}


def test_viewer_sees_the_checklist_without_a_save_button(client, world):
    login(client, "viewer_a")
    page = client.get(f"/admin/assessments/{world.assessment['A']}/oit").get_data(as_text=True)
    assert "O43" in page and "บันทึกผลการตรวจทั้งหมด" not in page


# -- past results ------------------------------------------------------------------------------


def test_published_results_grid_saves_edits_and_blanks(app, admin, world):
    url = f"/admin/agencies/{world.agency['A']}/past"
    response = admin.post(url, data={"s-0-year": "2565", "s-1-year": "2566", "s-2-year": "",
                                     "s-0-total": "96.53",
                                     "s-1-total": "94.67", "s-1-9": "95", "s-1-10": "93,75"})
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.execute(sa.select(PublishedResult.fiscal_year_be, PublishedScore.code,
                                            PublishedScore.score)
                                  .join(PublishedScore.result)).all()
    assert sorted(rows) == [(2565, "total", 96.53), (2566, "10", 93.75), (2566, "9", 95.0),
                            (2566, "total", 94.67)]
    # clearing 2565's cells removes it; a bad cell saves nothing
    bad = admin.post(url, data={"s-0-year": "2565", "s-1-year": "2566", "s-1-total": "101"})
    assert bad.status_code == 400 and "0–100" in bad.get_data(as_text=True)
    assert count_rows(app, "published_score") == 4
    admin.post(url, data={"s-0-year": "2565", "s-1-year": "2566", "s-1-total": "94.67"})
    assert count_rows(app, "published_score") == 1
    # a year dropped from the grid goes with every figure it had, imported ones too
    csv_text = b"fiscal_year,total,9.1\n2564,95.57,100\n"
    admin.post(f"{url}/import", data={"file": (io.BytesIO(csv_text), "p.csv")},
               content_type="multipart/form-data")
    assert count_rows(app, "published_score") == 3
    admin.post(url, data={"s-0-year": "", "s-1-year": "2566", "s-1-total": "94.67"})
    assert count_rows(app, "published_score") == 1


def test_published_results_csv_import(app, admin, world):
    url = f"/admin/agencies/{world.agency['A']}/past/import"
    good = ("fiscal_year,total,1,9.5\n2559,78.76,,\n2566,94.67,99.02,75\n").encode("utf-8-sig")
    response = admin.post(url, data={"file": (io.BytesIO(good), "past.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 302
    page = admin.get(f"/admin/agencies/{world.agency['A']}/past").get_data(as_text=True)
    assert "78.76" in page and "94.67" in page and "99.02" in page
    assert count_rows(app, "published_score") == 4  # blanks are not stored


@pytest.mark.parametrize("text, message", [
    ("fiscal_year,total,11\n2566,90,1\n", "คอลัมน์ที่ 3 '11': ไม่รู้จัก"),
    ("fiscal_year,total\n2566,90\n1999,80\n", "แถว 3 คอลัมน์ fiscal_year: '1999' ไม่ใช่ปี พ.ศ."),
    ("fiscal_year,total\n2566,abc\n", "แถว 2 คอลัมน์ total: 'abc' ไม่ใช่ตัวเลข"),
    ("fiscal_year,total\n2566,100.5\n", "อยู่นอกช่วง 0–100"),
    ("year,total\n2566,90\n", "คอลัมน์ที่ 1 'year': ไม่รู้จัก"),
    ("fiscal_year,total\n2566,90\n2566,91\n", "แถว 3: 2566 ซ้ำกัน"),
])
def test_published_results_csv_errors_name_row_and_column_and_store_nothing(
        app, admin, world, text, message):
    url = f"/admin/agencies/{world.agency['A']}/past/import"
    response = admin.post(url, data={"file": (io.BytesIO(text.encode()), "past.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))
    assert count_rows(app, "published_score") == 0


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_parse_past_csv_accepts_sub_indicators(app):
    with app.app_context():
        codes = all_codes(db.session)
    # every set's codes: the total, the weighted parts, then each indicator and its subs
    assert codes[:4] == ("total", "IIT", "EIT", "OIT")
    assert [c for c in codes if "." not in c][4:] == list(map(str, range(1, 11)))
    assert codes.index("9.1") == codes.index("9") + 1
    (row,) = parse_upload(b"fiscal_year,total,9.1,10.2\n2566,94.67,100,100\n", "p.csv", codes)
    assert (row.fiscal_year_be, row.scores) == (2566, {"total": 94.67, "9.1": 100.0,
                                                        "10.2": 100.0})


# -- improvement measures ----------------------------------------------------------------------


def test_measures_add_edit_delete(app, admin, world):
    a = world.assessment["A"]
    response = admin.post(f"/admin/assessments/{a}/measures", data={
        "indicator": "10", "measure": "จัดทำแผนป้องกันการทุจริต",
        "responsible": "กลุ่มอำนวยการ", "steps": "1. ประชุม\n2. เผยแพร่",
        "start_quarter": "1", "end_quarter": "4", "period": "ตุลาคม 2567 – กันยายน 2568"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#ind-10")
    with app.app_context():
        m = db.session.scalar(sa.select(ImprovementMeasure).where(
            ImprovementMeasure.indicator == "10"))
        mid = m.id
        assert (m.responsible, m.period) == ("กลุ่มอำนวยการ", "ตุลาคม 2567 – กันยายน 2568")
    page = admin.get(f"/admin/assessments/{a}/measures").get_data(as_text=True)
    assert "จัดทำแผนป้องกันการทุจริต" in page and "ผู้รับผิดชอบ" in page
    assert admin.post(f"/admin/assessments/{a}/measures/{mid}/edit", data={
        "indicator": "9", "measure": "ปรับปรุงเว็บไซต์", "start_quarter": "2",
        "end_quarter": "2"}).status_code == 302
    with app.app_context():
        m = db.session.get(ImprovementMeasure, mid)
        assert (m.indicator, m.measure) == ("9", "ปรับปรุงเว็บไซต์")
    # a measure of another assessment is not reachable through this one
    other = world.measure["A1"]
    assert admin.post(f"/admin/assessments/{a}/measures/{other}/delete").status_code == 404
    assert admin.post(f"/admin/assessments/{a}/measures/{mid}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(ImprovementMeasure, mid) is None
        assert db.session.get(ImprovementMeasure, other) is not None
    assert _audit_actions(app)[-3:] == ["measure_add", "measure_edit", "measure_delete"]


def test_measures_list_indicators_below_target_first(app, admin, world):
    a = world.assessment["A"]
    passed = {o.code: o.code not in ("O1", "O2", "O3", "O37") for o in ISET.oit_items}
    admin.post(f"/admin/assessments/{a}/oit", data=_oit_form(passed))
    page = admin.get(f"/admin/assessments/{a}/measures").get_data(as_text=True)
    order = re.findall(r'id="ind-(\d+)"', page)
    assert order[:2] == ["9", "10"] and sorted(order, key=int) == [str(i) for i in range(1, 11)]
    assert "ต่ำกว่าค่าเป้าหมาย" in page
