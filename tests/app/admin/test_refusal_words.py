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
from questionnaires.reasons import PLACES
from questionnaires.reasons import REASONS as DEFINITION_REASONS
from questionnaires.reasons import words as definition_words
from scoring.reasons import REASONS, words
from survey_app.refusals import REFUSALS, each, place, say
from survey_app.services import refusals as protocol
from survey_app.services.accounts import AccountError
from survey_app.services.agencies import AgencyError
from survey_app.services.backup import BackupError
from survey_app.services.imports import ImportRefused, PreviewExpired
from survey_app.services.published import PublishedError

from ..conftest import count_rows
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
    # the reader's own keys (scoring.reasons), passed on as the import refusal's reason
    if "reason(exc.key, **exc.values)" in source and "reason(key, **values)" in source:
        keys |= REASONS.keys()
    # why a definition is refused (questionnaires.reasons), said by the set-upload page
    if "reason(error.key, **error.values)" in (SERVICES.parent / "admin" / "sets.py").read_text(
            encoding="utf-8"):
        keys |= DEFINITION_REASONS.keys()
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


def test_every_reason_scoring_gives_for_a_file_is_said_in_thai(app):
    """scoring's table is the list: a key added there without its Thai fails here."""
    missing = [key for key in REASONS if key not in REFUSALS]
    assert missing == []
    untranslated = []
    for key, english in REASONS.items():
        values = {name: f"<{name}>" for name in PLACEHOLDER.findall(english)}
        assert say(protocol.Reason(key, values), "en") == words(key, values)  # the CLI's words
        with app.test_request_context("/admin/"):
            thai = say(protocol.Reason(key, values))
        if not THAI.search(thai) or any(sample not in thai for sample in values.values()):
            untranslated.append((key, thai))
    assert untranslated == []


def test_every_reason_a_definition_is_refused_for_and_its_places_are_said_in_thai(app):
    """questionnaires' table is the list: a key or place added there without Thai fails here."""
    assert [key for key in DEFINITION_REASONS if key not in REFUSALS] == []
    untranslated = []
    for key, english in DEFINITION_REASONS.items():
        values = {name: f"<{name}>" for name in PLACEHOLDER.findall(english)}
        assert say(protocol.Reason(key, values), "en") == definition_words(key, values)
        with app.test_request_context("/admin/"):
            thai = say(protocol.Reason(key, values))
        if not THAI.search(thai) or any(sample not in thai for sample in values.values()):
            untranslated.append((key, thai))
    for where in PLACES:
        with app.test_request_context("/admin/"):
            thai = place(where)
        with app.test_request_context("/admin/"), force_locale("en"):
            assert place(where) == where
        if not THAI.search(thai):
            untranslated.append((where, thai))
    with app.test_request_context("/admin/"):
        assert place("indicator 3") == "indicator 3"  # the file's own names stay as they are
    assert untranslated == []


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


def _xlsx_with(cells: dict[str, object]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    for where, value in cells.items():
        workbook.active[where] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


#: Uploads scoring's reader refuses, what the Thai page says, and the English it must not say.
BAD_IMPORTS = [
    ("duplicate column", b"i2 ,i2\n1,2\n", "iit.csv",
     "แถวที่ 1 คอลัมน์ 'i2': มีคอลัมน์นี้ซ้ำสองครั้ง", "column appears twice"),
    ("empty file", b"", "iit.csv", "ไฟล์ว่างเปล่า", "the file is empty"),
    ("no rows", b"i2,i1.1\n", "iit.csv", "ไฟล์ไม่มีข้อมูล", "the file has no rows"),
    ("unnamed column", b"i2,,i1.1\n1,2,3\n", "iit.csv", "แถวที่ 1: มีคอลัมน์ที่ไม่มีชื่อ",
     "a column has no name"),
    ("unreadable XLSX", b"PK\x03\x04 not a zip", "iit.xlsx", "ไม่ใช่ไฟล์ XLSX ที่อ่านได้ (",
     "is not a readable XLSX file"),
    ("error value", _xlsx_with({"A1": "i2", "A2": "#N/A"}), "iit.xlsx",
     "แถวที่ 2 คอลัมน์ 'i2': '#N/A' เป็นค่าผิดพลาดของสูตร ไม่ใช่คำตอบ", "is an error value"),
    ("unsaved formula", _xlsx_with({"A1": "i2", "B1": "i1.1", "A2": "=1+1", "B2": 4}), "iit.xlsx",
     "แถวที่ 2 คอลัมน์ 'i2': ช่องนี้เป็นสูตรที่ไม่มีค่าบันทึกไว้", "a formula cell"),
    ("unknown file type", b"%PDF-1.4", "iit.pdf", "ไฟล์ 'iit.pdf' ต้องเป็น .csv หรือ .xlsx",
     "must be a .csv or .xlsx file"),
]


@pytest.mark.parametrize(("what", "data", "name", "thai", "english"), BAD_IMPORTS,
                         ids=[case[0] for case in BAD_IMPORTS])
def test_a_file_the_reader_refuses_is_refused_in_thai_and_nothing_is_stored(
        app, client, world, what, data, name, thai, english):
    login(client, "admin_a")
    response = client.post(f"/admin/assessments/{world.assessment['A']}/imports",
                           data={"instrument": "IIT", "file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 400, what
    text = _page_without_english(app, response)
    assert "นำเข้าไม่ได้ ไม่มีการบันทึกสิ่งใด" in text and thai in text
    assert english not in text
    assert count_rows(app, "response_import") == count_rows(app, "imported_response") == 0


def test_the_english_console_says_the_readers_reason_in_english(app, client, world):
    login(client, "admin_a")
    client.get("/admin/?lang=en")
    response = client.post(f"/admin/assessments/{world.assessment['A']}/imports",
                           data={"instrument": "IIT", "file": (io.BytesIO(b"i2 ,i2\n1,2\n"),
                                                               "iit.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert "The file 'iit.csv' cannot be read: row 1, column 'i2': column appears twice" in text
    assert "มีคอลัมน์นี้ซ้ำ" not in text


def test_answers_that_are_not_options_are_named_in_thai(app, client, world):
    """A code CSV with a word and a number no option has: the preview lists them, in Thai."""
    login(client, "admin_a")
    response = client.post(f"/admin/assessments/{world.assessment['A']}/imports",
                           data={"instrument": "IIT",
                                 "file": (io.BytesIO(b"i2,i1.1\nx,4\n4,99\n"), "iit.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    text = _page_without_english(app, response)
    assert "แถว 2, คอลัมน์ A 'i2': 'x' ไม่ใช่ตัวเลือกของข้อ i2" in text
    assert "แถว 3, คอลัมน์ B 'i1.1': '99' ไม่ใช่ตัวเลือกของข้อ i1.1" in text
    assert "is not an option" not in text
    assert count_rows(app, "response_import") == count_rows(app, "imported_response") == 0


@pytest.mark.parametrize(("mapping", "name", "thai", "english"), [
    (b"[EIT.columns\n", "mapping.toml", "อ่านไฟล์จับคู่ไม่ได้: ไม่ใช่ TOML ที่ถูกต้อง (",
     "is not valid TOML"),
    (b"instrument,kind,text,code,scope\nOIT,column,x,i2,\nIIT,colour,y,i3,\n", "mapping.csv",
     "อ่านไฟล์จับคู่ไม่ได้: แถวที่ 2: แบบวัดต้องเป็น IIT หรือ EIT ไม่ใช่ 'OIT'",
     "instrument must be IIT or EIT"),
], ids=["toml", "csv"])
def test_a_mapping_file_that_cannot_be_read_is_refused_in_thai(app, client, world, mapping, name,
                                                               thai, english):
    login(client, "admin_a")
    response = client.post(f"/admin/assessments/{world.assessment['A']}/imports", data={
        "instrument": "IIT", "file": (io.BytesIO(b"i2\n4\n"), "iit.csv"),
        "mapping": (io.BytesIO(mapping), name)}, content_type="multipart/form-data")
    assert response.status_code == 400
    text = _page_without_english(app, response)
    assert thai in text and english not in text
    if name == "mapping.csv":  # every line at fault, each in Thai
        assert "แถวที่ 3: ช่อง kind ต้องเป็น column หรือ label ไม่ใช่ 'colour'" in text
    assert count_rows(app, "response_import") == 0


def test_a_score_that_is_not_a_number_is_refused_in_thai(app, client, world):
    login(client, "admin_a")
    response = client.post(f"/admin/agencies/{world.agency['A']}/past/import",
                           data={"file": (io.BytesIO(b"fiscal_year,total\n2566,ninety\n"),
                                          "p.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    text = _page_without_english(app, response)
    assert "'ninety'" in text and "ไม่ใช่ตัวเลข" in text and "not a number" not in text
    assert count_rows(app, "published_result") == 0
