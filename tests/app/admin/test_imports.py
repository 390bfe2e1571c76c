"""The console's rehearsal import: upload a Google Forms export, preview, fix with a mapping,
confirm, see it as imported, remove it; never mixed with collected answers."""

from __future__ import annotations

import base64
import html
import io
import re

import pandas as pd
import pytest
import sqlalchemy as sa

from questionnaires import load_instrument_set
from scoring import assess
from scoring.report import result_to_dict
from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Assessment, AuditEvent
from survey_app.services.imports import (
    REHEARSAL,
    counts_by_source,
    responses_by_source,
    responses_frame,
)
from survey_app.services.results import assessment_result

from ...forms_exports import code_frame, forms_frame, headers_for
from ..conftest import app_config, count_rows
from .console_world import SET, build_world, csrf_token, login

ISET = load_instrument_set(SET)


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def _xlsx(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


def _upload(client, assessment_id, instrument, data, name, mapping=None):
    body = {"instrument": instrument, "file": (io.BytesIO(data), name)}
    if mapping is not None:
        body["mapping"] = (io.BytesIO(mapping), "mapping.toml")
    return client.post(f"/admin/assessments/{assessment_id}/imports", data=body,
                       content_type="multipart/form-data")


def _mapping_from(page: str) -> str:
    uri = re.search(r'href="data:application/toml;charset=utf-8;base64,([^"]+)"', page).group(1)
    return base64.b64decode(uri).decode("utf-8")


def _token(page: str) -> str:
    return html.unescape(re.search(r'name="token" value="([^"]+)"', page).group(1))


def test_import_preview_mapping_confirm_and_remove(app):
    world = build_world(app)
    aid = world.assessment["A"]
    client = app.test_client()
    login(client, "admin_a")
    assert "นำเข้าข้อมูลซ้อม" in client.get(f"/admin/assessments/{aid}/imports").get_data(
        as_text=True)

    codes = code_frame(ISET, "IIT", 24, seed=11, blank=0)
    headers = headers_for(ISET, "IIT")
    export = forms_frame(ISET, "IIT", codes, unknown_label=(3, "i2", "มากค่ะ"))
    export = export.rename(columns={headers["i7"]: "ข้อ 7 (ถ้อยคำของโรงเรียน)"})

    # 1. unmatched header and label: every message, nothing stored, no confirm button
    page = _upload(client, aid, "IIT", _csv(export), "rehearsal.csv")
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    letters = {h: chr(65 + k) for k, h in enumerate(export.columns) if k < 26}
    assert "ข้อ 7 (ถ้อยคำของโรงเรียน)" in text and "ไม่พบข้อคำถาม IIT ของ ita-2566" in text
    assert f"แถว 5, คอลัมน์ {letters[headers['i2']]}" in text and "&#39;มากค่ะ&#39;" in text
    assert 'name="token"' not in text
    assert "teacher0@school.example" not in text and "GMT+7" not in text
    assert "ประทับเวลา" in text  # the header's name only, shown as dropped
    assert count_rows(app, "imported_response") == 0 and count_rows(app, "response_import") == 0

    # 2. the mapping the page offers, filled in and uploaded with the export (as XLSX)
    mapping = _mapping_from(text)
    assert '"ข้อ 7 (ถ้อยคำของโรงเรียน)" = ""' in mapping and '"มากค่ะ" = ""' in mapping
    mapping = mapping.replace('"ข้อ 7 (ถ้อยคำของโรงเรียน)" = ""',
                              '"ข้อ 7 (ถ้อยคำของโรงเรียน)" = "i7"')
    mapping = mapping.replace('"มากค่ะ" = ""', '"มากค่ะ" = "3"')
    page = _upload(client, aid, "IIT", _xlsx(export), "rehearsal.xlsx", mapping.encode())
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text[:2000]
    assert "อ่านได้ 24 แถว (IIT)" in text and "ยืนยันนำเข้า 24 แถว" in text
    assert count_rows(app, "imported_response") == 0  # still nothing stored

    # 3. confirm: stored as an import of its own, audited; collected responses untouched
    token = _token(text)
    done = client.post(f"/admin/assessments/{aid}/imports/confirm", data={"token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/assessments/{aid}")
    assert count_rows(app, "imported_response") == 24 and count_rows(app, "response") == 0
    expected = codes.copy()
    expected.loc[3, "i2"] = 3
    with app.app_context():
        assessment = db.session.get(Assessment, aid)
        frames = responses_by_source(db.session, assessment, "IIT")
        pd.testing.assert_frame_equal(frames["imported"], expected)
        assert frames["collected"].empty
        assert counts_by_source(db.session, assessment) == {
            "collected": {"IIT": 0, "EIT": 0}, "imported": {"IIT": 24, "EIT": 0}}
        # results: collected only by default; imported only when asked for by name
        assert assessment_result(db.session, assessment, bootstrap=0).instruments["IIT"].responses \
            in (0, None)
        combined = responses_frame(db.session, assessment, "IIT", include_imported=True)
        assert result_to_dict(assess(ISET, iit=combined, bootstrap=0)) == result_to_dict(
            assess(ISET, iit=expected, bootstrap=0))
        audit = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert "responses_import" in audit
    page = client.get(f"/admin/assessments/{aid}").get_data(as_text=True)
    assert "rehearsal.xlsx" in page
    assert "นำเข้า (ซ้อม): IIT 24 · EIT 0" in page and "เก็บในระบบ: IIT 0 · EIT 0" in page
    # the dashboard: collected only, one sentence saying so, links to the other two choices
    dash = client.get(f"/admin/assessments/{aid}/results").get_data(as_text=True)
    assert 'data-shown="collected"' in dash and "imported=1" in dash and "imported=only" in dash
    assert "ไม่รวมข้อมูลซ้อมที่นำเข้าจาก Google Forms 24 ชุด" in dash
    with_import = client.get(f"/admin/assessments/{aid}/results?imported=1").get_data(as_text=True)
    assert 'data-shown="both"' in with_import
    assert "รวมกับข้อมูลซ้อมที่นำเข้าจาก Google Forms 24 ชุด" in with_import
    # the rehearsal scored on its own (issue 18), said in one sentence, never contradicted
    alone = client.get(f"/admin/assessments/{aid}/results?imported=only").get_data(as_text=True)
    assert 'data-shown="rehearsal"' in alone
    assert "ข้อมูลซ้อมที่นำเข้าจาก Google Forms 24 ชุดเท่านั้น" in alone
    for page in (dash, with_import, alone):
        assert page.count('id="responses-shown"') == 1 and "imported-included" not in page
    with app.app_context():
        assessment = db.session.get(Assessment, aid)
        included = assessment_result(db.session, assessment, include_imported=True)
        rehearsal = assessment_result(db.session, assessment, include_imported=REHEARSAL,
                                      bootstrap=0)
    assert included.instruments["IIT"].responses == 24
    assert included.indicators["1"].score is not None
    assert rehearsal.instruments["IIT"].responses == 24  # the 24 rehearsal rows, nothing else
    assert rehearsal.indicators["1"].score == assess(ISET, iit=expected,
                                                     bootstrap=0).indicators["1"].score

    # the same preview cannot be confirmed for another assessment, nor altered
    other = client.post(f"/admin/assessments/{world.assessment['A1']}/imports/confirm",
                        data={"token": token})
    assert other.status_code == 302 and "/imports" in other.headers["Location"]
    altered = client.post(f"/admin/assessments/{aid}/imports/confirm",
                          data={"token": token[:-8] + ("AAAAAAAA" if token[-8:] != "AAAAAAAA"
                                                       else "BBBBBBBB")})
    assert altered.status_code == 302
    assert count_rows(app, "imported_response") == 24

    # 4. remove the whole import
    with app.app_context():
        import_id = db.session.scalar(sa.text("SELECT id FROM response_import"))
    gone = client.post(f"/admin/assessments/{aid}/imports/delete", data={"import_id": import_id})
    assert gone.status_code == 302
    assert count_rows(app, "imported_response") == 0 and count_rows(app, "imported_answer") == 0
    assert count_rows(app, "response_import") == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(
            AuditEvent.action == "responses_import_delete")) == 1


def test_eit_import_in_english_with_groups_and_refused_files(app):
    world = build_world(app)
    aid = world.assessment["A"]
    client = app.test_client()
    login(client, "admin_a")
    codes = code_frame(ISET, "EIT", 10, seed=5)
    page = _upload(client, aid, "EIT", _csv(forms_frame(ISET, "EIT", codes, lang="en")),
                   "eit.csv")
    assert page.status_code == 200
    done = client.post(f"/admin/assessments/{aid}/imports/confirm",
                       data={"token": _token(page.get_data(as_text=True))})
    assert done.status_code == 302
    with app.app_context():
        frames = responses_by_source(db.session, db.session.get(Assessment, aid), "EIT")
        pd.testing.assert_frame_equal(frames["imported"], codes)
    # a file that is not CSV/XLSX, a broken XLSX, a broken mapping, no file: 400, nothing stored
    bad = _upload(client, aid, "EIT", b"x", "eit.pdf")
    assert bad.status_code == 400 and "ต้องเป็น .csv หรือ .xlsx" in bad.get_data(as_text=True)
    broken = _upload(client, aid, "EIT", b"PK\x03\x04 not a zip", "eit.xlsx")
    assert broken.status_code == 400 and "อ่านไฟล์ &#39;eit.xlsx&#39; ไม่ได้" in broken.get_data(
        as_text=True)
    mapping = _upload(client, aid, "EIT", _csv(forms_frame(ISET, "EIT", codes)), "eit.csv",
                      b"[EIT.columns\n")
    assert mapping.status_code == 400 and "อ่านไฟล์จับคู่ไม่ได้" in mapping.get_data(as_text=True)
    none = client.post(f"/admin/assessments/{aid}/imports", data={"instrument": "EIT"},
                       content_type="multipart/form-data")
    assert none.status_code == 400
    assert count_rows(app, "imported_response") == 10
    # the English console
    client.get("/admin/?lang=en")
    english = _upload(client, aid, "EIT", _csv(forms_frame(ISET, "EIT", codes).rename(
        columns={"กลุ่มผู้ตอบ": "ท่านคือใคร"}).assign(ท่านคือใคร="ไม่บอก")), "eit.csv")
    assert english.status_code == 422
    assert "no EIT question of ita-2566 has this text" in english.get_data(as_text=True)


def test_too_large_upload_is_refused_with_a_message(database_url, tmp_path):
    # sizes below werkzeug's test client spooling threshold (500 KB), which leaves a file open
    app = create_app(app_config(database_url, tmp_path, IMPORT_MAX_BYTES=384 * 1024))
    try:
        world = build_world(app)
        client = app.test_client()
        login(client, "admin_a")
        page = _upload(client, world.assessment["A"], "IIT", b"a" * 450_000, "big.csv")
        assert page.status_code == 413
        assert "ไฟล์ใหญ่เกิน 0.375 MB" in page.get_data(as_text=True)
        # above the console's usual 256 KiB and below the import limit: read
        codes = code_frame(ISET, "IIT", 200, seed=3)
        data = _csv(forms_frame(ISET, "IIT", codes))
        assert 256 * 1024 < len(data) < 384 * 1024
        ok = _upload(client, world.assessment["A"], "IIT", data, "big.csv")
        assert ok.status_code == 200
    finally:
        db.dispose(app)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_csrf_is_checked_on_the_import_views(database_url, tmp_path):
    app = create_app(app_config(database_url, tmp_path, WTF_CSRF_ENABLED=True))
    try:
        world = build_world(app)
        aid = world.assessment["A"]
        client = app.test_client()
        page = client.get("/admin/login").get_data(as_text=True)
        client.post("/admin/login", data={"username": "admin_a", "password": "a-long-test-password",
                                          "csrf_token": csrf_token(page)})
        data = _csv(forms_frame(ISET, "IIT", code_frame(ISET, "IIT", 5)))
        tokenless = _upload(client, aid, "IIT", data, "r.csv")
        assert tokenless.status_code == 400
        assert 'name="token"' not in tokenless.get_data(as_text=True)
        assert "หน้านี้หมดอายุ" in tokenless.get_data(as_text=True)
        token = csrf_token(client.get(f"/admin/assessments/{aid}/imports").get_data(as_text=True))
        page = client.post(f"/admin/assessments/{aid}/imports", content_type="multipart/form-data",
                           data={"instrument": "IIT", "csrf_token": token,
                                 "file": (io.BytesIO(data), "r.csv")})
        assert page.status_code == 200
        preview = _token(page.get_data(as_text=True))
        refused = client.post(f"/admin/assessments/{aid}/imports/confirm", data={"token": preview})
        assert refused.status_code == 302 and count_rows(app, "imported_response") == 0
        stored = client.post(f"/admin/assessments/{aid}/imports/confirm",
                             data={"token": preview, "csrf_token": token})
        assert stored.status_code == 302 and count_rows(app, "imported_response") == 5
        delete = client.post(f"/admin/assessments/{aid}/imports/delete", data={"import_id": "1"})
        assert delete.status_code == 400 and count_rows(app, "imported_response") == 5
    finally:
        db.dispose(app)


def test_cli_exports_the_imported_rows_apart_and_ita_score_reads_them(tmp_path, demo_instance):
    import json

    from click.testing import CliRunner

    from survey_app.cli import main

    cli = CliRunner()
    info = demo_instance.info
    iset = load_instrument_set(info["instrument_set"])
    codes = code_frame(iset, "EIT", 12, seed=8)
    export = tmp_path / "eit-forms.csv"
    export.write_bytes(_csv(forms_frame(iset, "EIT", codes)))
    app = create_app({"SERVER_NAME": "ita.test", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    try:
        client = app.test_client()
        login(client, info["admin_login"]["username"], info["admin_login"]["password"])
        page = _upload(client, info["assessment_id"], "EIT", export.read_bytes(), "eit-forms.csv")
        assert page.status_code == 200
        client.post(f"/admin/assessments/{info['assessment_id']}/imports/confirm",
                    data={"token": _token(page.get_data(as_text=True))})
    finally:
        db.dispose(app)
    out = tmp_path / "imported.csv"
    written = cli.invoke(main, ["export", "imported", "--assessment", str(info["assessment_id"]),
                                "--instrument", "EIT", "--output", str(out)])
    assert written.exit_code == 0, written.output
    assert "wrote 12 imported EIT responses" in written.output
    pd.testing.assert_frame_equal(pd.read_csv(out, encoding="utf-8-sig"),
                                  pd.read_csv(io.StringIO(codes.to_csv(index=False))))
    scored = [json.loads(cli.invoke(main, ["score", "--set", info["instrument_set"], "--eit",
                                           str(path), "--bootstrap", "0", "--format", "json"]
                                    ).output) for path in (out, export)]
    assert scored[0] == scored[1] and scored[0]["instruments"]["EIT"]["responses"] == 12
    # the collected export is untouched by the import
    collected = cli.invoke(main, ["export", "responses", "--assessment",
                                  str(info["assessment_id"]), "--instrument", "EIT"])
    assert collected.output.count("\n") - 1 == 200


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_confirmation_is_checked_again_before_anything_is_stored(app):
    from itsdangerous import URLSafeTimedSerializer

    from survey_app.models import User
    from survey_app.services.imports import PreviewExpired, load_preview, store_import

    world = build_world(app)
    with app.app_context():
        assessment = db.session.get(Assessment, world.assessment["A"])
        user = db.session.scalar(sa.select(User).where(User.username == "admin_a"))
        sign = URLSafeTimedSerializer(app.secret_key, salt="ita-gforms-import").dumps
        base = {"assessment": assessment.id, "set": SET, "instrument": "IIT", "file": "f.csv"}
        for columns, rows in ((["i2"], [[9]]), (["i99"], [[1]]), (["respondent_group"], [["school"]])):
            payload = load_preview(sign({**base, "columns": columns, "rows": rows}),
                                   secret=app.secret_key, assessment=assessment)
            with pytest.raises(PreviewExpired):
                store_import(db.session, assessment, payload, user=user)
        with pytest.raises(PreviewExpired):
            load_preview(sign(base), secret="another secret", assessment=assessment)
        with pytest.raises(PreviewExpired):
            load_preview(sign(base), secret=app.secret_key, assessment=assessment, max_age=-1)
        db.session.rollback()
    assert count_rows(app, "response_import") == 0
