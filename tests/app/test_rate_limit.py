"""Code entry and EIT submission are rate limited per client."""

from __future__ import annotations

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
        assert person.enter_code(code).status_code == 302
    for _ in range(3):
        assert person.enter_code("2222-2222-22").status_code == 422
    blocked = person.enter_code(setup.codes[0])
    assert blocked.status_code == 429
    assert "ลองหลายครั้งเกินไป" in blocked.get_data(as_text=True)
    # Another client (address) is not affected.
    other = Respondent(limited_app.test_client(), setup.token)
    response = other.client.post(f"/iit/{setup.token}", data={"code": setup.codes[1]},
                                 environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 302


def test_eit_submissions_are_limited(limited_app):
    setup = make_assessment(limited_app)
    person = Respondent(limited_app.test_client(), setup.token)
    assert person.submit_eit().status_code == 302
    assert person.submit_eit().status_code == 302
    assert person.submit_eit().status_code == 429
    assert count_rows(limited_app, "response") == 2
