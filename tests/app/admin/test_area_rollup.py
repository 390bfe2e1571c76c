"""The area office's roll-up: minimum samples flagged, agencies short of answers listed, the
Score-Final workbook and the area summary report — all the same figures, all scoped."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
import sqlalchemy as sa

from scoring.rollup import round_half_up
from survey_app.extensions import db
from survey_app.models import Assessment, AuditEvent, User
from survey_app.services.area import area_report_view, needs_answers, supervisor_view
from survey_app.services.results import assessment_result

from ...external import tool
from ...factories import built_once
from .results_data import add_agency, add_assessment, add_user, login

# IIT minimum with a headcount of 60: 10 % → 6, at least 30 (ita-2566's rule); EIT's: 30.
WORLD = {
    # code: (assessment keywords, headcount)
    "P0": ({"quality": 0.8, "seed": 1}, 60),
    "C1": ({"quality": 0.95, "seed": 2, "iit": 10}, 60),  # IIT 10 of 30: best total, provisional
    "C2": ({"quality": 0.9, "seed": 3}, 60),
    "C3": ({"quality": 0.7, "seed": 4, "eit": 20, "eit_minimum": 25}, 60),  # EIT 20 of 25
    "C4": ({"quality": 0.85, "seed": 5}, None),  # no headcount: IIT minimum unknown
    "C6": ({"quality": 0.6, "seed": 7}, 60),
}


@built_once
def _world(app) -> dict[str, int]:
    with app.app_context():
        s = db.session
        parent = add_agency(s, "P0", "สำนักงานเขตทดสอบ")
        agencies = {"P0": parent}
        for code, (_kwargs, headcount) in WORLD.items():
            if code == "P0":
                continue
            agencies[code] = add_agency(s, code, f"โรงเรียน {code}", parent=parent,
                                        headcount=headcount)
        agencies["C5"] = add_agency(s, "C5", "โรงเรียน C5 (ยังไม่ประเมิน)", parent=parent)
        agencies["X9"] = add_agency(s, "X9", "สำนักงานอื่น")
        for code, (kwargs, _) in WORLD.items():
            add_assessment(s, agencies[code], **kwargs)
        add_assessment(s, agencies["X9"], quality=1.0, seed=9)
        add_user(s, "boss", "agency_admin", parent)
        add_user(s, "outsider", "viewer", agencies["X9"])
        add_user(s, "root", "system_admin", None)
        s.commit()
        return {code: a.id for code, a in agencies.items()}


def _boss_view(sort: str = "shortfall"):
    boss = db.session.scalar(sa.select(User).where(User.username == "boss"))
    return supervisor_view(db.session, boss, 2569, sort=sort)


def test_below_minimum_is_flagged_provisional_and_unranked(app, client):
    _world(app)
    with app.app_context():
        view = _boss_view()
        rows = {r.agency.code: r for r in view.rows}
        full = {}
        for code in WORLD:
            assessment = db.session.scalar(sa.select(Assessment).join(Assessment.agency)
                                           .where(Assessment.agency.has(code=code)))
            full[code] = assessment_result(db.session, assessment, bootstrap=0)
    assert set(rows) == set(WORLD)  # X9 is outside, C5 has no assessment
    assert [s.instrument for s in rows["C1"].below_minimum] == ["IIT"]
    assert rows["C1"].sample_of("IIT").short == 20
    assert [s.instrument for s in rows["C3"].below_minimum] == ["EIT"]
    assert rows["C3"].sample_of("EIT").minimum == 25  # the assessment's own EIT minimum
    assert [s.instrument for s in rows["C4"].minimum_unknown] == ["IIT"]
    # C1 has the highest total of all, yet no rank; its score is still shown
    assert rows["C1"].total == round_half_up(full["C1"].total)
    assert rows["C1"].total > max(rows[c].total for c in ("P0", "C2", "C6"))
    for code in ("C1", "C3", "C4"):
        assert rows[code].provisional and rows[code].rank is None
    ranked = {c: rows[c] for c in ("P0", "C2", "C6")}
    assert sorted(r.rank for r in ranked.values()) == [1, 2, 3]
    assert ranked["C2"].rank == 1
    # the average and the grade counts only over the agencies that met their minimums
    met = [full[c].total for c in ranked]
    assert view.rated == 3
    assert view.average == round_half_up(sum(met) / 3)
    assert sum(n for _, n in view.distribution) == 3
    # the page says it: no rank, "provisional", the shortfall named, the rule stated
    login(client, "boss")
    html = client.get("/admin/supervisor?year=2569").get_data(as_text=True)
    row = re.search(r'<tr[^>]*data-agency="C1"[^>]*>(.*?)</tr>', html, re.S)
    assert row and "data-provisional" in row.group(0)
    assert re.search(r"data-rank>–<", row.group(1))
    assert "ชั่วคราว" in row.group(1) and "ขาดอีก 20" in row.group(1)
    assert f"{rows['C1'].total:.2f}" in row.group(1)
    assert 'id="minimum-note"' in html and "3 หน่วยงาน" in html
    english = client.get("/admin/supervisor?year=2569&lang=en").get_data(as_text=True)
    assert "(provisional)" in english and "20 more needed" in english


def test_needs_answers_lists_shortfalls_sorted(app, client):
    _world(app)
    with app.app_context():
        view = _boss_view()
        by_agency = _boss_view("agency").needs_answers
    listed = [(x.agency.code, x.check.instrument, x.check.short) for x in view.needs_answers]
    # the largest shortfall first, an unknown minimum last
    assert listed == [("C1", "IIT", 20), ("C3", "EIT", 5), ("C4", "IIT", None)]
    assert [x.agency.code for x in by_agency] == ["C1", "C3", "C4"]
    assert [a.code for a in view.without_assessment] == ["C5"]
    with pytest.raises(ValueError, match="sort must be one of"):
        needs_answers(view.rows, sort="size")
    login(client, "boss")
    html = client.get("/admin/supervisor?year=2569&sort=agency").get_data(as_text=True)
    table = html[html.index('id="needs"'):]
    assert table.index('data-agency="C1"') < table.index('data-agency="C3"')
    assert 'data-missing="C5"' in html
    assert "ยังไม่ทราบ" in table or "ไม่ทราบ" in table
    # an unknown sort falls back to the shortfall order, never a 500
    assert client.get("/admin/supervisor?sort=%27%3B").status_code == 200


def test_tier_set_names_the_missed_floor(app, client):
    with app.app_context():
        s = db.session
        office = add_agency(s, "T0", "สำนักงานชุด 2569")
        school = add_agency(s, "T1", "โรงเรียน T1", parent=office)
        add_assessment(s, school, instrument_set="ita-2569", quality=1.0, eit_quality=0.2,
                       oit_failed=(), seed=3)
        add_user(s, "tboss", "agency_admin", office)
        s.commit()
        boss = s.scalar(sa.select(User).where(User.username == "tboss"))
        view = supervisor_view(s, boss, 2569)
    row = next(r for r in view.rows if r.agency.code == "T1")
    assert row.grade is None and row.verdict.code == "pass"
    assert [(m.instrument, m.floor) for m in row.verdict.floors_missed] == [("EIT", 85.0)]
    assert [t.code for t in view.tiers][:2] == ["excellent", "good"]
    assert dict((t.code, t.n) for t in view.tiers)["pass"] == 1
    login(client, "tboss")
    html = client.get("/admin/supervisor").get_data(as_text=True)
    assert 'data-floor="EIT"' in html and 'data-tier="pass"' in html


def test_workbook_has_the_pages_figures(app, client):
    from openpyxl import load_workbook

    _world(app)
    with app.app_context():
        view = _boss_view()
    login(client, "boss")
    response = client.get("/admin/supervisor/area.xlsx?year=2569")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('ita-area-P0-2569-rollup.xlsx')
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Score-Final", "needs-answers", "no-assessment", "notes"]
    sheet = book["Score-Final"]
    header = [c.value for c in sheet[1]]
    for column in ("ลำดับ (rank)", "IIT ผู้ตอบ (responses)", "IIT ขั้นต่ำ (minimum)",
                   "ตัวชี้วัดที่ 1 (indicator 1)", "ตัวชี้วัดที่ 10 (indicator 10)",
                   "OIT ถ่วงน้ำหนัก (weighted)", "คะแนนรวม (total)", "ระดับ (grade)",
                   "ผลการประเมิน (verdict)", "ผลชั่วคราว (provisional)"):
        assert column in header
    col = {name: k for k, name in enumerate(header)}
    cells = {row[col["รหัสหน่วยงาน (agency code)"]]: row
             for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(cells) == set(WORLD)  # nothing of X9
    for r in view.rows:
        row = cells[r.agency.code]
        assert row[col["ลำดับ (rank)"]] == r.rank
        assert row[col["คะแนนรวม (total)"]] == r.total
        assert row[col["ระดับ (grade)"]] == r.grade
        assert row[col["ผลการประเมิน (verdict)"]] == (r.verdict.label_th if r.verdict else None)
        assert row[col["IIT ผู้ตอบ (responses)"]] == r.responses_of("IIT")
        for inst in view.instruments:
            assert row[col[f"{inst} ถ่วงน้ำหนัก (weighted)"]] == r.weighted_of(inst)
        for code in view.indicator_codes:
            assert row[col[f"ตัวชี้วัดที่ {code} (indicator {code})"]] == r.indicator(code)
        assert (row[col["ผลชั่วคราว (provisional)"]] == "ชั่วคราว") == r.provisional
    short = list(book["needs-answers"].iter_rows(min_row=2, values_only=True))
    assert [(x[0], x[2], x[5]) for x in short] == [("C1", "IIT", 20), ("C3", "EIT", 5),
                                                   ("C4", "IIT", None)]
    notes = " ".join(str(c.value) for c in book["notes"]["A"])
    assert "Score-Final" in notes and "itaschool.pracharath.ac.th" in notes
    assert "not the official form" in notes
    # the same figures as the page
    html = client.get("/admin/supervisor?year=2569").get_data(as_text=True)
    for r in view.rows:
        if r.total is not None:
            assert f"{r.total:.2f}" in html
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "export")).all()[-1]
    assert event.target == "ita-area-P0-2569-rollup.xlsx"


@pytest.mark.slow
def test_summary_report_docx_and_pdf(app, client):
    from docx import Document

    _world(app)
    with app.app_context():
        view = _boss_view()
        summary = area_report_view(db.session, view)
    # items pooled over every answer of the ranked agencies, weakest first
    means = [w.mean for w in summary.weakest_items]
    assert means == sorted(means) and len(means) == 10
    assert all(w.agencies <= 3 for w in summary.weakest_items)
    assert {b.code for b in summary.below_target} == set(view.indicator_codes)
    login(client, "boss")
    response = client.get("/admin/supervisor/summary.docx?year=2569")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "สำนักงานเขตทดสอบ" in text and "ประจำปีงบประมาณ พ.ศ. 2569" in text
    assert f"คะแนนเฉลี่ยของกลุ่ม {view.average:.2f}" in text
    assert "{{" not in text + cells and "{%" not in text + cells
    weakest = summary.weakest_items[0]
    assert f"{weakest.mean:.2f}" in cells and weakest.code in cells
    assert "โรงเรียน C1" in cells and "ผลชั่วคราว" in cells  # short of minimums, named
    pdf = client.get("/admin/supervisor/summary.pdf?year=2569")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    plain = subprocess.run([tool("pdftotext"), "-layout", "-", "-"], input=pdf.data,
                           capture_output=True, check=True).stdout.decode()
    assert "ภาพรวม" in plain and f"{view.average:.2f}" in plain
    assert "โรงเรียน C5" in plain  # without an assessment this year
    with app.app_context():
        actions = db.session.execute(sa.select(AuditEvent.action, AuditEvent.target)).all()
    assert ("report", "ita-area-P0-2569-summary.docx") in actions
    assert ("report", "ita-area-P0-2569-summary.pdf") in actions


@pytest.mark.parametrize("url", ["/admin/supervisor?year=2569", "/admin/supervisor/area.xlsx",
                                 "/admin/supervisor/summary.docx"])
@pytest.mark.usefixtures("light_documents")  # the scope is checked here; the files elsewhere
def test_viewer_of_another_office_sees_none_of_its_agencies(app, client, url):
    from docx import Document
    from openpyxl import load_workbook

    _world(app)
    assert "/admin/login" in client.get(url).headers.get("Location", "")
    login(client, "outsider")
    response = client.get(url)
    assert response.status_code == 200
    if url.endswith(".xlsx"):
        book = load_workbook(io.BytesIO(response.data))
        text = " ".join(str(v) for ws in book for row in ws.iter_rows(values_only=True)
                        for v in row)
    elif url.endswith(".docx"):
        document = Document(io.BytesIO(response.data))
        text = " ".join([p.text for p in document.paragraphs] + [
            c.text for t in document.tables for row in t.rows for c in row.cells])
    else:
        text = response.get_data(as_text=True)
    assert "สำนักงานอื่น" in text
    for code in ("P0", "C1", "C5"):
        assert f"โรงเรียน {code}" not in text and "สำนักงานเขตทดสอบ" not in text


@pytest.mark.parametrize("backend", ["sqlite"])  # the command is the same on both
def test_cli_area_report(app, tmp_path, monkeypatch, backend):
    from click.testing import CliRunner
    from docx import Document
    from openpyxl import load_workbook

    from survey_app.cli import main

    _world(app)
    monkeypatch.setenv("ITA_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("ITA_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("ITA_SECRET_KEY", "s" * 64)
    cli = CliRunner()

    class runner:
        @staticmethod
        def invoke(args):
            return cli.invoke(main, args)

    out = tmp_path / "area.docx"
    result = runner.invoke(args=["report", "--area", "P0", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "โรงเรียน C2" in "\n".join(c.text for t in Document(out).tables
                                      for row in t.rows for c in row.cells)
    book = tmp_path / "area.xlsx"
    result = runner.invoke(args=["report", "--area", "P0", "--year", "2569", "--format", "xlsx",
                                 "--output", str(book)])
    assert result.exit_code == 0, result.output
    codes = {row[1] for row in load_workbook(book)["Score-Final"].iter_rows(
        min_row=2, values_only=True)}
    assert codes == set(WORLD)
    for args, message in (
            (["--area", "NOPE"], "no agency with code 'NOPE'"),
            (["--area", "P0", "--year", "2400"], "no assessment in B.E. 2400"),
            (["--assessment", "1", "--area", "P0"], "either --assessment ID or --area"),
            ([], "either --assessment ID or --area")):
        result = runner.invoke(args=["report", *args, "--output", str(tmp_path / "x")])
        assert result.exit_code != 0 and message in result.output, result.output


def test_a_renderers_failure_is_a_message(app, client, monkeypatch):
    from survey_app.services import reports

    _world(app)

    def broken(_view):
        raise OSError("no fonts")

    monkeypatch.setattr(reports, "area_pdf", broken)
    login(client, "boss")
    response = client.get("/admin/supervisor/summary.pdf")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "PDF" in html and 'href="/admin/supervisor"' in html
    with app.app_context():
        assert not db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "report")).all()  # nothing was downloaded
