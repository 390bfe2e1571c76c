"""Read the files ``ita score`` takes (CSV or XLSX) into the plain inputs of :func:`assess`.

Every problem raises :class:`InputFileError` naming the file, the row (as a person counts the
rows of the file: the header is row 1) and the column.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from .reasons import ReasonedError, words
from .responses import shown

READ_BYTES = 1 << 20  # progress is reported after each MiB read
#: More columns than any input can have (a questionnaire has ~50): such a header is refused
#: after reading at most ``MAX_HEADER_BYTES`` of it, before the rest of the file is parsed.
MAX_COLUMNS = 2_000
MAX_HEADER_BYTES = 1 << 20
#: Only an empty cell is a blank.  "NA", "NULL", "#N/A" … are refused, not silently blanked
#: (pandas would read them as missing values by default).
NA_TOKENS = frozenset({"NA", "N/A", "#N/A", "NAN", "NULL", "NONE", "<NA>", "NAT", "-NAN",
                       "#NA", "-1.#IND", "1.#QNAN", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!",
                       "#NAME?", "#NULL!"})
_NA_READ = {"keep_default_na": False, "na_values": [""]}
# A formula (an element <f>, with or without a prefix) or an error value (t="e", e.g. #N/A)
# anywhere in a worksheet's XML: only then is the sheet read a second time cell by cell.
_SUSPECT_XML = re.compile(rb"<(?:\w+:)?f[\s>/]|\st=\"e\"")


class InputFileError(ValueError):
    """A file ``ita score`` (or the console's import) cannot take: the file, the row and column
    (when one is at fault) and why, as a key of :data:`scoring.reasons.REASONS` and its values.

    ``reason`` (and ``str()`` after the file, row and column) is the English words.
    """

    def __init__(self, path: str | Path, key: str, *, row: int | None = None,
                 column: str | None = None, **values: object):
        self.path, self.row, self.column = str(path), row, column
        self.key, self.values = key, values
        self.reason = words(key, values)
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{path}: {', '.join(where) + ': ' if where else ''}{self.reason}")


def file_row(data_row: int) -> int:
    """Return the row number a person sees in the file for a 0-based data row (header = 1)."""
    return data_row + 2


def read_table(path: str | Path, *, progress: Callable[[int], None] | None = None,
               dtype=None) -> pd.DataFrame:
    """Read a CSV (UTF-8, with or without BOM) or XLSX file into a DataFrame.

    ``progress`` is called with the number of bytes read so far while a CSV is read, so that
    a caller can draw a progress bar over a large file.
    """
    from .gforms import FormsExport  # a Google Forms export is read and matched there
    if isinstance(path, FormsExport) and path.bound:
        return path.read(read_table, progress=progress)
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "file_missing")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = _read_xlsx(path, dtype)
        elif suffix in (".csv", ".txt", ""):
            _check_csv_header(path)
            frame = _read_digit_csv(path, progress) if dtype is None else None
            if frame is not None:  # already checked: a plain header and rows of codes
                return frame
            frame = _read_csv(path, progress, dtype)
        else:
            raise InputFileError(path, "file_type_unsupported", suffix=suffix)
    except InputFileError:
        raise
    except pd.errors.EmptyDataError:
        raise InputFileError(path, "file_empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        raise InputFileError(path, "file_unreadable", detail=_one_line(exc)) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    unnamed = [c for c in frame.columns if c.startswith("Unnamed:") or not c]
    if unnamed:
        raise InputFileError(path, "header_unnamed_column", row=1)
    duplicated = frame.columns[frame.columns.duplicated()]
    if len(duplicated):
        raise InputFileError(path, "header_column_twice", row=1, column=duplicated[0])
    frame = frame.dropna(how="all")
    if frame.empty:
        raise InputFileError(path, "file_no_rows")
    return frame.reset_index(drop=True)


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:300]


def _too_wide(path: Path, columns: int) -> InputFileError:
    return InputFileError(path, "header_too_wide", row=1, limit=f"{MAX_COLUMNS:,}",
                          count=f"{columns:,}")


def _check_csv_header(path: Path) -> None:
    """Refuse a header row of more than ``MAX_COLUMNS`` columns, reading at most 1 MiB."""
    commas = 0
    with open(path, "rb") as raw:
        read = 0
        while read < MAX_HEADER_BYTES:
            chunk = raw.read(64 * 1024)
            if not chunk:
                return
            end = chunk.find(b"\n")
            commas += chunk.count(b",", 0, end if end >= 0 else len(chunk))
            if commas + 1 > MAX_COLUMNS:
                raise _too_wide(path, commas + 1)
            if end >= 0:
                return
            read += len(chunk)
    raise InputFileError(path, "header_too_long", row=1, kib=MAX_HEADER_BYTES // 1024)


def _read_xlsx(path: Path, dtype) -> pd.DataFrame:
    """Read the first sheet; refuse a broken file, a too-wide header and unsaved formulas."""
    import openpyxl

    try:
        with zipfile.ZipFile(path) as archive:
            sheets = [n for n in archive.namelist()
                      if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            suspect = any(_looks_suspect(archive, name) for name in sheets)
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, ValueError) as exc:
        raise InputFileError(path, "xlsx_unreadable", detail=_one_line(exc)) from None
    except Exception as exc:  # openpyxl's own errors on a damaged workbook
        raise InputFileError(path, "xlsx_unreadable",
                             detail=f"{type(exc).__name__}: {_one_line(exc)}") from None
    formulas: list[tuple[int, int]] = []
    try:
        if not workbook.worksheets:
            raise InputFileError(path, "xlsx_no_sheet")
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(min_row=1, max_row=1):
            if len(row) > MAX_COLUMNS:
                raise _too_wide(path, len(row))
        if suspect:
            for row in sheet.iter_rows():
                for cell in row:
                    kind = getattr(cell, "data_type", None)
                    if kind == "f":
                        formulas.append((cell.row, cell.column))
                    elif kind == "e" and cell.row >= 2:  # pandas would read it as a blank
                        header = sheet.cell(row=1, column=cell.column).value
                        raise InputFileError(
                            path, "cell_error_value", row=cell.row,
                            column=str(header).strip(), value=repr(str(cell.value)))
    finally:
        workbook.close()
    try:
        frame = pd.read_excel(path, dtype=dtype, engine="openpyxl", **_NA_READ)
    except InputFileError:
        raise
    except (ValueError, OSError):
        raise
    except Exception as exc:
        raise InputFileError(path, "xlsx_unreadable",
                             detail=f"{type(exc).__name__}: {_one_line(exc)}") from None
    for row, column in formulas:  # a formula never calculated and saved has no value
        if row >= 2 and row - 2 < len(frame) and column - 1 < len(frame.columns):
            value = frame.iat[row - 2, column - 1]
            if value is None or (isinstance(value, float) and math.isnan(value)):
                raise InputFileError(
                    path, "cell_formula_unsaved", row=row,
                    column=str(frame.columns[column - 1]).strip())
    return frame


def _looks_suspect(archive: zipfile.ZipFile, name: str) -> bool:
    tail = b""
    with archive.open(name) as stream:
        while chunk := stream.read(1 << 20):
            if _SUSPECT_XML.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _read_csv(path: Path, progress, dtype) -> pd.DataFrame:
    """Read a CSV in one pass of pandas' C parser; ``progress`` follows the bytes it reads."""
    with open(path, "rb") as raw:
        handle = io.BufferedReader(_Tracked(raw, progress), READ_BYTES) if progress else raw
        return pd.read_csv(handle, encoding="utf-8-sig", dtype=dtype, skipinitialspace=True,
                           **_NA_READ)


#: The most bytes :func:`_read_digit_csv` takes (it holds about six bytes per byte of the file
#: at once); a larger file is read by pandas.
DIGIT_CSV_MAX_BYTES = 1 << 28
_BOM = b"\xef\xbb\xbf"
_BLANK_MARK = b"B"  # put in for a blank cell while a file of codes is parsed


def _read_digit_csv(path: Path, progress) -> pd.DataFrame | None:
    """Read the common code CSV, every cell blank or one digit, in a few vectorised passes.

    The file must be exactly that: a header of distinct, non-empty names without quotes or
    surrounding spaces, then rows of that many cells each, every cell empty or a single digit
    0-9, lines ending in LF or CRLF.  Each column comes back as nullable ``Int8`` (blank =
    missing), rows that are blank in every column dropped, which is what :func:`read_table`
    makes of such a file through pandas, only without parsing text cell by cell (pandas' C
    parser took about four times as long on ``cli_bench.py``'s 300,000 rows).  ``None`` for
    any other file (a quote, a space, a longer or negative number, a ragged or blank line,
    no data rows, too large): pandas then reads it and every problem is named as before.
    ``progress`` is called once, with the bytes read, when the file is taken.
    """
    size = path.stat().st_size
    if size > DIGIT_CSV_MAX_BYTES:
        return None
    data = bytearray(size)
    with open(path, "rb") as raw:
        read = raw.readinto(data)
        if raw.read(1):  # written to meanwhile
            return None
    start = len(_BOM) if data.startswith(_BOM) else 0
    end = data.find(b"\n", start)
    if end < 0:
        return None
    try:
        header = data[start:end].removesuffix(b"\r").decode("utf-8")
    except UnicodeDecodeError:
        return None
    names = header.split(",")
    if ('"' in header or len(set(names)) < len(names)
            or any(not name or name != name.strip() or name.startswith("Unnamed:")
                   for name in names)):
        return None
    body = bytes(memoryview(data)[end + 1:read])
    del data
    if b"\r" in body:  # only as the CR of a CRLF
        body = body.replace(b"\r\n", b"\n")
        if b"\r" in body:
            return None
    if not body or _BLANK_MARK in body:
        return None
    if not body.endswith(b"\n"):
        body += b"\n"
    # A blank cell is a separator right after a separator (or at the start): with a mark put
    # before each, every cell is one byte and every row 2 x columns bytes, "c,c,...,c\n".
    raw = np.frombuffer(body, dtype=np.uint8)
    ends = (raw == ord(",")) | (raw == ord("\n"))
    blank_ends = ends.copy()
    blank_ends[1:] &= ends[:-1]
    fixed = np.insert(raw, np.flatnonzero(blank_ends), _BLANK_MARK[0])
    columns = len(names)
    if fixed.size % (2 * columns):
        return None
    pairs = fixed.view("<u2").reshape(-1, columns)  # each cell's byte and the one after it
    after = (pairs >> 8).astype(np.uint8)
    if (after[:, :-1] != ord(",")).any() or (after[:, -1] != ord("\n")).any():
        return None  # a longer cell, a row of another length, or a blank line
    cells = _transposed(pairs.astype(np.uint8))  # the low byte: the cell; a row per column
    blank = cells == _BLANK_MARK[0]
    if not (((cells - np.uint8(ord("0"))) < 10) | blank).all():
        return None  # a cell that is not one digit
    filled = ~blank.all(axis=0)
    if not filled.all():  # rows blank in every column are no responses
        cells, blank = cells[:, filled], blank[:, filled]
    if cells.shape[1] == 0:
        return None
    codes = (cells - np.uint8(ord("0"))).view(np.int8)
    codes[blank] = 0
    if progress is not None:  # only now: pandas reports its own reading of any other file
        progress(read)
    return pd.DataFrame({name: pd.arrays.IntegerArray(codes[j], blank[j])
                         for j, name in enumerate(names)}, copy=False)


def _transposed(matrix: np.ndarray, rows: int = 4096) -> np.ndarray:
    """``matrix.T`` made contiguous a block of rows at a time (each block stays in the cache;
    a one-byte matrix transposed in one go took eight times as long)."""
    out = np.empty(matrix.shape[::-1], dtype=matrix.dtype)
    for first in range(0, matrix.shape[0], rows):
        out[:, first:first + rows] = matrix[first:first + rows].T
    return out


class _Tracked(io.RawIOBase):
    """A binary file that reports how far it has been read after every read."""

    def __init__(self, raw, progress: Callable[[int], None]):
        self.raw, self.progress = raw, progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.raw.readinto(buffer)
        self.progress(self.raw.tell())
        return count


def _require(frame: pd.DataFrame, path, columns: tuple[str, ...]) -> None:
    for col in frame.columns:
        if col not in columns:
            raise InputFileError(path, "column_unknown", row=1, column=col,
                                 expected=", ".join(columns))
    for col in columns:
        if col not in frame.columns:
            raise InputFileError(path, "column_missing", row=1, name=col)


def read_oit(path: str | Path) -> dict[str, bool]:
    """Read OIT results: rows ``item,passed`` with passed 1 or 0."""
    frame = read_table(path, dtype=str)
    _require(frame, path, ("item", "passed"))
    out: dict[str, bool] = {}
    for i, (item, passed) in enumerate(zip(frame["item"], frame["passed"], strict=True)):
        row = file_row(i)
        if not isinstance(item, str) or not item.strip():
            raise InputFileError(path, "oit_file_item_blank", row=row, column="item")
        item = item.strip()
        value = str(passed).strip().lower() if isinstance(passed, str) else ""
        if value not in ("1", "0", "1.0", "0.0"):
            raise InputFileError(path, "oit_file_passed_invalid", row=row, column="passed",
                                 value=shown(passed))
        if item in out:
            raise InputFileError(path, "oit_file_item_twice", row=row, column="item", item=item)
        out[item] = value.startswith("1")
    return out


def read_indicators(path: str | Path) -> dict[str, float]:
    """Read given scores: rows ``indicator,score`` (indicator ``1``…``10`` or e.g. ``9.5``)."""
    frame = read_table(path, dtype=str)
    _require(frame, path, ("indicator", "score"))
    out: dict[str, float] = {}
    for i, (code, score) in enumerate(zip(frame["indicator"], frame["score"], strict=True)):
        row = file_row(i)
        code = str(code).strip() if isinstance(code, str) else ""
        if not code:
            raise InputFileError(path, "indicator_blank", row=row, column="indicator")
        value = _number(path, score, row, "score")
        if value is None:
            raise InputFileError(path, "score_blank", row=row, column="score")
        if not 0 <= value <= 100:
            raise InputFileError(path, "score_outside_range", row=row, column="score",
                                 value=f"{value:g}")
        if code in out:
            raise InputFileError(path, "indicator_twice", row=row, column="indicator",
                                 indicator=code)
        out[code] = value
    return out


def read_history(path: str | Path) -> list[tuple[int, float | None]]:
    """Read earlier years: rows ``fiscal_year,total`` (B.E.; a blank total is allowed)."""
    frame = read_table(path, dtype=str)
    _require(frame, path, ("fiscal_year", "total"))
    out: list[tuple[int, float | None]] = []
    seen: set[int] = set()
    for i, (year, total) in enumerate(zip(frame["fiscal_year"], frame["total"], strict=True)):
        row = file_row(i)
        y = _number(path, year, row, "fiscal_year")
        if y is None or y != int(y) or not 2400 <= y <= 2700:
            raise InputFileError(path, "year_not_buddhist_era", row=row,
                                 column="fiscal_year", value=shown(year))
        if int(y) in seen:
            raise InputFileError(path, "year_twice", row=row, column="fiscal_year",
                                 year=int(y))
        seen.add(int(y))
        value = _number(path, total, row, "total")
        if value is not None and not 0 <= value <= 100:
            raise InputFileError(path, "total_outside_range", row=row, column="total",
                                 value=f"{value:g}")
        out.append((int(y), value))
    return out


def _number(path, value, row: int, column: str) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if not text or text == "-":
        return None
    if text.upper() in NA_TOKENS:
        raise InputFileError(path, "number_na", row=row, column=column, value=repr(text))
    try:
        number = float(text)
    except ValueError:
        raise InputFileError(path, "number_invalid", row=row, column=column,
                             value=_show(text)) from None
    if not math.isfinite(number):
        raise InputFileError(path, "number_not_finite", row=row, column=column,
                             value=_show(text))
    return number


def _show(value: object) -> str:
    """A cell's value for a message: long ones shortened, with their length."""
    text = str(value)
    if len(text) <= 24:
        return repr(text)
    return f"'{text[:12]}…' ({len(text)} characters)"


def check_response_cells(path, frame: pd.DataFrame) -> None:
    """Refuse "NA"-like cells and numbers no option code can be, naming row and column.

    Only text columns need a look: a numeric column is checked by scoring itself.
    """
    from .responses import KNOWN_EXTRA_COLUMNS

    for column in frame.columns:
        if column in KNOWN_EXTRA_COLUMNS or pd.api.types.is_numeric_dtype(frame[column].dtype):
            continue
        for i, value in enumerate(frame[column]):
            if isinstance(value, str):
                text = value.strip()
                if text.upper() in NA_TOKENS:
                    raise InputFileError(path, "answer_na", row=file_row(i), column=column,
                                         cell=repr(text))
                if len(text) > 24 and text.lstrip("+-").isdigit():
                    raise InputFileError(path, "answer_not_option_code", row=file_row(i),
                                         column=column, cell=_show(text))
            elif isinstance(value, float) and math.isnan(value):
                continue  # a blank cell in a column that also holds text
            elif (isinstance(value, int) and not isinstance(value, bool)
                  and abs(value) > 10**6) or (isinstance(value, float) and (
                      not math.isfinite(value) or abs(value) > 10**6)):
                raise InputFileError(path, "answer_not_option_code", row=file_row(i),
                                     column=column, cell=_show(value))


def score_files(iset, *, iit=None, eit=None, oit=None, indicators=None, history=None,
                headcount=None, fiscal_year_be=None, bootstrap=None, seed=None,
                interval=None, progress: Callable[[str, int, int], None] | None = None,
                score_map=None):
    """Read the given files and rate them with :func:`scoring.assess`.

    ``progress(label, done, total)`` is called while large response files are read (bytes)
    and while the bootstrap resamples are drawn.
    A problem in the data of a file is re-raised as :class:`InputFileError` naming that file
    (a headcount below the number of IIT responses names the IIT file).
    """
    from .assess import DEFAULT_BOOTSTRAP, DEFAULT_SEED, HeadcountError, assess
    from .intervals import DEFAULT_METHOD
    from .responses import ResponseDataError

    frames = {}
    from .gforms import bind_exports  # Google Forms exports of IIT/EIT are told apart here
    iit, eit = bind_exports(iset, iit=iit, eit=eit)
    for inst, path in (("IIT", iit), ("EIT", eit)):
        if path is None:
            continue
        size = Path(path).stat().st_size if Path(path).is_file() else 0
        label = f"{inst} {Path(path).name}"
        callback = None if progress is None else (
            lambda done, _label=label, _size=size: progress(_label, done, _size))
        frame = read_table(path, progress=callback)
        check_response_cells(path, frame)
        frames[inst] = (path, frame)
    from .assess import validate_given
    from .rollup import oit_sub_indicator_scores

    kwargs = {
        "oit": read_oit(oit) if oit is not None else None,
        "given": read_indicators(indicators) if indicators is not None else None,
        "history": read_history(history) if history is not None else None,
    }
    try:
        if kwargs["given"] is not None:
            validate_given(iset, kwargs["given"])
    except ReasonedError as exc:
        raise InputFileError(indicators, exc.key, **exc.values) from None
    try:
        if kwargs["oit"] is not None:
            oit_sub_indicator_scores(iset, kwargs["oit"])
    except ReasonedError as exc:
        raise InputFileError(oit, exc.key, **exc.values) from None
    try:
        return assess(iset, iit=frames["IIT"][1] if "IIT" in frames else None,
                      eit=frames["EIT"][1] if "EIT" in frames else None,
                      headcount=headcount, fiscal_year_be=fiscal_year_be,
                      bootstrap=DEFAULT_BOOTSTRAP if bootstrap is None else bootstrap,
                      seed=DEFAULT_SEED if seed is None else seed,
                      interval=DEFAULT_METHOD if interval is None else interval,
                      score_map=score_map,
                      progress=None if progress is None else (
                          lambda done, total: progress("bootstrap", done, total)),
                      **kwargs)
    except ResponseDataError as exc:
        path = frames[exc.instrument][0] if exc.instrument in frames else "responses"
        # a whole-column problem is in the header, which is row 1 of the file
        row = file_row(exc.row) if exc.row is not None else (1 if exc.column else None)
        raise InputFileError(path, exc.key, row=row, column=exc.column, **exc.values) from None
    except HeadcountError as exc:
        raise InputFileError(frames["IIT"][0] if "IIT" in frames else "--headcount",
                             exc.key, **exc.values) from None
