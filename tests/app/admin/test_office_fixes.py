"""Issue 11's console pieces as an admin and a respondent reach them: a new public link after a
leak, Thai code-batch names and a code sheet that a reload never issues again, and the OIT
checklist's download, bare-host evidence links and due rhythms."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from questionnaires import load_instrument_set
from survey_app.extensions import db
from survey_app.models import AccessCode, AuditEvent, OitResult, Response

from ..conftest import Respondent, count_rows
from .console_world import login


@pytest.fixture
def admin(client, world):
    login(client, "admin_a")
    return client


def _actions(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


# -- a new public link ---------------------------------------------------------------------------


def test_rotating_the_link_retires_the_old_one_and_the_poster_shows_the_new(app, admin, world):
    a, old = world.assessment["A"], world.token["A"]
    respondent = Respondent(app.test_client(), old)
    assert respondent.submit_eit().status_code == 200  # one answer before the leak
    nonce = respondent.eit_nonce()
    assert admin.post(f"/admin/assessments/{a}/rotate-link").status_code == 302
    [event] = _actions(app, "assessment_rotate_link")
    assert event.username == "admin_a" and old not in event.detail

    hub = admin.get(f"/admin/assessments/{a}").get_data(as_text=True)
    new = re.search(r"/eit/([A-Za-z0-9_-]{16,})", hub).group(1)
    assert new != old and old not in hub
    poster = admin.get(f"/admin/assessments/{a}/poster").get_data(as_text=True)
    assert f"/eit/{new}" in poster and old not in poster

    visitor = app.test_client()
    for url in (f"/eit/{old}", f"/iit/{old}", f"/eit/{old}/qr.png"):
        page = visitor.get(url)
        assert page.status_code == 410, url
        text = page.get_data(as_text=True)
        assert "ลิงก์นี้ถูกแทนที่แล้ว" in text and "<form" not in text.split("</header>")[-1]
    english = visitor.get(f"/eit/{old}", query_string={"lang": "en"}).get_data(as_text=True)
    assert "This link was replaced" in english
    # a form opened before the rotation can no longer answer
    late = respondent.submit_eit(nonce=nonce)
    assert late.status_code == 410
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Response).where(
            Response.assessment_id == a)) == 1  # the earlier answer stays
    assert Respondent(app.test_client(), new).submit_eit().status_code == 200
    assert app.test_client().get("/eit/never-a-token").status_code == 404


def test_viewer_cannot_rotate_and_does_not_see_the_button(app, client, world):
    login(client, "viewer_a")
    a = world.assessment["A"]
    assert "rotate-link" not in client.get(f"/admin/assessments/{a}").get_data(as_text=True)
    assert client.post(f"/admin/assessments/{a}/rotate-link").status_code == 403
    assert Respondent(app.test_client(), world.token["A"]).submit_eit().status_code == 200


# -- code batches -----------------------------------------------------------------------------


def _form_nonce(admin, a: int) -> str:
    page = admin.get(f"/admin/assessments/{a}").get_data(as_text=True)
    assert 'pattern="' not in page.split('id="batch"')[1].split(">")[0]  # the browser allows Thai
    return re.search(r'name="nonce" type="hidden" value="([^"]+)"', page).group(1)


def test_a_thai_batch_name_is_accepted_and_its_codes_work(app, admin, world):
    a = world.assessment["A"]
    name = "ครูกลุ่มสาระ ภาษาไทย (รอบ 1)"
    sheet = admin.post(f"/admin/assessments/{a}/codes",
                       data={"count": "2", "batch": name, "nonce": _form_nonce(admin, a)})
    assert sheet.status_code == 200
    page = sheet.get_data(as_text=True)
    codes = re.findall(r'<div class="code">([0-9A-Z-]{12})</div>', page)
    assert len(codes) == 2
    with app.app_context():
        assert set(db.session.scalars(sa.select(AccessCode.batch).where(
            AccessCode.assessment_id == a))) == {"first", name}
    respondent = Respondent(app.test_client(), world.token["A"])
    assert respondent.submit_iit(respondent.start_iit(codes[0])).status_code == 200


@pytest.mark.parametrize("bad", ["<script>", "a\tb", "x" * 41, "ชุด;DROP"])
def test_a_bad_batch_name_is_refused_with_a_message_and_makes_nothing(app, admin, world, bad):
    a = world.assessment["A"]
    before = count_rows(app, "access_code")
    response = admin.post(f"/admin/assessments/{a}/codes",
                          data={"count": "2", "batch": bad, "nonce": _form_nonce(admin, a)},
                          follow_redirects=True)
    assert "ชื่อชุดรหัสใช้ได้เฉพาะตัวอักษร" in response.get_data(as_text=True)
    assert count_rows(app, "access_code") == before


def test_reloading_the_code_sheet_issues_no_second_batch(app, admin, world):
    a = world.assessment["A"]
    data = {"count": "3", "nonce": _form_nonce(admin, a)}
    first = admin.post(f"/admin/assessments/{a}/codes", data=data)
    assert first.status_code == 200
    codes = re.findall(r'<div class="code">([0-9A-Z-]{12})</div>', first.get_data(as_text=True))
    after_first = count_rows(app, "access_code")
    reload = admin.post(f"/admin/assessments/{a}/codes", data=data)  # the browser re-posts
    assert reload.status_code == 302
    assert count_rows(app, "access_code") == after_first
    hub = admin.get(reload.headers["Location"]).get_data(as_text=True)
    assert "สร้างและแสดงไปแล้ว" in hub
    with app.app_context():
        assert len(_actions(app, "codes_generate")) == 1
    # the batch shown once works
    respondent = Respondent(app.test_client(), world.token["A"])
    assert respondent.submit_iit(respondent.start_iit(codes[1])).status_code == 200
    # a new form (a new nonce) makes a new batch
    again = admin.post(f"/admin/assessments/{a}/codes",
                       data={"count": "1", "nonce": _form_nonce(admin, a)})
    assert again.status_code == 200 and count_rows(app, "access_code") == after_first + 1


def test_a_post_without_the_forms_nonce_makes_no_codes(app, admin, world):
    a = world.assessment["A"]
    before = count_rows(app, "access_code")
    response = admin.post(f"/admin/assessments/{a}/codes", data={"count": "2"},
                          follow_redirects=True)
    assert "แบบฟอร์มหมดอายุ" in response.get_data(as_text=True)
    assert count_rows(app, "access_code") == before


# -- the OIT checklist ---------------------------------------------------------------------------


def test_bare_host_evidence_gets_https_and_an_invalid_link_names_its_item(app, admin, world):
    a = world.assessment["A"]
    typed = {"O1-passed": "pass", "O1-urls": "example.go.th/page\nwww.school.ac.th",
             "O2-passed": "fail", "O2-urls": "ดูที่บอร์ดหน้าห้อง", "O2-note": "ยังไม่เผยแพร่",
             "O3-passed": "pass", "O3-urls": "https://example.go.th/o3"}
    refused = admin.post(f"/admin/assessments/{a}/oit", data=typed)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "ข้อ O2: ลิงก์หลักฐานไม่ถูกต้อง: ดูที่บอร์ดหน้าห้อง" in page
    assert "example.go.th/page" in page and "https://example.go.th/o3" in page
    assert "ยังไม่เผยแพร่" in page  # every entry's input is kept
    assert count_rows(app, "oit_result") == 0

    typed["O2-urls"] = "intranet.school.ac.th/board"
    assert admin.post(f"/admin/assessments/{a}/oit", data=typed).status_code == 302
    with app.app_context():
        rows = {r.item: r.evidence_urls.splitlines()
                for r in db.session.scalars(sa.select(OitResult))}
    assert rows["O1"] == ["https://example.go.th/page", "https://www.school.ac.th"]
    assert rows["O2"] == ["https://intranet.school.ac.th/board"]


def test_the_checklist_downloads_as_xlsx_with_due_rhythms_and_safe_cells(app, admin, world):
    a = world.assessment["A"]
    admin.post(f"/admin/assessments/{a}/oit", data={
        "O1-passed": "pass", "O1-urls": "https://example.go.th/o1\nhttps://example.go.th/o1b",
        "O12-passed": "fail", "O12-note": "=HYPERLINK(\"http://evil\")"})
    page = admin.get(f"/admin/assessments/{a}/oit").get_data(as_text=True)
    assert f"/admin/assessments/{a}/oit.xlsx" in page
    o12 = page.split('id="item-O12"')[1].split('id="item-O13"')[0]
    assert "รอบการเผยแพร่: รอบ 6 เดือน" in o12
    assert "รอบการเผยแพร่" not in page.split('id="item-O1"')[1].split('id="item-O2"')[0]

    viewer = app.test_client()
    login(viewer, "viewer_a")  # a viewer may download what it may read
    response = viewer.get(f"/admin/assessments/{a}/oit.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="ita-A-2569-oit-checklist.xlsx"'
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    iset = load_instrument_set("ita-2566")
    assert rows[0][0].startswith("ข้อ") and len(rows) == 1 + len(iset.oit_items)
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["O1"][1] == iset.oit_items[0].text_th
    assert by_code["O1"][2].startswith("9.1 ")
    assert by_code["O1"][4] == "ผ่าน (pass)"
    assert by_code["O1"][5] == "https://example.go.th/o1\nhttps://example.go.th/o1b"
    assert by_code["O12"][3] == "รอบ 6 เดือน (half-yearly)" and by_code["O21"][3].startswith("รายเดือน")
    assert by_code["O12"][4] == "ไม่ผ่าน (fail)" and by_code["O12"][6].startswith("'=")
    assert by_code["O2"][4] == "ยังไม่ตรวจ (not judged)"
    assert [e.target for e in _actions(app, "export")] == ["ita-A-2569-oit-checklist.xlsx"]
    assert app.test_client().get(f"/admin/assessments/{world.assessment['B']}/oit.xlsx"
                                 ).status_code == 302
    outsider = app.test_client()
    login(outsider, "admin_b")
    assert outsider.get(f"/admin/assessments/{a}/oit.xlsx").status_code == 404


def test_due_is_data_in_the_sets_and_a_wrong_value_is_refused(tmp_path):
    from questionnaires.loader import DEFINITIONS_DIR, DefinitionError

    for name, expected in (("ita-2566", {"O12": "half-year", "O21": "monthly", "O13": "yearly"}),
                           ("ita-2569", {"O11": "monthly", "O6": "yearly"})):
        iset = load_instrument_set(name)
        due = {o.code: o.due for o in iset.oit_items}
        assert {c: due[c] for c in expected} == expected
        assert due["O1"] is None
        assert "OIT `due`" in iset.provenance
    text = (DEFINITIONS_DIR / "ita-2566.toml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace('due = "half-year"', 'due = "weekly"', 1), encoding="utf-8")
    with pytest.raises(DefinitionError, match="OIT item O12: due must be one of"):
        load_instrument_set(broken)
