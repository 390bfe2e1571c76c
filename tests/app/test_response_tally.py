"""The response tally (migration 0011) equals a count of ``response`` after every kind of write:
the EIT form, mixed IIT batches, a bulk insert, a delete and an update — on SQLite and
PostgreSQL — and the counts the console shows come from it."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from survey_app.demo import add_synthetic_responses
from survey_app.extensions import db
from survey_app.models import Assessment, Response, ResponseTally
from survey_app.services.assessments import response_counts

from .conftest import Respondent, close_and_mix, make_assessment


def _counted(app) -> dict[tuple, int]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(Response.assessment_id, Response.instrument, Response.submitted_on,
                      sa.func.count())
            .group_by(Response.assessment_id, Response.instrument, Response.submitted_on))
        return {(a, i, d): n for a, i, d, n in rows}


def _tally(app) -> dict[tuple, int]:
    with app.app_context():
        rows = db.session.execute(sa.select(ResponseTally.assessment_id, ResponseTally.instrument,
                                            ResponseTally.submitted_on, ResponseTally.responses))
        return {(a, i, d): n for a, i, d, n in rows}


def test_tally_follows_every_write(app):
    setup = make_assessment(app, codes=6)
    for _ in range(3):
        assert Respondent(app.test_client(), setup.token).submit_eit().status_code == 200
    for code in setup.codes[:6]:
        respondent = Respondent(app.test_client(), setup.token)
        assert respondent.submit_iit(respondent.start_iit(code)).status_code == 200
    close_and_mix(app, setup.assessment_id)
    assert _tally(app) == _counted(app)
    with app.app_context():
        counts = response_counts(db.session, db.session.get(Assessment, setup.assessment_id))
    assert counts == {"IIT": 6, "EIT": 3}

    with app.app_context():  # a bulk insert of many rows over several days
        add_synthetic_responses(db.session, db.session.get(Assessment, setup.assessment_id), 500)
    assert sum(_tally(app).values()) == 509
    assert _tally(app) == _counted(app)

    with app.app_context():  # an update moves a row's count; a delete takes it away
        first = db.session.scalar(sa.select(sa.func.min(Response.id)))
        db.session.execute(sa.update(Response).where(Response.id == first)
                           .values(submitted_on=dt.date(2001, 1, 1)))
        db.session.execute(sa.delete(Response).where(Response.instrument == "EIT",
                                                     Response.id % 3 == 0))
        db.session.commit()
    tally = _tally(app)
    assert tally == _counted(app)
    assert any(day == dt.date(2001, 1, 1) for _, _, day in tally)
    assert all(n > 0 for n in tally.values())

    with app.app_context():  # deleting everything leaves no empty rows behind
        db.session.execute(sa.delete(Response))
        db.session.commit()
    assert _tally(app) == {}


def test_tally_rolls_back_with_its_transaction(app):
    setup = make_assessment(app, codes=0)
    assert Respondent(app.test_client(), setup.token).submit_eit().status_code == 200
    before = _tally(app)
    with app.app_context():
        db.session.execute(sa.insert(Response).values(
            assessment_id=setup.assessment_id, instrument="EIT", submitted_on=dt.date(2020, 5, 1),
            respondent_group=None, answers=b""))
        db.session.rollback()
    assert _tally(app) == before == _counted(app)
