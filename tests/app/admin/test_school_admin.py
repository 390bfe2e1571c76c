"""A school's admin (an agency with no agencies below it) is offered nothing a school cannot
use: no "add an agency" and no area workbook or area summary (issue 18)."""

from __future__ import annotations

import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Agency
from survey_app.services.accounts import create_user

from .console_world import PASSWORD, login


def _school_admin(app, world) -> None:
    with app.app_context():
        create_user(db.session, username="admin_a1", password=PASSWORD, role="agency_admin",
                    agency=db.session.get(Agency, world.agency["A1"]))
        db.session.commit()


def test_a_school_admin_sees_no_add_agency_and_no_area_downloads(app, client, world):
    _school_admin(app, world)
    login(client, "admin_a1")
    home = client.get("/admin/").get_data(as_text=True)
    assert "โรงเรียน ก1" in home
    assert "เพิ่มหน่วยงาน" not in home and "/admin/agencies/new" not in home
    school = client.get(f"/admin/agencies/{world.agency['A1']}").get_data(as_text=True)
    assert "/admin/agencies/new" not in school
    assert client.get("/admin/agencies/new").status_code == 403
    supervisor = client.get("/admin/supervisor").get_data(as_text=True)
    assert "area.xlsx" not in supervisor and "summary.docx" not in supervisor
    assert client.get("/admin/supervisor/area.xlsx").status_code == 404
    assert client.get("/admin/supervisor/summary.pdf").status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Agency)) == 3


def test_the_area_office_admin_keeps_both(client, world):
    login(client, "admin_a")
    home = client.get("/admin/").get_data(as_text=True)
    assert "/admin/agencies/new" in home
    office = client.get(f"/admin/agencies/{world.agency['A']}").get_data(as_text=True)
    assert f"/admin/agencies/new?parent={world.agency['A']}" in office
    # below its school, nothing can be added, by the form either
    school = client.get(f"/admin/agencies/{world.agency['A1']}").get_data(as_text=True)
    assert "/admin/agencies/new" not in school
    refused = client.post("/admin/agencies/new", data={
        "code": "A1X", "name_th": "ใต้โรงเรียน", "agency_type": "other",
        "parent_id": str(world.agency["A1"])})
    assert refused.status_code == 200 and "ไม่สามารถเพิ่มหน่วยงานภายใต้โรงเรียน" in \
        refused.get_data(as_text=True)
    supervisor = client.get("/admin/supervisor").get_data(as_text=True)
    assert "area.xlsx" in supervisor
    assert client.get("/admin/supervisor/area.xlsx").status_code == 200
