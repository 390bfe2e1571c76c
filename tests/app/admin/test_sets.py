"""The registry of instrument sets: upload → preview → confirm in the console, refusals that
store nothing, immutability, ``ita sets add|list``, the default set by fiscal year, and a
B.E. 2569 assessment answered through the respondent pages (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from questionnaires import DefinitionError, load_instrument_set, parse_instrument_set
from questionnaires.reasons import PLACES, REASONS
from survey_app.cli import main
from survey_app.extensions import db
from survey_app.models import Assessment, InstrumentSetDefinition, Response, utcnow
from survey_app.services import instrument_sets as registry
from survey_app.services.agencies import get_or_create_agency
from survey_app.services.assessments import create_assessment
from survey_app.services.codes import issue_codes

from ..conftest import Respondent, count_answers, count_rows
from .console_world import login

SHIPPED_2569 = Path(load_instrument_set("ita-2569").source).read_text(encoding="utf-8")


def office_set(set_id: str = "office-2570", year: int = 2570, extra: str = "") -> str:
    """A new year an office adds: ita-2569's definition under another id and year."""
    text = SHIPPED_2569.replace('id = "ita-2569"', f'id = "{set_id}"', 1)
    return text.replace("fiscal_year_be = 2569", f"fiscal_year_be = {year}", 1) + extra


def upload(client, text: str, name: str = "office-2570.toml"):
    return client.post("/admin/sets/upload", data={"file": (io.BytesIO(text.encode()), name)},
                       content_type="multipart/form-data")


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def stored_ids(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(InstrumentSetDefinition.set_id)))


def test_upload_previews_then_confirm_stores_and_offers_it(app, world):
    client = app.test_client()
    login(client, "root")
    preview = upload(client, office_set())
    assert preview.status_code == 200
    text = page_text(preview)
    # a readable preview: items with their wording, scales with scores, tiers with floors …
    iset = load_instrument_set("ita-2569")
    assert "office-2570" in text and "(ยังไม่บันทึก)" in text
    assert iset.items_for("IIT")[0].text_th in text and iset.items_for("EIT")[-1].text_th in text
    assert iset.oit_items[-1].text_th in text
    assert "ผ่านดีเยี่ยม" in text and "IIT ≥ 95" in text and "EIT ≥ 85" in text
    assert "20.00" in text and "80.00" in text  # the 6-level score map
    assert "ชุดนี้ไม่มีระดับคะแนน" in text  # no AA–F grades in this set
    assert "ยังไม่ยืนยัน" in text and "ระบุแหล่งที่มา" in text  # provenance status
    assert stored_ids(app) == ["ita-2566"]  # the world's assessments; nothing added yet

    form = {"text": re.search(r"<textarea name=\"text\"[^>]*>\n(.*?)</textarea>",
                              preview.get_data(as_text=True), re.S).group(1),
            "filename": "office-2570.toml",
            "sha256": re.search(r'name="sha256" value="([0-9a-f]{64})"', text).group(1)}
    form["text"] = html.unescape(form["text"])
    confirmed = client.post("/admin/sets/confirm", data=form)
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"].endswith("/admin/sets/office-2570")
    assert stored_ids(app) == ["ita-2566", "office-2570"]
    listing = page_text(client.get("/admin/sets"))
    assert "office-2570" in listing and "หน่วยงานเพิ่ม" in listing
    detail = page_text(client.get("/admin/sets/office-2570"))
    assert "root" in detail and registry.text_sha256(office_set()) in detail
    # offered for new assessments, and the default for its fiscal year
    agency = world.agency["A"]
    new = page_text(client.get(f"/admin/agencies/{agency}/assessments/new"))
    assert 'value="office-2570"' in new
    made = client.post(f"/admin/agencies/{agency}/assessments/new", data={
        "fiscal_year_be": "2570", "instrument_set": "", "opens_at": "2026-12-01T08:00",
        "closes_at": "2027-01-31T16:30"})
    assert made.status_code == 302
    with app.app_context():
        a = db.session.scalar(sa.select(Assessment).where(Assessment.fiscal_year_be == 2570))
        assert a.instrument_set == "office-2570"
        assert a.instrument_set_sha256 == registry.text_sha256(office_set())
    # the uploaded set works on every page of the assessment
    for suffix in ("", "/oit", "/measures", "/poster", "/results", "/report"):
        assert client.get(f"/admin/assessments/{a.id}{suffix}").status_code == 200, suffix


#: Broken definitions: the entry (a place the file names by its codes stays as it is, a place
#: that is a word is said in Thai) and the Thai words of the reason the page shows.
BROKEN = [
    (lambda t: t.replace("min_total = 85", "min_total = 185", 1), "verdict good",
     "ค่า min_total 185 อยู่นอกช่วง 0–100"),
    (lambda t: t.replace('sub_indicator = "9.1"', 'sub_indicator = "9.9"', 1), "OIT item O1",
     "ไม่รู้จักตัวชี้วัดย่อย '9.9'"),
    (lambda t: t.replace("OIT = 0.40 }", "OIT = 0.50 }", 1), "น้ำหนักในวิธีคิดคะแนน",
     "ผลรวมต้องเท่ากับ 1 ไม่ใช่ 1.1"),
    (lambda t: t.replace('code = "pass"', "code = true", 1), "verdict True",
     "ค่า 'code' ต้องเป็นข้อความ ไม่ใช่ true/false"),
    (lambda t: "schema_version = 1\nid = [\n", "ไฟล์", "ไม่ใช่ TOML ที่ถูกต้อง: "),
    # issue 17: Python's integer-digit limit (a ValueError, not a TOML error) was a 500
    (lambda t: t + "\nhuge = " + "9" * 100_000 + "\n", "ไฟล์", "อ่านเป็น TOML ไม่ได้: "),
]


@pytest.mark.parametrize("broken, entry, thai", BROKEN)
def test_a_broken_file_is_refused_in_thai_with_file_entry_reason_and_nothing_stored(
        app, world, broken, entry, thai):
    text = broken(office_set())
    with pytest.raises(DefinitionError) as english:  # what the CLI says, in English
        parse_instrument_set(text, "broken.toml")
    client = app.test_client()
    login(client, "root")
    refused = upload(client, text, "broken.toml")
    assert refused.status_code == 400
    page = page_text(refused)
    assert "ไม่มีการบันทึกสิ่งใด" in page
    assert "broken.toml" in page and f"<dd>{entry}</dd>" in page and thai in page
    # the longest run of the English words between their values
    fixed_english = max(re.split(r"%\(\w+\)s", REASONS[english.value.key]), key=len).strip()
    assert len(fixed_english) >= 8 and fixed_english not in page, fixed_english
    assert english.value.reason not in page and str(english.value) not in page
    if english.value.where in PLACES:
        assert f"<dd>{english.value.where}</dd>" not in page
    assert stored_ids(app) == ["ita-2566"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_english_console_says_why_in_english(app, world):
    client = app.test_client()
    login(client, "root")
    client.get("/admin/?lang=en")
    refused = upload(client, office_set().replace("OIT = 0.40 }", "OIT = 0.50 }", 1))
    assert refused.status_code == 400
    page = page_text(refused)
    assert "<dd>methodology weights</dd>" in page and "must add up to 1, not 1.1" in page
    assert "ผลรวม" not in page
    assert stored_ids(app) == ["ita-2566"]


def test_a_changed_file_needs_a_new_id_and_the_same_file_is_a_no_op(app, world):
    client = app.test_client()
    login(client, "root")
    with app.app_context():
        registry.add_set(db.session, office_set(), "office-2570.toml", added_by="test")
        db.session.commit()
    same = upload(client, office_set().replace("\n", "\r\n"))  # a Windows copy is the same
    assert same.status_code == 302 and same.headers["Location"].endswith("/sets/office-2570")
    assert "มีอยู่แล้วด้วยเนื้อหาเดียวกัน" in page_text(client.get(same.headers["Location"]))
    changed = upload(client, office_set(extra="# corrected\n"))
    assert changed.status_code == 400
    assert "ไฟล์ที่แก้ไขต้องใช้รหัสชุดใหม่" in page_text(changed)
    assert "a changed file must get a new set id" not in page_text(changed)
    shipped_changed = upload(client, SHIPPED_2569 + "# edited\n", "ita-2569.toml")
    assert "ชุดที่มากับระบบใช้รหัสนี้ด้วยเนื้อหาอื่น" in page_text(shipped_changed)
    # a confirm whose text is not the previewed one is refused too
    text = office_set("office-2571", 2571)
    tampered = client.post("/admin/sets/confirm", data={
        "text": text + "# sneaked in\n", "filename": "x.toml",
        "sha256": registry.text_sha256(text)})
    assert tampered.status_code == 400 and "SHA-256" in page_text(tampered)
    with app.app_context():
        row = db.session.get(InstrumentSetDefinition, "office-2570")
        assert row.sha256 == registry.text_sha256(office_set())
    assert stored_ids(app) == ["ita-2566", "office-2570"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_only_a_system_admin_uploads_everyone_signed_in_reads(app, world):
    client = app.test_client()
    login(client, "admin_a")
    assert upload(client, office_set()).status_code == 403
    assert client.get("/admin/sets/upload").status_code == 403
    assert client.get("/admin/sets").status_code == 200
    assert client.get("/admin/sets/ita-2569").status_code == 200
    assert client.get("/admin/sets/no-such-set").status_code == 404
    assert stored_ids(app) == ["ita-2566"]


def test_a_shipped_file_that_changes_never_rescores_its_assessments(app, world, monkeypatch):
    client = app.test_client()
    login(client, "root")
    a = world.assessment["A"]
    with app.app_context():
        before = registry.assessment_set(db.session.get(Assessment, a))
        pinned = db.session.get(Assessment, a).instrument_set_sha256
    # a new release edits ita-2566.toml in place
    original = registry._shipped_text
    monkeypatch.setattr(registry, "_shipped_text", lambda set_id: (
        original(set_id).replace("pass_mark = 85", "pass_mark = 80")
        if set_id == "ita-2566" else original(set_id)))
    with app.app_context():
        after = registry.assessment_set(db.session.get(Assessment, a))
        info = registry.set_info(db.session, "ita-2566")
    assert after.methodology.pass_mark == before.methodology.pass_mark == 85
    assert info.file_changed and info.sha256 == pinned
    page = page_text(client.get(f"/admin/assessments/{a}"))
    assert "ต่างจากสำเนาที่การประเมินใช้อยู่" in page
    assert "ไฟล์ที่มากับระบบถูกแก้ไข" in page_text(client.get("/admin/sets"))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_default_set_follows_the_fiscal_year(app, world):
    with app.app_context():
        sets = registry.list_sets(db.session)
    assert registry.default_set_id(sets, 2569) == "ita-2569"
    assert registry.default_set_id(sets, 2567) == "ita-2567"
    assert registry.default_set_id(sets, 2575) == "ita-2569"  # the newest earlier one
    assert registry.default_set_id(sets, 2560) == "ita-2566"  # none earlier: the oldest
    client = app.test_client()
    login(client, "admin_a")
    agency = world.agency["A"]
    page = page_text(client.get(f"/admin/agencies/{agency}/assessments/new"))
    assert re.search(r'<option selected value="">ชุดของปีงบประมาณที่กรอก', page)
    assert re.search(r"ปีงบประมาณ 25(69|70): ชุด ita-2569", page)  # this year's, or the one before
    for year, expected in ((2568, "ita-2568"), (2577, "ita-2569")):
        made = client.post(f"/admin/agencies/{agency}/assessments/new", data={
            "fiscal_year_be": str(year), "instrument_set": "", "opens_at": "2026-12-01T08:00",
            "closes_at": "2027-01-31T16:30"})
        assert made.status_code == 302
        with app.app_context():
            assert db.session.scalar(sa.select(Assessment.instrument_set).where(
                Assessment.fiscal_year_be == year)) == expected
    # the others stay on offer
    made = client.post(f"/admin/agencies/{agency}/assessments/new", data={
        "fiscal_year_be": "2578", "instrument_set": "ita-2566", "opens_at": "2026-12-01T08:00",
        "closes_at": "2027-01-31T16:30"})
    assert made.status_code == 302


def _assessment_2569(app) -> tuple[int, str, list[str]]:
    now = utcnow()
    with app.app_context():
        agency, _ = get_or_create_agency(db.session, code="Y69", name_th="หน่วยงาน 2569",
                                         agency_type="area_office", eligible_headcount=40)
        a = create_assessment(db.session, agency, fiscal_year_be=2569, instrument_set="ita-2569",
                              opens_at=now - dt.timedelta(days=1),
                              closes_at=now + dt.timedelta(days=30))
        codes = issue_codes(db.session, a, 2, key=app.config["CODE_HASH_KEY"], batch="t")
        db.session.commit()
        return a.id, a.public_token, codes


def _answers_2569(instrument: str) -> dict[str, str]:
    iset = load_instrument_set("ita-2569")
    return {q.column: str(item.scale.options[-1].code)
            for item in iset.items_for(instrument) for q in item.questions}


def test_respondents_answer_a_2569_assessment_on_its_own_items(app):
    assessment_id, token, codes = _assessment_2569(app)
    iset = load_instrument_set("ita-2569")
    respondent = Respondent(app.test_client(), token)
    page = respondent.client.get(f"/eit/{token}").get_data(as_text=True)
    assert f"ตัวชี้วัดที่ 3 จาก {len(iset.indicators_for('EIT'))}" in page
    assert page.count('type="radio" name="e1"') == 6  # a 6-level scale
    nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
    eit = respondent.client.post(f"/eit/{token}", data={
        "nonce": nonce, "respondent_group": "public", **_answers_2569("EIT")})
    assert eit.status_code == 200
    ticket = respondent.start_iit(codes[0])
    iit_page = respondent.open_iit_questionnaire().get_data(as_text=True)
    assert f'name="{iset.columns_for("IIT")[-1]}"' in iit_page and 'name="i16"' not in iit_page
    iit = respondent.submit_iit(ticket, _answers_2569("IIT"))
    assert iit.status_code == 200
    with app.app_context():
        from survey_app.services.ballots import mix_assessment

        # an IIT answer waits in the ballot box until a batch is mixed: mix this one now
        mix_assessment(db.engine, assessment_id, minimum=1)
        got = {(r.instrument, len(r.answers)) for r in db.session.scalars(
            sa.select(Response).where(Response.assessment_id == assessment_id))}
        assert got == {("IIT", len(iset.columns_for("IIT"))), ("EIT", len(iset.columns_for("EIT")))}
    assert count_answers(app) == len(iset.columns_for("IIT")) + len(iset.columns_for("EIT"))
    # the wording of both 2569 questionnaires is this project's, and the pages say so
    assert "ไม่ใช่ถ้อยคำเดียวกับแบบสอบถามของ ป.ป.ช." in page and "ไม่ใช่ถ้อยคำเดียวกับแบบสอบถามของ ป.ป.ช." in iit_page
    # a 2566-shaped answer (EIT e15 does not exist in 2569) is refused and stores nothing
    stale = respondent.client.post(f"/eit/{token}", data={
        "nonce": respondent.eit_nonce(), "respondent_group": "public",
        **_answers_2569("EIT"), "e15": "4"})
    assert stale.status_code == 400
    assert count_rows(app, "response") == 2


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_poster_estimate_follows_the_set(app, world):
    assessment_id, _, _ = _assessment_2569(app)
    client = app.test_client()
    login(client, "root")
    n69 = len(load_instrument_set("ita-2569").columns_for("EIT"))
    n66 = len(load_instrument_set("ita-2566").columns_for("EIT"))
    assert n69 != n66
    poster = page_text(client.get(f"/admin/assessments/{assessment_id}/poster"))
    assert f"{n69}\u00a0ข้อ ใช้เวลาประมาณ {registry.answer_minutes(n69)}\u00a0นาที" in poster
    assert f'ร่วมตอบ{load_instrument_set("ita-2569").instruments["EIT"].name_th} (EIT)' in poster
    poster = page_text(client.get(f"/admin/assessments/{world.assessment['A']}/poster"))
    assert f"{n66}\u00a0ข้อ ใช้เวลาประมาณ {registry.answer_minutes(n66)}\u00a0นาที" in poster
    assert "1\u00a0นาที" not in poster  # the number and its unit are bound (no break)


# -- the CLI -----------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path, monkeypatch):
    for name in ("ITA_DATABASE_URL", "ITA_SECRET_KEY", "ITA_CODE_HASH_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ITA_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    return runner


def test_ita_sets_add_and_list(cli, tmp_path):
    listed = cli.invoke(main, ["sets", "list"])
    assert listed.exit_code == 0, listed.output
    for set_id in ("ita-2566", "ita-2567", "ita-2568", "ita-2569"):
        assert re.search(rf"^{set_id}\s+{set_id[-4:]}\s+shipped\s+0\s+\d+ unconfirmed",
                         listed.output, re.M), set_id

    path = tmp_path / "office-2570.toml"
    path.write_text(office_set(), encoding="utf-8")
    added = cli.invoke(main, ["sets", "add", str(path)])
    assert added.exit_code == 0, added.output
    assert "office-2570: fiscal year B.E. 2570" in added.output
    assert "IIT 15 items / 5 indicators, EIT 9 items / 3 indicators, OIT 26 items" in added.output
    assert "good ผ่านดี >= 85 (IIT >= 85, EIT >= 85, OIT >= 85)" in added.output
    assert "stored office-2570" in added.output
    again = cli.invoke(main, ["sets", "add", str(path)])
    assert again.exit_code == 0 and "nothing changed" in again.output

    path.write_text(office_set(extra="# corrected\n"), encoding="utf-8")
    changed = cli.invoke(main, ["sets", "add", str(path)])
    assert changed.exit_code == 1
    lines = [line for line in changed.output.splitlines() if line.strip()]
    assert lines == ["Error: office-2570.toml: id 'office-2570': a set with this id is already "
                     "stored with other content: a changed file must get a new set id"]
    broken = tmp_path / "broken.toml"
    broken.write_text(office_set("office-2571").replace('scale = "yesno"', 'scale = "nope"', 1),
                      encoding="utf-8")
    refused = cli.invoke(main, ["sets", "add", str(broken)])
    assert refused.exit_code == 1 and "broken.toml: item i3: unknown scale 'nope'" in refused.output
    missing = cli.invoke(main, ["sets", "add", str(tmp_path / "none.toml")])
    assert missing.exit_code == 1 and "none.toml: file: cannot be read" in missing.output

    # `ita score` scores with the added set by its id
    given = tmp_path / "given.csv"
    given.write_text("indicator,score\n" + "".join(f"{k},90\n" for k in range(1, 11)))
    scored = cli.invoke(main, ["score", "--set", "office-2570", "--indicators", str(given),
                               "--format", "json"])
    assert scored.exit_code == 0, scored.output
    result = json.loads(scored.output)
    assert (result["instrument_set"], result["fiscal_year_be"]) == ("office-2570", 2570)
    assert result["verdict"]["code"] == "good"
    unknown = cli.invoke(main, ["score", "--set", "office-9999", "--indicators", str(given)])
    assert unknown.exit_code == 1 and "unknown instrument set" in unknown.output

    listed = cli.invoke(main, ["sets", "list"])
    assert re.search(r"^office-2570\s+2570\s+added\s+0\s+\d+ unconfirmed, \d+ confirmed; "
                     r"names sources", listed.output, re.M)
    assert "office-2571" not in listed.output


def test_demo_current_year_is_on_ita_2569(demo_instance, cli):
    info = demo_instance.info
    assert (info["fiscal_year_be"], info["instrument_set"]) == (2569, "ita-2569")
    assert (info["past_fiscal_year_be"], info["past_instrument_set"]) == (2566, "ita-2566")
    listed = cli.invoke(main, ["sets", "list"]).output
    assert re.search(r"^ita-2569\s+2569\s+shipped \(stored\)\s+5\s", listed, re.M)
    assert re.search(r"^ita-2566\s+2566\s+shipped \(stored\)\s+1\s", listed, re.M)



def test_the_upgrade_pins_existing_assessments_to_their_shipped_file(tmp_path):
    from survey_app.extensions import make_engine
    from survey_app.services.schema import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        upgrade(engine, "accounts_retired_tokens")
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO agency (id, code, name_th, name_en, agency_type) "
                                 "VALUES (1, 'OLD', 'เก่า', 'Old', 'school')")
            conn.exec_driver_sql(
                "INSERT INTO assessment (agency_id, fiscal_year_be, instrument_set, opens_at, "
                "closes_at, public_token) VALUES (1, 2566, 'ita-2566', '2023-03-01 00:00:00', "
                "'2023-05-01 00:00:00', 'tok')")
        upgrade(engine)
        with engine.connect() as conn:
            pinned = conn.exec_driver_sql(
                "SELECT instrument_set_sha256 FROM assessment").scalar_one()
            row = conn.exec_driver_sql(
                "SELECT set_id, origin, fiscal_year_be, sha256 FROM instrument_set_definition"
            ).one()
    finally:
        engine.dispose()
    shipped = Path(load_instrument_set("ita-2566").source).read_text(encoding="utf-8")
    assert pinned == registry.text_sha256(shipped)
    assert tuple(row) == ("ita-2566", "shipped", 2566, pinned)
