"""The console's grids are WTForms classes generated from data (``admin.forms.grid_form``)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from wtforms import StringField

import survey_app.admin as admin_package
from survey_app.admin.forms import GridForm, grid_form

from ..conftest import count_rows
from .console_world import login

GRID_VIEWS = ("oit.py", "measures.py", "results.py", "published.py", "published_oit.py")


@pytest.mark.parametrize("module", GRID_VIEWS)
def test_no_grid_view_reads_the_posted_form_by_hand(module):
    source = (Path(admin_package.__file__).parent / module).read_text(encoding="utf-8")
    assert re.findall(r"request\.(?:form|files)\b", source) == []


def test_a_grid_names_its_fields_row_then_column_and_reads_them(app):
    grid = grid_form(GridForm, ["O1", "q2", "s-0"], {"note": StringField("Note")})
    with app.test_request_context("/", method="POST",
                                  data={"O1-note": "one", "s-0-note": "three"}):
        form = grid(meta={"csrf": False})
        assert [field.name for _key, row in form.rows() for field in row] == [
            "O1-note", "q2-note", "s-0-note"]
        assert form["O1"].note.data == "one" and form["s-0"].note.data == "three"
        assert [key for key in form.row_keys if form.posted(key)] == ["O1", "s-0"]


@pytest.mark.parametrize("rows", [["a", "a"], ["_private"], ["data"], ["validate"]])
def test_a_grid_row_may_not_shadow_the_form(rows):
    with pytest.raises(ValueError, match="grid rows"):
        grid_form(GridForm, rows, {"note": StringField()})


def test_a_too_long_oit_note_is_named_by_item_and_field_in_thai_and_nothing_is_stored(
        app, client, world):
    login(client, "admin_a")
    response = client.post(f"/admin/assessments/{world.assessment['A']}/oit",
                           data={"O1-passed": "pass", "O7-passed": "maybe",
                                 "O7-note": "ก" * 4001})
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert "O7 ช่อง หมายเหตุ:" in text and "O7 ช่อง ผลการตรวจ:" in text
    assert 'href="#item-O7"' in text and 'href="#item-O1"' not in text
    assert count_rows(app, "oit_result") == 0


def test_a_reader_gets_the_grids_without_fields_to_type_in(client, world):
    login(client, "viewer_a")
    page = client.get(f"/admin/agencies/{world.agency['A']}/past").get_data(as_text=True)
    assert 'name="s-0-year"' not in page
