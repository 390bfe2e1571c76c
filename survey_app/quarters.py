"""Quarters of a Thai fiscal year (ไตรมาส): what the improvement measures are planned and
reported by.

A fiscal year B.E. ``Y`` runs from 1 October of the previous year to 30 September
(B.E. 2569: October 2025 - September 2026): quarter 1 is October-December, 2 January-March,
3 April-June, 4 July-September.  Pure standard library, so that a migration can use it too.

>>> quarter_of(dt.date(2025, 11, 3), 2569), quarter_of(dt.date(2026, 9, 30), 2569)
(1, 4)
>>> parse_period("ไตรมาส 3 ของปีงบประมาณ พฤษภาคม – มิถุนายน 2567")
(3, 3, 'ไตรมาส 3 ของปีงบประมาณ พฤษภาคม – มิถุนายน 2567')
>>> parse_period("ดำเนินการต่อเนื่อง ทุกไตรมาส"), parse_period("ไตรมาส 2-3")
((1, 4, ''), (2, 3, ''))
>>> parse_period("ภายในเดือนธันวาคม")
(None, None, 'ภายในเดือนธันวาคม')
"""

from __future__ import annotations

import datetime as dt
import re

QUARTERS = (1, 2, 3, 4)
#: Years of the Buddhist era (พ.ศ.) before the Gregorian one: B.E. = C.E. + 543.
BUDDHIST_ERA_OFFSET = 543


def buddhist_year(day: dt.date) -> int:
    """Return the Buddhist-era year of a date (the report templates' ``be_year`` filter).

    >>> buddhist_year(dt.date(2023, 1, 1))
    2566
    """
    return day.year + BUDDHIST_ERA_OFFSET


def quarter_start(fiscal_year_be: int, quarter: int) -> dt.date:
    """The first day of ``quarter`` of the fiscal year."""
    year_ce = fiscal_year_be - BUDDHIST_ERA_OFFSET - 1  # the fiscal year starts in October of this year
    month = 10 + 3 * (quarter - 1)
    return dt.date(year_ce + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def quarter_end(fiscal_year_be: int, quarter: int) -> dt.date:
    """The last day of ``quarter`` of the fiscal year."""
    following = (quarter_start(fiscal_year_be + 1, 1) if quarter == 4
                 else quarter_start(fiscal_year_be, quarter + 1))
    return following - dt.timedelta(days=1)


def quarter_of(day: dt.date, fiscal_year_be: int) -> int:
    """The quarter of the fiscal year ``day`` falls in: 1 before the year, 4 after it."""
    if day < quarter_start(fiscal_year_be, 1):
        return 1
    return next((q for q in QUARTERS if day <= quarter_end(fiscal_year_be, q)), 4)


def quarters_closed(day: dt.date, fiscal_year_be: int) -> int:
    """How many quarters of the fiscal year have ended by ``day`` (0-4)."""
    return sum(1 for q in QUARTERS if quarter_end(fiscal_year_be, q) < day)


_Q = r"(?:ไตรมาส(?:ที่)?|q)\s*([1-4])"
_RANGE = re.compile(_Q + r"(?:\s*(?:-|–|—|ถึง|to)\s*(?:ไตรมาส(?:ที่)?|q)?\s*([1-4]))?",
                    re.IGNORECASE)
_WHOLE_YEAR = re.compile(r"ทุกไตรมาส|ตลอดปี(?:งบประมาณ)?|all quarters|whole year", re.IGNORECASE)
_FILLER = re.compile(r"ดำเนินการ|ต่อเนื่อง|ของปีงบประมาณ|\s+")


def parse_period(text: str) -> tuple[int | None, int | None, str]:
    """Read a free-text period (the console's field before quarters) as (start, end, note).

    The quarters are None when the text names none.  ``note`` is the text itself whenever it
    says more than the quarters (months, a year, anything else), so nothing typed is lost; it is
    empty only when the text said nothing but the quarters.
    """
    text = (text or "").strip()
    found = _RANGE.search(text)
    whole = _WHOLE_YEAR.search(text)
    if found:
        start, end = int(found.group(1)), int(found.group(2) or found.group(1))
        if end < start:
            return None, None, text
        rest = text[:found.start()] + text[found.end():]
    elif whole:
        start, end = 1, 4
        rest = text[:whole.start()] + text[whole.end():]
    else:
        return None, None, text
    return start, end, (text if _FILLER.sub("", rest) else "")
