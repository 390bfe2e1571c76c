"""The published result (issue 16): entered, uploaded or set from the CLI, checked against the
year's set, role-scoped and audited; the year's result on every page where it exists.

Seed figures: tests/data/seed_2566_results.json (provenance there).
"""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import docx
import openpyxl
import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Agency, Assessment, AuditEvent, PublishedResult, PublishedScore
from survey_app.refusals import each
from survey_app.services import area, reports
from survey_app.services.published import PublishedError, published_for, set_published
from survey_app.services.results import comparison_view, results_view

from .console_world import login as world_login
from .results_data import add_agency, add_assessment, add_user, publish, seed_one
from .results_data import login as _login

SEED = json.loads((Path(__file__).parents[2] / "data" / "seed_2566_results.json")
                  .read_text(encoding="utf-8"))
FIGURES = {"total": SEED["total"], **SEED["weighted_parts"],
           **{c: d["score"] for c, d in SEED["indicators"].items()},
           **{c: d["score"] for c, d in SEED["oit_sub_indicators"].items()}}


def login(client, username: str = "admin") -> None:
    """Sign in and read the console in English (the messages below are its English ones;
    :func:`test_messages_are_thai_in_the_thai_console` reads them in Thai)."""
    _login(client, username)
    client.get("/admin/?lang=en")


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _count(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(sa.select(sa.func.count()).select_from(PublishedResult)),
                db.session.scalar(sa.select(sa.func.count()).select_from(PublishedScore)))


def _grid(rows: dict[int, dict[str, float | None]], keep: bool = False) -> dict:
    data: dict = {f"s-{k}-year": str(y) for k, y in enumerate(rows)}
    for k, scores in enumerate(rows.values()):
        for code, value in scores.items():
            data[f"s-{k}-{code}"] = "" if value is None else f"{value:.2f}"
    if keep:
        data["keep_as_given"] = "y"
    return data


def _audits(app, action: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.detail)
                                       .where(AuditEvent.action == action)))


# -- the console: typed figures -----------------------------------------------------------------


def test_typed_figures_checked_named_then_kept_as_given(app, client):
    seeded = seed_one(app, past=False)
    login(client)
    url = f"/admin/agencies/{seeded.agency_id}/past"
    wrong = {**FIGURES, "total": 95.00}
    page = client.post(url, data=_grid({2569: wrong}))
    assert page.status_code == 400
    text = _text(page)
    assert "total: published 95.00, recomputed 94.67 (difference +0.33)" in text
    assert _count(app) == (0, 0)
    assert client.post(url, data=_grid({2569: wrong}, keep=True)).status_code == 302
    with app.app_context():
        pub = published_for(db.session, seeded.agency_id, 2569)
        assert pub.as_given and pub.scores["total"] == 95.00 and pub.source == "console"
        assert pub.entered_by == "admin"
    assert _audits(app, "published_update") == ["years 2569 (kept as given)"]
    # the verdict as the set rates it, and where and when it was entered
    listing = client.get(url).get_data(as_text=True)
    assert re.search(r'<tr data-year="2569"><td>2569</td><td class="num">95.00</td><td>AA</td>',
                     listing)


def test_messages_are_thai_in_the_thai_console(app, client):
    ids = _area(app)
    _login(client, "area")  # the console's own language: Thai
    response = _upload(client, ids["AREA"], *_csv([HEADER, S1_ROW.replace("94.67", "95.67"),
                                                   S2_ROW.replace("S2", "OTHER")]))
    text = _text(response)
    assert response.status_code == 400
    assert ("แถว 2 คอลัมน์ total: คะแนนที่ประกาศ 95.67 คำนวณใหม่จากตัวชี้วัดได้ 94.67 "
            "(ต่างกัน +1.00)") in text
    assert "แถว 3 คอลัมน์ agency: คุณไม่มีสิทธิ์บันทึกผลของ 'OTHER'" in text
    assert _count(app) == (0, 0)


def test_a_score_outside_0_100_in_the_grid_is_named(app, client):
    seeded = seed_one(app, past=False)
    login(client)
    page = client.post(f"/admin/agencies/{seeded.agency_id}/past",
                       data={"s-0-year": "2569", "s-0-total": "101", "s-0-1": "abc"})
    assert page.status_code == 400
    text = _text(page)
    assert "Year 2569, column total" in text or "ปี 2569" in text
    assert _count(app) == (0, 0)


# -- uploads -----------------------------------------------------------------------------------


def _area(app):
    """An area office AREA with schools S1, S2 (no assessment here) and another office OTHER."""
    with app.app_context():
        s = db.session
        office = add_agency(s, "AREA", "สำนักงานเขต")
        s1 = add_agency(s, "S1", "โรงเรียน 1", parent=office)
        s2 = add_agency(s, "S2", "โรงเรียน 2", parent=office)
        other = add_agency(s, "OTHER", "สำนักงานอื่น")
        add_assessment(s, office, year=2566, iit=20, eit=30)
        add_user(s, "area", "agency_admin", office)
        add_user(s, "school", "agency_admin", s1)
        s.commit()
        return {a.code: a.id for a in (office, s1, s2, other)}


def _csv(rows: list[str]) -> tuple[io.BytesIO, str]:
    return io.BytesIO(("\n".join(rows) + "\n").encode()), "published.csv"


def _upload(client, agency_id: int, data, name: str, **form):
    return client.post(f"/admin/agencies/{agency_id}/past/import",
                       data={"file": (data, name), **form},
                       content_type="multipart/form-data")


HEADER = "agency,fiscal_year,total,IIT,EIT,OIT,1,2,3,4,5,6,7,8,9,10"
S1_ROW = "S1,2566,94.67,29.35,27.57,37.75,99.02,96.90,96.49,98.69,98.13,93.20,91.94,90.53,95.00,93.75"
S2_ROW = "S2,2566,90.00,,,,,,,,,,,,,"


def test_an_area_uploads_all_its_schools_at_once(app, client):
    ids = _area(app)
    login(client, "area")
    response = _upload(client, ids["AREA"], *_csv([HEADER, S1_ROW, S2_ROW]))
    assert response.status_code == 302, _text(response)
    with app.app_context():
        assert published_for(db.session, ids["S1"], 2566).scores["total"] == 94.67
        assert published_for(db.session, ids["S2"], 2566).scores == {"total": 90.0}
        # the supervisor's comparison: both schools, from their published results
        view = area.area_of(db.session, db.session.get(Agency, ids["AREA"]), 2566)
        rows = {r.agency.code: r for r in view.rows}
        assert rows["S1"].source == "published" and rows["S1"].total == 94.67
        assert rows["S1"].assessment_id is None and not rows["S1"].provisional
        assert rows["S1"].indicator("8") == 90.53
    assert sorted(_audits(app, "published_import")) == [
        "year 2566, file published.csv", "year 2566, file published.csv"]
    page = _text(client.get("/admin/supervisor?year=2566"))
    assert re.search(r'data-agency="S1".*?data-published', page, re.S)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(
        "/admin/supervisor/area.xlsx?year=2566").data))
    cells = [[c for c in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
    s1 = next(r for r in cells if "S1" in r)
    assert 94.67 in s1 and any("NACC's published result" in str(c) for c in s1)


@pytest.mark.parametrize("rows, named", [
    ([HEADER, S1_ROW.replace("94.67", "95.67")],
     "row 2, column total: published 95.67, recomputed 94.67 (difference +1.00)"),
    (["agency,fiscal_year,total,11", "S1,2566,90,80"], "column 4 '11': unknown"),
    ([HEADER, S1_ROW, S1_ROW.replace("S1", "OTHER")],
     "row 3, column agency: you may not set the result of 'OTHER'"),
    ([HEADER, S1_ROW.replace("99.02", "199.02")], "row 2, column 1: '199.02' is outside 0–100"),
    ([HEADER, S1_ROW.replace("S1", "NOPE")], "row 2, column agency: no agency with code 'NOPE'"),
])
def test_bad_uploads_are_refused_naming_row_and_column(app, client, rows, named):
    ids = _area(app)
    login(client, "area")
    response = _upload(client, ids["AREA"], *_csv(rows))
    assert response.status_code == 400
    assert named in _text(response)
    assert _count(app) == (0, 0)  # nothing half-stored: the good row was not stored either
    assert _audits(app, "published_import") == []


def test_a_broken_file_is_refused(app, client):
    ids = _area(app)
    login(client, "area")
    for data, name, named in ((b"PK\x03\x04garbage", "x.xlsx", "not a readable XLSX"),
                              (b"\xff\xfe\x00\x00", "x.csv", "not UTF-8")):
        response = _upload(client, ids["AREA"], io.BytesIO(data), name)
        assert response.status_code == 400 and named in _text(response)
    assert _count(app) == (0, 0)


def test_an_xlsx_upload_for_one_agency_and_a_chosen_year(app, client):
    ids = _area(app)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["total", "1", "2", "3", "4", "5", "6", "7", "8", "9.1", "9.2", "9.3", "9.4",
                  "9.5", "10.1", "10.2"])
    sheet.append([94.67, 99.02, 96.90, 96.49, 98.69, 98.13, 93.20, 91.94, 90.53,
                  100, 100, 100, 100, 75, 87.5, 100])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    login(client, "school")
    response = _upload(client, ids["S1"], data, "s1.xlsx", fiscal_year="2566")
    assert response.status_code == 302, _text(response)
    with app.app_context():
        assert published_for(db.session, ids["S1"], 2566).scores["9.5"] == 75.0


def test_an_agency_admin_cannot_set_another_offices_result(app, client):
    ids = _area(app)
    login(client, "school")  # the admin of school S1
    assert client.get(f"/admin/agencies/{ids['S2']}/past").status_code == 404
    assert client.post(f"/admin/agencies/{ids['S2']}/past",
                       data=_grid({2566: {"total": 90.0}})).status_code == 404
    assert _upload(client, ids["S2"], *_csv(["total", "90"]), fiscal_year="2566"
                   ).status_code == 404
    # from its own page, a row naming another office is refused
    response = _upload(client, ids["S1"], *_csv([HEADER, S1_ROW.replace("S1", "S2")]))
    assert response.status_code == 400
    assert "row 2, column agency: you may not set the result of 'S2'" in \
        _text(response)
    assert _count(app) == (0, 0)


def test_a_viewer_cannot_enter_a_published_result(app, client, world):
    world_login(client, "viewer_a")
    assert client.post(f"/admin/agencies/{world.agency['A']}/past",
                       data=_grid({2569: {"total": 90.0}})).status_code == 403
    assert _count(app) == (0, 0)


# -- one year, one result ----------------------------------------------------------------------


def test_dashboard_and_report_switch_when_entered_and_back_when_removed(app, client):
    seeded = seed_one(app)  # 2569 on ita-2566, collected answers, published 2567 and 2568
    login(client)
    a = seeded.assessment_id
    before = client.get(f"/admin/assessments/{a}/results").get_data(as_text=True)
    collected_total = re.search(r'id="total">([^<]*)<', before).group(1)
    assert 'data-source="collected"' in before and collected_total != "94.67"
    url = f"/admin/agencies/{seeded.agency_id}/past"
    keep = {2567: {"total": 90.01}, 2568: {"total": 86.13}}
    assert client.post(url, data=_grid({**keep, 2569: FIGURES})).status_code == 302
    after = client.get(f"/admin/assessments/{a}/results").get_data(as_text=True)
    assert 'data-source="published"' in after and 'id="total">94.67<' in after
    assert 'id="comparison-link"' in after
    preview = client.get(f"/admin/assessments/{a}/report").get_data(as_text=True)
    assert "ผลการประเมินที่สำนักงาน ป.ป.ช. ประกาศ" in preview and ">94.67<" in preview
    assert f">{collected_total}<" not in preview
    assert 'id="comparison"' in preview
    # removed: clearing every cell of the year
    assert client.post(url, data=_grid({**keep, 2569: {"total": None}})).status_code == 302
    back = client.get(f"/admin/assessments/{a}/results").get_data(as_text=True)
    assert 'data-source="collected"' in back
    assert re.search(r'id="total">([^<]*)<', back).group(1) == collected_total
    assert "ป.ป.ช. ประกาศ บันทึก" not in client.get(f"/admin/assessments/{a}/report"
                                                     ).get_data(as_text=True)
    assert 'id="no-published"' in _text(client.get(f"/admin/assessments/{a}/comparison"))


def test_the_measures_follow_the_published_indicators(app):
    seeded = seed_one(app)
    with app.app_context():
        publish(db.session, seeded.agency_id, 2569, FIGURES)
        db.session.commit()
        report = reports.report_view(db.session, db.session.get(Assessment, seeded.assessment_id),
                                     bootstrap=0)
        assert [d.indicator.code for d in report.to_develop] == ["10", "6", "7", "8"]
        below = [s.indicator.code for s in report.measures if s.below_target]
        assert below == ["10", "6", "7", "8"]
        # ประเด็นการประเมิน of indicator 6: the set's own topics, then our survey's weakest
        issues = next(s.issues for s in report.measures if s.indicator.code == "6")
        topics = [w for w in issues if not w.own_survey]
        assert topics and all(w.score is None for w in topics)
        assert [w.code for w in topics] == [
            i.code for i in load_set_items("ita-2566") if i.indicator == "6"]
        assert any(w.own_survey and w.score is not None for w in issues)
        # the measures page orders and scores its indicators by the published result
        from survey_app.services.measures import indicator_scores

        scores = indicator_scores(db.session, db.session.get(Assessment, seeded.assessment_id))
        assert scores == {c: d["score"] for c, d in SEED["indicators"].items()}


def load_set_items(set_id: str):
    from questionnaires import load_instrument_set

    return load_instrument_set(set_id).items


# -- our survey against the published figure ----------------------------------------------------


def test_the_comparison_on_a_case_with_a_known_answer(app):
    """Published = our own figures on IIT indicators (inside our interval, difference 0);
    EIT published 20 points below ours (outside)."""
    seeded = seed_one(app, past=False)
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        ours = results_view(db.session, assessment)
        figures = {}
        for ind in ours.indicators:
            if ind.instrument == "IIT":
                figures[ind.code] = ind.score
            elif ind.instrument == "EIT":
                figures[ind.code] = round(ind.score - 20.0, 2)
        set_published(db.session, assessment.agency, 2569, figures, source="console",
                      entered_by="test")
        db.session.commit()
        view = comparison_view(db.session, db.session.get(Assessment, seeded.assessment_id))
        rows = {r.code: r for r in view.rows if r.level == "indicator"}
        for code in ("1", "2", "3", "4", "5"):
            assert rows[code].difference == 0.0 and rows[code].inside is True
        for code in ("6", "7", "8"):
            assert rows[code].difference == 20.0 and rows[code].inside is False
        assert rows["9"].published is None and rows["9"].inside is None
        assert view.inside_count >= 5
        assert "ITA" not in {r.code for r in view.rows}  # one year, one total
        report = reports.report_view(db.session, db.session.get(Assessment, seeded.assessment_id))
        word = docx.Document(io.BytesIO(reports.report_docx(report)))
    # the Word file has the same section: its title, a row per figure, the same words
    texts = [p.text for p in word.paragraphs]
    assert "เปรียบเทียบผลการสำรวจของหน่วยงานเองกับผลที่สำนักงาน ป.ป.ช. ประกาศ" in texts
    table = next(t for t in word.tables if t.rows[0].cells[1].text == "ผลที่ประกาศ")
    cells = {r.cells[0].text.split()[0]: [c.text for c in r.cells] for r in table.rows[1:]}
    assert cells["6"][3] == "+20.00"
    assert cells["6"][5] == "นอกช่วง" and cells["1"][5] == "อยู่ในช่วง"


# -- the CLI -----------------------------------------------------------------------------------


@pytest.fixture
def ita(app, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from survey_app.cli import main

    monkeypatch.setenv("ITA_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("ITA_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("ITA_SECRET_KEY", "s" * 64)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args))


def test_cli_set_show_import_remove(app, ita, tmp_path):
    ids = _area(app)
    args = [f"{c}={v}" for c, v in FIGURES.items()]
    wrong = ita("published", "set", "S1", "2566", *args[1:], "total=95")
    assert wrong.exit_code != 0
    assert "total: published 95.00, recomputed 94.67 (difference +0.33)" in wrong.output
    assert "--keep-as-given" in wrong.output and _count(app) == (0, 0)
    assert ita("published", "set", "S1", "2566", "total=abc").exit_code != 0
    done = ita("published", "set", "S1", "2566", *args)
    assert done.exit_code == 0 and "stored" in done.output, done.output
    shown = ita("published", "show", "S1")
    assert shown.exit_code == 0
    assert "2566  set ita-2566  grade A" in shown.output and "total=94.67" in shown.output
    assert "9.5=75.00" in shown.output
    (tmp_path / "p.csv").write_text(f"{HEADER}\n{S1_ROW.replace('S1', 'S2')}\n")
    imported = ita("published", "import", str(tmp_path / "p.csv"))
    assert imported.exit_code == 0 and "S2 2566" in imported.output, imported.output
    (tmp_path / "bad.csv").write_text("total,1\n101,90\n")
    bad = ita("published", "import", str(tmp_path / "bad.csv"), "--agency", "OTHER",
              "--year", "2566")
    assert bad.exit_code != 0 and "row 2, column total: '101' is outside 0–100" in bad.output
    assert ita("published", "remove", "S1", "2566").exit_code == 0
    assert ita("published", "remove", "S1", "2566").exit_code != 0
    with app.app_context():
        assert published_for(db.session, ids["S1"], 2566) is None
        assert published_for(db.session, ids["OTHER"], 2566) is None
        actions = list(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.action.like("published%")).order_by(AuditEvent.id)))
    assert actions == ["published_update", "published_import", "published_remove"]


# -- OIT item by item (NACC's judgement of each checklist item) --------------------------------

#: The seed's OIT: every item of ita-2566 passed but one of 9.5's four and one of 10.1's eight
#: (9.5 = 75, 10.1 = 87.5: the published percentages), so 9 = 95.00, 10 = 93.75, OIT = 37.75.
FAILED = ("O30", "O38")
ITEMS = {f"O{n}": f"O{n}" not in FAILED for n in range(1, 44)}
WITHOUT_OIT = {c: v for c, v in FIGURES.items()
               if c not in ("9", "10") and not c.startswith(("9.", "10."))}


def _items_form(items: dict[str, bool], keep: bool = False) -> dict:
    data = {f"{c}-result": "pass" if ok else "fail" for c, ok in items.items()}
    if keep:
        data["keep_as_given"] = "y"
    return data


def test_oit_items_in_the_console_give_9_10_then_the_oit_part_and_total(app, client):
    """A known answer: items → 9.x/10.x → 9, 10 → the OIT part → the total, as published."""
    ids = _area(app)
    with app.app_context():  # NACC's figures without OIT's indicators yet
        set_published(db.session, db.session.get(Agency, ids["S1"]), 2566, WITHOUT_OIT,
                      source="console", entered_by="test")
        db.session.commit()
    login(client, "area")
    page = client.get(f"/admin/agencies/{ids['S1']}/past")
    assert page.status_code == 200 and 'id="oit-items"' in _text(page)
    url = f"/admin/agencies/{ids['S1']}/past/oit?year=2566"
    form = client.get(url)
    assert form.status_code == 200 and 'name="O43-result"' in _text(form)
    done = client.post(url, data=_items_form(ITEMS))
    assert done.status_code == 302, _text(done)
    with app.app_context():
        stored = published_for(db.session, ids["S1"], 2566)
        assert stored.scores == FIGURES and not stored.as_given
    assert _audits(app, "published_update") == [
        "year 2566, OIT items: 41 of 43 passed (fail: O30, O38)"]

    # One more failed item: 9.5 = 50, 9 = 90, so the published OIT part and total disagree.
    worse = {**ITEMS, "O29": False}
    refused = client.post(url, data=_items_form(worse))
    text = _text(refused)
    assert refused.status_code == 400
    assert "Year 2566: OIT: published 37.75, recomputed 36.75 (difference +1.00)" in text
    assert "Year 2566: total: published 94.67, recomputed 93.67 (difference +1.00)" in text
    with app.app_context():
        assert published_for(db.session, ids["S1"], 2566).scores == FIGURES  # nothing stored
    assert len(_audits(app, "published_update")) == 1

    # A value that is not pass or fail, and a sub-indicator entered in part, are named.
    bad = _items_form(ITEMS)
    bad["O5-result"] = "maybe"
    text = _text(client.post(url, data=bad))
    assert "OIT item O5: 'maybe' is not pass or fail" in text
    part = {f"O{n}-result": "pass" for n in range(1, 4)}
    text = _text(client.post(url, data=part))
    assert "OIT sub-indicator 9.1: no result for item(s) O4, O5, O6, O7, O8, O9, O10" in text
    bad_year = client.get(f"/admin/agencies/{ids['S1']}/past/oit?year=abc")
    assert bad_year.status_code == 400
    assert "abc is not a B.E. year (2400–2700)" in _text(bad_year)
    chooser = client.get(f"/admin/agencies/{ids['S1']}/past/oit")  # no year yet: choose one
    assert chooser.status_code == 200 and 'name="year"' in _text(chooser)
    assert 'name="O1-result"' not in _text(chooser)
    with app.app_context():
        assert published_for(db.session, ids["S1"], 2566).scores == FIGURES


def test_oit_items_refusals_are_thai_in_the_thai_console(app, client):
    ids = _area(app)
    _login(client, "area")
    client.get("/admin/?lang=th")
    bad = _items_form(ITEMS)
    bad["O5-result"] = "maybe"
    response = client.post(f"/admin/agencies/{ids['S1']}/past/oit?year=2566", data=bad)
    assert response.status_code == 400
    assert "ข้อ OIT O5: ค่า 'maybe' ไม่ใช่ผ่านหรือไม่ผ่าน" in _text(response)
    assert _count(app) == (0, 0)


def test_a_viewer_sees_the_oit_items_but_cannot_post_them(app, client, world):
    agency_id = world.agency["A"]
    world_login(client, "viewer_a")
    assert client.get(f"/admin/agencies/{agency_id}/past/oit?year=2566").status_code == 200
    assert client.post(f"/admin/agencies/{agency_id}/past/oit?year=2566",
                       data=_items_form(ITEMS)).status_code == 403


def test_oit_items_in_an_upload(app, client):
    ids = _area(app)
    login(client, "area")
    header = ",".join(["agency", "fiscal_year", *WITHOUT_OIT, *ITEMS])
    row = ",".join(["S1", "2566", *(f"{v:.2f}" for v in WITHOUT_OIT.values()),
                    *("pass" if ok else "ไม่ผ่าน" for ok in ITEMS.values())])
    response = _upload(client, ids["AREA"], *_csv([header, row]))
    assert response.status_code == 302, _text(response)
    with app.app_context():
        assert published_for(db.session, ids["S1"], 2566).scores == FIGURES
    # a bad value and an item the set does not know are named, nothing stored
    bad_row = row.replace(",pass,", ",maybe,", 1)
    text = _text(_upload(client, ids["AREA"], *_csv([header, bad_row])))
    assert "row 2, column O1: 'maybe' is not pass or fail" in text
    text = _text(_upload(client, ids["AREA"], *_csv([header + ",O44", row + ",pass"])))
    assert "column 58 'O44': unknown" in text  # no set of the registry has it
    with app.app_context():
        assert published_for(db.session, ids["S2"], 2566) is None


def test_oit_items_that_disagree_with_typed_9_are_named(app):
    ids = _area(app)
    with app.app_context():
        s1 = db.session.get(Agency, ids["S1"])
        with pytest.raises(PublishedError) as refused:
            set_published(db.session, s1, 2566, {**WITHOUT_OIT, "9": 96.0, "10": 93.75},
                          source="console", entered_by="test", oit_items=ITEMS)
        assert each(refused.value, "en") == [  # the typed 9 is named, then what it breaks
            "9: published 96.00, from the OIT items 95.00 (difference +1.00)",
            "OIT: published 37.75, recomputed 37.95 (difference -0.20)",
            "total: published 94.67, recomputed 94.87 (difference -0.20)"]
        with pytest.raises(PublishedError) as unknown:
            set_published(db.session, s1, 2566, {}, source="console", entered_by="test",
                          oit_items={**ITEMS, "O99": True})
        assert each(unknown.value, "en") == ["OIT item O99: unknown in ita-2566 (use O1 … O43)"]
        assert published_for(db.session, ids["S1"], 2566) is None
        # kept as given: the typed 9 stays, the items give the rest
        assert set_published(db.session, s1, 2566, {**WITHOUT_OIT, "9": 96.0},
                             source="console", entered_by="test", oit_items=ITEMS,
                             keep_as_given=True)
        stored = published_for(db.session, ids["S1"], 2566)
        assert stored.as_given and stored.scores["9"] == 96.0 and stored.scores["9.5"] == 75.0


def test_cli_set_with_oit_items(app, ita, tmp_path):
    ids = _area(app)
    inline = ",".join(f"{c}={'pass' if ok else 'fail'}" for c, ok in ITEMS.items())
    args = [f"{c}={v}" for c, v in WITHOUT_OIT.items()]
    wrong = ita("published", "set", "S1", "2566", *args, "9=96", "--oit-items", inline)
    assert wrong.exit_code != 0
    assert "9: published 96.00, from the OIT items 95.00 (difference +1.00)" in wrong.output
    bad = ita("published", "set", "S1", "2566", "--oit-items", "O1=pass,O2=maybe")
    assert bad.exit_code != 0 and "OIT item O2: 'maybe' is not pass or fail" in bad.output
    assert _count(app) == (0, 0)
    # a file as the console's checklist download has it: "ข้อ (item)" and "ผลการตรวจ (judgement)"
    lines = ["ข้อ (item),ผลการตรวจ (judgement)"]
    lines += [f"{c},{'ผ่าน (pass)' if ok else 'ไม่ผ่าน (fail)'}" for c, ok in ITEMS.items()]
    (tmp_path / "items.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = ita("published", "set", "S1", "2566", *args, "--oit-items",
               str(tmp_path / "items.csv"))
    assert done.exit_code == 0 and "stored" in done.output, done.output
    with app.app_context():
        assert published_for(db.session, ids["S1"], 2566).scores == FIGURES
    assert _audits(app, "published_update") == [
        "year 2566, OIT items: 41 of 43 passed (fail: O30, O38)"]


def test_the_judged_checklist_download_reads_back_as_oit_items(app):
    from survey_app.services.oit import checklist_xlsx
    from survey_app.services.published import from_oit_items, read_oit_items, year_set

    ids = _area(app)  # AREA's 2566 assessment: every item judged, O29 failed
    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).where(
            Assessment.agency_id == ids["AREA"]))
        items = read_oit_items(checklist_xlsx(db.session, assessment), "oit.xlsx")
        assert items == {f"O{n}": n != 29 for n in range(1, 44)}
        given = from_oit_items(year_set(db.session, db.session.get(Agency, ids["AREA"]), 2566),
                               items)
        assert given["9.5"] == 75.0 and given["9"] == 95.0 and given["10"] == 100.0
