"""The product as its users meet it, in a real Chromium, from paper to the yearly report.

The poster and the code slips are printed by the browser (its print-to-PDF, as an office
prints them from the console), rendered back to an image at 150 dpi with pdftoppm and decoded
with zbarimg, as a phone camera would read the paper.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pytest

from questionnaires import load_instrument_set
from survey_app.extensions import db

from .conftest import DESK, answer_everything, dashboard_counts, sign_in, tool

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
    phone.wait_for_url(f"{info.eit_url}/thanks")
    assert "ขอบคุณที่ตอบแบบวัด" in phone.content()
    shot(phone, "eit-phone-thanks")

    after = _dashboard(desk, live, info.assessment_id)
    assert after["EIT"] == before["EIT"] + 1
    assert after["IIT"] == before["IIT"]


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
    from survey_app.services.ballots import mix_assessment

    info = live.info
    sign_in(desk, live, info.admin_login["username"], info.admin_login["password"])
    before = _dashboard(desk, live, info.assessment_id)
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
    phone.goto(decoded[0])  # iit-code.js posts the code from the fragment
    phone.wait_for_url(re.compile(r".*/iit/[^/]+/start$"))
    assert printed[3] not in phone.url
    phone.get_by_label("ข้าพเจ้าปฏิบัติงานในหน่วยงานนี้มาแล้วไม่น้อยกว่า 1 ปี").check()
    shot(phone, "iit-phone-consent")
    phone.get_by_role("button", name="เริ่มตอบแบบวัด").tap()
    phone.wait_for_url(re.compile(r".*/iit/[^/]+/questionnaire$"))
    assert answer_everything(phone) == len(
        load_instrument_set(info.instrument_set).columns_for("IIT"))
    shot(phone, "iit-phone-questionnaire")
    phone.get_by_role("button", name="ส่งคำตอบ").tap()
    phone.wait_for_url(re.compile(r".*/iit/[^/]+/thanks$"))
    assert "รหัสเข้าตอบของท่านใช้แล้ว" in phone.content()
    shot(phone, "iit-phone-thanks")

    # The same slip scanned again, on another phone: refused, in Thai.
    other = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    other.goto(decoded[0])
    refusal = other.locator("#code-error")
    refusal.wait_for()
    assert refusal.inner_text().startswith("รหัสนี้ถูกใช้ตอบแบบวัดไปแล้ว รหัสแต่ละรหัสใช้ได้เพียงครั้งเดียว")
    assert "/start" not in other.url
    shot(other, "iit-phone-code-used")

    # The answer waits in the ballot box until mixed; then the dashboard counts it.
    assert _dashboard(desk, live, info.assessment_id)["IIT"] == before["IIT"]
    with live.app.app_context():
        assert mix_assessment(db.engine, info.assessment_id, minimum=1) == 1
    assert _dashboard(desk, live, info.assessment_id)["IIT"] == before["IIT"] + 1
