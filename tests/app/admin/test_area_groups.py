"""The area office is ranked and averaged apart from its schools (they are assessed in
different groups) on the supervisor page, in the area workbook and in the area summary; the
workbook comes formatted: column widths, number formats, autofilter, frozen header (issue 18)."""

from __future__ import annotations

import io
import re

import openpyxl

from .test_console_demo import _login, demo  # noqa: F401  (the demo fixture)


def test_the_area_office_is_ranked_and_averaged_apart(demo):  # noqa: F811
    _, info, app = demo
    with app.app_context():  # the office's open year publishes its IIT answers at the close
        from survey_app.extensions import db
        from survey_app.models import Assessment
        from survey_app.services.assessments import close_now
        from survey_app.services.ballots import run_pass

        close_now(db.session.get(Assessment, info["assessment_id"]))
        db.session.commit()
        run_pass(db.engine, batch_size=app.config["MIX_BATCH"])
    client = app.test_client()
    assert _login(client, info["admin_login"]).status_code == 302
    page = client.get("/admin/supervisor").get_data(as_text=True)
    ranks = dict(re.findall(r'data-agency="([\w-]+)"[^>]*>\s*<td class="num" data-rank>(\d+|–)<',
                            page))
    schools = [c["agency_code"] for c in info["child_agencies"]]
    assert ranks["CMI3"] == "1"  # first of its own group (the only area office)
    assert sorted(ranks[s] for s in schools if ranks[s] != "–") == [
        str(k) for k in range(1, 1 + sum(ranks[s] != "–" for s in schools))]
    assert "ลำดับในกลุ่ม" in page and "ประเมินคนละกลุ่มกับสถานศึกษา" in page
    averages = dict(re.findall(r'data-group-average="(\w+)"[^>]*>([\d.]+)<', page))
    assert set(averages) == {"school", "area_office"}
    with app.app_context():
        from survey_app.extensions import db
        from survey_app.models import User
        from survey_app.services import area

        admin = db.session.query(User).filter_by(username="demo-admin").one()
        view = area.supervisor_view(db.session, admin)
        totals = {r.agency.code: r.total for r in view.rows if r.rank is not None}
        school_totals = [totals[s] for s in schools if s in totals]
        # the school group's average leaves the area office out (it is not their group)
        assert view.groups[0].agency_type == "school"
        assert view.average == view.groups[0].average
        assert abs(view.average - sum(school_totals) / len(school_totals)) < 0.006
        assert view.groups[1].average == totals["CMI3"]
        summary = area.area_report_view(db.session, view)
        from survey_app.services import reports

        html, _ = reports.render_page("report/area.html.j2", report=summary)
    assert "จัดลำดับและเฉลี่ยแยกกัน" in html and "กลุ่มของสำนักงานเขตพื้นที่การศึกษา" in html

    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/admin/supervisor/area.xlsx").data))
    sheet = workbook["Score-Final"]
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "D2" and sheet.auto_filter.ref == sheet.dimensions
    assert all(sheet.column_dimensions[chr(65 + k)].width > 6 for k in range(10))
    name = sheet.column_dimensions["C"].width  # the agency's full Thai name fits
    assert name >= max(len(str(c.value)) for c in sheet["C"][1:])
    total = header.index("คะแนนรวม (total)")
    rank = header.index("ลำดับ (rank)")
    body = list(sheet.iter_rows(min_row=2))
    assert all(row[total].number_format == "0.00" for row in body)
    assert all(row[rank].number_format == "0" for row in body)
    assert sheet["A1"].font.bold and sheet["A1"].alignment.wrap_text
    by_code = {row[1].value: row[rank].value for row in body}
    assert by_code["CMI3"] == 1
    notes = " ".join(str(c.value) for c in workbook["notes"]["A"])
    assert "จัดลำดับและเฉลี่ยแยกกัน" in notes and "ค่าเฉลี่ยของแต่ละกลุ่ม" in notes
    for other in ("needs-answers", "no-assessment"):
        assert workbook[other].freeze_panes == "A2"
        assert workbook[other].auto_filter.ref
