"""The deployment of deploy/: nginx (the system package, this repository's site file) with TLS in
front of TWO `ita serve` instances on one PostgreSQL database and one Redis, all on loopback.

Respondents and the console go through nginx over HTTPS.  What must hold on several servers:
one code redeemed once under 50 simultaneous submissions, ballots mixed once, the stored result
computed once per change, a sign-in valid on both servers and a logout ending it on both, rate
limits counted once and keyed by the real client address (a forged X-Forwarded-For changes
nothing), Secure cookies and HSTS, oversized uploads refused by nginx with a Thai page, and
nothing acknowledged lost when one server is killed mid-load.

Every process is started here on free loopback ports and stopped by the fixtures' finalizers;
every wait is bounded.  Without nginx, PostgreSQL or Redis the tests skip (fail under CI=true).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from survey_app import HSTS, create_app
from survey_app.extensions import db, make_engine
from survey_app.services.schema import upgrade

from .conftest import IN_CI, app_config, full_answers, make_assessment, stored_answers
from .databases import empty_database

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "deploy" / "nginx" / "ita.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REDIS_URL = os.environ.get("ITA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ITA = str(Path(sys.executable).with_name("ita"))
START_TIMEOUT_S = 60
ADMIN = ("deploy-admin", "Deploy-test-password-1")

pytestmark = pytest.mark.postgres


def _need(reason: str):
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process on port {port} exited: {log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port} after {START_TIMEOUT_S} s: "
                       f"{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen, *, group: bool) -> None:
    if proc.poll() is not None:
        return
    try:
        if group:
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.terminate()
        proc.wait(timeout=20)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        try:
            os.killpg(proc.pid, signal.SIGKILL) if group else proc.kill()
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


# -- a small HTTPS client with cookies, keep-alive and a chosen source address ----------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def field(self, name: str) -> str:
        match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', self.text)
        assert match, f"no {name} field in a {self.status} page"
        return match.group(1)


_OPEN: list[http.client.HTTPConnection] = []  # closed after each test


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    while _OPEN:
        _OPEN.pop().close()


@dataclass
class Browser:
    port: int
    tls: bool = True
    source: str = "127.0.0.1"
    cafile: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)
    _conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.tls:
                context = ssl.create_default_context(cafile=self.cafile)
                self._conn = http.client.HTTPSConnection(
                    "127.0.0.1", self.port, context=context, timeout=60,
                    source_address=(self.source, 0))
            else:
                self._conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=60, source_address=(self.source, 0))
            _OPEN.append(self._conn)
        return self._conn

    def request(self, method: str, path: str, *, form: dict | None = None,
                headers: dict | None = None) -> Reply:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        sent = {"Accept-Language": "th", **(headers or {})}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):  # a kept-alive connection the server closed: open a new one
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=sent)
                response = conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2 or method != "GET":
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(header)
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "expires=thu, 01 jan 1970" in header.lower() or value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return Reply(response.status, response.headers, data)

    def get(self, path: str, **kw) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, form: dict, **kw) -> Reply:
        return self.request("POST", path, form=form, **kw)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


# -- the stack: PostgreSQL database, Redis prefix, two `ita serve`, nginx ----------------------


@dataclass
class Stack:
    url: str
    env: dict[str, str]
    folder: Path
    app_ports: list[int]
    https: int
    http: int
    cafile: str
    app: object  # a Flask app on the same database and secret, to seed and inspect
    servers: dict[int, subprocess.Popen] = field(default_factory=dict)

    def browser(self, source: str = "127.0.0.1") -> Browser:
        return Browser(self.https, source=source, cafile=self.cafile)

    def direct(self, index: int) -> Browser:
        """A client of one app server itself (plain HTTP on loopback, as nginx talks to it)."""
        return Browser(self.app_ports[index], tls=False)

    def start_server(self, index: int) -> None:
        port = self.app_ports[index]
        log = self.folder / f"serve-{port}.log"
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                [ITA, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                 "--threads", "4"], env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        self.servers[index] = proc
        _wait_for(port, proc, log)

    def kill_server(self, index: int) -> None:
        """SIGKILL the gunicorn master and its workers at once (a crash, not a shutdown)."""
        proc = self.servers[index]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([ITA, *args], env=self.env, capture_output=True, text=True,
                              timeout=120, check=False)

    def scalar(self, sql: str, **params):
        with self.app.app_context():
            return db.session.execute(sa.text(sql), params).scalar()


def _nginx_config(folder: Path, stack_ports: list[int], https: int, http_port: int,
                  cert: Path, key: Path) -> Path:
    """The repository's site file with this test's ports, paths and name, in a main config of
    its own (pid, logs and temporary files in ``folder``)."""
    site = SITE.read_text(encoding="utf-8")
    replacements = [
        ("server 127.0.0.1:8001", f"server 127.0.0.1:{stack_ports[0]}"),
        ("server 127.0.0.1:8002", f"server 127.0.0.1:{stack_ports[1]}"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("server_name ita.example.go.th;", "server_name 127.0.0.1;"),
        ("/etc/letsencrypt/live/ita.example.go.th/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/ita.example.go.th/privkey.pem", str(key)),
        ("/opt/ita/app/", f"{REPO}/"),
        ("/var/log/nginx/ita.error.log", str(folder / "ita.error.log")),
        ("/var/www/letsencrypt", str(folder / "acme")),
    ]
    for old, new in replacements:
        assert old in site, f"deploy/nginx/ita.conf no longer has {old!r}"
        site = site.replace(old, new)
    (folder / "site.conf").write_text(site, encoding="utf-8")
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    user = "user root root;" if os.geteuid() == 0 else ""
    main = f"""
{user}
worker_processes 1;
daemon off;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {temp['body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    include {folder / 'site.conf'};
}}
"""
    conf = folder / "nginx.conf"
    conf.write_text(main, encoding="utf-8")
    return conf


def _self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture(scope="module")
def redis_prefix():
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
    except Exception as exc:
        _need(f"Redis at {REDIS_URL} is unreachable: {exc}")
    prefix = f"ita-deploy-test-{secrets.token_hex(6)}"
    yield prefix
    for key in client.scan_iter(f"*{prefix}*"):  # only this test's keys, never FLUSHALL
        client.delete(key)


@pytest.fixture(scope="module")
def stack(tmp_path_factory, redis_prefix):
    if not os.access(NGINX, os.X_OK):
        _need(f"nginx is not installed ({NGINX}): apt-get install nginx")
    folder = tmp_path_factory.mktemp("nginx")
    folder.chmod(0o755)
    with empty_database("postgresql", folder, "deploy") as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        secret = secrets.token_hex(32)
        app_ports = [free_port(), free_port()]
        https, http_port = free_port(), free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ITA_")},
            "ITA_DATABASE_URL": url, "ITA_SECRET_KEY": secret,
            "ITA_PUBLIC_BASE_URL": f"https://127.0.0.1:{https}",
            "ITA_INSTANCE_PATH": str(folder / "instance"),
            "ITA_PROXY_FIX": "1", "ITA_SESSION_COOKIE_SECURE": "true",
            "ITA_RATELIMIT_STORAGE_URI": REDIS_URL, "ITA_RATELIMIT_KEY_PREFIX": redis_prefix,
            "ITA_CODE_RATE_LIMIT": "3 per minute", "ITA_EIT_RATE_LIMIT": "10000 per hour",
        }
        app = create_app(app_config(url, folder, SECRET_KEY=secret, WTF_CSRF_ENABLED=True))
        cert, key = _self_signed(folder)
        stack = Stack(url, env, folder, app_ports, https, http_port, str(cert), app)
        nginx = None
        try:
            for index in (0, 1):
                stack.start_server(index)
            conf = _nginx_config(folder, app_ports, https, http_port, cert, key)
            nginx = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf),
                                      "-e", str(folder / "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _wait_for(https, nginx, folder / "error.log")
            _seed_admin(app)
            yield stack
        finally:
            if nginx is not None:
                _stop(nginx, group=False)
            for proc in stack.servers.values():
                _stop(proc, group=True)
            db.dispose(app)


def _seed_admin(app) -> None:
    from survey_app.services.accounts import create_user

    with app.app_context():
        create_user(db.session, username=ADMIN[0], password=ADMIN[1], role="system_admin")
        db.session.commit()


# -- journeys ---------------------------------------------------------------------------------


def iit_start(browser: Browser, token: str, code: str) -> str:
    """Enter the code and confirm eligibility through the pages; return the ticket."""
    page = browser.get(f"/iit/{token}")
    assert page.status == 200, page.text[:500]
    entered = browser.post(f"/iit/{token}", {"csrf_token": page.field("csrf_token"),
                                              "code": code})
    assert entered.status == 302, (entered.status, entered.text[:500])
    start = browser.get(f"/iit/{token}/start")
    confirmed = browser.post(f"/iit/{token}/start", {"csrf_token": start.field("csrf_token"),
                                                      "eligible": "y"})
    assert confirmed.status == 302, confirmed.text[:500]
    return browser.get(f"/iit/{token}/questionnaire").text


def iit_submit(browser: Browser, token: str, page: str, answers: dict) -> int:
    reply = Reply(200, http.client.HTTPMessage(), page.encode())
    form = {"csrf_token": reply.field("csrf_token"), "ticket": reply.field("ticket"), **answers}
    return browser.post(f"/iit/{token}/questionnaire", form).status


def eit_submit(browser: Browser, token: str, answers: dict | None = None) -> int:
    page = browser.get(f"/eit/{token}")
    assert page.status == 200, page.text[:500]
    form = {"csrf_token": page.field("csrf_token"), "nonce": page.field("nonce"),
            "respondent_group": "public", **(answers or full_answers("EIT"))}
    return browser.post(f"/eit/{token}", form).status


def sign_in(browser: Browser) -> Reply:
    page = browser.get("/admin/login")
    return browser.post("/admin/login", {"csrf_token": page.field("csrf_token"),
                                         "username": ADMIN[0], "password": ADMIN[1]})


def distinct_answers(i: int) -> dict:
    """IIT answers unique to respondent ``i`` (its number in base 4 over the first questions)."""
    answers = full_answers("IIT")
    for n, column in enumerate(list(answers)[:4]):
        answers[column] = str((i // 4 ** n) % 4 + 1)
    return answers


# -- the tests --------------------------------------------------------------------------------


def test_https_only_hsts_gzip_and_static_files(stack):
    plain = Browser(stack.http, tls=False)
    moved = plain.get("/iit/x?lang=th")
    assert moved.status == 301
    assert moved.headers["Location"] == "https://127.0.0.1/iit/x?lang=th"

    browser = stack.browser()
    home = browser.get("/", headers={"Accept-Encoding": "gzip"})
    assert home.status == 200
    assert home.headers.get_all("Strict-Transport-Security") == [HSTS]  # once, the app's value
    assert home.headers["Content-Encoding"] == "gzip"
    css = browser.get("/static/ita.css")
    assert css.status == 200 and css.headers["Server"].startswith("nginx")
    assert "max-age=2592000" in css.headers["Cache-Control"]
    assert css.headers.get_all("Strict-Transport-Security") == [HSTS]

    # The app saw HTTPS (X-Forwarded-Proto with ITA_PROXY_FIX): its cookies are Secure.  The
    # sign-in sends no Referer, as a browser told "no-referrer" does not.
    assert sign_in(browser).status == 302
    session_cookies = [c for c in browser.set_cookies if c.startswith("session=")]
    assert session_cookies
    assert all("Secure" in c and "HttpOnly" in c for c in session_cookies)


def test_upload_over_the_limit_is_refused_by_nginx_with_a_thai_page(stack):
    conn = http.client.HTTPSConnection("127.0.0.1", stack.https, timeout=30,
                                       context=ssl.create_default_context(cafile=stack.cafile))
    size = 10 * 1024 * 1024
    conn.putrequest("POST", "/admin/login")
    conn.putheader("Content-Type", "application/octet-stream")
    conn.putheader("Content-Length", str(size))
    conn.endheaders()
    try:  # nginx answers from the headers; it may stop reading the body
        chunk = b"x" * 65536
        for _ in range(size // len(chunk)):
            conn.send(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass
    response = conn.getresponse()
    page = response.read().decode("utf-8")
    conn.close()
    assert response.status == 413
    assert response.getheader("Server").startswith("nginx")
    assert "ไฟล์หรือข้อมูลที่ส่งมีขนาดใหญ่เกินไป" in page and "ไม่ได้บันทึก" in page
    assert response.getheader("Strict-Transport-Security") == HSTS


def test_fifty_simultaneous_redemptions_of_one_code_store_one(stack):
    setup = make_assessment(stack.app, codes=1, agency_code="NGX1")
    browsers = [stack.browser() for _ in range(50)]
    with ThreadPoolExecutor(max_workers=10) as pool:  # everyone verified, nobody submitted
        pages = list(pool.map(lambda b: iit_start(b, setup.token, setup.codes[0]), browsers))
    barrier = threading.Barrier(50, timeout=60)

    def submit(i: int) -> int:
        barrier.wait()
        return iit_submit(browsers[i], setup.token, pages[i], full_answers("IIT"))

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = Counter(pool.map(submit, range(50)))
    assert statuses == Counter({302: 1, 409: 49})
    a = setup.assessment_id
    stored = (stack.scalar("SELECT count(*) FROM ballot WHERE assessment_id = :a", a=a)
              + stack.scalar("SELECT count(*) FROM response WHERE assessment_id = :a", a=a))
    assert stored == 1
    assert stack.scalar("SELECT count(*) FROM access_code WHERE assessment_id = :a "
                        "AND status = 'used'", a=a) == 1


def test_ballots_mixed_once_across_both_servers(stack):
    n = 13
    setup = make_assessment(stack.app, codes=n, agency_code="NGX2")
    browsers = [stack.browser() for _ in range(n)]
    with ThreadPoolExecutor(max_workers=n) as pool:
        pages = list(pool.map(lambda i: iit_start(browsers[i], setup.token, setup.codes[i]),
                              range(n)))
        statuses = list(pool.map(lambda i: iit_submit(browsers[i], setup.token, pages[i],
                                                      distinct_answers(i)), range(n)))
    assert statuses == [302] * n

    def mix_twice() -> list[int]:
        with ThreadPoolExecutor(max_workers=2) as pool:  # two mixers at once
            return [p.returncode for p in pool.map(lambda _: stack.cli("mix"), range(2))]

    assert mix_twice() == [0, 0]
    a = setup.assessment_id
    with stack.app.app_context():  # close it: the remainder (fewer than K) is due
        db.session.execute(sa.text("UPDATE assessment SET closes_at = now() - interval '1 min'"
                                   " WHERE id = :a"), {"a": a})
        db.session.commit()
    assert mix_twice() == [0, 0]
    assert stack.scalar("SELECT count(*) FROM ballot WHERE assessment_id = :a", a=a) == 0
    got = stored_answers(stack.app, "IIT", where=f"assessment_id = {a}")
    sent = [{k: int(v) for k, v in distinct_answers(i).items()} for i in range(n)]
    def key(answers: dict) -> str:
        return json.dumps(answers, sort_keys=True)

    assert sorted(map(key, got)) == sorted(map(key, sent))  # none lost, none twice


def test_sign_in_on_one_server_holds_on_the_other_and_logout_ends_both(stack):
    browser = stack.browser()
    assert sign_in(browser).status == 302
    cookies = dict(browser.cookies)
    first, second = stack.direct(0), stack.direct(1)
    proto = {"X-Forwarded-Proto": "https"}
    for server in (first, second):
        server.cookies = dict(cookies)
        assert server.get("/admin/", headers=proto).status == 200
    home = first.get("/admin/", headers=proto)
    out = first.post("/admin/logout", {"csrf_token": home.field("csrf_token")}, headers=proto)
    assert out.status == 302
    second.cookies = dict(cookies)  # the old cookie, copied: it must be dead everywhere
    after = second.get("/admin/", headers=proto)
    assert after.status == 302 and "/admin/login" in after.headers["Location"]
    assert stack.browser().get("/admin/", headers={}).status == 302


def test_stored_result_is_computed_once_per_change_not_once_per_server(stack):
    setup = make_assessment(stack.app, codes=1, agency_code="NGX3")
    a = setup.assessment_id
    assert eit_submit(stack.browser(), setup.token) == 302
    browser = stack.browser()
    assert sign_in(browser).status == 302
    servers = [stack.direct(0), stack.direct(1)]
    for server in servers:
        server.cookies = dict(browser.cookies)

    def computed_at():
        return stack.scalar("SELECT max(computed_at) FROM scored_result WHERE assessment_id = :a",
                            a=a)

    proto = {"X-Forwarded-Proto": "https"}
    assert servers[0].get(f"/admin/assessments/{a}/results", headers=proto).status == 200
    first = computed_at()
    assert first is not None
    assert servers[1].get(f"/admin/assessments/{a}/results", headers=proto).status == 200
    assert computed_at() == first  # the other server used the stored result
    assert eit_submit(stack.browser(), setup.token) == 302  # a change
    assert servers[1].get(f"/admin/assessments/{a}/results", headers=proto).status == 200
    second = computed_at()
    assert second > first
    assert servers[0].get(f"/admin/assessments/{a}/results", headers=proto).status == 200
    assert computed_at() == second


def test_rate_limits_count_once_by_the_real_client_address(stack):
    setup = make_assessment(stack.app, codes=1, agency_code="NGX4")
    token = setup.token

    def wrong_code(browser: Browser, **headers) -> int:
        page = browser.get(f"/iit/{token}")
        return browser.post(f"/iit/{token}", {"csrf_token": page.field("csrf_token"),
                                               "code": "2222-2222-22"},
                            headers=headers).status

    # 127.0.0.3 and 127.0.0.4 are this test's own loopback addresses (nginx sees them).
    limited = Browser(stack.https, source="127.0.0.3", cafile=stack.cafile)
    statuses = [wrong_code(Browser(stack.https, source="127.0.0.3", cafile=stack.cafile))
                for _ in range(3)]  # new connections: nginx spreads them over both servers
    assert statuses == [422, 422, 422]
    assert wrong_code(limited) == 429  # the limit (3 per minute) counted once for both
    forged = {"X-Forwarded-For": "203.0.113.9"}
    assert wrong_code(limited, **forged) == 429  # nginx overwrote the forged address
    other = Browser(stack.https, source="127.0.0.4", cafile=stack.cafile)
    assert wrong_code(other) == 422  # another client is not limited: the address is real


def test_killing_one_server_mid_load_loses_nothing_acknowledged(stack):
    setup = make_assessment(stack.app, codes=1, agency_code="NGX5")
    threads, per_thread = 6, 12
    acknowledged = Counter()
    attempted = Counter()
    killed = threading.Event()
    lock = threading.Lock()

    def load(t: int) -> None:
        browser = stack.browser()
        for i in range(per_thread):
            if t == 0 and i == per_thread // 3:
                stack.kill_server(0)
                killed.set()
            with lock:
                attempted["all"] += 1
            try:
                status = eit_submit(browser, setup.token)
            except (OSError, http.client.HTTPException, AssertionError):
                browser.close()
                continue
            if status == 302:
                with lock:
                    acknowledged["after kill" if killed.is_set() else "before kill"] += 1

    try:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(load, range(threads)))
        stored = stack.scalar("SELECT count(*) FROM response WHERE assessment_id = :a",
                              a=setup.assessment_id)
        total = sum(acknowledged.values())
        assert acknowledged["after kill"] > 0  # the other server carried on
        assert total <= stored <= attempted["all"]  # every acknowledged answer is stored
        assert total >= attempted["all"] - threads  # at most the requests in flight failed
    finally:
        if stack.servers[0].poll() is not None:
            stack.start_server(0)
