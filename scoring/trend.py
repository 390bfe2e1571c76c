"""The multi-year table: each year's total with its development and difference."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .rollup import round_half_up

DEVELOPMENT_EN = {"เพิ่มขึ้น": "increased", "ลดลง": "decreased", "คงที่": "unchanged", "-": "-"}


@dataclass(frozen=True)
class TrendRow:
    """One year of the history table (ผลคะแนน ITA, พัฒนาการ, ผลต่างของคะแนน ITA)."""

    fiscal_year_be: int
    total: float | None
    development: str  # "เพิ่มขึ้น", "ลดลง", "คงที่", or "-" without a previous year
    difference: float | None

    @property
    def development_en(self) -> str:
        return DEVELOPMENT_EN[self.development]


def trend(years: Iterable[tuple[int, float | None]], *, decimals: int = 2) -> tuple[TrendRow, ...]:
    """Return the history table for ``(fiscal_year_be, total)`` pairs, oldest first.

    Notes
    -----
    The difference is between the rounded totals of a year and the year before, as the
    published table shows them; a year whose previous year has no total gets ``"-"``.

    Examples
    --------
    >>> [(r.development, r.difference) for r in trend([(2559, 78.76), (2560, 90.01)])]
    [('-', None), ('เพิ่มขึ้น', 11.25)]
    """
    totals: dict[int, float | None] = {}
    for year, total in years:
        year = int(year)
        if year in totals:
            raise ValueError(f"fiscal year {year} appears twice in the history")
        if total is not None and (math.isnan(total) or not 0 <= total <= 100):
            if math.isnan(total):
                total = None
            else:
                raise ValueError(f"fiscal year {year}: total {total:g} is outside 0–100")
        totals[year] = total
    rows = []
    for year in sorted(totals):
        total = totals[year]
        previous = totals.get(year - 1)
        if total is None or previous is None:
            rows.append(TrendRow(year, total, "-", None))
            continue
        diff = round_half_up(round_half_up(total, decimals) - round_half_up(previous, decimals),
                             decimals)
        development = "เพิ่มขึ้น" if diff > 0 else "ลดลง" if diff < 0 else "คงที่"
        rows.append(TrendRow(year, total, development, diff))
    return tuple(rows)
