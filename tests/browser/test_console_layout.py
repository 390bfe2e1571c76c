"""The console in a real Chromium (Playwright): usable on a 390 px phone (a compact header,
tables that scroll inside their own box), the published-results grid within a 1366 px screen with
the 9.x/10.x columns, and a measure's line breaks kept on the web."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def live_demo(live):
    """(base URL, demo info) of the module's live server (tests/browser/conftest.py)."""
    return live.base, live.info


@pytest.fixture
def page(desk):
    return desk


def _sign_in(page, info) -> None:
    page.goto(info.admin_login["url"])
    page.fill("#username", info.admin_login["username"])
    page.fill("#password", info.admin_login["password"])
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url("**/admin/")


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _overflowing(page, width: int) -> list[str]:
    """The elements that reach past ``width`` outside a scrolling box (to name a failure)."""
    return page.evaluate("""w => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 1)
        .filter(e => !e.parentElement.closest('table, .table-scroll, nav, .account'))
        .slice(0, 6).map(e => e.tagName + '.' + e.className + ' '
                         + Math.round(e.getBoundingClientRect().right))""", width)


def _past_url(page, base: str, assessment_id: int) -> str:
    page.goto(f"{base}/admin/assessments/{assessment_id}")
    return page.locator("a", has_text="ผลการประเมินที่ ป.ป.ช. ประกาศ").first.get_attribute("href")


def test_console_on_a_390px_phone(live_demo, page):
    base, info = live_demo
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, info)
    a = info.assessment_id
    for path in ("/admin/", f"/admin/assessments/{a}", f"/admin/assessments/{a}/oit",
                 f"/admin/assessments/{a}/measures", f"/admin/assessments/{a}/results",
                 "/admin/users", "/admin/supervisor", "/admin/account/password",
                 _past_url(page, base, a)):
        page.goto(base + path)
        assert _page_width(page) <= 390, (path, _overflowing(page, 390))
        # the console's name and the signed-in account each stay on one line
        for selector in ("a.brand-name", ".account .who"):
            box = page.locator(selector).bounding_box()
            line = page.eval_on_selector(selector,
                                         "e => parseFloat(getComputedStyle(e).lineHeight)")
            assert box["height"] < 1.6 * line, (path, selector, box)
        assert page.locator("header.site").bounding_box()["height"] < 170, path
    # the published-results grid is wider than the phone: it scrolls inside its own box
    grid = page.locator("table.published-grid")
    assert grid.evaluate("t => t.scrollWidth > t.clientWidth")
    assert grid.evaluate("t => getComputedStyle(t).overflowX") == "auto"


def test_published_grid_fits_1366px_with_sub_indicator_columns(live_demo, page):
    base, info = live_demo
    page.set_viewport_size({"width": 1366, "height": 768})
    _sign_in(page, info)
    page.goto(base + _past_url(page, base, info.assessment_id))
    headers = page.eval_on_selector_all("table.published-grid thead th",
                                        "ths => ths.map(t => t.textContent.trim())")
    assert headers[headers.index("9"):] == ["9", "9.1", "9.2", "9.3", "9.4", "9.5",
                                            "10", "10.1", "10.2"]
    assert _page_width(page) <= 1366
    assert page.locator(".table-scroll").evaluate("s => s.scrollWidth <= s.clientWidth")


def test_a_measures_line_breaks_show_on_the_web(live_demo, page):
    base, info = live_demo
    page.set_viewport_size({"width": 1280, "height": 800})
    _sign_in(page, info)
    page.goto(f"{base}/admin/assessments/{info.assessment_id}/measures")
    page.select_option("#indicator", "9")
    page.fill("#measure", "ขั้นที่หนึ่ง\nขั้นที่สอง")
    page.fill("#steps", "ก. วางแผน\nข. ลงมือ\nค. ติดตาม")
    page.locator("#add button[type=submit]").click()
    page.wait_for_load_state()
    cell = page.locator("td.multiline", has_text="ขั้นที่หนึ่ง")
    assert cell.evaluate("c => c.innerText") == "ขั้นที่หนึ่ง\nขั้นที่สอง"
    steps = page.locator("td.multiline", has_text="ก. วางแผน")
    assert steps.evaluate("c => c.innerText") == "ก. วางแผน\nข. ลงมือ\nค. ติดตาม"
