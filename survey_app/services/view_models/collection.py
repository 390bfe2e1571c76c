"""Collection monitoring: responses per day and per instrument against each minimum."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class DayCount:
    """One day of an instrument's collection: the responses stored that day and so far."""

    day: dt.date
    responses: int
    cumulative: int


@dataclass(frozen=True)
class InstrumentCollection:
    """A survey instrument's collection: per day, against its minimum sample.

    ``responses`` and ``days`` are what the results hold: for IIT the mixed batches, each on
    its batch's day (SECURITY.md); ``pending`` is how many IIT answers wait in the ballot box.
    """

    instrument: str
    name_th: str
    name_en: str
    responses: int
    pending: int
    minimum: int | None  # None: IIT without a usable headcount
    days: tuple[DayCount, ...]  # every day of the collection's range, in order

    @property
    def received(self) -> int:
        return self.responses + self.pending

    @property
    def met(self) -> bool | None:
        return None if self.minimum is None else self.responses >= self.minimum

    @property
    def still_needed(self) -> int | None:
        """Answers still to come in before the minimum is reached (waiting ones count)."""
        return None if self.minimum is None else max(0, self.minimum - self.received)

    @property
    def peak(self) -> int:
        return max((d.responses for d in self.days), default=0)


@dataclass(frozen=True)
class CollectionView:
    """Responses per day per survey instrument and progress against each minimum."""

    assessment_id: int
    agency_id: int
    days: tuple[dt.date, ...]  # the x axis: first to last day, no day skipped
    instruments: tuple[InstrumentCollection, ...]
    headcount: int | None
    headcount_problem: str | None  # "missing", "out_of_date" (below the IIT answers) or None

    @property
    def peak(self) -> int:
        """The most responses of one instrument on one day (the bars' scale)."""
        return max((i.peak for i in self.instruments), default=0)

    @property
    def total_peak(self) -> int:
        """The largest cumulative count or minimum (the cumulative lines' scale)."""
        return max([i.responses for i in self.instruments]
                   + [i.minimum for i in self.instruments if i.minimum is not None] + [0])

    @property
    def days_with_responses(self) -> tuple[tuple[dt.date, tuple[DayCount, ...]], ...]:
        """The table's rows: each day with a response, with every instrument's count."""
        return tuple((day, tuple(counts)) for day, *counts in
                     zip(self.days, *(i.days for i in self.instruments), strict=True)
                     if any(d.responses for d in counts))

    def instrument(self, code: str) -> InstrumentCollection:
        return next(i for i in self.instruments if i.instrument == code)
