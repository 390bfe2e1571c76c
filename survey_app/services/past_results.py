"""Past results: the published ITA figures of earlier years, entered by hand or from a CSV."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Agency, PastScore
from .instrument_sets import list_sets, load_set

PAST_YEAR_RANGE = (2400, 2700)


def past_codes(session: Session) -> tuple[str, ...]:
    """The figures a past year can hold: the total, then every indicator and OIT sub-indicator
    code of any set in the registry (a past year may have followed any of them)."""
    indicators: dict[str, None] = {}
    subs: dict[str, None] = {}
    for info in list_sets(session):
        iset = load_set(info.id, session)
        indicators.update(dict.fromkeys(iset.indicators))
        subs.update(dict.fromkeys(iset.sub_indicators))
    return ("total", *sorted(indicators, key=_natural), *sorted(subs, key=_natural))


def _natural(code: str) -> tuple:
    """Sort "2" before "10" and "9.2" before "10.1"; other codes after, by text."""
    parts = code.split(".")
    if all(p.isdigit() for p in parts):
        return (0, tuple(int(p) for p in parts), code)
    return (1, (), code)


def grid_codes(codes: tuple[str, ...]) -> tuple[str, ...]:
    """The columns of the console's grid: the total, then each indicator followed by its
    sub-indicators (``9``, ``9.1`` … ``9.5``, ``10``, ``10.1`` …) as the instrument set has them.

    >>> grid_codes(("total", "1", "9", "10", "9.1", "9.2", "10.1"))
    ('total', '1', '9', '9.1', '9.2', '10', '10.1')
    """
    columns = []
    for code in codes:
        if "." not in code:
            columns.append(code)
            columns.extend(c for c in codes if c.startswith(code + "."))
    return tuple(columns)


def parse_score(text: str) -> float | None:
    """Read one past score as typed (``,`` or ``.`` decimals); blank is None.

    Raises ``ValueError`` saying "not a number" or "outside 0–100".
    """
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise ValueError("not a number") from None
    if not 0 <= value <= 100:  # also refuses nan and inf
        raise ValueError("outside 0–100")
    return value


def past_scores(session: Session, agency: Agency) -> dict[int, dict[str, float | None]]:
    """Return year → code → score for an agency's entered past results."""
    out: dict[int, dict[str, float | None]] = {}
    for row in session.scalars(sa.select(PastScore).where(PastScore.agency_id == agency.id)
                               .order_by(PastScore.fiscal_year_be)):
        out.setdefault(row.fiscal_year_be, {})[row.code] = row.score
    return out


def replace_past_year(session: Session, agency: Agency, year: int,
                      scores: dict[str, float | None]) -> bool:
    """Set one year's figures (None or absent = blank: the row is removed); return if changed."""
    existing = {r.code: r for r in session.scalars(sa.select(PastScore).where(
        PastScore.agency_id == agency.id, PastScore.fiscal_year_be == year))}
    changed = False
    for code, score in scores.items():
        row = existing.get(code)
        if score is None:
            if row is not None:
                session.delete(row)
                changed = True
        elif row is None:
            session.add(PastScore(agency_id=agency.id, fiscal_year_be=year, code=code,
                                  score=score))
            changed = True
        elif row.score != score:
            row.score = score
            changed = True
    session.flush()
    return changed


def replace_past_results(session: Session, agency: Agency,
                         grid: dict[int, dict[str, float | None]]) -> list[int]:
    """Make the agency's past results exactly ``grid``; return the years that changed.

    A year left out of ``grid`` goes entirely (its sub-indicators too).
    """
    existing = past_scores(session, agency)
    changed = []
    for year in sorted(set(existing) | set(grid)):
        scores = grid[year] if year in grid else dict.fromkeys(existing[year])
        if replace_past_year(session, agency, year, scores):
            changed.append(year)
    return changed


class PastImportError(ValueError):
    """A past-results CSV that cannot be imported: ``messages`` name rows and columns."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def parse_past_csv(data: bytes, codes: tuple[str, ...]) -> dict[int, dict[str, float | None]]:
    """Read ``fiscal_year,total[,1,…,10,9.1,…]`` rows; raise PastImportError listing every problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PastImportError(["the file is not UTF-8 text (save it as CSV UTF-8)"]) from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    errors: list[str] = []
    if not header or header[0] != "fiscal_year":
        raise PastImportError(["the first column must be 'fiscal_year'"])
    for i, h in enumerate(header[1:], start=2):
        if h not in codes:
            errors.append(f"column {i} '{h}': unknown (use total, 1 … 10, 9.1 …)")
    if len(set(header)) != len(header):
        errors.append("a column appears twice")
    if errors:
        raise PastImportError(errors)
    out: dict[int, dict[str, float | None]] = {}
    lo, hi = PAST_YEAR_RANGE
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            errors.append(f"row {line}: more cells than columns")
            continue
        row = [cell.strip() for cell in row] + [""] * (len(header) - len(row))
        try:
            year = int(row[0])
        except ValueError:
            errors.append(f"row {line}, column fiscal_year: '{row[0]}' is not a year")
            continue
        if not lo <= year <= hi:
            errors.append(f"row {line}, column fiscal_year: {year} is not a B.E. year "
                          f"({lo}–{hi})")
            continue
        if year in out:
            errors.append(f"row {line}: year {year} appears twice")
            continue
        scores: dict[str, float | None] = {}
        for code, cell in zip(header[1:], row[1:], strict=True):
            try:
                scores[code] = parse_score(cell)
            except ValueError as exc:
                errors.append(f"row {line}, column {code}: '{cell}' is {exc}")
        out[year] = scores
    if errors:
        raise PastImportError(errors)
    if not out:
        raise PastImportError(["the file has no rows"])
    return out
