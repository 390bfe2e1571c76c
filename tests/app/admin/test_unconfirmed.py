"""Figures built on unconfirmed data say so where they are read; a confirmed set shows nothing.

The data a set leaves unconfirmed are read from the set itself (questionnaires/provenance.py):
the dashboard, the yearly report (HTML, and the lines the DOCX gets), the set page, the poster
and the respondent page show them; an assessment may choose the alternative score map, and
every figure computed with it is labelled.
"""

from __future__ import annotations

import io
import re

import docx
import pytest

from questionnaires import DEFINITIONS_DIR, load_instrument_set, parse_instrument_set
from questionnaires.provenance import codes
from survey_app.extensions import db
from survey_app.models import Assessment
from survey_app.services.instrument_sets import add_set
from survey_app.services.reports import unconfirmed_lines
from survey_app.services.results import assessment_result, results_view

from ... import factories
from .results_data import add_agency, add_assessment, add_user, login, publish

CONFIRMED_ID = "test-confirmed"


def _confirmed_text() -> str:
    """ita-2569 declaring every datum confirmed (a fixture: no real set is)."""
    text = (DEFINITIONS_DIR / "ita-2569.toml").read_text(encoding="utf-8")
    text = text.replace('id = "ita-2569"', f'id = "{CONFIRMED_ID}"\nunconfirmed = []', 1)
    return text


def _seed(app, monkeypatch, set_id: str, *, score_map: str | None = None) -> int:
    if set_id == CONFIRMED_ID:
        parsed = parse_instrument_set(_confirmed_text(), "test")
        real = factories.load_instrument_set
        monkeypatch.setattr(factories, "load_instrument_set",
                            lambda name: parsed if name == CONFIRMED_ID else real(name))
    with app.app_context():
        session = db.session
        if set_id == CONFIRMED_ID:
            add_set(session, _confirmed_text(), "confirmed.toml", added_by="test")
        agency = add_agency(session, "UNC", "หน่วยงานทดสอบ")
        assessment = add_assessment(session, agency, instrument_set=set_id,
                                    oit_failed=("O11",))
        assessment.score_map = score_map
        add_user(session, "admin", "agency_admin", agency)
        session.commit()
        return assessment.id


def test_every_shipped_set_names_what_is_unconfirmed():
    assert codes(load_instrument_set("ita-2566")) == {"score_map", "wording", "minimum_sample"}
    for set_id in ("ita-2568", "ita-2569"):
        assert {"score_map", "wording", "item_indicators", "directions", "oit_grouping",
                "oit_titles"} <= codes(load_instrument_set(set_id))
    assert "oit_list" in codes(load_instrument_set("ita-2567"))
    assert codes(parse_instrument_set(_confirmed_text(), "t")) == frozenset()


@pytest.mark.usefixtures("light_documents")  # the DOCX's words are checked here; charts elsewhere
def test_pages_with_unconfirmed_figures_say_so(app, client, monkeypatch):
    assessment_id = _seed(app, monkeypatch, "ita-2569")
    login(client)
    html = client.get(f"/admin/assessments/{assessment_id}/results").get_data(as_text=True)
    assert 'id="unconfirmed"' in html
    for code in ("score_map", "oit_grouping", "wording"):
        assert f'data-unconfirmed="{code}"' in html
    assert "ยังไม่ได้รับการยืนยัน" in html  # Thai first
    # the OIT grouping range: O11 failed in a 2-item sub-indicator
    assert 'id="oit-sensitivity"' in html and 'id="oit-sensitivity-verdict"' in html
    with app.app_context():
        view = results_view(db.session, db.session.get(Assessment, assessment_id))
        s = view.oit_sensitivity
        assert s.low.oit <= s.as_set.oit <= s.high.oit and s.high.oit > s.as_set.oit
        assert f"{s.low.oit:.2f}–{s.high.oit:.2f}" in html
        lines = unconfirmed_lines(view)
        assert any("9.1–10.2" in line for line in lines)
    report = client.get(f"/admin/assessments/{assessment_id}/report").get_data(as_text=True)
    assert 'id="unconfirmed"' in report and 'data-unconfirmed="score_map"' in report
    assert 'id="oit-sensitivity"' in report
    # the Word file prints the same notice, line for line
    word = docx.Document(io.BytesIO(client.get(
        f"/admin/assessments/{assessment_id}/report.docx").data))
    paragraphs = [p.text for p in word.paragraphs]
    assert "ข้อมูลที่ยังไม่ได้รับการยืนยัน" in "\n".join(paragraphs)
    for line in lines:
        assert line in paragraphs
    set_page = client.get("/admin/sets/ita-2569").get_data(as_text=True)
    assert 'id="unconfirmed"' in set_page and 'data-unconfirmed="oit_titles"' in set_page
    poster = client.get(f"/admin/assessments/{assessment_id}/poster").get_data(as_text=True)
    assert 'id="wording-ours"' in poster and "ภาษาที่อ่านง่าย" in poster
    english = client.get(f"/admin/assessments/{assessment_id}/results?lang=en")
    assert "Not yet confirmed" in english.get_data(as_text=True) or \
        'id="unconfirmed"' in english.get_data(as_text=True)


@pytest.mark.usefixtures("light_documents")  # the DOCX's words are checked here; charts elsewhere
def test_a_confirmed_set_shows_no_notice(app, client, monkeypatch):
    assessment_id = _seed(app, monkeypatch, CONFIRMED_ID)
    login(client)
    html = client.get(f"/admin/assessments/{assessment_id}/results").get_data(as_text=True)
    assert re.search(r'id="total">\d', html)  # figures are shown …
    assert 'id="unconfirmed"' not in html and 'id="oit-sensitivity"' not in html  # … no notice
    report = client.get(f"/admin/assessments/{assessment_id}/report").get_data(as_text=True)
    assert 'id="unconfirmed"' not in report
    word = docx.Document(io.BytesIO(client.get(
        f"/admin/assessments/{assessment_id}/report.docx").data))
    assert "ข้อมูลที่ยังไม่ได้รับการยืนยัน" not in "\n".join(p.text for p in word.paragraphs)
    set_page = client.get(f"/admin/sets/{CONFIRMED_ID}").get_data(as_text=True)
    assert 'id="unconfirmed"' not in set_page
    with app.app_context():
        assert unconfirmed_lines(results_view(db.session,
                                              db.session.get(Assessment, assessment_id))) == []


def test_alternative_score_map_is_used_and_labelled(app, client, monkeypatch):
    assessment_id = _seed(app, monkeypatch, "ita-2566", score_map="replica-points")
    login(client)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        alt = assessment_result(db.session, assessment)
        assessment.score_map = None
        own = assessment_result(db.session, assessment)
        assessment.score_map = "replica-points"
        db.session.commit()
    assert alt.score_map == "replica-points" and own.score_map is None
    assert alt.instruments["IIT"].score != own.instruments["IIT"].score
    assert alt.instruments["OIT"].score == own.instruments["OIT"].score  # OIT has no answers
    html = client.get(f"/admin/assessments/{assessment_id}/results").get_data(as_text=True)
    assert 'data-score-map="replica-points"' in html
    assert f"{alt.total:.2f}" in html
    report = client.get(f"/admin/assessments/{assessment_id}/report").get_data(as_text=True)
    assert 'data-score-map="replica-points"' in report


@pytest.mark.parametrize("choice, ok", [("replica-points", True), ("no-such-map", False)])
def test_score_map_is_chosen_on_the_edit_page_and_audited(app, client, monkeypatch, choice, ok):
    assessment_id = _seed(app, monkeypatch, "ita-2566")
    login(client)
    page = client.get(f"/admin/assessments/{assessment_id}/edit").get_data(as_text=True)
    assert 'name="score_map"' in page and "replica-points" in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    with app.app_context():
        a = db.session.get(Assessment, assessment_id)
        data = {"opens_at": a.opens_at.strftime("%Y-%m-%dT%H:%M"),
                "closes_at": a.closes_at.strftime("%Y-%m-%dT%H:%M"), "score_map": choice}
    if token:
        data["csrf_token"] = token.group(1)
    response = client.post(f"/admin/assessments/{assessment_id}/edit", data=data)
    assert response.status_code in ((302, 303) if ok else (200,))
    with app.app_context():
        stored = db.session.get(Assessment, assessment_id).score_map
    assert stored == (choice if ok else None)


@pytest.mark.parametrize("collected", [True, False])
def test_a_published_result_rests_on_nothing_unconfirmed(app, client, collected):
    """NACC's figures rest on none of the set's unconfirmed data: without answers collected
    here there is no notice; with them, the notice says it concerns our own survey only."""
    with app.app_context():
        session = db.session
        agency = add_agency(session, "PUB", "หน่วยงานที่มีผลประกาศ")
        assessment = add_assessment(session, agency, iit=35 if collected else 0,
                                    eit=60 if collected else 0)
        publish(session, agency.id, 2569, {"total": 90.0}, keep_as_given=True)
        add_user(session, "admin", "agency_admin", agency)
        session.commit()
        assessment_id = assessment.id
    login(client)
    html = client.get(f"/admin/assessments/{assessment_id}/results").get_data(as_text=True)
    report = client.get(f"/admin/assessments/{assessment_id}/report").get_data(as_text=True)
    own_only = "ผลคะแนนของปีนี้เป็นผลที่สำนักงาน ป.ป.ช. ประกาศ ไม่ขึ้นกับข้อมูลด้านล่าง"
    if collected:
        assert 'id="unconfirmed"' in html and own_only in html
        assert 'id="unconfirmed"' in report and own_only in report
    else:
        assert 'id="unconfirmed"' not in html and 'id="unconfirmed"' not in report
