"""The stored scored result: equal to a fresh computation after every kind of change.

Each test stores an assessment's result, changes one input the way the product does (a
service call, as a view or the mixer would), and checks that the next read recomputes and
equals ``scoring.assess`` run on the data now; a read with nothing changed uses the stored
row without reading a single answer.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from questionnaires import load_instrument_set
from scoring import agencies_table, score_agencies
from scoring.report import result_to_dict
from scoring.rollup import oit_indicators, oit_sub_indicator_scores
from survey_app.extensions import db
from survey_app.models import Agency, Assessment, ScoredResult, User, utcnow
from survey_app.services import area, bulk_results, result_store, results
from survey_app.services.ballots import add_ballot
from survey_app.services.imports import delete_import, responses_frame, store_import
from survey_app.services.oit import OitEntry, save_oit
from survey_app.services.published import set_published
from survey_app.services.responses import store_eit_response

from ..attacks import worker_pass
from .results_data import SET, add_agency, add_assessment, add_user, answers_for, login, seed_one

ISET = load_instrument_set(SET)

#: A fresh computation on the same data is computed once (tests/app/conftest.py).
pytestmark = pytest.mark.usefixtures("assess_once")


def _plain(scores: dict) -> dict:
    return json.loads(json.dumps(scores))


def _read(app, assessment_id: int, **options) -> bool:
    """Read the stored result, check it against a fresh computation, commit; return if computed."""
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        stored = results.stored_result(db.session, assessment, **options)
        fresh = results.assessment_result(db.session, assessment, **options)
        assert stored.scores == _plain(result_to_dict(fresh))
        assert stored.total == fresh.total
        assert stored.indicators == {c: i.score for c, i in fresh.indicators.items()}
        db.session.commit()
        return stored.computed


def _stored_then_hit(app, assessment_id: int, **options) -> None:
    assert _read(app, assessment_id, **options) is True
    assert _read(app, assessment_id, **options) is False


def _eit_batch(session, assessment, rng, day, *, publish: bool = True, n: int = 5,
               group: str = "public", quality: float = 0.5) -> None:
    """``n`` EIT answers arrive (the window opened for them) and, with ``publish``, reach the
    results as the mixer publishes them after the close (at least K = 5: SECURITY.md)."""
    from survey_app.services.publication import release_due

    assessment_id, closes = assessment.id, assessment.closes_at
    assessment.closes_at = utcnow() + dt.timedelta(days=1)
    session.commit()
    for _ in range(n):
        store_eit_response(session, session.get(Assessment, assessment_id), group,
                           answers_for(ISET, "EIT", rng, quality), submitted_on=day)
    session.get(Assessment, assessment_id).closes_at = closes
    session.commit()
    if publish:
        release_due(session, batch_size=5)


@pytest.fixture
def seeded(app):
    return seed_one(app)


def test_a_hit_reads_no_answers(app, seeded, monkeypatch):
    _stored_then_hit(app, seeded.assessment_id)

    def no_reading(*args, **kwargs):
        raise AssertionError("a stored result must not read the answers")

    monkeypatch.setattr(results, "responses_frame", no_reading)
    monkeypatch.setattr(results, "assess", no_reading)
    with app.app_context():
        stored = results.stored_result(db.session, db.session.get(Assessment,
                                                                  seeded.assessment_id))
        assert not stored.computed and stored.total is not None


def test_a_published_eit_batch_and_not_the_unpublished_answers(app, seeded):
    _stored_then_hit(app, seeded.assessment_id)
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        _eit_batch(db.session, assessment, np.random.default_rng(7), dt.date(2026, 11, 20),
                   publish=False, quality=0.1)
    assert _read(app, seeded.assessment_id) is False  # not published: not a result yet
    worker_pass(app)  # K of them after the close: the mixer publishes them, stores the result
    assert _read(app, seeded.assessment_id) is False  # already stored, equal to a fresh one


def test_a_mixed_batch_and_not_the_waiting_ballots(app, seeded):
    _stored_then_hit(app, seeded.assessment_id)
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        rng = np.random.default_rng(3)
        for _ in range(5):
            add_ballot(db.session, assessment, answers_for(ISET, "IIT", rng, 0.2),
                       submitted_on=dt.date(2026, 11, 21))
        db.session.commit()
    assert _read(app, seeded.assessment_id) is False  # ballots in the box are not results
    worker_pass(app)  # mixed and, K after the close, published; the result stored
    assert _read(app, seeded.assessment_id) is False
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        stored = results.stored_result(db.session, assessment)
        assert stored.scores["instruments"]["IIT"]["responses"] == 40


def test_the_pass_that_publishes_stores_the_result_and_a_failure_leaves_it_to_the_view(
        app, seeded, monkeypatch, caplog):
    from survey_app.services import ballots

    aid = seeded.assessment_id
    _stored_then_hit(app, aid)
    with app.app_context():
        before = results.stored_result(db.session, db.session.get(Assessment, aid)).scores
        _eit_batch(db.session, db.session.get(Assessment, aid), np.random.default_rng(11),
                   dt.date(2026, 11, 24), publish=False, quality=0.2)
        engine = db.engine
    report = ballots.run_pass(engine, batch_size=5)  # as `ita serve`'s thread: no app context
    assert report.published == {aid: {"EIT": 5}} and report.refreshed == (aid,)
    with app.app_context():  # the first view after the publication computes nothing
        monkeypatch.setattr(results, "assess", lambda *a, **k: pytest.fail("computed"))
        stored = results.stored_result(db.session, db.session.get(Assessment, aid))
        assert not stored.computed
        # nor does the supervisor's page: the assessment's points are stored and current
        from survey_app.services import bulk_results

        monkeypatch.setattr(bulk_results, "_rate", lambda *a, **k: pytest.fail("rated"))
        points = bulk_results.collected_points(db.session, [db.session.get(Assessment, aid)])
        assert points[aid] == pytest.approx(stored.indicators, nan_ok=True)
        assert (stored.scores["instruments"]["EIT"]["responses"]
                == before["instruments"]["EIT"]["responses"] + 5)
    monkeypatch.undo()
    assert _read(app, aid) is False  # and it is the fresh result

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    with app.app_context():
        _eit_batch(db.session, db.session.get(Assessment, aid), np.random.default_rng(12),
                   dt.date(2026, 11, 25), publish=False, quality=0.9)
        monkeypatch.setattr(results, "assess", broken)
        report = ballots.run_pass(db.engine, batch_size=5)
    monkeypatch.undo()
    assert report.published == {aid: {"EIT": 5}} and report.refreshed == ()  # mixing stands
    assert "the next view computes it" in caplog.text
    assert _read(app, aid) is True  # the next view computes the new result, never the old one


def test_an_oit_judgement(app, seeded):
    _stored_then_hit(app, seeded.assessment_id)
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        before = results.stored_result(db.session, assessment).total
        assert save_oit(db.session, assessment, [OitEntry("O29", True)]) == ["O29"]
        db.session.commit()
    _stored_then_hit(app, seeded.assessment_id)
    with app.app_context():
        after = results.stored_result(db.session, db.session.get(Assessment,
                                                                 seeded.assessment_id)).total
    assert after > before
    with app.app_context():  # un-judging an item (passed back to none) is a change too
        assessment = db.session.get(Assessment, seeded.assessment_id)
        save_oit(db.session, assessment, [OitEntry("O1", None)])
        db.session.commit()
    _stored_then_hit(app, seeded.assessment_id)


def test_an_import_added_and_removed(app, seeded):
    _stored_then_hit(app, seeded.assessment_id, include_imported=True)
    _stored_then_hit(app, seeded.assessment_id)
    columns = list(ISET.columns_for("EIT"))
    rng = np.random.default_rng(11)
    rows = [[answers_for(ISET, "EIT", rng, 0.3)[c] for c in columns] for _ in range(6)]
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        user = db.session.scalar(sa.select(User).where(User.username == "admin"))
        record = store_import(db.session, assessment,
                              {"instrument": "EIT", "columns": columns, "rows": rows,
                               "file": "rehearsal.csv"}, user=user)
        db.session.commit()
        import_id = record.id
    _stored_then_hit(app, seeded.assessment_id, include_imported=True)
    assert _read(app, seeded.assessment_id) is False  # collected only: unchanged
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        stored = results.stored_result(db.session, assessment, include_imported=True)
        assert stored.scores["instruments"]["EIT"]["responses"] == 66
        assert delete_import(db.session, assessment, import_id) is not None
        db.session.commit()
    _stored_then_hit(app, seeded.assessment_id, include_imported=True)


def test_settings_and_headcount(app, seeded):
    _stored_then_hit(app, seeded.assessment_id)
    for change in ("target", "eit_minimum", "headcount", "small_headcount"):
        with app.app_context():
            assessment = db.session.get(Assessment, seeded.assessment_id)
            if change == "target":
                assessment.indicator_target = 90.0
            elif change == "eit_minimum":
                assessment.eit_minimum = 400
            elif change == "headcount":
                assessment.agency.eligible_headcount = 500
            else:  # below the IIT responses: computed without a headcount, as the page does
                assessment.agency.eligible_headcount = 10
            db.session.commit()
        _stored_then_hit(app, seeded.assessment_id)
    with app.app_context():
        scores = results.stored_result(
            db.session, db.session.get(Assessment, seeded.assessment_id)).scores
        assert scores["target"] == 90.0 and scores["headcount"] is None
        assert scores["instruments"]["EIT"]["minimum_sample"] == 400


def test_published_scores_and_an_earlier_assessment(app, seeded):
    _stored_then_hit(app, seeded.assessment_id)
    with app.app_context():
        agency = db.session.get(Agency, seeded.agency_id)
        set_published(db.session, agency, 2568, {"total": 80.5}, source="console",
                      entered_by="test")
        db.session.commit()
    _stored_then_hit(app, seeded.assessment_id)
    # an earlier assessment of the agency (no past total entered for its year): its stored
    # total is the history, and a change of its data reaches this year's trend
    with app.app_context():
        agency = db.session.get(Agency, seeded.agency_id)
        earlier = add_assessment(db.session, agency, year=2566, iit=12, eit=20, seed=5)
        db.session.commit()
        earlier_id = earlier.id
    _stored_then_hit(app, seeded.assessment_id)
    with app.app_context():
        earlier = db.session.get(Assessment, earlier_id)
        _eit_batch(db.session, earlier, np.random.default_rng(1), dt.date(2026, 11, 2),
                   group="school", quality=0.0)
    _stored_then_hit(app, seeded.assessment_id)
    with app.app_context():
        scores = results.stored_result(
            db.session, db.session.get(Assessment, seeded.assessment_id)).scores
        earlier = results.stored_result(db.session, db.session.get(Assessment, earlier_id))
        history = {h["fiscal_year_be"]: h["total"] for h in scores["history"]}
        assert history[2566] == earlier.scores["total"]
        assert history[2568] == 80.5 and 2567 in history
        # a past total entered for the earlier assessment's year wins over its result
        set_published(db.session, db.session.get(Agency, seeded.agency_id), 2566,
                      {"total": 70.0}, source="console", entered_by="test")
        db.session.commit()
    _stored_then_hit(app, seeded.assessment_id)


def test_history_reads_stored_totals_not_answers(app, seeded, monkeypatch):
    with app.app_context():
        agency = db.session.get(Agency, seeded.agency_id)
        add_assessment(db.session, agency, year=2566, iit=12, eit=20, seed=5)
        db.session.commit()
    _stored_then_hit(app, seeded.assessment_id)
    read = []
    monkeypatch.setattr(results, "responses_frame",
                        lambda *a, **k: read.append(a) or responses_frame(*a, **k))
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        assessment.indicator_target = 90.0  # this year is recomputed; 2566 is not re-rated
        db.session.commit()
        results.stored_result(db.session, assessment)
    assert {a[1].fiscal_year_be for a in read} == {2569}


def test_other_code_and_other_intervals_are_other_results(app, seeded, monkeypatch):
    _stored_then_hit(app, seeded.assessment_id)
    _stored_then_hit(app, seeded.assessment_id, bootstrap=0)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ScoredResult)) == 2
    monkeypatch.setattr(result_store, "code_digest", lambda: "another version of scoring")
    _stored_then_hit(app, seeded.assessment_id)


def test_a_rolled_back_computation_is_not_kept(app, seeded):
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        assert results.stored_result(db.session, assessment).computed
        db.session.rollback()
    assert _read(app, seeded.assessment_id) is True


def test_data_changing_during_the_computation_is_not_stored(app, seeded, monkeypatch):
    real = results.assess

    def assess_while_a_response_arrives(*args, **kwargs):
        result = real(*args, **kwargs)
        with sa.orm.Session(db.engine) as other:  # the mixer publishes, on its own connection
            assessment = other.get(Assessment, seeded.assessment_id)
            _eit_batch(other, assessment, np.random.default_rng(2), dt.date(2026, 11, 22))
        return result

    with app.app_context():
        monkeypatch.setattr(results, "assess", assess_while_a_response_arrives)
        assessment = db.session.get(Assessment, seeded.assessment_id)
        assert results.stored_result(db.session, assessment).computed
        db.session.commit()
        monkeypatch.setattr(results, "assess", real)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ScoredResult)) == 0
    _stored_then_hit(app, seeded.assessment_id)


def test_pages_store_once_and_then_read_the_store(app, client, seeded, monkeypatch):
    calls = []
    real = results.assess
    monkeypatch.setattr(results, "assess", lambda *a, **k: calls.append(1) or real(*a, **k))
    login(client)
    aid = seeded.assessment_id
    pages = [f"/admin/assessments/{aid}/results", f"/admin/assessments/{aid}/exports/scores.xlsx",
             f"/admin/assessments/{aid}/exports/scores.csv",
             f"/admin/assessments/{aid}/exports/scores.json", "/admin/supervisor?year=2569",
             f"/admin/assessments/{aid}/report", f"/admin/assessments/{aid}/measures"]
    first = {p: client.get(p) for p in pages}
    assert all(r.status_code == 200 for r in first.values()), {
        p: r.status_code for p, r in first.items()}
    assert len(calls) == 1  # every page reads the one stored result
    again = {p: client.get(p) for p in pages}
    assert len(calls) == 1
    for p in pages[2:4]:
        assert again[p].get_data() == first[p].get_data()
    with app.app_context():
        expected = result_to_dict(results.assessment_result(
            db.session, db.session.get(Assessment, aid)))
    assert json.loads(again[pages[3]].get_data(as_text=True)) == _plain(expected)
    calls.clear()  # the fresh computation above was this test's
    # newly published responses: the next page load computes once more
    with app.app_context():
        _eit_batch(db.session, db.session.get(Assessment, aid), np.random.default_rng(9),
                   dt.date(2026, 11, 23), group="school", quality=0.9)
    client.get(pages[0])
    client.get(pages[0])
    assert len(calls) == 1


def _old_supervisor_table(session, assessments):
    """The supervisor's table as it was computed before the store: every frame re-read."""
    frames: dict[str, list] = {"IIT": [], "EIT": []}
    given = {}
    for assessment in assessments:
        for inst, found in frames.items():
            frame = responses_frame(session, assessment, inst)
            if len(frame):
                found.append(frame.assign(assessment=assessment.id))
        oit = results.oit_judgements(session, assessment, ISET)
        if oit:
            given[assessment.id] = oit_indicators(
                ISET, oit_sub_indicator_scores(ISET, oit, missing="fail"))
    return score_agencies(
        ISET, by="assessment",
        iit=pd.concat(frames["IIT"], ignore_index=True) if frames["IIT"] else None,
        eit=pd.concat(frames["EIT"], ignore_index=True) if frames["EIT"] else None,
        given=pd.DataFrame.from_dict(given, orient="index") if given else None)


def test_supervisor_table_keeps_its_shape_and_figures(app):
    with app.app_context():
        session = db.session
        parent = add_agency(session, "P0", "สำนักงานต้นสังกัด")
        made = [add_assessment(session, parent, seed=1)]
        for k, quality in enumerate((0.5, 0.95)):
            child = add_agency(session, f"C{k}", f"หน่วยงานลูก {k}", parent=parent)
            made.append(add_assessment(session, child, quality=quality, seed=k + 2,
                                       oit_failed=("O1", "O2")))
        eit_only = add_agency(session, "E1", "EIT เท่านั้น", parent=parent)
        made.append(add_assessment(session, eit_only, iit=0, oit_unjudged=tuple(
            o.code for o in ISET.oit_items)))
        empty = add_agency(session, "Z0", "ยังไม่มีข้อมูล", parent=parent)
        made.append(add_assessment(session, empty, iit=0, eit=0, oit_unjudged=tuple(
            o.code for o in ISET.oit_items)))
        add_user(session, "boss", "agency_admin", parent)
        session.commit()
        assessments = session.scalars(sa.select(Assessment).order_by(Assessment.id)).all()
        old = _old_supervisor_table(session, assessments)
        points = bulk_results.collected_points(session, assessments)  # the supervisor's
        known = {a: p for a, p in points.items() if any(v is not None for v in p.values())}
        new = agencies_table(ISET, pd.DataFrame.from_dict(known, orient="index", dtype=float))
        assert list(new.columns) == list(old.columns)
        assert list(new.index) == list(old.index) == [a.id for a in made[:-1]]
        numeric = [c for c in old.columns if c not in ("grade", "verdict", "n_IIT", "n_EIT")]
        pd.testing.assert_frame_equal(new[numeric], old[numeric], check_dtype=False,
                                      rtol=1e-12, atol=1e-9)
        assert new["grade"].tolist() == old["grade"].tolist()
        assert new["verdict"].tolist() == old["verdict"].tolist()
        session.commit()
        boss = session.scalar(sa.select(User).where(User.username == "boss"))
        view = area.supervisor_view(session, boss, 2569)
        assert view.rated == 3 and view.without_result == 2  # E1: no OIT, so no total
