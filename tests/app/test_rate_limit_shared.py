"""Rate limits shared by all workers (Redis), and a forged X-Forwarded-For that changes nothing.

Two gunicorn workers are two processes, so the shared-store tests run two separate Python
processes against one database (each forked afresh from one parent that imported the app
once): with ``ITA_RATELIMIT_STORAGE_URI=redis://…`` they see one limit, with ``memory://``
each counts on its own.  Redis is the machine's at 127.0.0.1:6379 (or ``ITA_TEST_REDIS_URL``);
without it these tests skip with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import secrets
import textwrap

import pytest

from survey_app import create_app
from survey_app.extensions import db, limiter

from ..forking import ForkingParent
from .conftest import IN_CI, app_config, make_assessment

REDIS_URL = os.environ.get("ITA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

# A worker (a process of its own, forked from one parent that imported the app once per
# module: tests/forking.py): builds the app from the ITA_* variables and posts wrong codes;
# returns the statuses.
WORKER = textwrap.dedent("""
    def work(args):
        from survey_app import create_app
        # without CSRF: a page without a valid token is refused before its code is checked,
        # and only a checked code that is refused counts against the limit
        app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False})
        client = app.test_client()
        token, n = args
        return [client.post(f"/iit/{token}", data={"code": "2222-2222-22",
                                                    "eligible": "y"}).status_code
                for _ in range(n)]
""")


@pytest.fixture(scope="module")
def redis_url() -> str:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:  # not installed, refused, timed out
        reason = f"Redis at {REDIS_URL} is unreachable: {exc}"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return REDIS_URL


@pytest.fixture(scope="module")
def workers(tmp_path_factory):
    """The workers' parent process, for the module."""
    parent = ForkingParent(tmp_path_factory.mktemp("workers") / "stderr.log")
    try:
        yield parent
    finally:
        parent.close()


@pytest.fixture
def shared(database_url, tmp_path, app, workers):
    setup = make_assessment(app)
    prefix = f"ita-test-{secrets.token_hex(6)}"
    env = {**os.environ, "ITA_DATABASE_URL": database_url,
           "ITA_SECRET_KEY": app.config["SECRET_KEY"], "ITA_INSTANCE_PATH": str(tmp_path / "w"),
           "ITA_CODE_RATE_LIMIT": "3 per minute", "ITA_RATELIMIT_KEY_PREFIX": prefix}

    def worker(storage: str, n: int) -> list[int]:
        return workers.run(WORKER, [setup.token, n],
                           env={**env, "ITA_RATELIMIT_STORAGE_URI": storage})

    yield worker
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)
    except Exception:  # nothing to clean without Redis
        pass


def test_two_workers_sharing_redis_see_one_limit(shared, redis_url):
    assert shared(redis_url, 3) == [422, 422, 422]  # worker 1 uses up the limit
    assert shared(redis_url, 2) == [429, 429]  # worker 2 is already blocked


def test_workers_with_memory_storage_count_on_their_own(shared):
    # The laptop default, and why a deployment with several workers needs Redis.
    assert shared("memory://", 3) == [422, 422, 422]
    assert shared("memory://", 2) == [422, 422]


def test_an_unreachable_store_falls_back_to_memory_instead_of_failing(shared):
    # Nothing listens on port 1: each worker limits in its own memory until Redis is back.
    assert shared("redis://127.0.0.1:1/0", 4) == [422, 422, 422, 429]


# -- X-Forwarded-For ---------------------------------------------------------------------------


@pytest.fixture
def login_limited(database_url, tmp_path, request):
    apps = []

    def make(**overrides):
        app = create_app(app_config(database_url, tmp_path, RATELIMIT_ENABLED=True,
                                    LOGIN_RATE_LIMIT="3 per minute", **overrides))
        apps.append(app)
        limiter.reset()  # the limiter object is shared by every app of this process
        return app

    yield make
    if apps:
        limiter.reset()
    for app in apps:
        db.dispose(app)


def _attempts(app, n: int) -> list[int]:
    client = app.test_client()
    return [client.post("/admin/login", data={"username": "root", "password": "wrong-wrong-1"},
                        headers={"X-Forwarded-For": f"203.0.113.{k}"}).status_code
            for k in range(n)]


def test_a_rotating_forwarded_for_does_not_bypass_the_login_limit(login_limited):
    # ITA_PROXY_FIX off (the default): the header is not believed, the peer address counts.
    assert _attempts(login_limited(), 5) == [401, 401, 401, 429, 429]


def test_behind_proxy_fix_the_header_is_believed(login_limited):
    # Why docs/configuration.md says ITA_PROXY_FIX is only safe behind a proxy that overwrites the header:
    # a client that reaches the app directly could then pick a new address for every attempt.
    assert _attempts(login_limited(PROXY_FIX=1), 5) == [401] * 5
