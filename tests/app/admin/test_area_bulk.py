"""Agencies in bulk (issue 19 item 2): the supervisor page, the area workbook and the area
summary read every agency's figures set-based and rate the stale ones in one vectorised pass,
showing exactly the figures of the one-agency path; the year list; the pages of a long table."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re

import numpy as np
import openpyxl
import pytest
import sqlalchemy as sa

from questionnaires import load_instrument_set
from questionnaires.score_maps import score_maps
from scoring import pooled_item_means
from scoring.report import result_to_dict
from scoring.rollup import round_half_up
from survey_app.extensions import db
from survey_app.models import Agency, Assessment, ScoredResult, User
from survey_app.services import area, bulk_results, results
from survey_app.services.instrument_sets import assessment_set
from survey_app.services.oit import OitEntry, save_oit
from survey_app.services.published import published_for, rate_published, set_published, year_set
from survey_app.services.result_store import result_from_dict

from ...factories import built_once
from .results_data import SET, add_agency, add_assessment, add_user, login, publish
from .test_result_cache import _eit_batch

ISET = load_instrument_set(SET)

#: The same data is rated once per test process (tests/app/conftest.py).
pytestmark = pytest.mark.usefixtures("assess_once")


def test_years_include_a_published_result_without_indicator_1(app):
    """Issue 16: a year whose published results are typed as parts or OIT only is listed; a
    year with published totals only (the history of later years) is not."""
    with app.app_context():
        s = db.session
        office = add_agency(s, "AREA", "สำนักงานเขต")
        a = add_agency(s, "S1", "โรงเรียน 1", parent=office)
        b = add_agency(s, "S2", "โรงเรียน 2", parent=office)
        add_assessment(s, office, year=2566, iit=5, eit=5)
        publish(s, a.id, 2564, {"IIT": 29.35, "EIT": 27.57, "OIT": 37.75})  # parts only
        publish(s, b.id, 2565, {"9": 95.0, "10": 93.75})  # OIT only
        publish(s, b.id, 2563, {"total": 90.01})  # a total only: history
        s.commit()
        scope = {office.id, a.id, b.id}
        assert area.supervisor_years(s, scope) == [2566, 2565, 2564]
        view = area.area_of(s, s.get(Agency, office.id), 2564)
        assert [r.agency.code for r in view.rows] == ["S1"]
        assert view.rows[0].source == "published"
        assert s.scalar(sa.select(sa.func.count()).select_from(Agency)) == 3


# -- the bulk view shows exactly the one-agency path's figures ---------------------------------


@built_once
def _bulk_world(app) -> dict[str, int]:
    """An area with schools of every kind: closed and open assessments, small samples, no
    headcount, a score map, published results with and without an assessment here, a school
    without assessment, an OIT checklist judged in part and one not judged at all."""
    with app.app_context():
        s = db.session
        office = add_agency(s, "AREA", "สำนักงานเขต")
        made = {"AREA": office}
        add_assessment(s, office, seed=1)
        plan = {
            "S01": dict(quality=0.9, seed=2),
            "S02": dict(quality=0.6, seed=3, iit=8),  # IIT below its minimum
            "S03": dict(quality=0.75, seed=4, eit=12, eit_minimum=20),  # EIT below its own
            "S04": dict(quality=0.85, seed=5, closed=False),  # open: EIT batches only
            "S05": dict(quality=0.8, seed=6, oit_unjudged=tuple(
                o.code for o in ISET.oit_items)),  # no OIT judged: no total
            "S06": dict(quality=0.7, seed=7, oit_unjudged=("O1", "O2", "O3")),
            "S07": dict(quality=0.95, seed=8),  # has a published result too
            "S08": dict(quality=0.5, seed=9, iit=0, eit=0),  # nothing answered
        }
        for code, kwargs in plan.items():
            made[code] = add_agency(s, code, f"โรงเรียน {code}", parent=office,
                                    headcount=None if code == "S06" else 60)
            made[code].agency_type = "school"
            add_assessment(s, made[code], **kwargs)
        for code in ("S09", "S10"):
            made[code] = add_agency(s, code, f"โรงเรียน {code}", parent=office)
            made[code].agency_type = "school"
        s.flush()
        s.execute(sa.update(Assessment).where(Assessment.agency_id == made["S01"].id)
                  .values(score_map=next(iter(score_maps()))))
        publish(s, made["S07"].id, 2569, FIGURES)
        publish(s, made["S09"].id, 2569, FIGURES_2)  # published, no assessment here
        publish(s, made["S09"].id, 2568, {"total": 80.0})
        made["S11"] = add_agency(s, "S11", "โรงเรียน S11", parent=office)
        made["S11"].agency_type = "school"
        publish(s, made["S11"].id, 2569, {**FIGURES_2, "IIT": 20.0, "total": 70.0},
                keep_as_given=True)  # parts and total as NACC published them
        add_user(s, "boss", "agency_admin", office)
        s.commit()
        return {code: a.id for code, a in made.items()}


FIGURES = {"1": 99.02, "2": 96.9, "3": 96.49, "4": 98.69, "5": 98.13, "6": 93.2, "7": 91.94,
           "8": 90.53, "9": 95.0, "10": 93.75}
FIGURES_2 = {"1": 81.0, "2": 72.5, "3": 88.0, "4": 90.0, "5": 70.0, "6": 65.0, "7": 80.0,
             "8": 77.0, "9": 60.0, "10": 50.0}


def _one_agency(session, agency_id: int, year: int) -> dict:
    """An agency's figures through the single-agency path: its year's stored result (the
    published one where it exists), as the dashboard reads it."""
    agency = session.get(Agency, agency_id)
    assessment = session.scalar(sa.select(Assessment).where(
        Assessment.agency_id == agency_id, Assessment.fiscal_year_be == year)
        .order_by(Assessment.id.desc()))
    if assessment is not None:
        iset = assessment_set(assessment)
        scores = results.stored_result(session, assessment).scores
    else:
        iset = year_set(session, agency, year)
        scores = result_to_dict(rate_published(iset, published_for(session, agency_id, year)))
    typed = result_from_dict(scores, iset)
    return {
        "total": typed.total, "grade": typed.grade,
        "verdict": None if typed.verdict is None else typed.verdict.code,
        "floors": tuple((f.instrument, f.score, f.floor) for f in typed.floors_missed),
        "weighted": tuple((c, i.weighted) for c, i in typed.instruments.items()),
        "scores": tuple((c, i.score) for c, i in typed.instruments.items()),
        "indicators": tuple((c, i.score) for c, i in typed.indicators.items()),
    }


def _shown(row) -> dict:
    return {
        "total": row.total, "grade": row.grade,
        "verdict": None if row.verdict is None else row.verdict.code,
        "floors": tuple((f.instrument, f.score, f.floor)
                        for f in (row.verdict.floors_missed if row.verdict else ())),
        "weighted": row.weighted, "scores": row.scores, "indicators": row.indicators,
    }


def _boss(session):
    return session.scalar(sa.select(User).where(User.username == "boss"))


def _assert_same_as_one_agency(session, view, year: int = 2569) -> None:
    assert view.rows
    for row in view.rows:
        assert _shown(row) == _one_agency(session, row.agency.id, year), row.agency.code


def test_bulk_view_shows_the_one_agency_figures(app, monkeypatch):
    ids = _bulk_world(app)
    passes = []
    real = bulk_results.score_agencies
    monkeypatch.setattr(bulk_results, "score_agencies",
                        lambda *a, **k: passes.append(len(k["iit"] if k["iit"] is not None
                                                          else k["eit"])) or real(*a, **k))
    with app.app_context():
        s = db.session
        view = area.supervisor_view(s, _boss(s), 2569)
        s.commit()
        rows = {r.agency.code: r for r in view.rows}
        assert set(rows) == {"AREA", *(f"S{k:02d}" for k in range(1, 10)), "S11"}
        assert [a.code for a in view.without_assessment] == ["S10"]
        assert rows["S07"].source == rows["S09"].source == rows["S11"].source == "published"
        assert rows["S11"].total == 70.0 and rows["S11"].weighted_of("IIT") == 20.0
        assert rows["S02"].provisional and rows["S03"].provisional and rows["S06"].provisional
        assert rows["S05"].total is None and rows["S08"].total is None
        assert rows["S04"].responses_of("IIT") == 35  # arrived, not yet published
        assert len(passes) == 2  # one pass for the set, one for the score map's school
        _assert_same_as_one_agency(s, view)
        # the next view reads the stored points: no answer is read, nothing rated
        passes.clear()
        again = area.supervisor_view(s, _boss(s), 2569)
        assert passes == [] and again == view
        s.commit()
    del ids


def test_a_change_shows_at_once(app, client):
    ids = _bulk_world(app)
    with app.app_context():
        s = db.session
        before = {r.agency.code: r for r in area.supervisor_view(s, _boss(s), 2569).rows}
        s.commit()
        # one more published EIT batch for S01, a judgement changed for S06, S07's published
        # result removed (its own answers are its result again)
        assessment = s.scalar(sa.select(Assessment).where(Assessment.agency_id == ids["S01"]))
        _eit_batch(s, assessment, np.random.default_rng(5), dt.date(2026, 11, 20),
                   quality=0.1)
        six = s.scalar(sa.select(Assessment).where(Assessment.agency_id == ids["S06"]))
        save_oit(s, six, [OitEntry("O10", False, ("https://example.test/x",))])
        set_published(s, s.get(Agency, ids["S07"]), 2569, {}, source="console", entered_by="t")
        s.commit()
        view = area.supervisor_view(s, _boss(s), 2569)
        after = {r.agency.code: r for r in view.rows}
        assert after["S01"].responses_of("EIT") == before["S01"].responses_of("EIT") + 5
        assert after["S01"].indicators != before["S01"].indicators
        assert after["S06"].indicator("9") != before["S06"].indicator("9")
        assert after["S07"].source == "collected"
        _assert_same_as_one_agency(s, view)
        s.commit()


def _row(html: str, code: str) -> str:
    """One agency's row of the comparison table."""
    body = html.split('id="comparison"', 1)[1].split("</table>", 1)[0]
    return re.search(rf'<tr[^>]*data-agency="{code}".*?</tr>', body, re.S).group(0)


def test_the_kept_comparison_shows_a_change_at_once(app, client, monkeypatch):
    """The page keeps its comparison per worker: a load with nothing changed makes nothing
    again, and a change to one agency (answers arriving, a batch published, a judgement, its
    published result) shows on the very next load, as a comparison made afresh shows it."""
    ids = _bulk_world(app)
    made = []
    real = area._compare
    monkeypatch.setattr(area, "_compare", lambda *a, **k: made.append(1) or real(*a, **k))
    login(client, "boss")

    def page() -> str:
        response = client.get("/admin/supervisor?year=2569")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    first = page()
    assert _row(page(), "S01") == _row(first, "S01") and len(made) == 1  # kept
    with app.app_context():
        s = db.session
        kept = area.supervisor_view(s, _boss(s), 2569)
        assert area.supervisor_view(s, _boss(s), 2569) is kept and len(made) == 1
        # S04 (open): 5 EIT answers arrive, not yet published
        four = s.scalar(sa.select(Assessment).where(Assessment.agency_id == ids["S04"]))
        _eit_batch(s, four, np.random.default_rng(4), dt.date(2026, 11, 20), publish=False)
    second = page()
    assert len(made) == 2
    eit = {code: {r.agency.code: r for r in kept.rows}[code].responses_of("EIT")
           for code in ("S01", "S04")}
    assert f">{eit['S04'] + 5} / " in _row(second, "S04")
    assert _row(second, "S01") == _row(first, "S01")
    with app.app_context():  # S01: a published EIT batch moves its figures
        s = db.session
        one = s.scalar(sa.select(Assessment).where(Assessment.agency_id == ids["S01"]))
        _eit_batch(s, one, np.random.default_rng(5), dt.date(2026, 11, 20), quality=0.1)
    third = page()
    assert len(made) == 3
    assert f">{eit['S01'] + 5} / " in _row(third, "S01")
    assert _row(third, "S01").split("data-total>")[1] != _row(second, "S01").split(
        "data-total>")[1]
    with app.app_context():  # S06: one judgement changed; S07: its published result removed
        s = db.session
        six = s.scalar(sa.select(Assessment).where(Assessment.agency_id == ids["S06"]))
        save_oit(s, six, [OitEntry("O10", False, ("https://example.test/x",))])
        s.commit()
        changed = area.supervisor_view(s, _boss(s), 2569)
        assert changed is not kept
        set_published(s, s.get(Agency, ids["S07"]), 2569, {}, source="console", entered_by="t")
        s.commit()
    fourth = page()
    assert "data-published" in _row(third, "S07") and "data-published" not in _row(fourth, "S07")
    with app.app_context():  # what is shown is what a comparison made afresh shows
        s = db.session
        view = area.supervisor_view(s, _boss(s), 2569)
        s.commit()
        area.forget_comparisons()
        assert area.supervisor_view(s, _boss(s), 2569) == view
        assert {r.agency.code: r.indicator("9") for r in view.rows}["S06"] != {
            r.agency.code: r.indicator("9") for r in kept.rows}["S06"]
        _assert_same_as_one_agency(s, view)
        s.commit()
    assert _row(page(), "S07") == _row(fourth, "S07")


def test_dropped_points_are_rated_again(app):
    _bulk_world(app)
    with app.app_context():
        s = db.session
        view = area.supervisor_view(s, _boss(s), 2569)
        s.commit()
        stored = s.scalar(sa.select(sa.func.count()).select_from(ScoredResult)
                          .where(ScoredResult.variant == bulk_results.POINTS))
        assert stored == 8  # every assessment rated from its answers (not S07's: published)
        s.execute(sa.delete(ScoredResult))
        s.commit()
        assert area.supervisor_view(s, _boss(s), 2569) == view
        s.commit()


# -- long tables page and sort on the server ----------------------------------------------------


def _codes(html: str, table: str) -> list[str]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr[^>]*data-agency="([^"]+)"', body)


def test_the_tables_page_and_sort_on_the_server(app, client, monkeypatch):
    _bulk_world(app)
    monkeypatch.setattr(area, "PAGE_SIZE", 4)
    login(client, "boss")
    with app.app_context():
        s = db.session
        view = area.supervisor_view(s, _boss(s), 2569)
        s.commit()
    ranked = [r.agency.code for r in view.rows]
    page1 = client.get("/admin/supervisor?year=2569").get_data(as_text=True)
    assert _codes(page1, "comparison") == ranked[:4]
    assert 'aria-label="Pages of the agencies compared"' in page1 or "data-pager=\"page\"" in page1
    nxt = re.search(r'<a rel="next" href="([^"]+)#order"', page1).group(1)
    assert "year=2569" in nxt and "page=2" in nxt
    page2 = client.get(html_lib.unescape(nxt)).get_data(as_text=True)
    assert _codes(page2, "comparison") == ranked[4:8]
    last = client.get("/admin/supervisor?year=2569&page=99").get_data(as_text=True)
    assert _codes(last, "comparison") == ranked[8:]
    assert _codes(client.get("/admin/supervisor?year=2569&page=x").get_data(as_text=True),
                  "comparison") == ranked[:4]
    by_code = client.get("/admin/supervisor?year=2569&order=agency&page=2&sort=agency")
    html = by_code.get_data(as_text=True)
    assert _codes(html, "comparison") == sorted(ranked)[4:8]
    assert 'aria-sort="ascending"' in html
    # a link of the other table keeps this table's order and page, and the year
    needs_next = re.search(r'<a rel="next" href="([^"]+)#needs-answers"', html)
    shortfalls = [x.agency.code for x in area.needs_answers(view.rows, sort="agency")]
    if len(shortfalls) > 4:
        assert all(k in html_lib.unescape(needs_next.group(1))
                   for k in ("year=2569", "order=agency", "page=2", "sort=agency"))
    assert _codes(html, "needs") == shortfalls[:4]
    by_total = client.get("/admin/supervisor?year=2569&order=total").get_data(as_text=True)
    totals = sorted((r for r in view.rows), key=lambda r: (r.total is None, -(r.total or 0),
                                                           r.agency.code))
    assert _codes(by_total, "comparison") == [r.agency.code for r in totals][:4]
    # the workbook holds every row, whatever the page
    book = openpyxl.load_workbook(io.BytesIO(
        client.get("/admin/supervisor/area.xlsx?year=2569&page=2").data))
    codes = [row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert codes == ranked


def test_the_summary_pools_the_item_means_of_the_one_agency_path(app):
    _bulk_world(app)
    with app.app_context():
        s = db.session
        view = area.supervisor_view(s, _boss(s), 2569)
        summary = area.area_report_view(s, view)
        one_by_one = pooled_item_means({
            r.assessment_id: results.assessment_result(
                s, s.get(Assessment, r.assessment_id), bootstrap=0)
            for r in view.ranked if r.assessment_id is not None})
        expected = one_by_one.sort_values(["mean"], kind="stable").head(area.WEAKEST_ITEMS)
        assert [(i.code, i.mean, i.lowest, i.n, i.agencies) for i in summary.weakest_items] == [
            (str(code), round_half_up(row["mean"]), round_half_up(row["lowest"]), row["n"],
             row["agencies"]) for code, row in expected.iterrows()]
        s.commit()
