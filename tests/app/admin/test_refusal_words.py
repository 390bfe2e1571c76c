"""No English under Thai: every service refusal has its words in the catalogue, translated, and
the console says real refusals in Thai (issue 21).

The keys a service raises are read from the services' source (every ``SomeError("key", …)``
and ``reason("key", …)``), so a new refusal without words, or words nobody raises, fails here.
"""

from __future__ import annotations

import ast
import html
import io
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

import survey_app.services as services_package
from survey_app.refusals import REFUSALS, each, say
from survey_app.services import refusals as protocol
from survey_app.services.accounts import AccountError
from survey_app.services.agencies import AgencyError
from survey_app.services.backup import BackupError
from survey_app.services.imports import ImportRefused, PreviewExpired
from survey_app.services.published import PublishedError

from .console_world import login

SERVICES = Path(services_package.__file__).parent
#: What raises a refusal by key (``PreviewExpired(why)`` names its key in its ``__init__``).
REFUSAL_CALLS = {"Refusal", "AccountError", "AgencyError", "BackupError", "ImportRefused",
                 "PublishedError", "reason", "__init__"}
THAI = re.compile("[\u0e00-\u0e7f]")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _raised_keys() -> set[str]:
    """Every key the services pass to a refusal or a reason, read from their source."""
    # (an ``__init__`` with a string first is a refusal's super().__init__: nothing else has one)
    keys: set[str] = set()
    for path in SERVICES.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in REFUSAL_CALLS and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str):
                keys.add(first.value)
    # keys built from parts: the reader's row/column naming of an unreadable import
    source = (SERVICES / "imports.py").read_text(encoding="utf-8")
    if '"import_unreadable" + ' in source:
        keys |= {"import_unreadable", "import_unreadable_row", "import_unreadable_column",
                 "import_unreadable_row_column"}
    return keys


def _english_fragments(app) -> list[str]:
    """The literal parts of every refusal's English words long enough to be recognised."""
    parts = []
    with app.test_request_context("/admin/"), force_locale("en"):
        for words in REFUSALS.values():
            parts.extend(p.strip() for p in PLACEHOLDER.split(str(words))[::2]
                         if len(p.strip()) >= 12)
    return parts


def _samples(key: str) -> dict[str, object]:
    with_placeholders = str(REFUSALS[key])  # its placeholders, in whichever language
    return {name: f"<{name}>" for name in PLACEHOLDER.findall(with_placeholders)}


def test_every_refusal_a_service_raises_has_words_and_every_word_is_raised():
    raised = _raised_keys()
    assert raised, "no refusal found in the services' source"
    assert raised - REFUSALS.keys() == set(), "refusals without words"
    assert REFUSALS.keys() - raised == set(), "words no service raises"


def test_every_service_error_is_a_refusal():
    for cls in (AccountError, AgencyError, BackupError, ImportRefused, PreviewExpired,
                PublishedError):
        assert issubclass(cls, protocol.Refusal), cls


@pytest.mark.parametrize("key", sorted(REFUSALS))
def test_each_refusal_is_said_in_thai_under_the_thai_locale(app, key):
    values = _samples(key)
    english = say(protocol.Reason(key, values), "en")
    with app.test_request_context("/admin/"):  # the default locale: Thai
        thai = say(protocol.Reason(key, values))
    assert THAI.search(thai), f"{key}: {thai!r}"
    assert thai != english
    for name, sample in values.items():  # every value is said
        assert str(sample) in thai, f"{key}: {name} missing from {thai!r}"


def test_a_nested_reason_is_said_inside_its_row_and_english_for_the_cli(app):
    refusal = PublishedError(reasons=[protocol.reason(
        "published_row_score_invalid", row=4, column="total", value="abc",
        reason=protocol.reason("score_not_a_number"))])
    assert each(refusal, "en") == ["row 4, column total: 'abc' is not a number"]
    with app.test_request_context("/admin/"):
        (thai,) = each(refusal)
    assert THAI.search(thai) and "4" in thai and "abc" in thai and "not a number" not in thai


# -- real refusals through the console, in Thai ------------------------------------------------


def _page_without_english(app, response) -> str:
    text = html.unescape(response.get_data(as_text=True))
    assert THAI.search(text)
    fragments = _english_fragments(app)
    assert "is already taken" in fragments  # the English is known, so its absence means something
    leaked = [part for part in fragments if part in text]
    assert leaked == [], leaked
    return text


def test_a_taken_username_is_refused_in_thai(app, client, world):
    login(client, "root")
    response = client.post("/admin/users", data={
        "username": "admin_b", "display_name": "", "role": "system_admin", "agency_id": "",
        "password": "a-long-enough-password-1"})
    assert response.status_code == 400
    text = _page_without_english(app, response)
    assert "ชื่อผู้ใช้ admin_b มีผู้ใช้แล้ว" in text


def test_a_broken_import_file_is_refused_in_thai(app, client, world):
    login(client, "admin_a")
    response = client.post(f"/admin/assessments/{world.assessment['A']}/imports",
                           data={"instrument": "EIT", "file": (io.BytesIO(b"x"), "eit.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    text = _page_without_english(app, response)
    assert "ไฟล์ 'eit.pdf' ต้องเป็น .csv หรือ .xlsx" in text


def test_a_published_upload_with_errors_is_refused_in_thai_naming_rows_and_columns(
        app, client, world):
    login(client, "admin_a")
    data = b"fiscal_year,total,1\n25x6,90,\n2566,101,abc\n"
    response = client.post(f"/admin/agencies/{world.agency['A']}/past/import",
                           data={"file": (io.BytesIO(data), "p.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    text = _page_without_english(app, response)
    assert "แถว" in text and "25x6" in text and "abc" in text


def test_a_bad_cell_in_the_published_grid_names_its_row_and_column_in_thai(app, client, world):
    login(client, "admin_a")
    response = client.post(f"/admin/agencies/{world.agency['A']}/past",
                           data={"s-0-year": "2566", "s-0-total": "abc", "s-1-total": "90"})
    assert response.status_code == 400
    text = _page_without_english(app, response)
    assert 'ปี 2566 ช่อง total: "abc"' in text and "แถวที่ 2: มีคะแนนแต่ไม่มีปี" in text
