"""The follow-up of the improvement measures, per quarter and for the year."""

from __future__ import annotations

from dataclasses import dataclass

from ...quarters import QUARTERS, buddhist_year, quarter_end, quarter_start
from .common import AgencyInfo, AssessmentInfo
from .report import ReportDocument

MEASURE_STATUSES = ("not_started", "in_progress", "done", "dropped")


@dataclass(frozen=True)
class QuarterProgress:
    """What was reported on a measure for one quarter (``recorded``: a report exists)."""

    quarter: int
    status: str  # one of MEASURE_STATUSES; carried from the last report before it if none
    note: tuple[str, ...]
    evidence: tuple[str, ...]
    recorded: bool


@dataclass(frozen=True)
class MeasureFollowUp:
    id: int
    indicator_code: str
    indicator_name_th: str
    indicator_name_en: str
    issue: tuple[str, ...]  # ประเด็น, split into lines
    measure: tuple[str, ...]
    responsible: str
    steps: tuple[str, ...]
    start_quarter: int | None
    end_quarter: int | None
    period_note: str
    quarters: tuple[QuarterProgress, ...]  # Q1-Q4
    status: str  # as of the view's quarter
    overdue: bool  # its end quarter has passed and it is neither done nor dropped

    def progress(self, quarter: int) -> QuarterProgress:
        return self.quarters[quarter - 1]

    def due_by(self, quarter: int) -> bool:
        """Planned to start by ``quarter`` (a measure with no quarters is always due)."""
        return self.start_quarter is None or self.start_quarter <= quarter

    def shown_status(self, quarter: int) -> str:
        """The status the follow-up report and the measures dashboard show for ``quarter``:
        ``not_due`` for a measure planned for a later quarter that nobody has reported on yet."""
        status = self.progress(quarter).status
        if status == "not_started" and not self.due_by(quarter):
            return "not_due"
        return status


@dataclass(frozen=True)
class StatusCount:
    status: str
    count: int


@dataclass(frozen=True)
class OitItemRef:
    """An OIT item of the set that asks about the measures (their plan or the report)."""

    code: str
    text_th: str
    text_en: str
    asks: str  # "plan" or "report"


@dataclass(frozen=True)
class FollowUpView:
    """The measures of an assessment followed through the fiscal year they are carried out in.

    ``quarter``: the quarter reported on, or None for the whole year (then ``as_of`` is 4).
    """

    agency: AgencyInfo
    assessment: AssessmentInfo
    fiscal_year_be: int  # the year of the quarters (the year after the assessment's)
    quarter: int | None
    as_of: int
    closed: int  # quarters of the year ended by the day the view was made (0-4)
    measures: tuple[MeasureFollowUp, ...]  # by indicator in the set's order, then position
    counts: tuple[StatusCount, ...]  # every status, as of ``as_of``
    oit_items: tuple[OitItemRef, ...]  # of the set of the measures' year (its OIT)
    oit_set_title_th: str
    document: ReportDocument = ReportDocument()  # noqa: RUF009 (frozen: one shared empty value)

    @property
    def standings(self) -> tuple[StatusCount, ...]:
        """The measures by :meth:`MeasureFollowUp.standing` as of ``as_of``: the statuses,
        then ``not_due`` (planned for a later quarter, counted apart from "not started")."""
        shown = [m.shown_status(self.as_of) for m in self.measures]
        return tuple(StatusCount(s, shown.count(s)) for s in (*MEASURE_STATUSES, "not_due"))

    @property
    def total(self) -> int:
        return len(self.measures)

    @property
    def overdue(self) -> tuple[MeasureFollowUp, ...]:
        return tuple(m for m in self.measures if m.overdue)

    @property
    def reported(self) -> tuple[MeasureFollowUp, ...]:
        """Every measure the report counts: a quarter's report lists them all, those planned
        for a later quarter shown as not yet due (:meth:`MeasureFollowUp.shown_status`)."""
        return self.measures

    @property
    def not_due(self) -> tuple[MeasureFollowUp, ...]:
        """Measures planned for a quarter after ``as_of`` with no report yet."""
        return tuple(m for m in self.measures if m.shown_status(self.as_of) == "not_due")

    def count(self, status: str) -> int:
        return next((c.count for c in self.counts if c.status == status), 0)

    @property
    def shown_counts(self) -> tuple[StatusCount, ...]:
        """The report's counts: measures not yet due apart from those not started."""
        late = len(self.not_due)
        out = [StatusCount(c.status, c.count - late if c.status == "not_started" else c.count)
               for c in self.counts]
        return (*out, StatusCount("not_due", late)) if late else tuple(out)

    def shown_count(self, status: str) -> int:
        return next((c.count for c in self.shown_counts if c.status == status), 0)

    @property
    def quarters(self) -> tuple[int, ...]:
        """The quarters the report tells about: its own, or all four for the year."""
        return QUARTERS if self.quarter is None else (self.quarter,)

    def months(self, quarter: int) -> tuple[int, int, int]:
        """(first month, last month, the last month's year B.E.) of a quarter of the year."""
        start = quarter_start(self.fiscal_year_be, quarter)
        end = quarter_end(self.fiscal_year_be, quarter)
        return start.month, end.month, buddhist_year(end)
