"""Agencies in bulk (issue 19 item 2): the supervisor page, the area workbook and the area
summary read every agency's figures set-based and rate the stale ones in one vectorised pass,
showing exactly the figures of the one-agency path; the year list; the pages of a long table."""

from __future__ import annotations

import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Agency
from survey_app.services import area

from .results_data import add_agency, add_assessment, publish


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
