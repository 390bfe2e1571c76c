"""Real-browser fixtures: one Chromium per test session, one live demo server per module, each
on its own copy of one demo database built once per test process.

Chromium is Debian's (/usr/bin/chromium: Playwright never downloads a browser), axe-core comes
from the npm registry at the version pinned in package.json / package-lock.json, installed with
``npm ci`` into tests/browser/node_modules (git-ignored) the first time it is missing.  Without
Chromium, zbarimg, pdftoppm or npm the tests skip with the reason, except under ``CI=true``,
where they fail.  ``--screenshots`` takes every step's picture, into docs/screenshots/.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from survey_app import create_app
from survey_app.demo import DemoInfo, ensure_demo
from survey_app.extensions import db
from survey_app.services.schema import upgrade

from ..external import IN_CI, missing, tool  # noqa: F401 - the browser tests import them from here
from ..factories import test_password_hashes  # noqa: F401 - autouse: the tests' cheap hashes

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        missing(CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Live:
    base: str
    info: DemoInfo
    app: object

    def url(self, path: str) -> str:
        return self.base + path


#: The address the demo template is built for; each module's server puts its own in its place.
TEMPLATE_BASE = "http://demo-template.invalid"
#: The settings every live server shares (a module's ``LIVE_CONFIG`` adds to them).
LIVE_SETTINGS = {"SECRET_KEY": "browser-test", "RATELIMIT_ENABLED": False}


@dataclass
class DemoTemplate:
    instance: Path  # the instance folder: the demo's SQLite file, checked in and closed
    info: dict  # the DemoInfo, its links on TEMPLATE_BASE


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> DemoTemplate:
    """The demo built once per test process (1.5 s of CPU), each module's server getting a
    copy of its database."""
    instance = tmp_path_factory.mktemp("live-template") / "instance"
    app = create_app({"INSTANCE_PATH": str(instance), **LIVE_SETTINGS})
    try:
        with app.app_context():
            upgrade(db.engine)
            info = ensure_demo(db.session, code_key=app.config["CODE_HASH_KEY"],
                               base_url=TEMPLATE_BASE, iit_responses=30, eit_responses=60)
    finally:
        db.dispose(app)  # the last connection closed: the WAL is checked in, the file complete
    return DemoTemplate(instance, info.as_dict())


@pytest.fixture(scope="module")
def live(request, tmp_path_factory, demo_template: DemoTemplate):
    """Serve the app with a copy of the demo's data on a free port, for the whole module.

    A module may set ``LIVE_CONFIG`` (app settings, e.g. a short ``WTF_CSRF_TIME_LIMIT``).
    CSRF stays on, as in production.
    """
    instance = tmp_path_factory.mktemp("live") / "instance"
    shutil.copytree(demo_template.instance, instance)
    config = {"INSTANCE_PATH": str(instance), **LIVE_SETTINGS,
              **getattr(request.module, "LIVE_CONFIG", {})}
    app = create_app(config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    info = DemoInfo(**json.loads(json.dumps(demo_template.info).replace(TEMPLATE_BASE, base)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Live(base, info, app)
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
        db.dispose(app)


def _context(browser, **options):
    return browser.new_context(locale="th-TH", timezone_id="Asia/Bangkok", **options)


@pytest.fixture
def phone(browser):
    """A 360×740 touch phone."""
    context = _context(browser, viewport=PHONE, device_scale_factor=2, is_mobile=True,
                       has_touch=True)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def desk(browser):
    """A desktop window, as an office's admin uses the console."""
    context = _context(browser, viewport=DESK, accept_downloads=True)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh contexts of one's own options (closed after the test)."""
    contexts = []

    def make(**options):
        context = _context(browser, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shot(request) -> Callable:
    """``shot(page, name)``: a screenshot of the step, saved under docs/screenshots/ with
    ``--screenshots`` (the README shows some of them).  Without it no picture is taken: no test
    looks at one, and each cost the browser a capture and a PNG, the driver and this process
    its bytes."""
    if not request.config.getoption("--screenshots"):
        return lambda page, name, **options: None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, **options) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=path, animations="disabled", **options)
        return path

    return take


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script at the pinned version, installed with ``npm ci`` when missing."""
    if not AXE.exists():
        npm = tool("npm")
        done = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                              cwd=HERE, capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not AXE.exists():
            missing(f"axe-core (npm ci failed: {done.stderr.strip()[-500:]})")
    return AXE.read_text(encoding="utf-8")


def sign_in(page, live: Live, username: str, password: str) -> None:
    page.goto(live.url("/admin/login"))
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("form.login-box button[type=submit]").click()
    page.wait_for_url(live.url("/admin/"))


def answer_everything(page, *, pick: str = "last") -> int:
    """Check one option (the last, or the first) of every radio group; return the count."""
    names = page.eval_on_selector_all(
        "input[type=radio]", "els => [...new Set(els.map(e => e.name))]")
    for name in names:
        getattr(page.locator(f'input[type=radio][name="{name}"]'), pick).check()
    return len(names)


def wait_for_thanks(page) -> None:
    """Wait for the thank-you page, which answers the questionnaire's POST itself (same URL)."""
    page.locator(".done h1").wait_for()


def wait_for_questionnaire(page) -> None:
    """Wait for the IIT questionnaire, which answers the code page's POST itself (the address
    bar keeps the code page's address, without the code)."""
    page.locator("form.questionnaire input[name=ticket]").wait_for(state="attached")


def wait_for_slip_code(page) -> None:
    """Wait until iit-code.js has moved a slip's code from the fragment into the code field."""
    page.wait_for_function("document.getElementById('code').value !== ''")
    assert "#" not in page.url


def dashboard_counts(page) -> dict[str, int]:
    """The dashboard's respondents table: instrument → responses counted in the results."""
    return page.evaluate("""() => Object.fromEntries(
        [...document.querySelectorAll('section[aria-labelledby=h-responses] tbody tr')]
        .filter(tr => tr.cells.length > 2)
        .map(tr => [tr.cells[0].textContent.trim().split(' ')[0],
                    parseInt(tr.cells[1].textContent.trim(), 10)]))""")
