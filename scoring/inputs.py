"""Read the files ``ita score`` takes (CSV or XLSX) into the plain inputs of :func:`assess`.

Every problem raises :class:`InputFileError` naming the file, the row (as a person counts the
rows of the file: the header is row 1) and the column.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd

READ_BYTES = 1 << 20  # progress is reported after each MiB read


class InputFileError(ValueError):
    def __init__(self, path: str | Path, reason: str, *, row: int | None = None,
                 column: str | None = None):
        self.path, self.reason, self.row, self.column = str(path), reason, row, column
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{path}: {', '.join(where) + ': ' if where else ''}{reason}")


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
        raise InputFileError(path, "no such file")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=dtype, engine="openpyxl")
        elif suffix in (".csv", ".txt", ""):
            frame = _read_csv(path, progress, dtype)
        else:
            raise InputFileError(path, f"unsupported file type '{suffix}' (use .csv or .xlsx)")
    except InputFileError:
        raise
    except pd.errors.EmptyDataError:
        raise InputFileError(path, "the file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        raise InputFileError(path, f"cannot be read: {exc}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    unnamed = [c for c in frame.columns if c.startswith("Unnamed:") or not c]
    if unnamed:
        raise InputFileError(path, "a column has no name in the header row", row=1)
    duplicated = frame.columns[frame.columns.duplicated()]
    if len(duplicated):
        raise InputFileError(path, "column appears twice", row=1, column=duplicated[0])
    frame = frame.dropna(how="all")
    if frame.empty:
        raise InputFileError(path, "the file has no rows")
    return frame.reset_index(drop=True)


def _read_csv(path: Path, progress, dtype) -> pd.DataFrame:
    """Read a CSV in one pass of pandas' C parser; ``progress`` follows the bytes it reads."""
    with open(path, "rb") as raw:
        handle = io.BufferedReader(_Tracked(raw, progress), READ_BYTES) if progress else raw
        return pd.read_csv(handle, encoding="utf-8-sig", dtype=dtype, skipinitialspace=True)


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
            raise InputFileError(path, f"unknown column (expected: {', '.join(columns)})",
                                 row=1, column=col)
    for col in columns:
        if col not in frame.columns:
            raise InputFileError(path, f"missing column '{col}'", row=1)


def read_oit(path: str | Path) -> dict[str, bool]:
    """Read OIT results: rows ``item,passed`` with passed 1 or 0."""
    frame = read_table(path, dtype=str)
    _require(frame, path, ("item", "passed"))
    out: dict[str, bool] = {}
    for i, (item, passed) in enumerate(zip(frame["item"], frame["passed"], strict=True)):
        row = file_row(i)
        if not isinstance(item, str) or not item.strip():
            raise InputFileError(path, "item code is blank", row=row, column="item")
        item = item.strip()
        value = str(passed).strip().lower() if isinstance(passed, str) else ""
        if value not in ("1", "0", "1.0", "0.0"):
            raise InputFileError(path, f"passed must be 1 or 0, not {passed!r}", row=row,
                                 column="passed")
        if item in out:
            raise InputFileError(path, f"item {item} appears twice", row=row, column="item")
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
            raise InputFileError(path, "indicator is blank", row=row, column="indicator")
        value = _number(path, score, row, "score")
        if value is None:
            raise InputFileError(path, "score is blank", row=row, column="score")
        if not 0 <= value <= 100:
            raise InputFileError(path, f"score {value:g} is outside 0–100", row=row,
                                 column="score")
        if code in out:
            raise InputFileError(path, f"indicator {code} appears twice", row=row,
                                 column="indicator")
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
            raise InputFileError(path, f"fiscal_year must be a Buddhist-era year such as 2566, "
                                       f"not {year!r}", row=row, column="fiscal_year")
        if int(y) in seen:
            raise InputFileError(path, f"fiscal year {int(y)} appears twice", row=row,
                                 column="fiscal_year")
        seen.add(int(y))
        value = _number(path, total, row, "total")
        if value is not None and not 0 <= value <= 100:
            raise InputFileError(path, f"total {value:g} is outside 0–100", row=row,
                                 column="total")
        out.append((int(y), value))
    return out


def _number(path, value, row: int, column: str) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if not text or text == "-":
        return None
    try:
        number = float(text)
    except ValueError:
        raise InputFileError(path, f"{text!r} is not a number", row=row, column=column) from None
    if math.isnan(number):
        return None
    return number


def score_files(iset, *, iit=None, eit=None, oit=None, indicators=None, history=None,
                headcount=None, fiscal_year_be=None, bootstrap=None, seed=None,
                interval=None, progress: Callable[[str, int, int], None] | None = None):
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
        frames[inst] = (path, read_table(path, progress=callback))
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
    except ValueError as exc:
        raise InputFileError(indicators, str(exc)) from None
    try:
        if kwargs["oit"] is not None:
            oit_sub_indicator_scores(iset, kwargs["oit"])
    except ValueError as exc:
        raise InputFileError(oit, str(exc)) from None
    try:
        return assess(iset, iit=frames["IIT"][1] if "IIT" in frames else None,
                      eit=frames["EIT"][1] if "EIT" in frames else None,
                      headcount=headcount, fiscal_year_be=fiscal_year_be,
                      bootstrap=DEFAULT_BOOTSTRAP if bootstrap is None else bootstrap,
                      seed=DEFAULT_SEED if seed is None else seed,
                      interval=DEFAULT_METHOD if interval is None else interval,
                      progress=None if progress is None else (
                          lambda done, total: progress("bootstrap", done, total)),
                      **kwargs)
    except ResponseDataError as exc:
        path = frames[exc.instrument][0] if exc.instrument in frames else "responses"
        # a whole-column problem is in the header, which is row 1 of the file
        row = file_row(exc.row) if exc.row is not None else (1 if exc.column else None)
        raise InputFileError(path, exc.reason, row=row, column=exc.column) from None
    except HeadcountError as exc:
        raise InputFileError(frames["IIT"][0] if "IIT" in frames else "--headcount",
                             str(exc)) from None
