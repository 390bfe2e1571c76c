"""Twenty simultaneous submissions with one code store exactly one ballot (then response)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from .conftest import Respondent, close_and_mix, count_answers, count_rows

THREADS = 20


def test_twenty_threads_one_code_exactly_one_response(app, setup):
    respondents = [Respondent(app.test_client(), setup.token) for _ in range(THREADS)]
    tickets = [r.start_iit(setup.codes[0]) for r in respondents]  # all verified, none used
    barrier = threading.Barrier(THREADS)

    def submit(i: int) -> int:
        barrier.wait()
        return respondents[i].submit_iit(tickets[i]).status_code

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        statuses = list(pool.map(submit, range(THREADS)))

    assert sorted(statuses) == [200] + [409] * (THREADS - 1)
    assert count_rows(app, "ballot") == 1
    assert count_rows(app, "access_code WHERE status = 'used'") == 1
    assert close_and_mix(app, setup.assessment_id) == 1
    assert count_rows(app, "ballot") == 0
    assert count_rows(app, "response") == 1
    assert count_answers(app) == 51


def test_concurrent_different_codes_all_stored(app, setup):
    respondents = [Respondent(app.test_client(), setup.token) for _ in setup.codes]
    tickets = [r.start_iit(c) for r, c in zip(respondents, setup.codes, strict=True)]
    barrier = threading.Barrier(len(setup.codes))

    def submit(i: int) -> int:
        barrier.wait()
        return respondents[i].submit_iit(tickets[i]).status_code

    with ThreadPoolExecutor(max_workers=len(setup.codes)) as pool:
        statuses = list(pool.map(submit, range(len(setup.codes))))
    assert statuses == [200] * len(setup.codes)
    assert count_rows(app, "ballot") == len(setup.codes)  # fewer than K: all still waiting
    assert close_and_mix(app, setup.assessment_id) == len(setup.codes)
    assert count_rows(app, "response") == len(setup.codes)
