"""A small world for the console tests: agencies A (with child A1) and B, one assessment each,
and an account of every role (the password is the same for all)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from survey_app.extensions import db
from survey_app.models import ImprovementMeasure, utcnow
from survey_app.services.accounts import create_user
from survey_app.services.agencies import get_or_create_agency
from survey_app.services.assessments import create_assessment
from survey_app.services.codes import issue_codes

PASSWORD = "a-long-test-password"
SET = "ita-2566"
USERS = {
    # username: (role, agency code)
    "root": ("system_admin", None),
    "admin_a": ("agency_admin", "A"),
    "viewer_a": ("viewer", "A"),
    "admin_b": ("agency_admin", "B"),
    "viewer_b": ("viewer", "B"),
}


@dataclass
class World:
    agency: dict[str, int]  # code → id
    assessment: dict[str, int]  # agency code → assessment id
    measure: dict[str, int]  # agency code → an improvement measure id
    token: dict[str, str]  # agency code → public token


def build_world(app) -> World:
    now = utcnow()
    with app.app_context():
        s = db.session
        a, _ = get_or_create_agency(s, code="A", name_th="สำนักงาน ก", name_en="Office A",
                                    agency_type="area_office", eligible_headcount=40)
        a1, _ = get_or_create_agency(s, code="A1", name_th="โรงเรียน ก1", agency_type="school",
                                     eligible_headcount=12, parent=a)
        b, _ = get_or_create_agency(s, code="B", name_th="สำนักงาน ข", agency_type="area_office",
                                    eligible_headcount=30)
        agencies = {"A": a, "A1": a1, "B": b}
        assessments, measures = {}, {}
        for code, agency in agencies.items():
            assessment = create_assessment(
                s, agency, fiscal_year_be=2569, instrument_set=SET,
                opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30))
            issue_codes(s, assessment, 2, key=app.config["CODE_HASH_KEY"], batch="first")
            m = ImprovementMeasure(assessment_id=assessment.id, indicator="9",
                                   measure=f"มาตรการของ {code}")
            s.add(m)
            s.flush()
            assessments[code], measures[code] = assessment, m
        for username, (role, code) in USERS.items():
            create_user(s, username=username, password=PASSWORD, role=role,
                        agency=agencies[code] if code else None)
        s.commit()
        return World(
            agency={c: x.id for c, x in agencies.items()},
            assessment={c: x.id for c, x in assessments.items()},
            measure={c: x.id for c, x in measures.items()},
            token={c: x.public_token for c, x in assessments.items()},
        )


def login(client, username: str, password: str = PASSWORD):
    response = client.post("/admin/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)
