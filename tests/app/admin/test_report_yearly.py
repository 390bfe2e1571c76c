"""The yearly report: typed figures, every section of the seed, and three renderers that agree.

The seed's B.E. 2566 report is built without a database from tests/data (the published
indicator scores, the OIT items that give 9.5 = 75 and 10.1 = 87.50, the 2558–2565 history;
provenance in tests/data/seed_2566_results.json), plus a year with verdict tiers
(tests/data/definitions/test-tiers.toml).  Each format is rendered once per test run
(session-scoped fixtures) and opened with its own library: python-docx, pdftotext.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import docx
import pytest
import sqlalchemy as sa
from docx.oxml.ns import qn

from questionnaires import load_instrument_set
from scoring import assess
from survey_app.extensions import db
from survey_app.models import Assessment, AuditEvent, ReportNarrative
from survey_app.services import reports
from survey_app.services import view_models as vm
from survey_app.services.assessments import AssessmentState
from survey_app.services.results import build_results_view

from ...external import tool
from .results_data import add_user, login, seed_one

DATA = Path(__file__).resolve().parents[2] / "data"
SEED = json.loads((DATA / "seed_2566_results.json").read_text(encoding="utf-8"))
AGENCY = vm.AgencyInfo(1, "CMI3", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาเชียงใหม่ เขต 3",
                       "Chiang Mai Primary Educational Service Area Office 3", "area_office", 60)
PERIOD = "ไตรมาส 3 ของปีงบประมาณ พฤษภาคม – มิถุนายน 2567"  # the seed's period column
MEASURES = {  # two of the seed's 2567 measures, typed with Windows line breaks
    "6": [SimpleNamespace(
        measure="การประชุมชี้แจงรูปแบบการให้บริการ\r\n\r\nจัดทำคู่มือหรือแนวทางการให้บริการ",
        responsible="กลุ่มอำนวยการ และทุกกลุ่ม/หน่วย",
        steps="1.จัดประชุม ชี้แจง สร้างความเข้าใจ\r\n2.แจ้งเวียน ประชาสัมพันธ์", period=PERIOD)],
    "10": [SimpleNamespace(measure="กิจกรรมสร้างการรับรู้เจตจำนงสุจริต", responsible="กลุ่มอำนวยการ",
                           steps="", period=PERIOD)],
}


def _report(iset, given, oit, history, year) -> vm.ReportView:
    result = assess(iset, given=given, oit=oit, history=history, fiscal_year_be=year,
                    bootstrap=0)
    results = build_results_view(iset, result, agency=AGENCY,
                                 assessment=vm.AssessmentInfo(1, year, iset.id, AssessmentState.CLOSED),
                                 counts={"IIT": 0, "EIT": 0}, oit=oit)
    return reports.build_report_view(results, saved={}, measures=MEASURES)


@pytest.fixture(scope="session")
def seed_report() -> vm.ReportView:
    iset = load_instrument_set("ita-2566")
    given = {c: v["score"] for c, v in SEED["indicators"].items() if v["instrument"] != "OIT"}
    oit = {o.code: o.code not in ("O29", "O37") for o in iset.oit_items}
    history = [(h["fiscal_year_be"], h["total"]) for h in SEED["history"]
               if h["fiscal_year_be"] < 2566]
    return _report(iset, given, oit, history, 2566)


@pytest.fixture(scope="session")
def tiers_report() -> vm.ReportView:
    iset = load_instrument_set(DATA / "definitions" / "test-tiers.toml")
    given = {str(k): 97.0 for k in range(1, 9)} | {"6": 88.0}
    oit = {o.code: o.code != "O29" for o in iset.oit_items}
    return _report(iset, given, oit, [(2566, 94.67)], 2567)


@pytest.fixture(scope="session")
def y2569_report() -> vm.ReportView:
    """A shipped set that rates with tiers only (no grade bands)."""
    iset = load_instrument_set("ita-2569")
    given = {c: 88.0 + k for k, c in enumerate(
        c for c, i in iset.indicators.items() if i.instrument != "OIT")}
    oit = {o.code: k % 7 != 0 for k, o in enumerate(iset.oit_items)}
    return _report(iset, given, oit, [(2568, 91.0)], 2569)


@pytest.fixture(scope="session")
def y2569_files(y2569_report) -> dict:
    html, _ = reports.render_report_html(y2569_report)
    return {"html": html, "docx": docx.Document(io.BytesIO(reports.report_docx(y2569_report)))}


class _RenderedOnUse(dict):
    """Files by format; ``"pdf"`` is rendered (WeasyPrint, the slowest) on first use only."""

    def __init__(self, report: vm.ReportView, **files):
        super().__init__(**files)
        self.report = report

    def __missing__(self, key: str):
        if key != "pdf":
            raise KeyError(key)
        self["pdf"] = reports.report_pdf(self.report)
        return self["pdf"]


@pytest.fixture(scope="session")
def seed_files(seed_report) -> dict:
    html, _ = reports.render_report_html(seed_report)
    return _RenderedOnUse(seed_report, html=html,
                          docx=docx.Document(io.BytesIO(reports.report_docx(seed_report))))


@pytest.fixture(scope="session")
def tiers_files(tiers_report) -> dict:
    html, _ = reports.render_report_html(tiers_report)
    return {"html": html, "docx": docx.Document(io.BytesIO(reports.report_docx(tiers_report)))}


def _pdftotext(pdf: bytes, *args: str) -> str:
    return subprocess.run([tool("pdftotext"), *args, "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")


def _flat(text: str) -> str:
    """Text as pdftotext gives it back: SARA AM split, no space differences."""
    text = unicodedata.normalize("NFKC", text).replace("\u0e4d", "")
    return re.sub(r"\s+", "", text)


def _docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


# -- the typed models -------------------------------------------------------------------------


def test_seed_figures_on_the_typed_model(seed_report):
    r = seed_report.results
    assert (r.total, r.grade, r.verdict.code) == (94.67, "A", "pass")
    assert {i.code: i.weighted for i in r.instruments} == SEED["weighted_parts"]
    assert [i.code for i in r.strengths] == ["1", "4", "5", "2", "3", "9"]
    assert [i.code for i in r.to_develop] == ["10", "6", "7", "8"]
    assert (r.highest.code, r.highest.score, r.lowest.code, r.lowest.score) == \
        ("1", 99.02, "8", 90.53)
    assert [(p.fiscal_year_be, p.total, p.difference) for p in r.trend][2:4] == \
        [(2560, 90.01, 11.25), (2561, 86.13, -3.88)]
    # the methodology comes from the set: instruments, their indicators, weights, bands
    m = r.methodology
    assert [(i.code, i.codes, i.weight) for i in m.instruments] == [
        ("IIT", ("1", "2", "3", "4", "5"), 0.3), ("EIT", ("6", "7", "8"), 0.3),
        ("OIT", ("9", "10"), 0.4)]
    assert [(g.grade, g.min_score, g.max_score) for g in m.grades][:2] == \
        [("AA", 95.0, 100.0), ("A", 85.0, 94.99)]
    assert not m.has_tiers and m.target == 95.0
    # the OIT sub-indicators below 100, with the checklist items that did not pass
    assert [(f.sub_indicator.code, f.sub_indicator.score,
             [o.code for o in f.sub_indicator.not_passed]) for f in seed_report.oit_findings] \
        == [("9.5", 75.0, ["O29"]), ("10.1", 87.5, ["O37"])]
    weak10 = next(d for d in seed_report.to_develop if d.indicator.code == "10")
    assert [(w.code, w.score) for w in weak10.weak_items] == [("10.1", 87.5)]
    # measures grouped once by indicator, below-target indicators first; lines kept single
    assert [(s.indicator.code, s.below_target) for s in seed_report.measures] == \
        [("10", True), ("6", True), ("7", True), ("8", True)]
    six = next(s for s in seed_report.measures if s.indicator.code == "6")
    assert six.measures[0].measure == ("การประชุมชี้แจงรูปแบบการให้บริการ",
                                       "จัดทำคู่มือหรือแนวทางการให้บริการ")
    assert six.measures[0].steps[1] == "2.แจ้งเวียน ประชาสัมพันธ์"
    # every text the office writes has a draft built from the data
    assert all(s.factors and not s.edited for s in seed_report.strengths)
    assert "90.53" in next(d for d in seed_report.to_develop if d.indicator.code == "8").analysis


def test_a_year_with_tiers(tiers_report):
    m = tiers_report.results.methodology
    assert m.has_tiers and m.set_id == "test-tiers"
    assert [(t.code, [(f.instrument, f.floor) for f in t.floors]) for t in m.tiers] == [
        ("pass_good", [("EIT", 85.0)]), ("pass", []), ("fail", [])]
    assert tiers_report.results.verdict.code in {t.code for t in m.tiers}


def test_weak_items_are_an_indicators_lowest_items_by_score():
    items = tuple(vm.ItemScore(code, f"ข้อ {code}", "", 10, mean, ())
                  for code, mean in (("e1", 90.0), ("e2", 70.0), ("e3", None), ("e4", 80.0),
                                     ("e5", 95.0)))
    ind = vm.IndicatorScore("6", "EIT", "คุณภาพ", "Quality", 84.0, "B", False, "responses", 10,
                            None, None, items, ())
    assert [(w.code, w.score) for w in reports.weak_items(ind)] == \
        [("e2", 70.0), ("e4", 80.0), ("e1", 90.0)]


# -- every section, in HTML and DOCX, for 2566 and for a year with tiers ----------------------


def _sections(report: vm.ReportView) -> list[str]:
    text = reports._text()
    out = [text.cover_title(), text.past_title(), text.framework_title(),
           text.results_title(report), text.analysis_title(report),
           text.channel_title(), text.sw_title(report), text.strengths_title(report),
           text.factors_title(), text.develop_title(report), text.issues_title(),
           text.oit_title(), text.improve_title(), text.guidelines_title(),
           text.sustain_title(), text.monitoring_title()]
    out += [text.plan_title(report, s.indicator) for s in report.planned]
    if report.results.methodology.has_tiers:
        out.append(text.tiers_note())
    if report.results.methodology.grades:
        out.append(text.grades_note())
    return [reports._plain(s) for s in out]


@pytest.mark.parametrize("which", ["seed", "tiers", "y2569"])
def test_every_section_of_the_seed_is_there(which, request):
    report = request.getfixturevalue(f"{which}_report")
    files = request.getfixturevalue(f"{which}_files")
    html = re.sub(r"<[^>]+>", " ", files["html"])
    import html as html_lib

    html = html_lib.unescape(html)
    document_text = _docx_text(files["docx"])
    for title in _sections(report):
        assert title in html, title
        assert title in document_text, title
    assert "None" not in html and "None" not in document_text
    # the by-channel table: one column per instrument, each indicator with its score
    table = next(t for t in files["docx"].tables
                 if t.rows[0].cells[0].text.endswith("(IIT)"))
    assert [c.text for c in table.rows[0].cells] == [
        f"ด้าน{i.name_th} ({i.code})" for i in report.results.instruments]
    for k, inst in enumerate(report.results.instruments):
        column = [row.cells[k].text for row in table.rows[1:] if row.cells[k].text]
        assert column == [f"{i.name_th} ({i.score:.2f})" for i in inst.indicators]


def test_docx_is_a_real_document(seed_files):
    document = seed_files["docx"]
    styles = {p.style.name for p in document.paragraphs}
    assert {"Heading 1", "Heading 2", "Heading 3"} <= styles
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert len(headings) >= 6 and all(headings)
    body = document.element.body
    # the contents are filled: a line per chapter with the page it starts on (PAGEREF)
    pagerefs = [el.text for el in body.iter(qn("w:instrText")) if "PAGEREF" in (el.text or "")]
    assert len(pagerefs) >= 5
    assert not any("TOC" in (el.text or "") for el in body.iter(qn("w:instrText")))
    # Thai in every script slot of the styles (Word would otherwise fall back for Thai)
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:cs")) == fonts.get(qn("w:ascii")) == "TH Sarabun New"
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    for table in document.tables:
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        # the text's width: 160 mm on a portrait page, 247 mm on a landscape one
        assert all(grid) and any(sum(grid) == pytest.approx(mm / 25.4 * 1440, abs=20)
                                 for mm in (160, 247))
        first = table.rows[0]
        assert first._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated header row
        for row in table.rows:
            widths = [int(tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for tc in row._tr.tc_lst]
            assert widths == grid  # Word reads the cells, LibreOffice the grid
    ranked = next(t for t in document.tables if t.rows[0].cells[1].text == "ประเด็นตัวชี้วัด")
    grid = [int(c.get(qn("w:w"))) for c in ranked._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid[1] > 3 * grid[0]  # the name column is wide, not an equal share
    # a measure's two lines are two paragraphs, no empty line between them
    plan = next(t for t in document.tables if t.rows[0].cells[1].text == "แผนงาน/กิจกรรม"
                and "การประชุมชี้แจง" in "".join(c.text for r in t.rows for c in r.cells))
    cell = next(c for r in plan.rows for c in r.cells
                if c.text.startswith("การประชุมชี้แจงรูปแบบการให้บริการ"))
    assert [p.text for p in cell.paragraphs] == ["การประชุมชี้แจงรูปแบบการให้บริการ",
                                                 "จัดทำคู่มือหรือแนวทางการให้บริการ"]
    tool("pdftoppm")  # the charts are images made with it
    assert len(document.inline_shapes) == 2


@pytest.mark.slow
def test_pdf_embeds_sarabun_keeps_the_period_and_centres_the_cover(seed_files):
    pdf = seed_files["pdf"]
    assert pdf.startswith(b"%PDF")
    text = _pdftotext(pdf, "-layout")
    assert _flat(PERIOD) in _flat(text)  # the period column is whole (inside its cell)
    fonts = subprocess.run([tool("pdffonts"), "-"], input=pdf, capture_output=True).stdout.decode()
    assert "Sarabun" in fonts and "Loma" not in fonts
    # the cover: every line's centre is the page's centre (centred, not justified)
    bbox = _pdftotext(pdf, "-bbox-layout", "-f", "1", "-l", "1")
    page_width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
    rows: dict[int, list[float]] = {}  # words by baseline: pdftotext splits at Thai marks
    for x_min, y_min, x_max in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"', bbox):
        rows.setdefault(round(float(y_min)), []).extend([float(x_min), float(x_max)])
    assert len(rows) == 3  # title, agency, year: one line each, nothing wrapped
    margin_left, margin_right = 25 / 25.4 * 72, 18 / 25.4 * 72  # the report's @page margins
    middle = margin_left + (page_width - margin_left - margin_right) / 2
    for xs in rows.values():
        assert abs((min(xs) + max(xs)) / 2 - middle) < 3


@pytest.mark.slow
def test_docx_pdf_and_web_agree_figure_by_figure(seed_report, seed_files):
    figures = seed_report.figures
    html = seed_files["html"]
    web = dict(re.findall(r'data-figure="([^"]+)">([^<]*)<', html))
    for key, value in figures.items():
        assert web[key].split()[0] == vm.format_score(value), key
    document = seed_files["docx"]
    cells: dict[str, str] = {}
    history = next(t for t in document.tables if t.rows[0].cells[0].text == "ปีงบประมาณ พ.ศ.")
    for row in history.rows[1:]:
        cells[f"year:{row.cells[0].text}"] = row.cells[1].text
    weighted = next(t for t in document.tables if t.rows[0].cells[-1].text ==
                    "คะแนนหลังถ่วงน้ำหนัก")
    for row in weighted.rows[1:]:
        code, name, score, inst, part = (c.text.strip() for c in row.cells)
        if code:
            cells[f"indicator:{code}"] = score
        elif name and name.split()[0][0].isdigit():
            cells[f"sub:{name.split()[0]}"] = score
        if inst:
            cells[f"weighted:{inst}"] = part
        if not code and not inst and part:
            cells["total"] = part.split()[0]
    assert cells == {k: vm.format_score(v) for k, v in figures.items()}
    pdf_text = _pdftotext(seed_files["pdf"], "-layout")
    for key, value in figures.items():
        assert vm.format_score(value) in pdf_text, key


# -- through the console ----------------------------------------------------------------------


# The DOCX is filled from the real view and template (its tables and words are checked); the
# charts and the PDF page are light_documents' stand-ins: the real renders are checked above
# (seed_files) and in test_report_files.py.
@pytest.mark.usefixtures("light_documents")
def test_console_docx_and_pdf_downloads(app, client):
    seeded = seed_one(app)
    login(client)
    response = client.get(f"/admin/assessments/{seeded.assessment_id}/report.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('filename=ita-CMI3-2569-report.docx')
    document = docx.Document(io.BytesIO(response.data))
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        report = reports.report_view(db.session, assessment)
    ranked = next(t for t in document.tables if t.rows[0].cells[1].text == "ประเด็นตัวชี้วัด")
    assert [(r.cells[0].text, r.cells[2].text) for r in ranked.rows[1:]] == [
        (i.code, vm.format_score(i.score)) for i in report.results.ranked]
    text = _docx_text(document)
    assert "=HYPERLINK" in text  # a measure is text in a document, shown as typed
    # survey indicators list their weakest items by name and score
    weak = report.to_develop[0].weak_items if report.to_develop else ()
    for w in weak:
        assert f"{w.code} {w.text_th} ({w.score:.2f})" in text
    pdf = client.get(f"/admin/assessments/{seeded.assessment_id}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.target).where(
            AuditEvent.action == "report")).all()
    assert {"ita-CMI3-2569-report.docx", "ita-CMI3-2569-report.pdf"} <= set(actions)


def test_report_preview_allows_its_style_and_font(app, client):
    seeded = seed_one(app)
    login(client)
    response = client.get(f"/admin/assessments/{seeded.assessment_id}/report")
    policy = response.headers["Content-Security-Policy"]
    assert response.status_code == 200
    assert "'sha256-" in policy and "font-src 'self'" in policy
    html = response.get_data(as_text=True)
    assert "<script" not in html and "<svg" in html and "/static/fonts/Sarabun-Regular.ttf" in html
    font = client.get("/static/fonts/Sarabun-Regular.ttf")
    assert font.status_code == 200
    font.close()


def test_a_renderer_failure_is_a_message(app, client, monkeypatch):
    seeded = seed_one(app)

    def broken(report):
        raise OSError("no fonts")

    monkeypatch.setattr(reports, "report_pdf", broken)
    login(client)
    response = client.get(f"/admin/assessments/{seeded.assessment_id}/report.pdf")
    assert response.status_code == 503
    assert "สร้างรายงาน PDF ไม่สำเร็จ" in response.get_data(as_text=True)


def _csrf(html: str) -> str:
    """The page's CSRF token (the test app turns CSRF off; tests/app/test_csrf.py has it on)."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    return match.group(1) if match else ""


def test_the_offices_words_are_edited_saved_and_audited(app, client):
    seeded = seed_one(app)
    login(client)
    url = f"/admin/assessments/{seeded.assessment_id}/report/texts"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        before = reports.report_view(db.session, assessment, bootstrap=0)
    strength = before.results.strengths[0].code if before.results.strengths else None
    weak = before.results.to_develop[0].code
    draft = next(d for d in before.to_develop if d.indicator.code == weak).analysis
    assert draft.split()[0] in html  # prefilled with the draft
    results_page = client.get(f"/admin/assessments/{seeded.assessment_id}/results")
    assert url in results_page.get_data(as_text=True)  # reachable from the dashboard

    data = {"csrf_token": _csrf(html), f"develop-{weak}": "บรรทัดแรก\r\n\r\nบรรทัดสอง"}
    if strength:
        data[f"strength-{strength}"] = "ผู้บริหารให้ความสำคัญ"
    too_long = dict(data, **{f"monitoring-{weak}": "ก" * (reports.NARRATIVE_MAX + 1)})
    refused = client.post(url, data=too_long)
    assert refused.status_code == 400
    assert "ข้อความยาวเกิน" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportNarrative)) == 0
    saved = client.post(url, data=data)
    assert saved.status_code == 302
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        after = reports.report_view(db.session, assessment, bootstrap=0)
        audit = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "report_texts")).all()
    note = next(d for d in after.to_develop if d.indicator.code == weak)
    assert note.edited and note.analysis == "บรรทัดแรก\nบรรทัดสอง"
    assert len(audit) == 1 and f"develop {weak}" in audit[0].detail
    # emptying a text brings the draft back
    html = client.get(url).get_data(as_text=True)
    client.post(url, data={"csrf_token": _csrf(html), f"develop-{weak}": ""})
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        again = reports.report_view(db.session, assessment, bootstrap=0)
    assert next(d for d in again.to_develop if d.indicator.code == weak).analysis == draft


def test_a_viewer_reads_the_texts_but_cannot_change_them(app, client):
    seeded = seed_one(app)
    with app.app_context():
        from survey_app.models import Agency

        agency = db.session.get(Agency, seeded.agency_id)
        add_user(db.session, "reader", "viewer", agency)
        db.session.commit()
    login(client, "reader")
    url = f"/admin/assessments/{seeded.assessment_id}/report/texts"
    page = client.get(url)
    assert page.status_code == 200 and "readonly" in page.get_data(as_text=True)
    assert client.post(url, data={"csrf_token": _csrf(page.get_data(as_text=True)),
                                  "monitoring-1": "x"}).status_code == 403


def test_save_narratives_refuses_unknown_or_long_texts_and_stores_nothing(app):
    seeded = seed_one(app)
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        drafts = reports.narrative_drafts(reports.report_view(db.session, assessment,
                                                              bootstrap=0).results)
        for texts in ({("strength", "99"): "x"}, {("monitoring", "1"): "ก" * 5001}):
            with pytest.raises(ValueError):
                reports.save_narratives(db.session, assessment, texts, drafts)
        assert reports.load_narratives(db.session, assessment) == {}
        # a text equal to its draft is not stored: it follows the data
        key = ("monitoring", "1")
        assert reports.save_narratives(db.session, assessment, {key: drafts[key]}, drafts) == []


def test_a_missed_floor_is_named_in_the_typed_model_and_the_report():
    """ita-2569: a total of 93.10 with EIT at 80 is ผ่าน, not ผ่านดี, because EIT < 85."""
    iset = load_instrument_set("ita-2569")
    given = {c: (80.0 if i.instrument == "EIT" else 97.0)
             for c, i in iset.indicators.items() if i.instrument != "OIT"}
    report = _report(iset, given, {o.code: True for o in iset.oit_items}, [], 2569)
    verdict = report.results.verdict
    assert report.results.total == 93.1 and verdict.code == "pass"
    assert verdict.floors_missed == (vm.FloorMissed("EIT", 80.0, 85.0),)
    assert report.results.gap.tier.label_th == "ผ่านดี"
    assert [(n.instrument, n.need, n.met) for n in report.results.gap.instruments
            if n.instrument == "EIT"] == [("EIT", 85.0, False)]
    html, _ = reports.render_report_html(report)
    assert "EIT ได้ 93.10" not in html and "EIT ได้ 80.00 ต่ำกว่าเกณฑ์ 85.00" in html
    docx_text = _docx_text(docx.Document(io.BytesIO(reports.report_docx(report))))
    assert "EIT ได้ 80.00 ต่ำกว่าเกณฑ์ 85.00" in docx_text


def test_the_grade_column_only_for_a_set_with_grades(y2569_files, seed_files):
    """ita-2567 on rate with tiers only: their indicator tables have no ระดับ column."""
    def heads(html: str, table_id: str) -> list[str]:
        table = re.search(rf'<table id="{table_id}".*?</thead>', html, re.S).group(0)
        return re.findall(r"<th>(.*?)</th>", table)

    assert heads(y2569_files["html"], "ranked") == ["ตัวชี้วัดที่", "ประเด็นตัวชี้วัด", "คะแนน",
                                                    "หมายเหตุ"]
    assert "ระดับ" in heads(seed_files["html"], "ranked")
    for files, expected in ((y2569_files, 4), (seed_files, 5)):
        tables = [t for t in files["docx"].tables
                  if [c.text for c in t.rows[0].cells][1:2] == ["ประเด็นตัวชี้วัด"]]
        assert tables and {len(t.columns) for t in tables} == {expected}
        if expected == 4:
            assert all("ระดับ" not in [c.text for c in t.rows[0].cells] for t in tables)
