"""The yearly analysis report: DOCX with the figures and measures, PDF through Chromium."""

from __future__ import annotations

import io
import os

import docx
import pytest
from docx.oxml.ns import qn

from scoring.report import result_to_dict
from survey_app.extensions import db
from survey_app.models import Assessment
from survey_app.services import reports
from survey_app.services.results import assessment_result

from .results_data import login, seed_one


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def _tables(document) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


def test_docx_holds_the_figures_and_the_measures(app, client):
    seeded = seed_one(app)
    login(client)
    response = client.get(f"/admin/assessments/{seeded.assessment_id}/report.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('filename=ita-CMI3-2569-report.docx')
    document = docx.Document(io.BytesIO(response.data))
    text = _text(document)
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        expected = result_to_dict(assessment_result(db.session, assessment))

    assert "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน" in text
    assert "ประจำปีงบประมาณ พ.ศ. 2570" in text  # measures for the year after the results
    assert f"ได้คะแนน {expected['total']:.2f}" in text
    assert f"ระดับ {expected['grade']}" in text
    tables = _tables(document)

    ranked = next(t for t in tables if t[0] == ["ตัวชี้วัดที่", "ประเด็นตัวชี้วัด", "คะแนน",
                                                 "ระดับ", "หมายเหตุ"])
    assert [r[0] for r in ranked[1:]] == expected["strengths"] + expected["to_develop"]
    for row in ranked[1:]:
        ind = expected["indicators"][row[0]]
        assert row[2] == f"{ind['score']:.2f}" and row[3] == ind["grade"]

    history = next(t for t in tables if t[0][0] == "ปีงบประมาณ พ.ศ.")
    assert history[1:] == [
        [str(h["fiscal_year_be"]), f"{h['total']:.2f}", h["development"],
         "-" if h["difference"] is None else f"{h['difference']:+.2f}"]
        for h in expected["history"]]
    assert history[2] == ["2568", "86.13", "ลดลง", "-3.88"]

    weighted = next(t for t in tables if t[0][-1] == "คะแนนหลังถ่วงน้ำหนัก")
    for inst in ("IIT", "EIT", "OIT"):
        row = next(r for r in weighted if r[3] == inst)
        assert row[4] == f"{expected['instruments'][inst]['weighted']:.2f}"
    sub_95 = expected["indicators"]["9"]["sub_indicators"]["9.5"]["score"]
    assert any(r[1].startswith("9.5 ") and r[2] == f"{sub_95:.2f}" for r in weighted)
    assert weighted[-1][-1] == f"{expected['total']:.2f} {expected['grade']}"

    # measures: typed by the admin, carried over as text (a document is no spreadsheet)
    assert "จัดทำแผนผังขั้นตอนการให้บริการ" in text and "กลุ่มอำนวยการ" in text
    assert "ไตรมาส 3" in text
    below_without_measure = [c for c in expected["to_develop"] if c not in ("6", "7")]
    if below_without_measure:
        assert "ยังไม่ได้กำหนดมาตรการสำหรับตัวชี้วัดนี้" in text

    # Thai in every script slot: Word would otherwise fall back to another font for Thai
    run = next(r for p in document.paragraphs for r in p.runs if "คะแนน" in r.text)
    fonts = run._element.rPr.rFonts
    assert fonts.get(qn("w:cs")) == "TH Sarabun New"
    assert run._element.rPr.find(qn("w:szCs")) is not None
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7


def test_report_model_placeholders_when_no_measures(app):
    seeded = seed_one(app, measures=False)
    with app.app_context():
        from survey_app.services.results import results_view

        assessment = db.session.get(Assessment, seeded.assessment_id)
        view = results_view(db.session, assessment, bootstrap=0)
        model = reports.report_model(view, [])
    assert [s["code"] for s in model["measures"]] == view["scores"]["to_develop"]
    assert all(s["rows"][0]["missing"] for s in model["measures"])


def test_report_preview_is_html_with_allowed_inline_style(app, client):
    seeded = seed_one(app)
    login(client)
    response = client.get(f"/admin/assessments/{seeded.assessment_id}/report")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "'sha256-" in response.headers["Content-Security-Policy"]
    assert "<script" not in html and "<svg" in html
    assert "ประเด็นการประเมิน" in html


def test_pdf_without_chromium_says_what_to_install(app, client, monkeypatch):
    seeded = seed_one(app)
    monkeypatch.setattr(reports, "chromium_path", lambda configured=None: None)
    login(client)
    response = client.get(f"/admin/assessments/{seeded.assessment_id}/report.pdf")
    assert response.status_code == 503
    assert "apt-get install chromium fonts-thai-tlwg" in response.get_data(as_text=True)
    page = client.get(f"/admin/assessments/{seeded.assessment_id}/exports")
    assert "apt-get install chromium" in page.get_data(as_text=True)


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["sqlite"])
def test_pdf_report(app, client, backend):
    if reports.chromium_path(app.config.get("CHROMIUM")) is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium is needed for the PDF report in CI")
        pytest.skip("no Chromium: apt-get install chromium fonts-thai-tlwg")
    seeded = seed_one(app)
    login(client)
    response = client.get(f"/admin/assessments/{seeded.assessment_id}/report.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    assert response.mimetype == "application/pdf"
    assert len(response.data) > 20_000
