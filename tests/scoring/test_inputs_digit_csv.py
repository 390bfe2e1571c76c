"""The vectorised reader of one-digit code CSVs reads what pandas reads, or leaves the file to it."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import inputs
from scoring.inputs import read_table
from scoring.responses import _as_codes

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
#: Mostly cells the fast reader takes, some that send the file to pandas.
DIGITS = st.sampled_from(["", "0", "1", "4", "9"])
CELLS = st.one_of(DIGITS, st.sampled_from(["10", "-1", " 4", "4 ", "x", '"4"', "B", "4.0"]))


def _pandas(path):
    """What read_table made of every CSV before the fast reader."""
    frame = inputs._read_csv(path, None, None)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.dropna(how="all").reset_index(drop=True)


def _same(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    assert list(fast.columns) == list(slow.columns)
    assert len(fast) == len(slow)
    for column in fast.columns:
        assert str(fast[column].dtype) == "Int8"
        np.testing.assert_array_equal(_as_codes(fast[column], column, "IIT"),
                                      _as_codes(slow[column], column, "IIT"))


@st.composite
def files(draw):
    columns = draw(st.integers(min_value=1, max_value=5))
    names = [f"q{j}" for j in range(columns)]
    cells = DIGITS if draw(st.integers(0, 3)) else CELLS
    rows = draw(st.lists(st.lists(cells, min_size=columns, max_size=columns), max_size=8))
    if rows and draw(st.integers(0, 3)) == 0:  # now and then a row of another length
        rows[-1] = rows[-1][:-1] if draw(st.booleans()) else [*rows[-1], "1"]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [",".join(names), *(",".join(row) for row in rows)]
    if draw(st.integers(0, 9)) == 0:
        lines.insert(draw(st.integers(1, len(lines))), "")  # a blank line
    text = newline.join(lines) + (newline if draw(st.booleans()) else "")
    return ("\ufeff" if draw(st.booleans()) else "") + text


@SETTINGS
@given(files())
def test_what_the_fast_reader_takes_pandas_reads_the_same(tmp_path, text):
    path = tmp_path / "iit.csv"
    path.write_bytes(text.encode("utf-8"))
    fast = inputs._read_digit_csv(path, None)
    if fast is not None:
        _same(fast, _pandas(path))


@pytest.mark.parametrize("text", [
    "a,b\n1,2\n,3\n4,\n,\n5,6",  # blanks first and last, a blank row, no final newline
    "\ufeffa,b\r\n1,2\r\n,\r\n0,9\r\n",  # BOM and CRLF
    "a\n1\n\n2\n",  # one column: a blank line is a blank row
    "a,b,c\n,,1\n,,\n1,,\n",  # blank cells side by side
])
def test_files_of_digits_take_the_fast_way(tmp_path, text):
    path = tmp_path / "iit.csv"
    path.write_bytes(text.encode("utf-8"))
    fast = inputs._read_digit_csv(path, None)
    assert fast is not None
    _same(fast, _pandas(path))
    _same(read_table(path), _pandas(path))


@pytest.mark.parametrize("text", [
    "a,b\n1,10\n",  # two digits
    "a,b\n1,-1\n",
    "a,b\n1, 2\n",  # a space
    'a,b\n1,"2"\n',  # a quote
    "a,b\n1,2\n\n3,4\n",  # a blank line
    "a,b\n1,2,3\n",  # a longer row
    "a,b\n1\n",  # a shorter row
    "a,b\n1,B\n",  # the reader's own blank mark
    "a,b\r1,2\r",  # CR alone
    "a,a\n1,2\n",  # a name twice
    "a, b\n1,2\n",  # a name with a space
    "a,\n1,2\n",  # a name missing
    "a,b\n",  # no rows
    "a,b\n,\n",  # no answers
])
def test_anything_else_is_left_to_pandas(tmp_path, text):
    path = tmp_path / "iit.csv"
    path.write_bytes(text.encode("utf-8"))
    assert inputs._read_digit_csv(path, None) is None


def test_progress_is_the_whole_file_once_taken_and_pandas_own_otherwise(tmp_path):
    path = tmp_path / "iit.csv"
    path.write_text("a,b\n" + "1,2\n" * (inputs.READ_BYTES // 2), encoding="utf-8")
    seen = []
    read_table(path, progress=seen.append)
    assert seen == [path.stat().st_size]
    path.write_text("a,b\n" + "1,2\n" * (inputs.READ_BYTES // 2) + "10,2\n", encoding="utf-8")
    seen.clear()
    read_table(path, progress=seen.append)  # pandas: a report per MiB, from the start
    assert seen == sorted(seen) and len(seen) >= 2 and seen[-1] == path.stat().st_size
