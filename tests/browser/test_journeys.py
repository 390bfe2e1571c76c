"""The product as its users meet it, in a real Chromium, from paper to the yearly report.

The poster and the code slips are printed by the browser (its print-to-PDF, as an office
prints them from the console), rendered back to an image at 150 dpi with pdftoppm and decoded
with zbarimg, as a phone camera would read the paper.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest

from questionnaires import load_instrument_set
from survey_app.extensions import db
from survey_app.services.ballots import run_pass

from .conftest import (
    DESK,
    answer_everything,
    dashboard_counts,
    sign_in,
    tool,
    wait_for_questionnaire,
    wait_for_slip_code,
    wait_for_thanks,
)

pytestmark = pytest.mark.browser

DPI = 150
MM = DPI / 25.4  # pixels per millimetre at DPI
#: The printed code sheet (admin.css, @media print): A4, 10 mm margins, 2 × 5 slips of 95 × 54 mm.
SLIP_MARGIN_MM, SLIP_W_MM, SLIP_H_MM, SLIP_COLUMNS = 10, 95, 54, 2


def _print_pdf(page, path: Path) -> Path:
    """Print the page as the office does (Ctrl+P, A4, the page's own print CSS)."""
    page.emulate_media(media="print")
    page.pdf(path=path, format="A4", prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")
    return path


def _render_page_one(pdf: Path) -> Path:
    stem = pdf.with_suffix("")
    subprocess.run([tool("pdftoppm"), "-r", str(DPI), "-f", "1", "-l", "1", "-png",
                    "-singlefile", str(pdf), str(stem)], check=True, timeout=60)
    return stem.with_suffix(".png")


def _decode(png: Path) -> list[str]:
    done = subprocess.run([tool("zbarimg"), "--quiet", "--raw", str(png)],
                          capture_output=True, text=True, timeout=60)
    return done.stdout.split()


def _dashboard(page, live, assessment_id: int) -> dict[str, int]:
    page.goto(live.url(f"/admin/assessments/{assessment_id}/results"))
    return dashboard_counts(page)


def test_eit_from_the_printed_poster_on_a_phone(live, desk, phone, shot, tmp_path):
    info = live.info
    sign_in(desk, live, info.admin_login["username"], info.admin_login["password"])
    before = _dashboard(desk, live, info.assessment_id)
    desk.goto(live.url(f"/admin/assessments/{info.assessment_id}/poster"))
    shot(desk, "console-poster")
    png = _render_page_one(_print_pdf(desk, tmp_path / "poster.pdf"))
    assert _decode(png) == [info.eit_url]

    phone.goto(_decode(png)[0])
    assert "แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายนอก" in phone.content()
    shot(phone, "eit-phone-top")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    box = phone.locator("label.opt").first.bounding_box()
    assert box["height"] >= 44  # large enough to tap
    groups = answer_everything(phone)
    assert groups == 1 + len(load_instrument_set(info.instrument_set).columns_for("EIT"))
    shot(phone, "eit-phone-answered")
    phone.get_by_role("button", name="ส่งคำตอบ").tap()
    wait_for_thanks(phone)
    assert "ขอบคุณที่ตอบแบบวัด" in phone.content()
    shot(phone, "eit-phone-thanks")
    phone.goto(info.eit_url)  # the same phone again: told, and free to answer for another
    assert "เบราว์เซอร์นี้เคยใช้ตอบแบบวัดนี้แล้ว" in phone.content()

    # One EIT answer waits for a batch of K before it reaches the results (SECURITY.md): the
    # mixer's pass publishes nothing yet, so watching the dashboard cannot pin it.
    with live.app.app_context():
        run_pass(db.engine, batch_size=live.app.config["MIX_BATCH"])
    after = _dashboard(desk, live, info.assessment_id)
    assert after["EIT"] == before["EIT"]
    assert after["IIT"] == before["IIT"]
    shot(desk, "console-dashboard")
    desk.goto(live.url(f"/admin/assessments/{info.assessment_id}/report#results"))
    shot(desk, "console-report")


def _crop_slip(png: Path, index: int, out: Path) -> Path:
    """Cut slip ``index`` (reading order) out of the rendered sheet by its grid position."""
    from PIL import Image

    row, column = divmod(index, SLIP_COLUMNS)
    left = (SLIP_MARGIN_MM + column * SLIP_W_MM) * MM
    top = (SLIP_MARGIN_MM + row * SLIP_H_MM) * MM
    with Image.open(png) as sheet:
        sheet.crop((round(left), round(top), round(left + SLIP_W_MM * MM),
                    round(top + SLIP_H_MM * MM))).save(out)
    return out


def test_iit_from_one_printed_slip(live, desk, new_page, shot, tmp_path):
    info = live.info
    sign_in(desk, live, info.admin_login["username"], info.admin_login["password"])
    before = _dashboard(desk, live, info.assessment_id)
    received = _iit_received(desk)
    desk.goto(live.url(f"/admin/assessments/{info.assessment_id}"))
    desk.locator("#count").fill("4")
    desk.get_by_role("button", name="สร้างรหัสชุดใหม่").click()
    printed = [c.strip() for c in desk.locator(".slip .code").all_inner_texts()]
    assert len(printed) == 4
    shot(desk, "console-code-slips")
    png = _render_page_one(_print_pdf(desk, tmp_path / "slips.pdf"))
    # The fourth slip: second row, second column; its QR alone is in the cut-out.
    decoded = _decode(_crop_slip(png, 3, tmp_path / "slip-4.png"))
    assert decoded == [f"{info.iit_url}#{printed[3]}"]

    phone = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                     device_scale_factor=2)
    phone.goto(decoded[0])  # iit-code.js moves the code from the fragment into the form
    wait_for_slip_code(phone)
    assert printed[3] not in phone.url
    phone.get_by_label("ข้าพเจ้าปฏิบัติงานในหน่วยงานนี้มาแล้วไม่น้อยกว่า 1 ปี").check()
    shot(phone, "iit-phone-consent")
    phone.get_by_role("button", name="เริ่มตอบแบบวัด").tap()
    wait_for_questionnaire(phone)
    assert answer_everything(phone) == len(
        load_instrument_set(info.instrument_set).columns_for("IIT"))
    shot(phone, "iit-phone-questionnaire")
    phone.get_by_role("button", name="ส่งคำตอบ").tap()
    wait_for_thanks(phone)
    assert "รหัสเข้าตอบของท่านใช้แล้ว" in phone.content()
    shot(phone, "iit-phone-thanks")

    # The same slip scanned again, on another phone: refused, in Thai.
    other = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    other.goto(decoded[0])
    wait_for_slip_code(other)
    other.get_by_label("ข้าพเจ้าปฏิบัติงานในหน่วยงานนี้มาแล้วไม่น้อยกว่า 1 ปี").check()
    other.get_by_role("button", name="เริ่มตอบแบบวัด").tap()
    refusal = other.locator("#code-error")
    refusal.wait_for()
    assert refusal.inner_text().startswith("รหัสนี้ถูกใช้ตอบแบบวัดไปแล้ว รหัสแต่ละรหัสใช้ได้เพียงครั้งเดียว")
    assert "/questionnaire" not in other.url
    shot(other, "iit-phone-code-used")

    # The answer is counted as received at once, but the assessment is open: IIT reaches the
    # results only at the close, all together, so the dashboard's IIT figures do not move.
    assert _dashboard(desk, live, info.assessment_id)["IIT"] == before["IIT"]
    assert _iit_received(desk) == received + 1
    with live.app.app_context():
        run_pass(db.engine, batch_size=live.app.config["MIX_BATCH"])
    assert _dashboard(desk, live, info.assessment_id)["IIT"] == before["IIT"]
    assert desk.locator("#total-without-iit").count() == 1


def _iit_received(page) -> int:
    """The IIT answers received, from the dashboard's publication note (Thai)."""
    text = page.locator('[data-publication="IIT"]').inner_text()
    return int(re.search(r"ได้รับ (\d+) ชุด", text).group(1))


def _download(page, link_selector: str, folder: Path) -> Path:
    with page.expect_download() as started:
        page.locator(link_selector).first.click()
    download = started.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def _answers_from_elsewhere(live, assessment_id: int, codes: list[str]) -> None:
    """Respondents answer the new assessment (their side has its own journeys above)."""
    import numpy as np

    from survey_app.demo import plausible_answers
    from survey_app.models import Assessment
    from survey_app.services.codes import hash_code, normalise_code
    from survey_app.services.responses import local_today, store_eit_response, store_iit_response

    rng = np.random.default_rng(12)
    with live.app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        today = local_today("Asia/Bangkok")
        key = live.app.config["CODE_HASH_KEY"]
        for code in codes:
            store_iit_response(db.session, assessment, hash_code(key, normalise_code(code)),
                               plausible_answers(db.session, assessment.instrument_set, "IIT", rng),
                               submitted_on=today)
        for _ in range(6):
            store_eit_response(db.session, assessment, "public",
                               plausible_answers(db.session, assessment.instrument_set, "EIT", rng),
                               submitted_on=today)
        db.session.commit()
        run_pass(db.engine, batch_size=live.app.config["MIX_BATCH"])  # the mixer's timer


def _judge(page, items: list[str], verdict: str = "pass") -> None:
    for code in items:
        page.locator(f'input[name="{code}-passed"][value="{verdict}"]').check()
        if verdict == "pass":
            page.locator(f'textarea[name="{code}-urls"]').fill(
                f"https://new-school.example.ac.th/ita/{code.lower()}")
    page.get_by_role("button", name="บันทึกผลการตรวจทั้งหมด").click()
    page.wait_for_load_state()


def _total(page, live, assessment_id: int) -> str:
    page.goto(live.url(f"/admin/assessments/{assessment_id}/results"))
    return page.locator("#total").inner_text().strip()


def test_admin_year_from_sign_in_to_the_report(live, desk, new_page, shot, tmp_path):
    import docx
    import openpyxl

    info = live.info
    desk.goto(live.url("/admin/login"))
    shot(desk, "console-sign-in")
    sign_in(desk, live, info.admin_login["username"], info.admin_login["password"])
    shot(desk, "console-home")

    # A new school under the demo office.
    desk.goto(live.url("/admin/agencies/new"))
    desk.locator("#code").fill("CMI3-S09")
    desk.locator("#name_th").fill("โรงเรียนบ้านทดสอบเบราว์เซอร์")
    desk.locator("#agency_type").select_option("school")
    desk.locator("#eligible_headcount").fill("12")
    parent = desk.locator("#parent_id option", has_text=info.agency_code).first.get_attribute("value")
    desk.locator("#parent_id").select_option(parent)
    desk.get_by_role("button", name="บันทึก").click()
    desk.wait_for_url(re.compile(r".*/admin/agencies/\d+$"))
    agency_id = int(desk.url.rsplit("/", 1)[1])
    assert "โรงเรียนบ้านทดสอบเบราว์เซอร์" in desk.content()

    # Its assessment, open from yesterday for a month (Bangkok time, as the form reads it).
    now = dt.datetime.now(dt.UTC) + dt.timedelta(hours=7)
    desk.goto(live.url(f"/admin/agencies/{agency_id}/assessments/new"))
    desk.locator("#fiscal_year_be").fill(str(info.fiscal_year_be))
    desk.locator("#instrument_set").select_option(info.instrument_set)
    desk.locator("#opens_at").fill((now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    desk.locator("#closes_at").fill((now + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"))
    desk.get_by_role("button", name="บันทึก").click()
    desk.wait_for_url(re.compile(r".*/admin/assessments/\d+$"))
    assessment_id = int(desk.url.rsplit("/", 1)[1])
    shot(desk, "console-assessment")

    desk.locator("#count").fill("3")
    desk.get_by_role("button", name="สร้างรหัสชุดใหม่").click()
    codes = [c.strip() for c in desk.locator(".slip .code").all_inner_texts()]
    assert len(codes) == 3
    _answers_from_elsewhere(live, assessment_id, codes)
    # Open: EIT (a batch of 6 ≥ K) is in the results, IIT waits for the close.
    assert _dashboard(desk, live, assessment_id) == {"IIT": 0, "EIT": 6}
    assert desk.locator("#total-without-iit").count() == 1
    # The answers are all in: close now, and IIT is published, all together.
    desk.goto(live.url(f"/admin/assessments/{assessment_id}"))
    desk.get_by_role("button", name="ปิดรับคำตอบทันที").click()
    desk.wait_for_load_state()

    # Judging part of the OIT checklist moves the total.
    desk.goto(live.url(f"/admin/assessments/{assessment_id}/oit"))
    _judge(desk, [f"O{n}" for n in range(1, 6)])
    assert "ตรวจแล้ว 5 จาก" in desk.content()
    first = _total(desk, live, assessment_id)
    desk.goto(live.url(f"/admin/assessments/{assessment_id}/oit"))
    _judge(desk, [f"O{n}" for n in range(6, 11)])
    shot(desk, "console-oit", full_page=False)
    total = _total(desk, live, assessment_id)
    assert float(total) > float(first)

    # An improvement measure.
    desk.goto(live.url(f"/admin/assessments/{assessment_id}/measures"))
    desk.locator("#indicator").select_option("9")
    desk.locator("#measure").fill("เผยแพร่ข้อมูลสาธารณะบนเว็บไซต์ให้ครบทุกข้อ")
    desk.locator("#responsible").fill("งานธุรการ")
    desk.get_by_role("button", name="เพิ่มมาตรการ").last.click()
    desk.wait_for_load_state()
    assert "เผยแพร่ข้อมูลสาธารณะบนเว็บไซต์ให้ครบทุกข้อ" in desk.content()

    # The dashboard's figures, then the same figures in each download.
    total = _total(desk, live, assessment_id)
    counts = dashboard_counts(desk)
    assert counts == {"IIT": 3, "EIT": 6}
    shot(desk, "console-new-school-dashboard")
    desk.goto(live.url(f"/admin/assessments/{assessment_id}/exports"))
    xlsx = _download(desk, 'a[href$="/exports/scores.xlsx"]', tmp_path)
    rows = openpyxl.load_workbook(xlsx, read_only=True)["summary"].iter_rows(
        min_row=2, values_only=True)
    summary = {row[0]: (row[1] if len(row) > 1 else None) for row in rows}
    assert f"{summary['total']:.2f}" == total
    assert (summary["IIT_responses"], summary["EIT_responses"]) == (3, 6)
    assert summary["oit_items_judged"] == 10

    word = docx.Document(_download(desk, 'a[href$="/report.docx"]', tmp_path))
    word_text = "\n".join([p.text for p in word.paragraphs] + [
        cell.text for table in word.tables for row in table.rows for cell in row.cells])
    assert total in word_text
    assert "โรงเรียนบ้านทดสอบเบราว์เซอร์" in word_text
    assert "เผยแพร่ข้อมูลสาธารณะบนเว็บไซต์ให้ครบทุกข้อ" in word_text

    pdf = _download(desk, 'a[href$="/report.pdf"]', tmp_path)
    pdf_text = subprocess.run([tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True, timeout=60).stdout
    assert total in pdf_text
    assert "โรงเรียนบ้านทดสอบเบราว์เซอร์" in pdf_text
    desk.goto(live.url(f"/admin/assessments/{assessment_id}/report"))
    shot(desk, "console-new-school-report")

    # A viewer of another office reaches none of it.
    viewer = new_page(viewport=DESK)
    sign_in(viewer, live, info.viewer_login["username"], info.viewer_login["password"])
    paths = [f"/admin/agencies/{agency_id}", f"/admin/agencies/{agency_id}/past",
             f"/admin/assessments/{assessment_id}", f"/admin/assessments/{assessment_id}/results",
             f"/admin/assessments/{assessment_id}/oit", f"/admin/assessments/{assessment_id}/measures",
             f"/admin/assessments/{assessment_id}/exports",
             f"/admin/assessments/{assessment_id}/report",
             f"/admin/assessments/{assessment_id}/poster"]
    for path in paths:
        response = viewer.goto(live.url(path))
        assert response.status in (403, 404), path
        assert "โรงเรียนบ้านทดสอบเบราว์เซอร์" not in viewer.content(), path
    for path in (f"/admin/assessments/{assessment_id}/exports/scores.xlsx",
                 f"/admin/assessments/{assessment_id}/report.docx",
                 f"/admin/assessments/{assessment_id}/report.pdf",
                 f"/admin/assessments/{assessment_id}/oit.xlsx"):
        assert viewer.request.get(live.url(path)).status in (403, 404), path
    viewer.goto(live.url("/admin/"))
    assert "โรงเรียนบ้านทดสอบเบราว์เซอร์" not in viewer.content()
