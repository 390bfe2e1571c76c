"""Stored data for the results, exports and report tests: agencies, responses, OIT, measures.

Responses are inserted as rows (no access codes needed); answers follow a seeded generator so
that every figure is reproducible.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from werkzeug.security import generate_password_hash

from questionnaires import load_instrument_set
from survey_app.extensions import db
from survey_app.models import (
    Agency,
    Assessment,
    ImprovementMeasure,
    OitResult,
    Response,
    User,
    utcnow,
)
from survey_app.services.assessments import create_assessment
from survey_app.services.compact import encode, layout_for
from survey_app.services.publication import release_due
from survey_app.services.published import set_published

SET = "ita-2566"
PASSWORD = "correct horse battery staple"


@dataclass
class Seeded:
    agency_id: int
    assessment_id: int
    code: str


def answers_for(iset, instrument: str, rng: np.random.Generator, quality: float) -> dict[str, int]:
    """One respondent: the best option with probability ``quality``, else any option."""
    out = {}
    for item in iset.items_for(instrument):
        for q in item.questions:
            scores = item.scale.scores(q.direction)
            best = max(scores, key=scores.get)
            out[q.column] = best if rng.random() < quality else int(rng.choice(sorted(scores)))
    return out


def add_agency(session, code: str, name_th: str, *, parent: Agency | None = None,
               headcount: int | None = 60) -> Agency:
    agency = Agency(code=code, name_th=name_th, name_en=f"Agency {code}",
                    agency_type="area_office", eligible_headcount=headcount, parent=parent)
    session.add(agency)
    session.flush()
    return agency


def add_assessment(session, agency: Agency, *, year: int = 2569, iit: int = 35, eit: int = 60,
                   quality: float = 0.8, seed: int = 1, oit_failed: tuple[str, ...] = ("O29",),
                   oit_unjudged: tuple[str, ...] = (), groups: tuple[str, ...] | None = None,
                   eit_minimum: int | None = None, instrument_set: str = SET,
                   eit_quality: float | None = None, closed: bool = True) -> Assessment:
    """An assessment with ``iit`` and ``eit`` responses.  ``closed`` (the default): its window
    has ended and its answers are published, as the mixer does at the close (IIT reaches the
    results only then: SECURITY.md); otherwise it is open and only EIT (in a batch) is."""
    iset = load_instrument_set(instrument_set)
    now = utcnow()
    assessment = create_assessment(session, agency, fiscal_year_be=year,
                                   instrument_set=instrument_set,
                                   opens_at=now - dt.timedelta(days=10),
                                   closes_at=now + dt.timedelta(days=10),
                                   eit_minimum=eit_minimum)
    if closed:
        assessment.closes_at = now - dt.timedelta(hours=1)
    rng = np.random.default_rng(seed)
    day = dt.date(2026, 11, 1)
    group_cycle = groups or ("school", "school", "public", "private", "state_agency")
    for instrument, n in (("IIT", iit), ("EIT", eit)):
        for k in range(n):
            answers = answers_for(iset, instrument, rng, eit_quality
                                  if instrument == "EIT" and eit_quality is not None else quality)
            layout = layout_for(session.connection(), assessment.id, instrument, answers)
            session.add(Response(
                assessment_id=assessment.id, instrument=instrument,
                submitted_on=day + dt.timedelta(days=k % 7),
                respondent_group=group_cycle[k % len(group_cycle)] if instrument == "EIT" else None,
                answers=encode(layout, answers)))
    for item in iset.oit_items:
        if item.code in oit_unjudged:
            continue
        session.add(OitResult(assessment_id=assessment.id, item=item.code,
                              passed=item.code not in oit_failed,
                              evidence_urls="https://example.test/" + item.code))
    session.flush()
    release_due(session, batch_size=5)  # what the mixer publishes (commits)
    return assessment


def add_user(session, username: str, role: str, agency: Agency | None) -> User:
    user = User(username=username, display_name=username, role=role,
                agency_id=agency.id if agency else None,
                password_hash=generate_password_hash(PASSWORD))
    session.add(user)
    session.flush()
    return user


def publish(session, agency_id: int, year: int, scores: dict[str, float], *,
            keep_as_given: bool = False) -> None:
    """Enter a published result for an agency's year (as the console does; checked)."""
    set_published(session, session.get(Agency, agency_id), year, scores, source="console",
                  entered_by="test", keep_as_given=keep_as_given)


def seed_one(app, *, code: str = "CMI3", name_th: str = "สำนักงานเขตพื้นที่การศึกษาทดสอบ",
             measures: bool = True, past: bool = True) -> Seeded:
    """One agency with a full assessment, two past totals and measures; an admin ``admin``."""
    with app.app_context():
        session = db.session
        agency = add_agency(session, code, name_th)
        assessment = add_assessment(session, agency)
        if past:
            publish(session, agency.id, 2567, {"total": 90.01})
            publish(session, agency.id, 2568, {"total": 86.13})
        if measures:
            session.add_all([
                ImprovementMeasure(assessment_id=assessment.id, indicator="6",
                                   measure="จัดทำแผนผังขั้นตอนการให้บริการ",
                                   responsible="กลุ่มอำนวยการ",
                                   steps="ประชุมชี้แจงและประชาสัมพันธ์", period="ไตรมาส 3",
                                   position=1),
                ImprovementMeasure(assessment_id=assessment.id, indicator="7",
                                   measure="=HYPERLINK(\"http://evil.test\")",
                                   responsible="กลุ่มส่งเสริมการศึกษาทางไกล",
                                   steps="-cmd", period="ทุกไตรมาส", position=1),
            ])
        add_user(session, "admin", "agency_admin", agency)
        session.commit()
        return Seeded(agency.id, assessment.id, code)


def login(client, username: str = "admin", password: str = PASSWORD):
    response = client.post("/admin/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response
