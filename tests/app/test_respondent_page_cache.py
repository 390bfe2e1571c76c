"""What the respondent pages keep between requests: a blank questionnaire's questions and the
assessment behind a token.

The markup of the questions (``respond/_questions.html``) is rendered once per process for an
instrument set, an instrument and a language, and only for a blank form.  The assessment is
kept per worker (``AssessmentCache``) while no session of the process has changed an assessment,
for at most ``ASSESSMENT_CACHE_SECONDS``: a rotated link or a closed window answers differently
on the very next request when the change was made in this process, within those seconds when it
was made elsewhere.  Answers are never stored past such a change made anywhere: an IIT POST's
redemption (UPDATE) and an EIT POST's INSERT check the row (token, definition, window; EIT also
the layout) and, when it no longer matches the worker's copy, store nothing: the view reads the
row and decides again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import time

import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Assessment, utcnow
from survey_app.respond import routes
from survey_app.services.assessments import close_now, rotate_public_token

from .conftest import count_rows, full_answers

_PER_REQUEST = re.compile(r'(name="(?:csrf_token|nonce)"[^>]*value=")[^"]*"')


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return _PER_REQUEST.sub(r'\1"', response.get_data(as_text=True))


def _questions(page: str) -> str:
    return page[page.index('<section class="indicator"'):page.index('<div class="submit-bar">')]


def test_blank_questions_are_rendered_once_per_set_and_language(client, setup):
    routes._BLANK_QUESTIONS.clear()
    routes._KEPT_PAGES.clear()
    first = _page(client, f"/eit/{setup.token}")
    assert [k[1:] for k in routes._BLANK_QUESTIONS] == [("EIT", "th")]
    second = _page(client, f"/eit/{setup.token}")
    assert second == first  # the cached markup is exactly what was rendered
    routes._BLANK_QUESTIONS.clear()
    routes._KEPT_PAGES.clear()
    assert _page(client, f"/eit/{setup.token}") == first  # and what a fresh render gives
    english = _page(client, f"/eit/{setup.token}?lang=en")
    assert sorted(k[1:] for k in routes._BLANK_QUESTIONS) == [("EIT", "en"), ("EIT", "th")]
    assert "Indicator 1 of 3" in _questions(english)
    assert "ตัวชี้วัดที่ 1 จาก 3" in _questions(first)
    assert "ตัวชี้วัดที่ 1 จาก 3" not in _questions(english)


def test_a_form_with_answers_or_errors_is_rendered_afresh(app, respondent, setup):
    _page(respondent.client, f"/eit/{setup.token}")  # the blank markup is cached
    answers = full_answers("EIT", option=4)
    first, *rest = answers
    response = respondent.submit_eit({k: answers[k] for k in rest})
    assert response.status_code == 422
    questions = _questions(response.get_data(as_text=True))
    assert questions.count("has-error") == 1
    assert f'id="q-{first.replace(".", "-")}"' in questions.split("has-error")[1][:40]
    assert questions.count("checked") == len(rest)
    assert count_rows(app, "response") == 0
    # the cache was not touched by the re-render: the next blank page has no answers
    blank = _questions(_page(respondent.client, f"/eit/{setup.token}"))
    assert "checked" not in blank and "has-error" not in blank


def test_rotation_and_closing_take_effect_on_the_next_request(app, respondent, setup):
    client, old = respondent.client, setup.token
    _page(client, f"/eit/{old}")
    _page(client, f"/iit/{old}")
    with app.app_context():
        assessment = db.session.get(Assessment, setup.assessment_id)
        rotate_public_token(db.session, assessment)
        new = assessment.public_token
        db.session.commit()
    for url in (f"/eit/{old}", f"/iit/{old}", f"/eit/{old}/qr.svg"):
        assert client.get(url).status_code == 410, url
    _page(client, f"/eit/{new}")
    respondent.token = new
    nonce = respondent.eit_nonce()
    with app.app_context():
        close_now(db.session.get(Assessment, setup.assessment_id))
        db.session.commit()
    assert client.get(f"/eit/{new}").status_code == 410
    assert respondent.submit_eit(nonce=nonce).status_code == 400
    assert count_rows(app, "response") == 0


def test_a_change_made_elsewhere_stops_answers_at_once_and_pages_within_seconds(
        app, respondent, setup):
    """Another worker (or the CLI) closes the survey: no ORM event reaches this process."""
    cache = app.extensions["ita_assessment_cache"]
    cache.seconds = 600  # long enough for a slow machine; "expired" is simulated below
    client = respondent.client
    nonce = respondent.eit_nonce()  # the page is read and the assessment cached
    other = sa.create_engine(app.config["DATABASE_URL"])  # not this app's sessions
    try:
        with other.begin() as connection:
            connection.execute(sa.text(
                "UPDATE assessment SET closes_at = :t WHERE id = :id"),
                {"t": utcnow() - dt.timedelta(minutes=1), "id": setup.assessment_id})
    finally:
        other.dispose()
    assert client.get(f"/eit/{setup.token}").status_code == 200  # the kept copy, briefly
    response = respondent.submit_eit(nonce=nonce)
    assert response.status_code == 400  # the POST read the row: closed, nothing stored
    assert "ไม่ได้บันทึก" in response.get_data(as_text=True)
    assert count_rows(app, "response") == 0
    cache.seconds = 0.2  # once the kept copy is older than ASSESSMENT_CACHE_SECONDS
    time.sleep(0.3)
    assert client.get(f"/eit/{setup.token}").status_code == 410


def _elsewhere(app, sql: str, **params) -> None:
    """Run ``sql`` through an engine of its own: no ORM event of this process sees it."""
    other = sa.create_engine(app.config["DATABASE_URL"])
    try:
        with other.begin() as connection:
            connection.execute(sa.text(sql), params)
    finally:
        other.dispose()


@contextlib.contextmanager
def _statements(app):
    """The first word of every SQL statement the app's engine runs inside the block."""
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement.split(None, 1)[0].upper())

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def test_an_eit_post_from_the_worker_s_copy_is_one_insert(app, respondent, setup):
    """Once the worker knows the assessment and its layout, storing EIT answers is a single
    statement: no SELECT of the assessment or the layout before the INSERT."""
    assert respondent.submit_eit().status_code == 200
    nonce = respondent.eit_nonce()
    with _statements(app) as statements:
        assert respondent.submit_eit(nonce=nonce).status_code == 200
    assert statements == ["INSERT"]
    assert count_rows(app, "response") == 2


def test_a_rotation_elsewhere_stops_a_post_sent_with_the_old_link(app, respondent, setup):
    app.extensions["ita_assessment_cache"].seconds = 600
    nonce = respondent.eit_nonce()  # the assessment is in the worker's cache
    _elsewhere(app, "INSERT INTO retired_public_token (assessment_id, token, retired_at) "
                    "VALUES (:id, :old, :t)", id=setup.assessment_id, old=setup.token, t=utcnow())
    _elsewhere(app, "UPDATE assessment SET public_token = 'rotated-elsewhere' WHERE id = :id",
               id=setup.assessment_id)
    assert respondent.submit_eit(nonce=nonce).status_code == 410
    assert count_rows(app, "response") == 0


def test_a_reopening_elsewhere_takes_answers_at_once(app, respondent, setup):
    """A worker whose copy says "closed" reads the row before refusing answers."""
    cache = app.extensions["ita_assessment_cache"]
    cache.seconds = 600
    nonce = respondent.eit_nonce()
    _elsewhere(app, "UPDATE assessment SET closes_at = :t WHERE id = :id",
               t=utcnow() - dt.timedelta(minutes=1), id=setup.assessment_id)
    cache.clear()
    assert respondent.client.get(f"/eit/{setup.token}").status_code == 410  # copy: closed
    _elsewhere(app, "UPDATE assessment SET closes_at = :t WHERE id = :id",
               t=utcnow() + dt.timedelta(days=1), id=setup.assessment_id)
    assert respondent.submit_eit(nonce=nonce).status_code == 200
    assert count_rows(app, "response") == 1


def test_a_layout_grown_elsewhere_is_read_before_storing(app, respondent, setup):
    """The worker's known layout no longer matches the row: nothing is stored in the old
    order; the answers go in with the layout as stored (one byte per question, blank for the
    column added elsewhere)."""
    from survey_app.services.compact import BLANK, decode

    assert respondent.submit_eit().status_code == 200  # the layout is stored and known
    _elsewhere(app, "UPDATE response_layout SET questions = questions || ' x99' "
                    "WHERE assessment_id = :id AND instrument = 'EIT'", id=setup.assessment_id)
    assert respondent.submit_eit(full_answers("EIT", option=3)).status_code == 200
    with app.app_context():
        layout = db.session.scalar(sa.text(
            "SELECT questions FROM response_layout WHERE instrument = 'EIT'")).split()
        blobs = db.session.scalars(sa.text(
            "SELECT answers FROM response WHERE instrument = 'EIT' ORDER BY id")).all()
    assert layout[-1] == "x99" and len(blobs[1]) == len(layout)
    row = decode([bytes(blobs[1])], layout, layout)[0]
    assert row[-1] == BLANK and set(row[:-1]) <= {3, 0}  # 0: the items answered "no"
    assert count_rows(app, "response") == 2


def test_lookups_are_cached_per_worker(app, client, setup):
    cache = app.extensions["ita_assessment_cache"]
    cache.clear()
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if "public_token" in statement:
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            assert client.get(f"/iit/{setup.token}").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1  # the first page read the assessment; the next two did not
    cache.clear()
    assert client.get(f"/iit/{setup.token}").status_code == 200


def test_a_blank_eit_page_is_filled_in_without_a_template_or_form(app, client, setup):
    """After the first GET, a blank page is the kept page with this request's CSRF token and
    nonce: no template rendered, each GET its own values, and they work."""
    from flask import template_rendered

    from .conftest import Respondent

    app.config["WTF_CSRF_ENABLED"] = True
    routes._KEPT_PAGES.clear()
    rendered: list[str] = []

    def note(_app, **extra):
        rendered.append(extra["template"].name)

    pages = []
    template_rendered.connect(note, app)
    try:
        for _ in range(3):
            response = Respondent(app.test_client(), setup.token).client.get(f"/eit/{setup.token}")
            pages.append(response.get_data(as_text=True))
    finally:
        template_rendered.disconnect(note, app)
    assert rendered.count("respond/questionnaire.html") == 1
    values = [re.findall(r'name="(?:csrf_token|nonce)"[^>]*value="([^"]*)"', p) for p in pages]
    assert all(len(v) == 2 for v in values)
    assert len({v[0] for v in values}) == 3 and len({v[1] for v in values}) == 3
    assert len({_PER_REQUEST.sub(r'\1"', p) for p in pages}) == 1
    assert "\x00" not in "".join(pages)
    # the filled-in values are this browser's: its answers are taken
    page = client.get(f"/eit/{setup.token}").get_data(as_text=True)
    csrf, nonce = re.findall(r'name="(?:csrf_token|nonce)"[^>]*value="([^"]*)"', page)
    response = client.post(f"/eit/{setup.token}", data={
        **full_answers("EIT"), "respondent_group": "public", "csrf_token": csrf, "nonce": nonce})
    assert response.status_code == 200
    assert count_rows(app, "response") == 1


def _rendered(app):
    """Collect the names of the templates rendered while the context is open."""
    from contextlib import contextmanager

    from flask import template_rendered

    @contextmanager
    def collecting():
        names: list[str] = []

        def note(_app, **extra):
            names.append(extra["template"].name)

        template_rendered.connect(note, app)
        try:
            yield names
        finally:
            template_rendered.disconnect(note, app)

    return collecting()


def test_storing_answers_keeps_the_worker_s_pages(app, setup):
    """Storing answers keeps the cached assessment object (an EIT POST checks the row in its
    INSERT), so the next visitors' blank page and thank-you page are not rendered again."""
    from .conftest import Respondent

    routes._KEPT_PAGES.clear()
    for _ in range(2):  # the first flow renders and keeps both pages
        assert Respondent(app.test_client(), setup.token).submit_eit().status_code == 200
    with _rendered(app) as rendered:
        for _ in range(3):
            assert Respondent(app.test_client(), setup.token).submit_eit().status_code == 200
    assert rendered == []
    assert count_rows(app, "response") == 5


def test_the_iit_pages_are_filled_in_without_a_template(app, setup):
    """The code page (CSRF token) and the blank IIT questionnaire (CSRF token and ticket) are
    kept pages too: each request its own values, the rest identical, and the values work.  The
    questionnaire that answers the code's POST is the one its own address shows."""
    from .conftest import Respondent

    app.config["WTF_CSRF_ENABLED"] = True
    routes._KEPT_PAGES.clear()
    per_request = re.compile(r'(name="(?:csrf_token|ticket)"[^>]*value=")([^"]*)"')
    code_pages, questionnaires, at_address, statuses = [], [], [], []
    with _rendered(app) as rendered:
        for code in setup.codes:
            person = Respondent(app.test_client(), setup.token)
            page = person.client.get(f"/iit/{setup.token}").get_data(as_text=True)
            code_pages.append(page)
            (csrf,) = [v for _n, v in per_request.findall(page)]
            entered = person.client.post(f"/iit/{setup.token}", data={
                "csrf_token": csrf, "code": code, "eligible": "y"})
            assert entered.status_code == 200
            at_address.append(person.open_iit_questionnaire().get_data(as_text=True))
            page = entered.get_data(as_text=True)
            questionnaires.append(page)
            csrf, ticket = [v for _n, v in per_request.findall(page)]
            statuses.append(person.client.post(f"/iit/{setup.token}/questionnaire", data={
                **full_answers("IIT"), "csrf_token": csrf, "ticket": ticket}).status_code)
    assert statuses == [200] * len(setup.codes)
    assert rendered.count("respond/code.html") == 1
    assert rendered.count("respond/questionnaire.html") == 1
    for pages in (code_pages, questionnaires):
        assert len({per_request.sub(r'\1"', p) for p in pages}) == 1
        assert len({tuple(per_request.findall(p)) for p in pages}) == len(pages)
        assert "\x00" not in "".join(pages)
    assert {per_request.sub(r'\1"', p) for p in at_address} == {
        per_request.sub(r'\1"', questionnaires[0])}


def test_an_iit_post_from_the_worker_s_copy_is_the_redemption_and_the_ballot(
        app, respondent, setup):
    """Storing IIT answers reads nothing first: the redemption's UPDATE checks the assessment
    row itself, then the ballot's INSERT."""
    ticket = respondent.start_iit(setup.codes[0])  # the assessment is in the worker's cache
    with _statements(app) as statements:
        assert respondent.submit_iit(ticket).status_code == 200
    assert statements == ["UPDATE", "INSERT"]
    assert count_rows(app, "ballot") == 1


def test_a_change_elsewhere_stops_an_iit_post_and_keeps_the_code(app, respondent, setup):
    """A closing or a rotation made by another process after the code was entered: the
    redemption takes nothing (the code stays unused), the view reads the row and refuses
    as for a fresh copy."""
    app.extensions["ita_assessment_cache"].seconds = 600
    ticket = respondent.start_iit(setup.codes[0])
    _elsewhere(app, "UPDATE assessment SET closes_at = :t WHERE id = :id",
               t=utcnow() - dt.timedelta(minutes=1), id=setup.assessment_id)
    closed = respondent.submit_iit(ticket)
    assert closed.status_code == 400 and "ไม่ได้เปิดรับคำตอบ" in closed.get_data(as_text=True)
    _elsewhere(app, "UPDATE assessment SET closes_at = :t WHERE id = :id",
               t=utcnow() + dt.timedelta(days=1), id=setup.assessment_id)
    app.extensions["ita_assessment_cache"].clear()  # the copy read at the close said closed
    ticket = respondent.start_iit(setup.codes[1])
    _elsewhere(app, "UPDATE assessment SET public_token = 'rotated-elsewhere' WHERE id = :id",
               id=setup.assessment_id)
    _elsewhere(app, "INSERT INTO retired_public_token (assessment_id, token, retired_at) "
                    "VALUES (:id, :old, :t)", id=setup.assessment_id, old=setup.token, t=utcnow())
    assert respondent.submit_iit(ticket).status_code == 410
    assert count_rows(app, "ballot") == 0
    assert count_rows(app, "access_code WHERE status = 'used'") == 0


def test_a_reopening_elsewhere_takes_iit_answers_at_once(app, respondent, setup):
    cache = app.extensions["ita_assessment_cache"]
    cache.seconds = 600
    ticket = respondent.start_iit(setup.codes[0])
    _elsewhere(app, "UPDATE assessment SET closes_at = :t WHERE id = :id",
               t=utcnow() - dt.timedelta(minutes=1), id=setup.assessment_id)
    cache.clear()
    assert respondent.client.get(f"/iit/{setup.token}").status_code == 410  # copy: closed
    _elsewhere(app, "UPDATE assessment SET closes_at = :t WHERE id = :id",
               t=utcnow() + dt.timedelta(days=1), id=setup.assessment_id)
    assert respondent.submit_iit(ticket).status_code == 200
    assert count_rows(app, "ballot") == 1


def test_a_refused_code_page_is_the_page_rendered_with_what_was_typed(app, setup):
    """The code page a refused code gets back is kept with a mark where the typed code goes:
    filled in, it is byte for byte the template's own rendering of that form, whatever was
    typed (markup, quotes, NULs, marks, nothing), after any other refusal was kept."""
    app.config["WTF_CSRF_ENABLED"] = True
    routes._KEPT_PAGES.clear()
    typed = ["", "K7QM-4XPT-9C", "<b>&amp;'\"</b>", "\x00code\x00", "\x00csrf_token\x00x",
             "a\x00b", "ก" * 40, "code\x00code\x00\x00"]
    messages = [routes._csrf_expired_message, lambda: routes._code_message(routes.CodeState.USED)]
    rendered_again = 0
    for lang in ("th", "en"):
        for text in typed:
            for body in ({"code": text, "eligible": "y"}, {"code": text}, {"eligible": "y"}):
                for message in messages:
                    with app.test_request_context(f"/iit/{setup.token}?lang={lang}",
                                                  method="POST", data=body):
                        app.preprocess_request()
                        assessment = routes._assessment(setup.token)
                        with _rendered(app) as names:
                            kept, status = routes._code_page_again(assessment, message())
                        rendered_again += len(names)
                        fresh = routes._code_page(assessment, routes.CodeForm(),
                                                  message=message())
                    assert status == 422
                    assert kept == fresh, (lang, body)
                    assert 'name="csrf_token"' in fresh
    assert rendered_again == 2 * 2 * 2  # once per language, message and box (ticked or not)
