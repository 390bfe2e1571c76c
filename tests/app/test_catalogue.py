"""The message catalogues: complete, compiled, placeholders that match, and the helpers around them.

Msgids are the English text; ``survey_app/translations/{th,en}/LC_MESSAGES/messages.po`` must
translate every msgid the code and templates use (``survey_app.catalogue.extract``), with no
fuzzy entry, and the committed ``.mo`` files must be what ``ita translate compile`` writes.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from babel import Locale
from babel.messages.catalog import Catalog

from questionnaires.model import DIRECTIONS
from survey_app import catalogue
from survey_app.i18n import format_datetime
from survey_app.labels import (
    AGENCY_TYPE_LABELS,
    DIRECTION_LABELS,
    IMPORT_HOW_LABELS,
    ROLE_LABELS,
    SET_ORIGIN_LABELS,
    SOURCE_LABELS,
    STATE_LABELS,
)
from survey_app.models import ROLES
from survey_app.quarters import buddhist_year
from survey_app.services.agencies import AGENCY_TYPES
from survey_app.services.assessments import AssessmentState

THAI = re.compile("[\u0e00-\u0e7f]")


@pytest.fixture(scope="module")
def template() -> Catalog:
    return catalogue.extract()


@pytest.mark.parametrize("locale", catalogue.LOCALES)
def test_every_msgid_is_translated_with_matching_placeholders(template, locale):
    problems = catalogue.problems(locale, template)
    assert not problems, "\n".join(map(str, problems))


def test_the_template_holds_the_code_templates_and_wtforms(template):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    assert "Access code" in ids  # a template's _()
    assert "Saved" in ids  # a view's gettext
    assert "system admin" in ids  # a lazy_gettext label
    assert "This field is required." in ids  # WTForms' own
    assert len(ids) > 300


@pytest.mark.parametrize("locale", catalogue.LOCALES)
def test_committed_mo_files_are_compiled_from_the_po_files(locale):
    committed = catalogue.mo_path(locale).read_bytes()
    assert committed == catalogue.compiled(catalogue.read_catalogue(locale)), (
        f"{catalogue.mo_path(locale)} is stale: run `ita translate compile`")


def test_thai_translations_are_thai_and_english_ones_copy_their_msgid():
    for message in catalogue.read_catalogue("th"):
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        # A message of placeholders and signs only ("%(a)s < %(b)s") has no words to translate.
        if message.id and re.search("[A-Za-z]", re.sub(r"%\(\w+\)[sd]", "", msgid)):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(THAI.search(s) for s in strings), message.id
    for message in catalogue.read_catalogue("en"):
        if message.id:
            assert message.string == message.id


def _catalog_with(msgid: str, msgstr: str, *, fuzzy: bool = False,
                  location: str = "survey_app/admin/x.py") -> tuple[Catalog, Catalog]:
    template = Catalog(fuzzy=False)
    template.add(msgid, None, [(location, 1)])
    catalog = Catalog(locale="th", fuzzy=False)
    catalog.add(msgid, msgstr, [(location, 1)], flags={"fuzzy"} if fuzzy else ())
    return template, catalog


@pytest.mark.parametrize(("msgid", "msgstr", "location", "problem"), [
    ("Judged %(n)s of %(total)s", "ตรวจแล้ว %(n)s จาก %(totl)s ข้อ", "a.py", "placeholders"),
    ("Judged %(n)s of %(total)s", "ตรวจแล้ว {n} จาก {total} ข้อ", "a.py", "placeholders"),
    ("Imported %(n)s years", "นำเข้าแล้ว", "a.py", "placeholders"),
    ("Margin of error (95%%)", "ความคลาดเคลื่อน (95%)", "a.html", "%%"),
    ("Target", "", "a.py", "not translated"),
    ("Target", "   ", "a.py", "not translated"),
])
def test_a_broken_translation_is_reported(msgid, msgstr, location, problem):
    template, catalog = _catalog_with(msgid, msgstr, location=location)
    found = catalogue.problems("th", template, catalog)
    assert any(problem in p.problem for p in found), found


def test_fuzzy_missing_and_unused_entries_are_reported():
    template, catalog = _catalog_with("Saved", "บันทึกแล้ว", fuzzy=True)
    assert [p.problem for p in catalogue.problems("th", template, catalog)] == ["fuzzy"]
    template.add("Deleted", None, [("a.py", 2)])
    catalog.add("Old text", "ข้อความเก่า", [("a.py", 3)])
    problems = {(p.msgid, p.problem.split(" (")[0]) for p in catalogue.problems("th", template, catalog)}
    assert {("Deleted", "not in the catalogue"), ("Old text", "no longer used")} <= problems


def test_a_good_translation_passes():
    template, catalog = _catalog_with("Judged %(n)s of %(total)s (95%%)",
                                      "ตรวจแล้ว %(n)s จาก %(total)s ข้อ (95%%)", location="a.html")
    assert catalogue.problems("th", template, catalog) == []


# -- vocabularies named with explicit msgids (no key built at run time) ----------------------


def test_every_vocabulary_value_has_a_name():
    assert ROLE_LABELS.keys() == set(ROLES)
    assert AGENCY_TYPE_LABELS.keys() == set(AGENCY_TYPES)
    assert STATE_LABELS.keys() == {s.value for s in AssessmentState}
    # scoring.assess documents its score sources: responses, checklist, given.
    assert SOURCE_LABELS.keys() == {"responses", "checklist", "given"}
    # scoring.gforms.ColumnMatch documents how a column was matched ("" is shown blank).
    assert IMPORT_HOW_LABELS.keys() == {"mapping", "dropped", "code", "text", "grid", "answers"}
    # services.instrument_sets: a set is shipped with the code or added by an office.
    assert SET_ORIGIN_LABELS.keys() == {"shipped", "added"}
    assert DIRECTION_LABELS.keys() == set(DIRECTIONS)


def test_vocabulary_names_follow_the_request_language(app):
    with app.test_request_context("/"):
        assert str(STATE_LABELS["open"]) == "เปิดรับคำตอบ"
        assert str(ROLE_LABELS["viewer"]) == "ผู้ดูข้อมูล"
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        assert str(STATE_LABELS["open"]) == "open"


# -- Buddhist-era dates through Babel ----------------------------------------------------------

UTC = dt.UTC


@pytest.mark.parametrize(("when", "locale", "expected"), [
    # 20:05 UTC on 31 December is 03:05 on 1 January in Bangkok: the B.E. year moves too.
    (dt.datetime(2026, 12, 31, 20, 5, tzinfo=UTC), "th", "1 มกราคม 2570 เวลา 03:05 น."),
    (dt.datetime(2026, 12, 31, 20, 5, tzinfo=UTC), "en", "1 January 2027, 03:05"),
    (dt.datetime(2026, 10, 1, 1, 0, tzinfo=UTC), "th", "1 ตุลาคม 2569 เวลา 08:00 น."),
    (dt.datetime(2024, 2, 29, 9, 30, tzinfo=UTC), "th", "29 กุมภาพันธ์ 2567 เวลา 16:30 น."),
])
def test_format_datetime_gives_thai_dates_in_the_buddhist_era(when, locale, expected):
    assert format_datetime(when, "Asia/Bangkok", locale) == expected


def test_thai_month_names_come_from_babel():
    # The twelve Thai month names the app printed before it used Babel (survey_app/i18n.py).
    months = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
              "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
    assert tuple(Locale("th").months["format"]["wide"][m] for m in range(1, 13)) == months
    for month in range(1, 13):
        when = dt.datetime(2026, month, 15, 3, tzinfo=UTC)
        assert months[month - 1] in format_datetime(when, "Asia/Bangkok", "th")


def test_buddhist_year_is_the_gregorian_year_plus_543():
    assert buddhist_year(dt.date(2023, 1, 1)) == 2566
    assert buddhist_year(dt.datetime(1957, 6, 1)) == 2500


def test_format_datetime_follows_the_request_language(app):
    when = dt.datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    with app.test_request_context("/"):
        assert format_datetime(when) == "1 มีนาคม 2569 เวลา 16:30 น."
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        assert format_datetime(when) == "1 March 2026, 16:30"


# -- ita translate update | compile -------------------------------------------------------------


@pytest.fixture
def catalogue_copy(tmp_path, monkeypatch, template):
    """The catalogues copied to a temporary folder, which the commands then work on.

    The commands' extraction from the code and templates (which no test changes) is the one
    this module made (``template``; a copy each time): each ``ita translate`` step otherwise
    scans every source file again, about 0.7 s."""
    import copy as copying
    import shutil

    copy = tmp_path / "translations"
    shutil.copytree(catalogue.TRANSLATIONS, copy)
    monkeypatch.setattr(catalogue, "TRANSLATIONS", copy)
    extract = catalogue.extract

    def extracted(source_root=catalogue.SOURCE_ROOT):
        if source_root != catalogue.SOURCE_ROOT:
            return extract(source_root)
        return copying.deepcopy(template)

    monkeypatch.setattr(catalogue, "extract", extracted)
    return copy


def test_translate_update_and_compile_on_a_complete_catalogue(catalogue_copy):
    from click.testing import CliRunner

    from survey_app.cli import main

    before = {p: p.read_bytes() for p in catalogue_copy.rglob("*.po")}
    result = CliRunner().invoke(main, ["translate", "update"])
    assert result.exit_code == 0, result.output
    assert result.output.count(": 0 to do") == 2
    assert {p: p.read_bytes() for p in catalogue_copy.rglob("*.po")} == before  # nothing to merge
    result = CliRunner().invoke(main, ["translate", "compile"])
    assert result.exit_code == 0, result.output
    for locale in catalogue.LOCALES:
        assert catalogue.mo_path(locale).read_bytes() == catalogue.compiled(
            catalogue.read_catalogue(locale))


def test_translate_compile_refuses_an_untranslated_message(catalogue_copy):
    from click.testing import CliRunner

    from survey_app.cli import main

    po = catalogue.po_path("th")
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgid "Saved"\nmsgstr "บันทึกแล้ว"', 'msgid "Saved"\nmsgstr ""'),
                  encoding="utf-8")
    mo_before = catalogue.mo_path("th").read_bytes()
    result = CliRunner().invoke(main, ["translate", "compile"])
    assert result.exit_code != 0 and "'Saved'" in result.output
    assert catalogue.mo_path("th").read_bytes() == mo_before
    result = CliRunner().invoke(main, ["translate", "update"])
    assert "th: not translated: 'Saved'" in result.output
