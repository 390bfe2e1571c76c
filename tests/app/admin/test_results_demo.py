"""Done when: on the demo data, an admin goes from login to a downloaded report whose numbers
match `ita score` on the exported responses, and a viewer of another agency reaches none of it."""

from __future__ import annotations

import io
import json

import docx
import pytest
from click.testing import CliRunner

from survey_app import create_app
from survey_app.cli import main
from survey_app.extensions import db


@pytest.fixture
def demo(demo_instance):
    """The shared demo (tests/app/conftest.py), copied for this test."""
    app = create_app({"INSTANCE_PATH": str(demo_instance.path), "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    yield demo_instance.info, app, CliRunner()
    db.dispose(app)


def _login(app, info):
    admin = info["admin_login"]
    client = app.test_client()
    assert client.post("/admin/login", data={"username": admin["username"],
                                             "password": admin["password"]}).status_code == 302
    return client


def test_demo_2566_from_login_to_report(demo, tmp_path):
    """The seed's year: the B.E. 2566 assessment on ita-2566, its report and the history."""
    info, app, runner = demo
    client = _login(app, info)
    assert info["past_instrument_set"] == "ita-2566"
    a = info["past_assessment_id"]
    dashboard = client.get(f"/admin/assessments/{a}/results")
    assert dashboard.status_code == 200
    paths = {}
    for kind in ("responses-iit", "responses-eit"):
        response = client.get(f"/admin/assessments/{a}/exports/{kind}.csv")
        paths[kind] = tmp_path / f"{kind}.csv"
        paths[kind].write_bytes(response.get_data())
        response.close()
    report = client.get(f"/admin/assessments/{a}/report.docx")
    assert report.status_code == 200
    document = docx.Document(io.BytesIO(report.data))

    scored = runner.invoke(main, ["score", "--iit", str(paths["responses-iit"]),
                                  "--eit", str(paths["responses-eit"]), "--format", "json"])
    assert scored.exit_code == 0, scored.output
    mine = json.loads(scored.output)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    ranked = next(t for t in tables if t[0][:3] == ["ตัวชี้วัดที่", "ประเด็นตัวชี้วัด", "คะแนน"])
    report_scores = {row[0]: row[2] for row in ranked[1:]}
    for code in map(str, range(1, 9)):
        assert report_scores[code] == f"{mine['indicators'][code]['score']:.2f}", code
    weighted = next(t for t in tables if t[0][-1] == "คะแนนหลังถ่วงน้ำหนัก")
    for inst in ("IIT", "EIT"):
        row = next(r for r in weighted if r[3] == inst)
        assert row[4] == f"{mine['instruments'][inst]['weighted']:.2f}"
    # the demo has an OIT checklist and past totals: a total and the seed's history
    text = "\n".join(p.text for p in document.paragraphs)
    assert "ได้คะแนน " in text
    history = next(t for t in tables if t[0][0] == "ปีงบประมาณ พ.ศ.")
    assert ["2561", "86.13", "ลดลง", "-3.88"] in history


def test_demo_2569_scores_match_ita_score_on_its_set(demo, tmp_path):
    """The current year: the B.E. 2569 assessment on ita-2569; its dashboard and report render
    and its scores export equals `ita score --set ita-2569` on its exported responses."""
    info, app, runner = demo
    client = _login(app, info)
    assert info["instrument_set"] == "ita-2569" and info["fiscal_year_be"] == 2569
    a = info["assessment_id"]
    for suffix in ("results", "report", "report.docx"):
        assert client.get(f"/admin/assessments/{a}/{suffix}").status_code == 200, suffix
    paths = {}
    for kind in ("responses-iit", "responses-eit"):
        response = client.get(f"/admin/assessments/{a}/exports/{kind}.csv")
        paths[kind] = tmp_path / f"{kind}.csv"
        paths[kind].write_bytes(response.get_data())
        response.close()
    exported = json.loads(client.get(f"/admin/assessments/{a}/exports/scores.json").data)
    scored = runner.invoke(main, ["score", "--set", "ita-2569",
                                  "--iit", str(paths["responses-iit"]),
                                  "--eit", str(paths["responses-eit"]), "--format", "json"])
    assert scored.exit_code == 0, scored.output
    mine = json.loads(scored.output)
    assert set(mine["indicators"]) == set(exported["indicators"]) == {str(k) for k in range(1, 11)}
    for code in map(str, range(1, 9)):  # the survey indicators (OIT is judged in the console)
        assert mine["indicators"][code]["score"] == exported["indicators"][code]["score"], code
    for inst in ("IIT", "EIT"):
        assert mine["instruments"][inst]["score"] == exported["instruments"][inst]["score"]


def test_demo_viewer_of_another_agency_reaches_nothing(demo):
    info, app, _ = demo
    with app.app_context():
        import sqlalchemy as sa

        from survey_app.models import User
        from survey_app.services.accounts import set_password

        viewer = db.session.scalar(sa.select(User).where(User.username == "demo-viewer-other"))
        set_password(db.session, viewer, "a long enough test password")
        db.session.commit()
    client = app.test_client()
    assert client.post("/admin/login", data={"username": "demo-viewer-other",
                                             "password": "a long enough test password"}
                       ).status_code == 302
    a = info["assessment_id"]
    for suffix in ("results", "exports", "exports/responses-iit.csv", "exports/scores.json",
                   "report", "report.docx", "report.pdf"):
        assert client.get(f"/admin/assessments/{a}/{suffix}").status_code == 404, suffix
    html = client.get("/admin/supervisor").get_data(as_text=True)
    assert info["agency_name_th"] not in html


def test_demo_2569_dashboard_names_the_tier_missed_floors_and_gap(demo):
    """A tier set's dashboard shows its tier, every floor that kept it from the tier above, and
    what each instrument must reach for the next tier — the figures of the scores JSON."""
    info, app, _runner = demo
    client = _login(app, info)
    a = info["assessment_id"]
    exported = json.loads(client.get(f"/admin/assessments/{a}/exports/scores.json").data)
    html = client.get(f"/admin/assessments/{a}/results").get_data(as_text=True)
    verdict = exported["verdict"]
    assert f'id="verdict">{verdict["label_th"]}<' in html
    assert 'id="grade"' not in html  # a set that rates with tiers only has no grade to show
    for miss in verdict["floors_missed"]:
        assert (f'data-floor-missed="{miss["instrument"]}">{miss["instrument"]} '
                f'ได้ {miss["score"]:.2f} ต่ำกว่าเกณฑ์ {miss["floor"]:.2f}') in html
    gap = exported["gap"]
    assert gap is not None, "the demo's office is below the top tier"
    assert gap["next_tier"]["label_th"] in html
    for inst, need in gap["instruments"].items():
        if not need["met"] and need["reachable"]:
            assert f'{inst} ต้องได้อย่างน้อย {need["need"]:.2f}' in html
    top = gap["indicators"][0]
    assert f'data-lever="{top["code"]}"' in html
