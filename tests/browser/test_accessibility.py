"""axe-core on every respondent page and every console page, in Thai and in English.

Console pages are enumerated from ``app.url_map`` (every GET endpoint of the ``admin``
blueprint, filled in with the demo's ids), so a page added later is checked without anyone
listing it here; only downloads are left out, by name.  Respondent pages are reached by
walking the flow (code and eligibility, questionnaire, errors, thanks, refusals), and the walk must
have visited every GET endpoint of the ``respond`` blueprint that is a page.

Widths: the console at 390 px (a phone) must not scroll sideways (wide tables scroll inside
their own box); respondent pages at 200 % zoom on a 360 px phone must not either.  200 % zoom
is emulated as what it is to the layout: the phone's viewport (360 CSS px, device scale factor 2)
resized to 180 CSS px on the page as it stands (browser zoom divides the CSS viewport by the zoom
factor, and media queries and reflow follow the CSS width; the device scale factor changes only
the sharpness).  CSS ``zoom`` on the page would be the wrong model: Chromium then lays
out the same 360 px viewport with enlarged boxes, which is not what a zooming reader gets.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import url_for

from survey_app.extensions import db

from .conftest import PHONE, answer_everything, sign_in, wait_for_questionnaire, wait_for_thanks

pytestmark = pytest.mark.browser

LANGS = ("th", "en")
#: GET endpoints that answer a file, not a page (checked by the journeys and unit tests).
NOT_PAGES = {
    "admin.export_download",  # CSV / XLSX / JSON
    "admin.report",  # DOCX / PDF
    "admin.oit_download",  # XLSX
    "admin.follow_up_report",  # DOCX / PDF
    "admin.area_workbook",  # XLSX
    "admin.area_report",  # DOCX / PDF
    "admin.poster_pdf",  # PDF
    "respond.eit_qr",  # PNG / SVG
    "respond.iit_qr",
    "static",
}
CONSOLE_WIDTH = 390
#: A 360 × 740 phone at 200 % zoom.
ZOOMED = {"width": 180, "height": 370}
ROOT_USER, ROOT_PASSWORD = "axe-root", "axe-root-password-1"


def axe_page(page, axe_source: str):
    """The page, with axe-core loaded into every document it opens from now on.

    The 550 KB script goes to the browser once per context (an init script), not once per
    navigation through the DevTools protocol: the driver and the browser process relay it once.
    """
    page.context.add_init_script(axe_source)
    return page


def run_axe(page) -> list[str]:
    """Run axe-core (every rule it runs by default, any impact); return the violations.

    The page comes from ``axe_page``: were axe missing, ``axe.run`` would raise."""
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [f"{v['impact']} {v['id']}: {json.dumps(v['nodes'])}" for v in found]


def side_scroll(page) -> int:
    """How far the page scrolls sideways (0 = fits)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def too_wide(page) -> list[str]:
    """The innermost elements that reach past the viewport's right edge (what to fix)."""
    return page.evaluate("""() => {
        const w = document.documentElement.clientWidth, out = [];
        for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.right > w + 0.5 && ![...el.children].some(
                    c => c.getBoundingClientRect().right > w + 0.5))
                out.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                         + ' ' + Math.round(r.right) + 'px');
        }
        return out.slice(0, 4);
    }""")


def _ids(live) -> dict[str, object]:
    from survey_app.models import Agency, ImprovementMeasure, User
    from survey_app.services.accounts import create_user

    info = live.info
    with live.app.app_context():
        session = db.session
        agency_id = session.scalar(sa.select(Agency.id).where(Agency.code == info.agency_code))
        if session.scalar(sa.select(User.id).where(User.username == ROOT_USER)) is None:
            create_user(session, username=ROOT_USER, password=ROOT_PASSWORD,
                        role="system_admin", agency=None)
            session.commit()
        return {
            "agency_id": agency_id,
            "assessment_id": info.assessment_id,
            "measure_id": session.scalar(sa.select(ImprovementMeasure.id).where(
                ImprovementMeasure.assessment_id == info.assessment_id)),
            "user_id": session.scalar(sa.select(User.id).where(
                User.username == info.viewer_login["username"])),
            "set_id": info.instrument_set,
            "period": "year",  # the follow-up report's preview of the whole year
        }


def console_pages(live) -> list[tuple[str, str]]:
    """(endpoint, path) of every console page, from the URL map."""
    values = _ids(live)
    pages = []
    app = live.app
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if (not rule.endpoint.startswith("admin.") or "GET" not in rule.methods
                    or rule.endpoint in NOT_PAGES):
                continue
            unknown = rule.arguments - values.keys()
            assert not unknown, f"{rule.endpoint}: give _ids() a demo value for {unknown}"
            pages.append((rule.endpoint, url_for(rule.endpoint, **{
                k: values[k] for k in rule.arguments})))
    return pages


@pytest.mark.parametrize("lang", LANGS)
def test_every_console_page_passes_axe_at_390_px(live, new_page, axe_source, lang):
    page = axe_page(new_page(viewport={"width": CONSOLE_WIDTH, "height": 844}, is_mobile=True,
                             has_touch=True, device_scale_factor=2), axe_source)
    problems = []
    pages = console_pages(live)
    assert len(pages) >= 20
    page.goto(live.url(f"/admin/login?lang={lang}"))
    problems += [f"admin.login ({lang}): {v}" for v in run_axe(page)]
    sign_in(page, live, ROOT_USER, ROOT_PASSWORD)
    for endpoint, path in pages:
        if endpoint == "admin.login":
            continue  # checked signed out above (signed in, it sends the account home)
        response = page.goto(live.url(path))
        if response.status != 200 or not response.headers["content-type"].startswith("text/html"):
            problems.append(f"{endpoint} {path} ({lang}): {response.status} "
                            f"{response.headers['content-type']} (a download? list it in NOT_PAGES)")
            continue
        assert page.locator("html").get_attribute("lang") == lang or endpoint in {
            "admin.poster", "admin.report_preview", "admin.follow_up_preview"}, path  # Thai documents
        problems += [f"{endpoint} ({lang}): {v}" for v in run_axe(page)]
        if side_scroll(page) > 0:
            problems.append(f"{endpoint} ({lang}): scrolls {side_scroll(page)} px sideways "
                            f"at {CONSOLE_WIDTH} px: {too_wide(page)}")
    print(f"axe checked {len(pages) + 1} console pages ({lang}):",
          " ".join(p for _e, p in pages))
    assert not problems, "\n".join(problems)


def _respondent_walk(page, live, lang: str):
    """Yield (name, endpoint) at every respondent page and state, the page showing it."""
    info = live.info
    base = live.base
    code = info.unused_iit_codes[0 if lang == "th" else 1]
    page.goto(f"{base}/?lang={lang}")
    yield "index"
    page.goto(info.iit_url)
    yield "iit code"
    page.locator("#code").fill("not-a-code")
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    yield "iit bad code"
    page.locator("#code").fill(code)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    yield "iit eligibility not confirmed"
    page.locator("input[type=checkbox]").check()
    page.locator("form button[type=submit]").click()
    wait_for_questionnaire(page)
    yield "iit questionnaire"
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    yield "iit missing answers"
    answer_everything(page)
    page.locator("form button[type=submit]").last.click()
    wait_for_thanks(page)
    yield "iit thanks"
    # The same code in another browser (this one would be told its answers were received).
    page.context.clear_cookies()
    page.goto(f"{info.iit_url}?lang={lang}")
    page.locator("#code").fill(code)
    page.locator("input[type=checkbox]").check()
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    yield "iit code used"
    page.goto(info.eit_url)
    yield "eit"
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    yield "eit missing answers"
    answer_everything(page)
    page.locator("form button[type=submit]").last.click()
    wait_for_thanks(page)
    yield "eit thanks"
    page.goto(info.eit_url)
    yield "eit answered before"
    with live.app.app_context():
        from survey_app.models import Assessment

        past = db.session.get(Assessment, info.past_assessment_id).public_token
    page.goto(f"{base}/eit/{past}")
    yield "eit closed"
    page.goto(f"{base}/iit/{past}")
    yield "iit closed"
    page.goto(f"{base}/no-such-page")
    yield "404"


def _endpoint(live, url: str) -> str | None:
    adapter = live.app.url_map.bind("localhost")
    try:
        return adapter.match(urlsplit(url).path)[0]
    except Exception:
        return None


@pytest.mark.parametrize("lang", LANGS)
def test_every_respondent_page_passes_axe_and_reflows_at_200_percent(
        live, new_page, axe_source, lang):
    phone = axe_page(new_page(viewport={"width": 360, "height": 740}, is_mobile=True,
                              has_touch=True, device_scale_factor=2), axe_source)
    problems, seen, names = [], set(), []
    for name in _respondent_walk(phone, live, lang):
        names.append(name)
        seen.add(_endpoint(live, phone.url))
        if phone.locator("html").get_attribute("lang") != lang:
            problems.append(f"{name}: not lang={lang}")
        problems += [f"{name} ({lang}): {v}" for v in run_axe(phone)]
        if side_scroll(phone) > 0:
            problems.append(f"{name} ({lang}): scrolls sideways at 360 px")
        # The same page, as it stands (after a POST too), at 200 % zoom: 180 CSS pixels.
        phone.set_viewport_size(ZOOMED)
        if side_scroll(phone) > 0:
            problems.append(f"{name} ({lang}): scrolls {side_scroll(phone)} px sideways "
                            f"at 200 % zoom: {too_wide(phone)}")
        phone.set_viewport_size(PHONE)
    pages = {r.endpoint for r in live.app.url_map.iter_rules()
             if r.endpoint.startswith("respond.") and "GET" in r.methods} - NOT_PAGES
    assert not pages - seen, f"the walk misses {sorted(pages - seen)}"
    print(f"axe checked {len(names)} respondent pages ({lang}):", ", ".join(names))
    assert not problems, "\n".join(problems)
