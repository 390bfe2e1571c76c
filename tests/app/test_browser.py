"""A real phone-sized Chromium answers the EIT from the demo's link (Playwright)."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from questionnaires import load_instrument_set
from survey_app import create_app
from survey_app.extensions import db
from survey_app.services.demo import ensure_demo
from survey_app.services.schema import upgrade

CHROMIUM = "/usr/bin/chromium"
ZBARIMG = "/usr/bin/zbarimg"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() == "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def live_demo(tmp_path):
    """Serve the app with demo data on a free port; yield (base URL, demo info)."""
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "browser-test",
                      "RATELIMIT_ENABLED": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    with app.app_context():
        upgrade(db.engine)
        info = ensure_demo(db.session, code_key=app.config["CODE_HASH_KEY"], base_url=base,
                           iit_responses=2, eit_responses=3)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, info
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
        db.dispose(app)


@pytest.fixture
def page():
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 740},
                                      device_scale_factor=1, locale="th-TH")
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def _answer_everything(page) -> int:
    """Click the first option of every radio group on the page; return the group count."""
    names = page.eval_on_selector_all(
        "input[type=radio]", "els => [...new Set(els.map(e => e.name))]"
    )
    for name in names:
        page.locator(f'input[type=radio][name="{name}"]').last.check()
    return len(names)


def test_eit_on_a_phone(live_demo, page, tmp_path):
    _base, info = live_demo
    shots = Path(os.environ.get("ITA_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)

    page.goto(info.eit_url)
    assert "แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายนอก" in page.content()
    page.screenshot(path=shots / "eit-top.png")
    # No horizontal scrolling at 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Submitting with nothing answered keeps the person on the page with errors named.
    page.get_by_role("button", name="ส่งคำตอบ").click()
    assert "ยังตอบไม่ครบ" in page.content()
    page.screenshot(path=shots / "eit-errors.png")

    groups = _answer_everything(page)
    # the respondent group and every EIT question of the demo's set (ita-2569)
    assert groups == 1 + len(load_instrument_set(info.instrument_set).columns_for("EIT"))
    page.screenshot(path=shots / "eit-answered.png", full_page=False)
    page.get_by_role("button", name="ส่งคำตอบ").click()
    page.wait_for_url(f"{info.eit_url}/thanks")
    assert "ขอบคุณที่ตอบแบบวัด" in page.content()
    page.screenshot(path=shots / "eit-thanks.png")

    # Options are large enough to tap.
    page.goto(info.eit_url)
    box = page.locator("label.opt").first.bounding_box()
    assert box["height"] >= 44
    assert "เบราว์เซอร์นี้เคยใช้ตอบแบบวัดนี้แล้ว" in page.content()


def test_eit_qr_png_decodes_to_the_link(live_demo, tmp_path):
    if not Path(ZBARIMG).exists():
        pytest.skip(f"{ZBARIMG} is missing")
    _base, info = live_demo
    import urllib.request

    png = tmp_path / "qr.png"
    with urllib.request.urlopen(info.eit_qr_png) as response:
        png.write_bytes(response.read())
    decoded = subprocess.run([ZBARIMG, "--quiet", "--raw", str(png)], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert decoded == info.eit_url


def test_a_printed_slips_qr_decodes_to_the_fragment_link_and_works(live_demo, page, tmp_path):
    """The code sheet's QR (inline SVG, as printed) scanned by zbarimg: the code rides in the
    URL fragment, and the decoded link takes a phone straight past code entry."""
    if not Path(ZBARIMG).exists():
        pytest.skip(f"{ZBARIMG} is missing")
    base, info = live_demo
    page.set_viewport_size({"width": 1000, "height": 1400})
    page.goto(f"{base}/admin/login")
    page.locator("#username").fill(info.admin_login["username"])
    page.locator("#password").fill(info.admin_login["password"])
    page.locator("form.login-box button[type=submit]").click()
    page.goto(f"{base}/admin/assessments/{info.assessment_id}")
    page.locator("#count").fill("2")
    page.get_by_role("button", name="สร้างรหัสชุดใหม่").click()
    slip = page.locator(".slip").first
    printed = slip.locator(".code").inner_text().strip()
    png = tmp_path / "slip-qr.png"
    slip.locator(".qr svg").screenshot(path=png)
    decoded = subprocess.run([ZBARIMG, "--quiet", "--raw", str(png)], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert decoded == f"{info.iit_url}#{printed}"
    assert "?" not in decoded
    page.goto(decoded)  # a fresh load: iit-code.js reads the fragment and posts the code
    page.wait_for_url(f"{base}/iit/*/start")


def test_iit_on_a_phone_with_a_demo_code(live_demo, page, tmp_path):
    base, info = live_demo
    shots = Path(os.environ.get("ITA_SCREENSHOT_DIR", tmp_path))
    page.goto(info.iit_url)
    page.screenshot(path=shots / "iit-code.png")
    slip_url = info.iit_code_urls[0]  # the QR link printed on a slip: the code in the fragment
    assert "#" in slip_url and "?" not in slip_url
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    page.goto(slip_url)  # same page, new fragment: iit-code.js posts the code (hashchange)
    page.wait_for_url(f"{base}/iit/*/start")
    code = slip_url.rsplit("#", 1)[1]
    assert sent and not any(code in url or code.replace("-", "") in url for url in sent)
    page.go_back()  # history keeps no entry with the code (replaced, or cleaned by the script)
    assert code not in page.url
    page.go_forward()
    page.wait_for_url(f"{base}/iit/*/start")
    page.get_by_label("ข้าพเจ้าปฏิบัติงานในหน่วยงานนี้มาแล้วไม่น้อยกว่า 1 ปี").check()
    page.screenshot(path=shots / "iit-consent.png")
    page.get_by_role("button", name="เริ่มตอบแบบวัด").click()
    assert _answer_everything(page) == len(
        load_instrument_set(info.instrument_set).columns_for("IIT"))
    page.screenshot(path=shots / "iit-questionnaire.png")
    page.get_by_role("button", name="ส่งคำตอบ").click()
    page.wait_for_url(f"{base}/iit/*/thanks")
    assert "รหัสเข้าตอบของท่านใช้แล้ว" in page.content()
    # Back and resubmit: the code is used.
    page.go_back()
    assert "รหัสเข้าตอบ" in page.content()


def test_no_javascript_needed(live_demo, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    _base, info = live_demo
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=False,
                                      viewport={"width": 360, "height": 740})
        page = context.new_page()
        page.goto(info.eit_url)
        _answer_everything(page)
        page.get_by_role("button", name="ส่งคำตอบ").click()
        page.wait_for_url(f"{info.eit_url}/thanks")
        context.close()
        browser.close()




def test_iit_code_typed_without_javascript(live_demo, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    base, info = live_demo
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=False,
                                      viewport={"width": 360, "height": 740})
        page = context.new_page()
        page.goto(info.iit_code_urls[1])  # the slip's QR, scanned by a phone without JS
        page.get_by_label("รหัสเข้าตอบ").fill(info.unused_iit_codes[1])  # typed from the slip
        page.get_by_role("button", name="ถัดไป").click()
        page.wait_for_url(f"{base}/iit/*/start")
        context.close()
        browser.close()


def test_readable_at_200_percent_zoom(live_demo, page):
    """A 360 px phone at 200% zoom lays out like a 180 px viewport: nothing scrolls sideways."""
    _base, info = live_demo
    page.set_viewport_size({"width": 180, "height": 370})
    for url in (info.eit_url, info.iit_url):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 180, url
