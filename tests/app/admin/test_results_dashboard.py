"""The results dashboard and the supervisor comparison show scoring's figures, scoped."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from scoring.report import result_to_dict
from survey_app.extensions import db
from survey_app.models import Agency, Assessment, AuditEvent, OitResult
from survey_app.services.area import supervisor_view
from survey_app.services.results import assessment_result, results_view

from ...factories import built_once
from .results_data import add_agency, add_assessment, add_user, login, seed_one

#: The same data is rated once per test process (tests/app/conftest.py).
pytestmark = pytest.mark.usefixtures("assess_once")


def _cell(html: str, attr: str) -> str:
    match = re.search(rf'{attr}>([^<]*)<', html)
    assert match, attr
    return match.group(1).strip()


def test_dashboard_shows_scorings_figures(app, client):
    seeded = seed_one(app)
    login(client)
    html = client.get(f"/admin/assessments/{seeded.assessment_id}/results").get_data(as_text=True)
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        expected = result_to_dict(assessment_result(db.session, assessment))
    assert _cell(html, 'id="total"') == f"{expected['total']:.2f}"
    assert _cell(html, 'id="grade"') == expected["grade"]
    for code, ind in expected["indicators"].items():
        assert _cell(html, f'data-indicator="{code}"') == f"{ind['score']:.2f}"
        if ind["bootstrap_ci95"]:
            low, high = ind["bootstrap_ci95"]
            assert f"{low:.2f}–{high:.2f}" in html
    for code, inst in expected["instruments"].items():
        assert _cell(html, f'data-weighted="{code}"') == f"{inst['weighted']:.2f}"
    # the history: two past totals then this year, with development and difference
    years = [h["fiscal_year_be"] for h in expected["history"]]
    assert years == [2567, 2568, 2569]
    assert "ลดลง" in html and "-3.88" in html
    # charts are inline SVG, no scripts anywhere
    assert html.count("<svg") >= 2 and "<script" not in html
    assert "เป้าหมาย 95" in html
    # OIT fully judged; EIT groups and suppression
    assert "ตรวจแล้ว 43 จาก 43 ข้อ" in html
    assert expected["eit_groups"]


def test_dashboard_live_oit_and_suppressed_groups(app, client):
    with app.app_context():
        session = db.session
        agency = add_agency(session, "LIVE", "หน่วยงานทดสอบสด")
        # 3 'other' respondents: a group below the minimum of 5 is suppressed
        assessment = add_assessment(session, agency, eit=23,
                                    groups=("school",) * 4 + ("public",) * 3 + ("other",),
                                    oit_unjudged=("O40", "O41", "O42", "O43"))
        add_user(session, "admin", "agency_admin", agency)
        session.commit()
        assessment_id = assessment.id
    login(client)
    html = client.get(f"/admin/assessments/{assessment_id}/results").get_data(as_text=True)
    assert "ตรวจแล้ว 39 จาก 43 ข้อ" in html
    assert "ไม่แสดง (น้อยกว่า 5 คน)" in html
    with app.app_context():
        view = results_view(db.session, db.session.get(Assessment, assessment_id), bootstrap=0)
    # unjudged items count as not passed: 10.2 has O39 judged (passed) of 5
    sub = next(s for s in view.indicator("10").sub_indicators if s.code == "10.2")
    assert sub.score == 20.0 and [o.code for o in sub.not_passed] == ["O40", "O41", "O42", "O43"]
    assert [o.passed for o in sub.checklist if o.code == "O40"] == [None]  # not judged yet
    assert [g.code for g in view.eit_groups if g.suppressed] == ["other"]

    # judging the rest moves the live score
    with app.app_context():
        db.session.execute(sa.update(OitResult).where(OitResult.assessment_id == assessment_id)
                           .values(passed=True))
        for item in ("O40", "O41", "O42", "O43"):
            db.session.add(OitResult(assessment_id=assessment_id, item=item, passed=True))
        db.session.commit()
    html = client.get(f"/admin/assessments/{assessment_id}/results?lang=en").get_data(as_text=True)
    assert "Judged 43 of 43 items" in html
    assert "not shown (fewer than 5)" in html


def test_dashboard_without_oit_has_no_total(app, client):
    with app.app_context():
        agency = add_agency(db.session, "NOOIT", "หน่วยงานไม่มี OIT")
        assessment = add_assessment(db.session, agency, oit_unjudged=tuple(
            f"O{k}" for k in range(1, 44)))
        add_user(db.session, "admin", "agency_admin", agency)
        db.session.commit()
        assessment_id = assessment.id
    login(client)
    html = client.get(f"/admin/assessments/{assessment_id}/results").get_data(as_text=True)
    assert "ยังคำนวณคะแนนรวมไม่ได้" in html
    assert _cell(html, 'data-indicator="1"') != "–"


@built_once
def _world(app):
    """A parent office with three child agencies, plus an unrelated agency with a higher total."""
    with app.app_context():
        session = db.session
        parent = add_agency(session, "P0", "สำนักงานต้นสังกัด")
        qualities = {"P0": 0.8, "C1": 0.55, "C2": 0.95, "C3": 0.8, "X9": 1.0}
        agencies = {"P0": parent}
        for code in ("C1", "C2", "C3"):
            agencies[code] = add_agency(session, code, f"หน่วยงานลูก {code}", parent=parent)
        agencies["X9"] = add_agency(session, "X9", "หน่วยงานนอกสังกัด")
        for k, (code, agency) in enumerate(agencies.items()):
            add_assessment(session, agency, quality=qualities[code], seed=k + 1,
                           oit_failed=("O1", "O2", "O3") if code == "C1" else ())
        # C3 gets exactly P0's data: equal totals share a rank
        add_user(session, "boss", "agency_admin", parent)
        add_user(session, "child", "viewer", agencies["C1"])
        session.commit()
        return {code: a.id for code, a in agencies.items()}


def test_supervisor_compares_agencies_in_scope(app, client):
    ids = _world(app)
    with app.app_context():
        from survey_app.models import User

        boss = db.session.scalar(sa.select(User).where(User.username == "boss"))
        comparison = supervisor_view(db.session, boss, 2569)
        expected = {}
        for code in ("P0", "C1", "C2", "C3"):
            assessment = db.session.scalar(sa.select(Assessment).where(
                Assessment.agency_id == ids[code]))
            expected[code] = result_to_dict(assessment_result(db.session, assessment,
                                                              bootstrap=0))
    rows = {r.agency.code: r for r in comparison.rows}
    assert set(rows) == {"P0", "C1", "C2", "C3"}  # X9 is out of scope
    for code, d in expected.items():
        assert rows[code].total == d["total"]
        assert rows[code].grade == d["grade"]
    totals = sorted((d["total"] for d in expected.values()), reverse=True)
    for r in comparison.rows:
        assert r.rank == 1 + sum(1 for t in totals if t > r.total)
    assert [r.rank for r in comparison.rows] == sorted(r.rank for r in comparison.rows)
    # the average of the four agencies' totals (full precision, rounded half up)
    with app.app_context():
        import numpy as np

        from scoring.rollup import round_half_up

        full = []
        for code in ("P0", "C1", "C2", "C3"):
            assessment = db.session.scalar(sa.select(Assessment).where(
                Assessment.agency_id == ids[code]))
            full.append(assessment_result(db.session, assessment, bootstrap=0).total)
    assert comparison.average == round_half_up(float(np.mean(full)))
    counts = dict(comparison.distribution)
    for grade in {d["grade"] for d in expected.values()}:
        assert counts[grade] == sum(1 for d in expected.values() if d["grade"] == grade)
    assert sum(counts.values()) == 4
    assert rows["P0"].own and not rows["C1"].own

    login(client, "boss")
    html = client.get("/admin/supervisor?year=2569").get_data(as_text=True)
    assert "หน่วยงานนอกสังกัด" not in html
    assert f"{comparison.average:.2f}" in html
    assert 'class="own"' in html
    # a viewer of a child agency sees only its own agency
    client.post("/admin/logout")
    login(client, "child")
    html = client.get("/admin/supervisor").get_data(as_text=True)
    assert "หน่วยงานลูก C1" in html
    assert "หน่วยงานลูก C2" not in html and "สำนักงานต้นสังกัด" not in html


def test_ties_share_a_rank(app):
    with app.app_context():
        session = db.session
        parent = add_agency(session, "TP", "ต้นสังกัด")
        for code in ("T1", "T2", "T3"):
            agency = add_agency(session, code, code, parent=parent)
            add_assessment(session, agency, quality=0.8, seed=5 if code != "T3" else 9)
        boss = add_user(session, "tboss", "agency_admin", parent)
        session.commit()
        comparison = supervisor_view(session, boss, 2569)
    ranks = {r.agency.code: r.rank for r in comparison.rows}
    assert ranks["T1"] == ranks["T2"]
    assert sorted(ranks.values()) in ([1, 1, 3], [1, 2, 2])


SCOPED = ("/results", "/exports", "/exports/responses-iit.csv", "/exports/responses-eit.xlsx",
          "/exports/codebook.csv", "/exports/scores.json", "/exports/scores.xlsx",
          "/exports/scores.csv", "/report", "/report.docx")


@pytest.mark.parametrize("suffix", SCOPED)
def test_another_agencys_viewer_reaches_nothing(app, client, suffix):
    seeded = seed_one(app)
    with app.app_context():
        other = add_agency(db.session, "OTHER", "หน่วยงานอื่น")
        add_user(db.session, "outsider", "viewer", other)
        db.session.commit()
    url = f"/admin/assessments/{seeded.assessment_id}{suffix}"
    assert "/admin/login" in client.get(url).headers.get("Location", "")
    login(client, "outsider")
    assert client.get(url).status_code == 404
    assert client.get("/admin/assessments/99999" + suffix).status_code == 404
    client.post("/admin/logout")
    login(client, "admin")
    response = client.get(url)
    assert response.status_code == 200
    response.close()


@pytest.mark.usefixtures("light_documents")  # the audit is checked here; the files elsewhere
def test_downloads_are_audited(app, client):
    seeded = seed_one(app)
    login(client)
    response = client.get(f"/admin/assessments/{seeded.assessment_id}/exports/responses-iit.csv")
    response.get_data()
    client.get(f"/admin/assessments/{seeded.assessment_id}/report.docx")
    with app.app_context():
        events = db.session.execute(sa.select(AuditEvent.action, AuditEvent.target,
                                              AuditEvent.agency_id)
                                    .where(AuditEvent.action.in_(("export", "report")))).all()
    assert ("export", "ita-CMI3-2569-responses-iit.csv", seeded.agency_id) in events
    assert ("report", "ita-CMI3-2569-report.docx", seeded.agency_id) in events


def test_other_language(app, client):
    seeded = seed_one(app)
    login(client)
    html = client.get(f"/admin/assessments/{seeded.assessment_id}/results?lang=en").get_data(
        as_text=True)
    assert "Indicator scores" in html and "target 95" in html
    assert db is not None and Agency is not None


def test_a_fresh_assessment_renders_everywhere(app, client):
    """No responses, no OIT, no history: every page and download still works."""
    with app.app_context():
        agency = add_agency(db.session, "NEW", "หน่วยงานใหม่")
        assessment = add_assessment(db.session, agency, iit=0, eit=0,
                                    oit_unjudged=tuple(f"O{k}" for k in range(1, 44)))
        add_user(db.session, "admin", "agency_admin", agency)
        db.session.commit()
        assessment_id = assessment.id
    login(client)
    for suffix in SCOPED:
        response = client.get(f"/admin/assessments/{assessment_id}{suffix}")
        assert response.status_code == 200, suffix
        response.get_data()
        response.close()
    html = client.get(f"/admin/assessments/{assessment_id}/results").get_data(as_text=True)
    assert "ยังคำนวณคะแนนรวมไม่ได้" in html
    assert "ตรวจแล้ว 0 จาก 43 ข้อ" in html


def test_system_admin_compares_every_agency(app, client):
    _world(app)
    with app.app_context():
        root = add_user(db.session, "root", "system_admin", None)
        db.session.commit()
        comparison = supervisor_view(db.session, root)
    assert comparison.fiscal_year_be == 2569 and comparison.years == (2569,)
    assert {r.agency.code for r in comparison.rows} == {"P0", "C1", "C2", "C3", "X9"}
    assert comparison.rows[0].agency.code == "X9"  # every answer the best: the top total
    assert not any(r.own for r in comparison.rows)
    login(client, "root")
    assert client.get("/admin/supervisor?year=2400").status_code == 200


def test_dashboard_with_headcount_below_the_iit_responses_asks_to_correct_it(app, client):
    """scoring refuses a headcount below the responses; the dashboard says so instead of failing."""
    with app.app_context():
        session = db.session
        agency = add_agency(session, "STALE", "หน่วยงานจำนวนบุคลากรเก่า", headcount=20)
        assessment = add_assessment(session, agency, iit=35)
        add_user(session, "admin", "agency_admin", agency)
        session.commit()
        assessment_id = assessment.id
        result = assessment_result(session, assessment)
    assert result.instruments["IIT"].minimum_sample is None
    login(client)
    response = client.get(f"/admin/assessments/{assessment_id}/results")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "จำนวนบุคลากรที่บันทึกไว้ (20 คน) น้อยกว่าจำนวนผู้ตอบ IIT (35 คน)" in html
