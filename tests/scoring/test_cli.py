"""`ita score` end to end: inputs from files, formats, and bad input that prints no result."""

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from questionnaires import load_instrument_set
from survey_app.cli import main

DATA = Path(__file__).parent.parent / "data"
ISET = load_instrument_set("ita-2566")


def run(*args):
    return CliRunner().invoke(main, ["score", *map(str, args)])


@pytest.fixture
def responses(tmp_path):
    """A small IIT (CSV) and EIT (XLSX) pair with blanks and groups."""
    iit = pd.DataFrame([{c: 4 if ISET.item(ISET.question(c).item).scale.kind == "ordinal"
                         else None for c in ISET.columns_for("IIT")} for _ in range(12)])
    iit.loc[0, "i9"] = 1
    iit.loc[1, "i1.1"] = None
    iit_path = tmp_path / "iit.csv"
    iit.to_csv(iit_path, index=False)
    eit = pd.DataFrame([{"respondent_group": "school" if k < 8 else "public",
                         **{c: 3 if ISET.item(ISET.question(c).item).scale.kind == "ordinal"
                            else 1 for c in ISET.columns_for("EIT")}} for k in range(10)])
    eit_path = tmp_path / "eit.xlsx"
    eit.to_excel(eit_path, index=False)
    return iit_path, eit_path


def test_json_schema_from_responses(responses):
    iit, eit = responses
    result = run("--iit", iit, "--eit", eit, "--oit", DATA / "seed_2566_oit.csv",
                 "--headcount", 60, "--bootstrap", 200, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data["indicators"]) == {str(k) for k in range(1, 11)}
    ind1 = data["indicators"]["1"]
    for key in ("score", "grade", "passed", "n", "no_answer", "mean", "sd", "median", "ci95",
                "bootstrap_ci95", "cronbach_alpha", "items", "source"):
        assert key in ind1
    assert ind1["n"] == 12 and ind1["source"] == "responses"
    assert set(data["instruments"]) == {"IIT", "EIT", "OIT"}
    assert data["instruments"]["IIT"]["responses"] == 12
    assert data["instruments"]["IIT"]["minimum_sample"] == 30
    assert data["instruments"]["IIT"]["sample_met"] is False
    assert data["total"] is not None and data["grade"] in {"AA", "A", "B", "C", "D", "E", "F"}
    groups = {g["code"]: g for g in data["eit_groups"]}
    assert groups["school"]["n"] == 8 and groups["public"]["suppressed"] is True
    # every score is rounded to 2 decimals
    assert all(round(v, 2) == v for v in (data["total"], ind1["score"], ind1["sd"]))


def test_csv_format_rows(responses, tmp_path):
    iit, _ = responses
    out = tmp_path / "scores.csv"
    result = run("--iit", iit, "--bootstrap", 0, "--format", "csv", "--output", out)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    by_code = {(r["level"], r["code"]): r for r in rows}
    assert by_code[("indicator", "1")]["n"] == "12"
    assert by_code[("total", "ITA")]["score"] == ""  # EIT and OIT missing: no total


@pytest.mark.parametrize(("content", "option", "needles"), [
    ("i1.1,i1.2\n4,3\n4,9\n", "--iit", ["row 3", "column 'i1.2'", "9"]),
    ("i1.1,zz\n4,3\n", "--iit", ["row 1", "column 'zz'", "unknown column"]),
    ("i1.1,i1.2\n", "--iit", ["no rows"]),
    ("", "--iit", ["empty"]),
    ("e1,e2\n4,ดี\n", "--eit", ["row 2", "column 'e2'", "not an option code"]),
    ("indicator,score\n9.5,120\n", "--indicators", ["row 2", "column 'score'", "outside 0–100"]),
    ("indicator,score\n11,50\n", "--indicators", ["unknown indicator"]),
    ("item,passed\nO1,yes\n", "--oit", ["row 2", "column 'passed'", "1 or 0"]),
    ("item,passed\nO99,1\n", "--oit", ["unknown OIT item"]),
    ("item,passed\nO1,1\n", "--oit", ["9.1", "O2"]),
])
def test_bad_input_exits_non_zero_naming_file_row_and_column(tmp_path, content, option,
                                                             needles):
    path = tmp_path / "input.csv"
    path.write_text(content, encoding="utf-8")
    result = run(option, path, "--format", "json")
    assert result.exit_code != 0
    assert str(path) in result.output
    for needle in needles:
        assert needle in result.output
    assert '"total"' not in result.output  # nothing half-printed as if it were a result


def test_needs_some_input_and_a_known_set(tmp_path):
    assert run().exit_code == 2
    result = run("--set", "ita-1999", "--indicators", DATA / "seed_2566_indicators.csv")
    assert result.exit_code != 0 and "unknown instrument set" in result.output


@pytest.mark.parametrize("method", ["logit", "bootstrap", "percentile"])
def test_interval_methods_from_the_command_line(responses, method):
    iit, eit = responses
    result = run("--iit", iit, "--eit", eit, "--oit", DATA / "seed_2566_oit.csv",
                 "--interval", method, "--bootstrap", 200, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["intervals"]["method"] == method
    assert data["bootstrap"]["resamples"] == (0 if method == "logit" else 200)
    low, high = data["total_bootstrap_ci95"]
    assert low <= data["total"] <= high
    # OIT is held fixed: the total can only move within IIT's and EIT's 60 points
    oit_part = data["instruments"]["OIT"]["weighted"]
    assert oit_part - 0.01 <= low and high <= oit_part + 60 + 0.01
    table = run("--iit", iit, "--interval", method, "--bootstrap", 200)
    assert f"interval method): {method}" in table.output
