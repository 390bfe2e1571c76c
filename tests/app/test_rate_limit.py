"""Code entry and EIT submission are rate limited per client."""

from __future__ import annotations

import time

import pytest

from survey_app import create_app
from survey_app.extensions import db, limiter

from .conftest import Respondent, app_config, count_rows, make_assessment

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def limited_app(database_url, tmp_path):
    app = create_app(app_config(database_url, tmp_path, RATELIMIT_ENABLED=True,
                                CODE_RATE_LIMIT="3 per minute", EIT_RATE_LIMIT="2 per minute"))
    limiter.reset()
    yield app
    limiter.reset()
    db.dispose(app)


def test_wrong_codes_are_limited_but_valid_ones_do_not_count(limited_app):
    setup = make_assessment(limited_app, codes=5)
    client = limited_app.test_client()
    person = Respondent(client, setup.token)
    for code in setup.codes:  # a staff room behind one address: valid codes are not counted
        assert person.enter_code(code).status_code == 200  # the questionnaire
    for _ in range(4):  # nor a valid code sent before the eligibility box was ticked
        assert person.enter_code(setup.codes[0], eligible=False).status_code == 422
    for _ in range(3):
        assert person.enter_code("2222-2222-22").status_code == 422
    blocked = person.enter_code(setup.codes[0])
    assert blocked.status_code == 429
    assert "ลองหลายครั้งเกินไป" in blocked.get_data(as_text=True)
    # Another client (address) is not affected.
    other = Respondent(limited_app.test_client(), setup.token)
    response = other.client.post(f"/iit/{setup.token}", data={"code": setup.codes[1], "eligible": "y"},
                                 environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 200


def test_eit_submissions_are_limited(limited_app):
    setup = make_assessment(limited_app)
    person = Respondent(limited_app.test_client(), setup.token)
    assert person.submit_eit().status_code == 200
    assert person.submit_eit().status_code == 200
    assert person.submit_eit().status_code == 429
    assert count_rows(limited_app, "response") == 2


def test_the_memory_store_starts_no_thread_per_hit(limited_app):
    """memory:// is the threadless store: many hits start no Timer thread (issue 19)."""
    import threading
    import time

    from survey_app.rate_storage import ThreadlessMemoryStorage

    assert isinstance(limiter.storage, ThreadlessMemoryStorage)
    setup = make_assessment(limited_app)
    client = limited_app.test_client()
    before = threading.active_count()
    started = []
    for _ in range(5):
        client.post(f"/iit/{setup.token}", data={"code": "2222-2222-22"})
        started.append(threading.active_count())  # the library's timer would be alive here
        time.sleep(0.02)  # ... and run out by the next hit, which would start another
    assert max(started) <= before


def test_the_threadless_store_still_expires_its_counters(backend):
    from survey_app import rate_storage

    store = rate_storage.ThreadlessMemoryStorage()
    assert store.incr("k", expiry=0.05) == 1
    assert store.incr("k", expiry=0.05) == 2
    time.sleep(0.06)
    assert store.get("k") == 0  # an expired counter is dropped where it is read
    store.incr("other", expiry=0.01)
    time.sleep(0.02)
    store._next_sweep = 0.0  # the next hit sweeps every expired key
    store.incr("k", expiry=10)
    assert "other" not in store.storage


def test_every_limit_counts_posts_only(limited_app):
    """The limiter skips every request but a POST (extensions._only_posts_are_limited), which
    is right only while every limit is limit_posts' and there is no default limit."""
    manager = limiter.limit_manager
    assert not manager.default_limits and not manager.application_limits
    limits = [limit for group in manager._decorated_limits.values() for limit in group]
    assert len(limits) >= 3  # code entry, EIT answers, sign-in
    assert all(tuple(limit.methods or ()) == ("post",) for limit in limits)


def test_a_get_is_never_counted(limited_app):
    setup = make_assessment(limited_app)
    client = limited_app.test_client()
    for _ in range(5):  # more than EIT_RATE_LIMIT's 2
        assert client.get(f"/eit/{setup.token}").status_code == 200
    assert Respondent(client, setup.token).submit_eit().status_code == 200


def test_the_check_before_every_request_goes_only_without_default_limits(database_url, tmp_path):
    """Flask-Limiter's before-request check is dropped when there is nothing for it to count
    (register_extensions); a configured default limit keeps it."""
    plain = create_app(app_config(database_url, tmp_path, RATELIMIT_ENABLED=True))
    defaults = create_app(app_config(database_url, tmp_path, RATELIMIT_ENABLED=True,
                                     RATELIMIT_DEFAULT="1000 per minute"))
    try:
        assert limiter._check_request_limit not in plain.before_request_funcs[None]
        assert limiter._check_request_limit in defaults.before_request_funcs[None]
    finally:
        limiter.limit_manager.set_default_limits([])  # the limiter is one object for all apps
        db.dispose(plain)
        db.dispose(defaults)
