"""The deployment of deploy/: nginx (the system package, this repository's site file) with TLS in
front of TWO `ita serve` instances on one PostgreSQL database and one Redis, all on loopback.

Respondents and the console go through nginx over HTTPS.  What must hold on several servers:
one code redeemed once under 50 simultaneous submissions, ballots mixed once, the stored result
computed once per change, a sign-in valid on both servers and a logout ending it on both, rate
limits counted once and keyed by the real client address (a forged X-Forwarded-For changes
nothing), Secure cookies and HSTS, oversized uploads refused by nginx with a Thai page, and
nothing acknowledged lost when one server is killed mid-load.

Every process is started here on free loopback ports and stopped by the fixtures' finalizers
(a server a test killed is started again before the next test, not at once); every wait is
bounded.  Without nginx, PostgreSQL or Redis the tests skip (fail under CI=true).
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import ssl
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from survey_app import HSTS
from survey_app.extensions import db, make_engine
from survey_app.services.schema import upgrade

from .conftest import IN_CI, full_answers, make_assessment, stored_answers
from .databases import empty_database
from .proxy_stack import NGINX, Browser, Reply, close_all, eit_submit, running_stack

REDIS_URL = os.environ.get("ITA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ADMIN = ("deploy-admin", "Deploy-test-password-1")

pytestmark = pytest.mark.postgres


def _need(reason: str):
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    close_all()


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
def deployment(tmp_path_factory, redis_prefix):
    if not os.access(NGINX, os.X_OK):
        _need(f"nginx is not installed ({NGINX}): apt-get install nginx")
    folder = tmp_path_factory.mktemp("nginx")
    with empty_database("postgresql", folder, "deploy") as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        settings = {"ITA_RATELIMIT_STORAGE_URI": REDIS_URL,
                    "ITA_RATELIMIT_KEY_PREFIX": redis_prefix,
                    "ITA_CODE_RATE_LIMIT": "3 per minute", "ITA_EIT_RATE_LIMIT": "10000 per hour"}
        with running_stack(folder, url, instances=2, settings=settings) as stack:
            _seed_admin(stack.app)
            yield stack


@pytest.fixture
def stack(deployment):
    """The deployment with both servers running: one a test killed is started again before
    the next test that uses the stack (not at the killing test's end: nothing may need it)."""
    deployment.start_stopped()
    return deployment


def _seed_admin(app) -> None:
    from survey_app.services.accounts import create_user

    with app.app_context():
        create_user(db.session, username=ADMIN[0], password=ADMIN[1], role="system_admin")
        db.session.commit()


# -- journeys ---------------------------------------------------------------------------------


def iit_start(browser: Browser, token: str, code: str) -> str:
    """Enter the code and confirm eligibility through the code page; return the ticket."""
    page = browser.get(f"/iit/{token}")
    assert page.status == 200, page.text[:500]
    entered = browser.post(f"/iit/{token}", {"csrf_token": page.field("csrf_token"),
                                              "code": code, "eligible": "y"})
    assert entered.status == 200, (entered.status, entered.text[:500])
    return entered.text  # the questionnaire answers the code


def iit_submit(browser: Browser, token: str, page: str, answers: dict) -> int:
    reply = Reply(200, http.client.HTTPMessage(), page.encode())
    form = {"csrf_token": reply.field("csrf_token"), "ticket": reply.field("ticket"), **answers}
    return browser.post(f"/iit/{token}/questionnaire", form).status


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
    assert statuses == Counter({200: 1, 409: 49})
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
    assert statuses == [200] * n

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
    assert eit_submit(stack.browser(), setup.token) == 200
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
    # a change: a batch of K EIT answers, published by a mixer pass (EIT reaches the results
    # in batches: SECURITY.md), whichever process runs it
    for _ in range(stack.app.config["MIX_BATCH"]):
        assert eit_submit(stack.browser(), setup.token) == 200
    assert stack.cli("mix").returncode == 0
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
    """EIT submissions from six clients, and IIT respondents (verified before) submitting while
    one server is SIGKILLed: every acknowledged answer is stored, and every used code has its
    ballot (the redeem and the ballot are one transaction, whichever server ran it)."""
    threads, per_thread, iit_each = 6, 12, 2
    setup = make_assessment(stack.app, codes=threads * iit_each, agency_code="NGX5")
    respondents = [stack.browser() for _ in setup.codes]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        pages = list(pool.map(lambda i: iit_start(respondents[i], setup.token, setup.codes[i]),
                              range(len(setup.codes))))
    acknowledged = Counter()
    attempted = Counter()
    killed = threading.Event()
    lock = threading.Lock()

    def attempt(kind: str, send) -> None:
        with lock:
            attempted[kind] += 1
        try:
            status = send()
        except (OSError, http.client.HTTPException, AssertionError):
            return  # not acknowledged
        if status == 200:
            with lock:
                acknowledged[kind] += 1
                if killed.is_set():
                    acknowledged["after kill"] += 1

    def load(t: int) -> None:
        browser = stack.browser()
        for i in range(per_thread):
            if t == 0 and i == per_thread // 3:
                stack.kill_server(0)
                killed.set()
            attempt("EIT", lambda: eit_submit(browser, setup.token))
            if i in (per_thread // 2, per_thread - 1):  # this client's IIT respondents
                r = t * iit_each + (0 if i == per_thread // 2 else 1)
                attempt("IIT", lambda r=r: iit_submit(respondents[r], setup.token, pages[r],
                                                      full_answers("IIT")))

    a = setup.assessment_id
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(load, range(threads)))
    eit = stack.scalar("SELECT count(*) FROM response WHERE assessment_id = :a "
                       "AND instrument = 'EIT'", a=a)
    iit = (stack.scalar("SELECT count(*) FROM ballot WHERE assessment_id = :a", a=a)
           + stack.scalar("SELECT count(*) FROM response WHERE assessment_id = :a "
                          "AND instrument = 'IIT'", a=a))
    used = stack.scalar("SELECT count(*) FROM access_code WHERE assessment_id = :a "
                        "AND status = 'used'", a=a)
    assert killed.is_set() and acknowledged["after kill"] > 0  # the other server went on
    assert acknowledged["EIT"] <= eit <= attempted["EIT"]  # every acknowledged answer
    assert acknowledged["IIT"] <= iit == used <= attempted["IIT"]
    # Only requests in flight at the kill may fail (one per client at most).
    lost = sum(attempted.values()) - acknowledged["EIT"] - acknowledged["IIT"]
    assert lost <= threads, (attempted, acknowledged)
