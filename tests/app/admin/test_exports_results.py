"""Every export's numbers equal scoring's; exports stream; the codebook names every column."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from questionnaires import load_instrument_set
from scoring.report import CSV_COLUMNS, result_to_dict, result_to_rows
from survey_app.cli import main
from survey_app.extensions import db
from survey_app.models import Assessment, OitResult, PublishedResult, PublishedScore
from survey_app.services import exports
from survey_app.services.results import assessment_result

from .results_data import login, seed_one


def _get(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    data = response.get_data()
    response.close()
    return data


def test_exported_responses_score_the_same_with_ita_score(app, client, tmp_path):
    """The round trip of the issue: export the responses, run `ita score`, get the dashboard."""
    seeded = seed_one(app)
    login(client)
    base = f"/admin/assessments/{seeded.assessment_id}/exports"
    iit = tmp_path / "iit.csv"
    eit = tmp_path / "eit.xlsx"
    iit.write_bytes(_get(client, f"{base}/responses-iit.csv"))
    eit.write_bytes(_get(client, f"{base}/responses-eit.xlsx"))
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        expected = result_to_dict(assessment_result(db.session, assessment))
        oit = db.session.execute(sa.select(OitResult.item, OitResult.passed).where(
            OitResult.assessment_id == assessment.id)).all()
        past = db.session.execute(
            sa.select(PublishedResult.fiscal_year_be, PublishedScore.score)
            .join(PublishedScore.result).where(PublishedScore.code == "total")).all()
        headcount = assessment.agency.eligible_headcount
    (tmp_path / "oit.csv").write_text("item,passed\n" + "".join(
        f"{item},{int(passed)}\n" for item, passed in oit))
    (tmp_path / "history.csv").write_text("fiscal_year,total\n" + "".join(
        f"{year},{total}\n" for year, total in past))
    result = CliRunner().invoke(main, [
        "score", "--iit", str(iit), "--eit", str(eit), "--oit", str(tmp_path / "oit.csv"),
        "--history", str(tmp_path / "history.csv"), "--headcount", str(headcount),
        "--year", "2569", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == expected  # every figure, intervals included

    # the scores downloads carry the same figures
    assert json.loads(_get(client, f"{base}/scores.json")) == expected
    rows = list(csv.DictReader(io.StringIO(_get(client, f"{base}/scores.csv").decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    by_code = {(r["level"], r["code"]): r for r in rows}
    for code, ind in expected["indicators"].items():
        assert float(by_code[("indicator", code)]["score"]) == ind["score"]
        assert by_code[("indicator", code)]["grade"] == ind["grade"]
    for code, inst in expected["instruments"].items():
        assert float(by_code[("instrument", code)]["weighted"]) == inst["weighted"]
    assert float(by_code[("total", "ITA")]["score"]) == expected["total"]

    book = openpyxl.load_workbook(io.BytesIO(_get(client, f"{base}/scores.xlsx")))
    assert book.sheetnames == ["summary", "scores", "items", "history", "eit_groups"]
    summary = {r[0]: r[1] for r in book["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["total"] == expected["total"] and summary["grade"] == expected["grade"]
    sheet = list(book["scores"].iter_rows(values_only=True))
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        expected_rows = result_to_rows(assessment_result(db.session, assessment))
    assert [dict(zip(sheet[0], r, strict=True)) for r in sheet[1:]] == expected_rows
    items = list(book["items"].iter_rows(min_row=2, values_only=True))
    first = expected["indicators"]["1"]["items"][0]["questions"][0]
    for option, dist in first["distribution"].items():
        row = next(r for r in items if r[2] == first["column"] and r[7] == int(option))
        assert (row[10], row[11]) == (dist["count"], dist["percent"])
    history = list(book["history"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in history] == [(h["fiscal_year_be"], h["total"])
                                             for h in expected["history"]]


def test_responses_csv_columns_and_codebook(app, client):
    seeded = seed_one(app)
    login(client)
    base = f"/admin/assessments/{seeded.assessment_id}/exports"
    iset = load_instrument_set("ita-2566")
    eit = pd.read_csv(io.BytesIO(_get(client, f"{base}/responses-eit.csv")), encoding="utf-8-sig")
    assert list(eit.columns) == ["respondent_group", *iset.columns_for("EIT"), "submitted_on"]
    assert len(eit) == 60
    response = client.get(f"{base}/responses-iit.csv")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="ita-CMI3-2569-responses-iit.csv"')
    response.close()

    codebook = pd.read_csv(io.BytesIO(_get(client, f"{base}/codebook.csv")), encoding="utf-8-sig")
    named = set(codebook["column"])
    assert set(iset.columns_for("IIT")) | set(iset.columns_for("EIT")) <= named
    assert {"respondent_group", "submitted_on"} <= named
    reverse = codebook[codebook["column"] == "i9"].iloc[0]
    assert reverse["direction"] == "reverse"
    assert "1 = " in reverse["options"] and "→ 100.00" in reverse["options"]

    book = openpyxl.load_workbook(io.BytesIO(_get(client, f"{base}/responses-iit.xlsx")))
    assert book.sheetnames == ["responses", "codebook"]
    header = next(book["responses"].iter_rows(values_only=True))
    assert list(header) == [*iset.columns_for("IIT"), "submitted_on"]
    assert book["responses"].max_row == 36
    assert client.get(f"{base}/codebook.json").status_code == 404
    assert client.get(f"{base}/secrets.csv").status_code == 404


def test_the_export_reads_the_database_lazily(app):
    """A batch is read only when the previous one has been written out."""
    seeded = seed_one(app, measures=False, past=False)
    with app.app_context():
        statements = []
        engine = db.engine

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            chunks = exports.iter_responses_csv(db.session, seeded.assessment_id, "EIT", batch=7)
            header = next(chunks)
            assert header.startswith("\ufeffrespondent_group,e1,")
            before = len(statements)
            first = next(chunks)
            assert first.count("\n") == 7
            after_first = len(statements)
            assert after_first - before <= 3  # one batch of compact answers (and the layout)
            rest = list(chunks)
            assert sum(c.count("\n") for c in rest) == 60 - 7
            # 60 responses in batches of 7: 9 batches, each its own query
            assert len(statements) - before >= 9
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("value", ['=HYPERLINK("http://evil.test","x")', "+1", "-cmd", "@SUM(A1)",
                                   "\tstart", "\rstart"])
def test_neutralise(value):
    assert exports.neutralise(value) == "'" + value
    assert exports.neutralise("สำนักงาน") == "สำนักงาน"
    assert exports.neutralise(-1.86) == -1.86 and exports.neutralise(7) == 7
    assert exports.neutralise("-") == "-"


def test_formulas_are_neutralised_in_csv_and_xlsx(app, client):
    seeded = seed_one(app, code="EVIL")
    with app.app_context():
        from survey_app.models import Agency, Response

        agency = db.session.get(Agency, seeded.agency_id)
        agency.name_th = '=HYPERLINK("http://evil.test","คลิก")'
        db.session.commit()
    login(client)
    base = f"/admin/assessments/{seeded.assessment_id}/exports"
    book = openpyxl.load_workbook(io.BytesIO(_get(client, f"{base}/scores.xlsx")))
    name = next(r for r in book["summary"].iter_rows(min_row=2) if r[0].value == "agency_name_th")
    assert name[1].data_type == "s"
    assert name[1].value == "'" + '=HYPERLINK("http://evil.test","คลิก")'
    # numbers stay numbers, negative differences included
    history = list(book["history"].iter_rows(min_row=2))
    assert any(isinstance(r[3].value, float) and r[3].value < 0 for r in history)

    # response cells too (the app stores only known group codes; an imported row may not)
    with app.app_context():
        db.session.execute(sa.update(Response).where(Response.instrument == "EIT")
                           .values(respondent_group="@SUM(1+1)"))
        db.session.commit()
    text = _get(client, f"{base}/responses-eit.csv").decode("utf-8-sig")
    groups = {row["respondent_group"] for row in csv.DictReader(io.StringIO(text))}
    assert groups == {"'@SUM(1+1)"}
    book = openpyxl.load_workbook(io.BytesIO(_get(client, f"{base}/responses-eit.xlsx")))
    cell = book["responses"]["A2"]
    assert cell.data_type == "s" and cell.value == "'@SUM(1+1)"


@pytest.mark.parametrize("backend", ["sqlite"])  # the commands are the same on both
def test_cli_exports_and_report(app, tmp_path, monkeypatch, backend):
    seeded = seed_one(app)
    monkeypatch.setenv("ITA_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("ITA_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("ITA_SECRET_KEY", "s" * 64)
    runner = CliRunner()
    a = str(seeded.assessment_id)

    def run(*args):
        result = runner.invoke(main, list(args))
        assert result.exit_code == 0, result.output
        return result

    run("export", "responses", "--assessment", a, "--instrument", "IIT", "--format", "xlsx",
        "--output", str(tmp_path / "iit.xlsx"))
    run("export", "responses", "--assessment", a, "--instrument", "EIT",
        "--output", str(tmp_path / "eit.csv"))
    run("export", "codebook", "--assessment", a, "--format", "xlsx",
        "--output", str(tmp_path / "codebook.xlsx"))
    run("export", "scores", "--assessment", a, "--format", "json",
        "--output", str(tmp_path / "scores.json"))
    run("export", "scores", "--assessment", a, "--format", "csv", "--bootstrap", "0",
        "--output", str(tmp_path / "scores.csv"))
    run("report", "--assessment", a, "--format", "docx", "--output", str(tmp_path / "r.docx"))
    with app.app_context():
        assessment = db.session.get(Assessment, seeded.assessment_id)
        expected = result_to_dict(assessment_result(db.session, assessment))
    assert json.loads((tmp_path / "scores.json").read_text()) == expected
    scored = run("score", "--iit", str(tmp_path / "iit.xlsx"), "--eit", str(tmp_path / "eit.csv"),
                 "--bootstrap", "0", "--format", "json")
    mine = json.loads(scored.output)
    for code in map(str, range(1, 9)):
        assert mine["indicators"][code]["score"] == expected["indicators"][code]["score"]
    assert "wrote 60 EIT responses" in runner.invoke(main, [
        "export", "responses", "--assessment", a, "--instrument", "EIT",
        "--output", str(tmp_path / "again.csv")]).output
    missing = runner.invoke(main, ["export", "scores", "--assessment", "999"])
    assert missing.exit_code != 0 and "no assessment with id 999" in missing.output
