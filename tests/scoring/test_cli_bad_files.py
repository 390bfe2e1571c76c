"""`ita score` on broken and hostile files: one clear line naming file, row and column, exit 1,
never a traceback; a huge header is refused after reading at most 1 MiB of it."""

import tracemalloc
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from scoring.inputs import MAX_HEADER_BYTES, InputFileError, read_table
from survey_app.cli import main


def run(*args):
    return CliRunner().invoke(main, ["score", *map(str, args), "--bootstrap", "0"])


def assert_one_clear_line(result, path, *needles):
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert str(path) in lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]


def _xlsx(path, rows):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize("content", [b"", b"hello", b"PK\x03\x04 not really a zip"],
                         ids=["empty", "text", "fake-zip-header"])
def test_a_file_that_is_not_an_xlsx(tmp_path, content):
    path = tmp_path / "iit.xlsx"
    path.write_bytes(content)
    assert_one_clear_line(run("--iit", path), path, "is not a readable XLSX file")


def test_a_truncated_xlsx(tmp_path):
    good = _xlsx(tmp_path / "good.xlsx", [["i1.1", "i1.2"], [4, 3]])
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert_one_clear_line(run("--iit", path), path, "is not a readable XLSX file")


def test_an_xlsx_without_its_sheet(tmp_path):
    good = _xlsx(tmp_path / "good.xlsx", [["i1.1", "i1.2"], [4, 3]])
    path = tmp_path / "nosheet.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            if not item.filename.startswith("xl/worksheets/"):
                dst.writestr(item, src.read(item))
    result = run("--iit", path)
    assert_one_clear_line(result, path)
    assert "is not a readable XLSX file" in result.output or "has no sheet" in result.output


@pytest.mark.parametrize("option, header, cell, needles", [
    ("--iit", "i1.1,i1.2", "1" * 400, ["row 3", "column 'i1.2'", "(400 characters)",
                                      "not an option code"]),
    ("--eit", "e1,e2", "-" + "9" * 400, ["row 3", "column 'e2'", "not an option code"]),
    ("--indicators", "indicator,score", "9" * 400, ["row 3", "column 'score'",
                                                    "(400 characters)", "is not a number"]),
    ("--history", "fiscal_year,total", "9" * 400, ["row 3", "column 'total'"]),
])
def test_a_400_digit_number(tmp_path, option, header, cell, needles):
    first = {"--iit": "4,3", "--eit": "4,3", "--indicators": "1,90",
             "--history": "2565,90"}[option]
    second = {"--indicators": "2", "--history": "2566"}.get(option, "4")
    path = tmp_path / "input.csv"
    path.write_text(f"{header}\n{first}\n{second},{cell}\n", encoding="utf-8")
    args = [option, path]
    if option == "--history":
        args += ["--indicators", path.parent / "ind.csv"]
        (path.parent / "ind.csv").write_text("indicator,score\n1,90\n", encoding="utf-8")
    assert_one_clear_line(run(*args), path, *needles)


def test_a_million_column_header_is_refused_quickly_in_bounded_memory(tmp_path):
    path = tmp_path / "wide.csv"
    with open(path, "w", encoding="ascii") as f:
        f.write(",".join(f"c{k}" for k in range(1_000_000)) + "\n")
        f.write(",".join("1" for _ in range(1_000_000)) + "\n")
    assert path.stat().st_size > 8 * MAX_HEADER_BYTES
    tracemalloc.start()
    try:
        with pytest.raises(InputFileError, match="more than 2,000 columns"):
            read_table(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MAX_HEADER_BYTES  # the header chunk, not the file (pandas: gigabytes)
    assert_one_clear_line(run("--iit", path), path, "row 1", "more than 2,000 columns")


def test_a_header_line_without_end_is_refused(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("x" * (MAX_HEADER_BYTES + 10), encoding="ascii")
    assert_one_clear_line(run("--iit", path), path, "row 1", "header row is longer than")


def test_a_too_wide_xlsx_header(tmp_path):
    path = _xlsx(tmp_path / "wide.xlsx", [[f"c{k}" for k in range(2_001)]])
    assert_one_clear_line(run("--iit", path), path, "row 1", "more than 2,000 columns")


@pytest.mark.parametrize("token", ["NA", "N/A", "NULL", "nan", "#N/A", "None"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_na_cells_are_refused_not_taken_as_blank(tmp_path, token, fmt):
    if fmt == "csv":
        path = tmp_path / "iit.csv"
        path.write_text(f"i1.1,i1.2\n4,3\n4,{token}\n", encoding="utf-8")
    else:
        path = _xlsx(tmp_path / "iit.xlsx", [["i1.1", "i1.2"], [4, 3], [4, token]])
    assert_one_clear_line(run("--iit", path), path, "row 3", "column 'i1.2'",
                          f"'{token}' is ", "not an answer", "leave the cell empty")


def test_na_in_a_score_file(tmp_path):
    path = tmp_path / "ind.csv"
    path.write_text("indicator,score\n1,NA\n", encoding="utf-8")
    assert_one_clear_line(run("--indicators", path), path, "row 2", "column 'score'",
                          "'NA' is not a number")


def test_a_formula_cell_without_a_value(tmp_path):
    # openpyxl writes formulas without a calculated value, as a script would.
    path = _xlsx(tmp_path / "iit.xlsx", [["i1.1", "i1.2"], [4, 3], [4, "=1+2"]])
    assert_one_clear_line(run("--iit", path), path, "row 3", "column 'i1.2'",
                          "formula cell without a saved value")


def test_blank_cells_still_mean_no_answer(tmp_path):
    path = tmp_path / "iit.csv"
    path.write_text("i1.1,i1.2\n4,\n4,3\n", encoding="utf-8")
    result = run("--iit", path, "--format", "json")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("cell, shown", [("6", "6 is not an option of scale"),
                                         ("6.5", "6.5 is not an option code")])
def test_a_number_no_option_has_reads_as_the_number(tmp_path, cell, shown):
    # a numeric column's value, not NumPy's repr of it ("np.int64(6)")
    path = tmp_path / "iit.csv"
    path.write_text(f"i1.1,i1.2\n4,{cell}\n", encoding="utf-8")
    result = run("--iit", path)
    assert_one_clear_line(result, path, "row 2", "column 'i1.2'", shown)
    assert "np." not in result.output


def test_a_blank_in_a_numeric_column_leaves_the_number_whole(tmp_path):
    path = tmp_path / "iit.csv"
    path.write_text("i1.1,i1.2\n4,\n4,6\n", encoding="utf-8")  # read as floats: 6.0
    result = run("--iit", path)
    assert_one_clear_line(result, path, "row 3", ": 6 is not an option")
