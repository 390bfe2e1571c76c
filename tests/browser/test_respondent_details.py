"""Respondent details a phone meets: no JavaScript needed, the code never in a URL or history,
the EIT QR image decodes to the link."""

from __future__ import annotations

import subprocess
import urllib.request

import pytest

from .conftest import (
    PHONE,
    answer_everything,
    tool,
    wait_for_questionnaire,
    wait_for_slip_code,
    wait_for_thanks,
)

pytestmark = pytest.mark.browser

ELIGIBLE = "ข้าพเจ้าปฏิบัติงานในหน่วยงานนี้มาแล้วไม่น้อยกว่า 1 ปี"
START = "เริ่มตอบแบบวัด"


def test_eit_qr_png_decodes_to_the_link(live, tmp_path):
    png = tmp_path / "qr.png"
    with urllib.request.urlopen(live.info.eit_qr_png) as response:
        png.write_bytes(response.read())
    decoded = subprocess.run([tool("zbarimg"), "--quiet", "--raw", str(png)],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert decoded == live.info.eit_url


def test_the_code_never_travels_in_a_url_or_stays_in_history(live, phone):
    info = live.info
    phone.goto(info.iit_url)
    slip_url = info.iit_code_urls[0]  # the QR link printed on a slip: the code in the fragment
    assert "#" in slip_url and "?" not in slip_url
    sent: list[str] = []
    phone.on("request", lambda request: sent.append(request.url))
    phone.goto(slip_url)  # same page, new fragment: iit-code.js fills in the code (hashchange)
    wait_for_slip_code(phone)
    phone.get_by_label(ELIGIBLE).check()
    phone.get_by_role("button", name=START).click()
    wait_for_questionnaire(phone)
    code = slip_url.rsplit("#", 1)[1]
    assert sent and not any(code in url or code.replace("-", "") in url for url in sent)
    assert code not in phone.url  # the questionnaire answers the POST: the code page's address
    phone.go_back()  # history keeps no entry with the code (replaced, or cleaned by the script)
    assert code not in phone.url
    # (Forward again would re-send the code's POST, which Chromium asks to confirm first:
    # tests/app/test_iit_flow.py checks what sending it again gives.)


def test_no_javascript_needed(live, new_page):
    info = live.info
    page = new_page(java_script_enabled=False, viewport=PHONE)
    page.goto(info.eit_url)
    answer_everything(page)
    page.get_by_role("button", name="ส่งคำตอบ").click()
    wait_for_thanks(page)
    page.goto(info.iit_code_urls[1])  # the slip's QR, scanned by a phone without JS
    page.get_by_label("รหัสเข้าตอบ").fill(info.unused_iit_codes[1])  # typed from the slip
    page.get_by_label(ELIGIBLE).check()
    page.get_by_role("button", name=START).click()
    wait_for_questionnaire(page)
