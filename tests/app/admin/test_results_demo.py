"""Done when: on the demo data, an admin goes from login to a downloaded report whose numbers
match `ita score` on the exported responses, and a viewer of another agency reaches none of it."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from survey_app import create_app
from survey_app.cli import main
from survey_app.extensions import db
from survey_app.models import Assessment
from survey_app.services.results import collected_result


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


#: The seed's published B.E. 2566 figures (tests/data/seed_2566_results.json: provenance there).
SEED = json.loads((Path(__file__).parents[2] / "data" / "seed_2566_results.json")
                  .read_text(encoding="utf-8"))


def _docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def _seed_figures() -> list[str]:
    figures = [SEED["total"], *SEED["weighted_parts"].values(),
               *(d["score"] for d in SEED["indicators"].values()),
               *(d["score"] for d in SEED["oit_sub_indicators"].values())]
    return [f"{x:.2f}" for x in figures]


def test_demo_2566_report_is_the_seeds_document(demo, tmp_path):
    """The seed's year: the B.E. 2566 assessment carries NACC's published result; its report
    (PDF and DOCX) prints every figure the seed prints, and no other total for the year; the
    answers collected here stay visible as our own survey (the comparison page)."""
    info, app, runner = demo
    client = _login(app, info)
    assert info["past_instrument_set"] == "ita-2566"
    a = info["past_assessment_id"]
    dashboard = client.get(f"/admin/assessments/{a}/results").get_data(as_text=True)
    assert 'data-source="published"' in dashboard and 'id="total">94.67<' in dashboard
    paths = {}
    for kind in ("responses-iit", "responses-eit"):
        response = client.get(f"/admin/assessments/{a}/exports/{kind}.csv")
        paths[kind] = tmp_path / f"{kind}.csv"
        paths[kind].write_bytes(response.get_data())
        response.close()
    scored = runner.invoke(main, ["score", "--iit", str(paths["responses-iit"]),
                                  "--eit", str(paths["responses-eit"]), "--format", "json"])
    assert scored.exit_code == 0, scored.output
    mine = json.loads(scored.output)  # our own survey: indicators 1-8 from the answers

    docx_response = client.get(f"/admin/assessments/{a}/report.docx")
    assert docx_response.status_code == 200
    document = docx.Document(io.BytesIO(docx_response.data))
    pdf_response = client.get(f"/admin/assessments/{a}/report.pdf")
    assert pdf_response.status_code == 200
    (tmp_path / "r.pdf").write_bytes(pdf_response.data)
    pdf_text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
    docx_text = _docx_text(document)
    with app.app_context():
        ours = collected_result(db.session, db.session.get(Assessment, a), bootstrap=0)
        db.session.commit()
    other_total = f"{ours.scores['total']:.2f}"
    assert other_total != "94.67"
    for name, text in (("pdf", pdf_text), ("docx", docx_text)):
        for figure in _seed_figures():
            assert figure in text, (name, figure)
        assert other_total not in text, name  # one year, one total
        assert "91.65" not in text, name
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    ranked = next(t for t in tables if t[0][:3] == ["ตัวชี้วัดที่", "ประเด็นตัวชี้วัด", "คะแนน"])
    order = [int(row[0]) for row in ranked[1:]]
    assert order == SEED["strengths_sorted"] + SEED["to_develop_sorted"]
    for row in ranked[1:]:
        assert row[2] == f"{SEED['indicators'][row[0]]['score']:.2f}"
    weighted = next(t for t in tables if t[0][-1] == "คะแนนหลังถ่วงน้ำหนัก")
    for inst, part in SEED["weighted_parts"].items():
        row = next(r for r in weighted if r[3] == inst)
        assert row[4] == f"{part:.2f}"
    history = next(t for t in tables if t[0][0] == "ปีงบประมาณ พ.ศ.")
    assert ["2566", "94.67", "ลดลง", "-1.86"] in history
    assert ["2561", "86.13", "ลดลง", "-3.88"] in history
    # strengths (at or above the 95 target) and points to develop, as the seed has them
    strengths = docx_text[docx_text.index("จุดแข็ง"):]
    for code in SEED["strengths_sorted"]:
        assert f"ตัวชี้วัดที่ {code} " in strengths
    # ประเด็นการประเมิน of an EIT indicator: the set's topics, then our own survey's items
    assert "(จากแบบสำรวจของหน่วยงานเอง)" in docx_text
    assert "ผลการประเมินที่สำนักงาน ป.ป.ช. ประกาศ" in docx_text

    comparison = client.get(f"/admin/assessments/{a}/comparison").get_data(as_text=True)
    for code in map(str, range(1, 9)):
        row = re.search(rf'<tr data-code="{code}" data-level="indicator">(.*?)</tr>',
                        comparison, re.S).group(1)
        cells = re.findall(r'<td class="num">([^<]*)</td>', row)
        assert cells[:2] == [f"{SEED['indicators'][code]['score']:.2f}",
                             f"{mine['indicators'][code]['score']:.2f}"], code
    assert other_total not in comparison


def test_demo_2569_scores_match_ita_score_on_its_set(demo, tmp_path):
    """The current year: the B.E. 2569 assessment on ita-2569 is open, so its dashboard shows
    IIT's progress only and no IIT figure; a school's, closed, renders with IIT and its scores
    export equals `ita score --set ita-2569` on its exported responses."""
    info, app, runner = demo
    client = _login(app, info)
    assert info["instrument_set"] == "ita-2569" and info["fiscal_year_be"] == 2569
    office = info["assessment_id"]
    for suffix in ("results", "report", "report.docx"):
        assert client.get(f"/admin/assessments/{office}/{suffix}").status_code == 200, suffix
    page = client.get(f"/admin/assessments/{office}/results?lang=en").get_data(as_text=True)
    assert 'id="total-without-iit"' in page and "IIT: 40 answers received" in page
    office_scores = json.loads(client.get(
        f"/admin/assessments/{office}/exports/scores.json").data)
    assert not office_scores["instruments"]["IIT"]["responses"]  # none published yet
    a = info["child_agencies"][0]["assessment_id"]  # a school: closed, IIT published
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
    # The schools' assessments have closed (the office's own year is open: no total yet).
    for school in info["child_agencies"]:
        a = school["assessment_id"]
        exported = json.loads(client.get(f"/admin/assessments/{a}/exports/scores.json").data)
        if exported["gap"] is not None:
            break
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
