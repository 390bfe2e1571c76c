"""Every console page and every respondent page renders in Thai and in English.

A Thai page shows no English msgid of the catalogue (an untranslated string would) and an
English page none of the catalogue's Thai translations; the ``<html lang>`` follows the
switch.  Only longer messages are looked for, so a short word in the data is no false alarm.
"""

from __future__ import annotations

import html
import re

import pytest
from flask import url_for

from survey_app import catalogue

from ..conftest import Respondent
from .console_world import build_world, login
from .test_role_matrix import ENDPOINTS, _staff_accounts


def _messages() -> tuple[list[str], list[str]]:
    english, thai = [], []
    for message in catalogue.read_catalogue("th"):
        if not message.id or not isinstance(message.id, str) or "%" in message.id:
            continue
        if len(message.id.split()) >= 3:
            english.append(message.id)
        if len(message.string) >= 15:
            thai.append(message.string)
    return english, thai


ENGLISH, THAI = _messages()


#: Pages whose content is Thai in either language: printed matter for respondents, the
#: yearly report and the follow-up report, Thai official documents (texts in report/text.j2).
THAI_CONTENT = {"admin.poster", "admin.report_preview", "admin.report_narrative",
                "admin.follow_up_preview"}
#: Pages that show a definition's own text in both languages side by side (the set's data).
BILINGUAL_CONTENT = {"admin.set_detail"}


def _check(page: str, lang: str, url: str, *, thai_content: bool = False) -> list[str]:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    text = re.sub(r"\s+", " ", text)
    problems = []
    if thai_content:
        return problems if lang == "en" or '<html lang="th">' in page else [f"{url}: not Thai"]
    if f'<html lang="{lang}">' not in page:
        problems.append(f"{url}: not lang={lang}")
    foreign = ENGLISH if lang == "th" else THAI
    problems += [f"{url} ({lang}) shows {m!r}" for m in foreign if m in text]
    return problems


def _console_urls(app, world) -> list[tuple[str, str]]:
    staff = _staff_accounts(app, world)
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("admin.") or "GET" not in rule.methods:
                continue
            _access, fixed, _data = ENDPOINTS[rule.endpoint]
            if rule.endpoint in {"admin.export_download", "admin.report", "admin.logout",
                                 "admin.login", "admin.follow_up_report"}:
                continue  # files and redirects (signed in), not pages
            values = dict(fixed)
            for arg in rule.arguments - values.keys():
                values[arg] = {"agency_id": world.agency, "assessment_id": world.assessment,
                               "measure_id": world.measure, "user_id": staff}[arg]["A"]
            urls.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return urls


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_every_console_page_renders_in_both_languages(app):
    world = build_world(app)
    client = app.test_client()
    login(client, "root")
    problems = []
    urls = _console_urls(app, world)
    assert len(urls) >= 18
    for lang in ("th", "en"):
        client.get(f"/admin/?lang={lang}")
        for endpoint, url in urls:
            response = client.get(url)
            if response.status_code != 200:
                problems.append(f"{url} ({lang}): {response.status_code}")
                continue
            if response.mimetype != "text/html":
                continue  # a download (XLSX, CSV, TOML), not a page
            page = response.get_data(as_text=True)
            if endpoint in BILINGUAL_CONTENT:
                if f'<html lang="{lang}">' not in page:
                    problems.append(f"{url}: not lang={lang}")
                continue
            problems += _check(page, lang, url, thai_content=endpoint in THAI_CONTENT)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_every_respondent_page_renders_in_both_languages(app, setup):
    problems = []
    for lang, code in (("th", setup.codes[0]), ("en", setup.codes[1])):
        client = app.test_client()
        walk = Respondent(client, setup.token)
        client.get(f"/?lang={lang}")
        pages = {
            "/": client.get("/"),
            "iit code": client.get(f"/iit/{setup.token}"),
            "iit bad code": walk.enter_code("x"),
            "iit unknown code": walk.enter_code("ABCD-EFGH-JK"),
        }
        pages["iit not eligible"] = walk.enter_code(code, eligible=False)
        pages["iit questionnaire"] = walk.enter_code(code)
        pages["iit questionnaire at its address"] = walk.open_iit_questionnaire()
        ticket = walk.ticket()
        pages["iit missing answers"] = walk.submit_iit(ticket, answers={})
        pages["iit thanks"] = walk.submit_iit(ticket)
        pages["iit already received"] = walk.submit_iit(ticket)
        pages["eit"] = client.get(f"/eit/{setup.token}")
        pages["eit missing answers"] = walk.submit_eit(answers={})
        nonce = walk.eit_nonce()
        pages["eit thanks"] = walk.submit_eit(nonce=nonce)
        pages["eit already received"] = walk.submit_eit(nonce=nonce)
        pages["eit again"] = client.get(f"/eit/{setup.token}")
        pages["404"] = client.get("/no-such-page")
        for name, response in pages.items():
            if response.status_code >= 500:
                problems.append(f"{name} ({lang}): {response.status_code}")
            problems += _check(response.get_data(as_text=True), lang, name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_wtforms_own_messages_follow_the_language(app):
    build_world(app)
    client = app.test_client()
    login(client, "root")
    app.config["WTF_CSRF_ENABLED"] = False
    thai = client.post("/admin/agencies/new", data={"code": "", "name_th": "x",
                                                     "eligible_headcount": "many"})
    page = thai.get_data(as_text=True)
    assert thai.status_code in (200, 400)
    assert "กรุณากรอกช่องนี้" in page and "กรุณากรอกจำนวนเต็ม" in page
    assert "This field is required." not in page
    client.get("/admin/?lang=en")
    page = client.post("/admin/agencies/new", data={"code": "", "name_th": "x",
                                                     "eligible_headcount": "many"}).get_data(
        as_text=True)
    assert "This field is required." in page and "Not a valid integer value." in page


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_respondents_error_page_is_drawn_once_per_language_and_url(app):
    from flask import template_rendered

    drawn = []

    def record(_sender, template, context, **_extra):
        drawn.append((template.name, context.get("lang")))

    template_rendered.connect(record, app)
    try:
        client = app.test_client()
        first = client.get("/no-such-page?lang=th")
        again = client.get("/no-such-page?lang=th")
        english = client.get("/no-such-page?lang=en")
        elsewhere = client.get("/no-such-page-either?lang=th")
    finally:
        template_rendered.disconnect(record, app)
    assert [r.status_code for r in (first, again, english, elsewhere)] == [404] * 4
    assert again.get_data() == first.get_data()
    assert 'lang="th"' in first.get_data(as_text=True)
    assert 'lang="en"' in english.get_data(as_text=True)
    assert drawn == [("errors/error.html", "th"), ("errors/error.html", "en"),
                     ("errors/error.html", "th")]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_forced_language_inside_a_request_translates_in_that_language(app):
    """The request's catalogue is looked up once (i18n.RequestDomain), yet a ``force_locale``
    inside the request gets its own language, and the request's comes back after it: for
    the Python gettext, a lazy string, a template's ``_()``, WTForms' messages and
    current_language, each checked alone (one path's lookup would serve the next)."""
    from flask import render_template_string
    from flask_babel import force_locale
    from flask_babel import gettext as _
    from flask_babel import lazy_gettext as _l

    from survey_app.i18n import _CATALOGUE_TRANSLATIONS, current_language

    required = "This field is required."
    thai = dict(catalogue_pairs())[required]
    paths = [
        (lambda: _(required), required, thai),
        (lambda: str(_l(required)), required, thai),
        (lambda: render_template_string("{{ _(m) }}", m=required), required, thai),
        (lambda: _CATALOGUE_TRANSLATIONS.gettext(required), required, thai),
        (current_language, "en", "th"),
    ]
    for path, english, in_thai in paths:
        said = {"en": english, "th": in_thai}
        for url, own, other in (("/admin/?lang=en", "en", "th"), ("/admin/", "th", "en")):
            with app.test_request_context(url):
                app.preprocess_request()
                assert path() == said[own]
                with force_locale(other):
                    assert path() == said[other]
                assert path() == said[own]
                with force_locale(own):
                    assert path() == said[own]


def catalogue_pairs():
    return ((m.id, m.string) for m in catalogue.read_catalogue("th")
            if isinstance(m.id, str) and m.string)
