"""Typed, immutable view models of an assessment's results and of its yearly report.

The dashboard, the supervisor view, the exports and the report (HTML, PDF, DOCX) all render
these; no template reads an untyped nested dict.  Every figure here was rounded once, by
:mod:`scoring.report` (``result_to_dict``, which uses :func:`scoring.round_half_up`); nothing
in this module rounds, rolls up or grades.  What a year can change (instruments, indicators,
weights, target, grade bands, verdict tiers) comes from the assessment's instrument set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..quarters import BE_OFFSET, QUARTERS, quarter_end, quarter_start
from .assessments import AssessmentState
from .formatting import two_decimals


def code_range(codes: tuple[str, ...]) -> str:
    """``"1-5"``, ``"9-10"`` or a single code: how the seed names an instrument's indicators."""
    if not codes:
        return ""
    return codes[0] if len(codes) == 1 else f"{codes[0]}-{codes[-1]}"


def format_score(value: float | None) -> str:
    """A figure as the report prints it: two decimals, or ``-`` (the seed's dash) when unknown."""
    return two_decimals(value, dash="-")


# -- the instrument set's methodology ---------------------------------------------------------


@dataclass(frozen=True)
class SubIndicatorRef:
    code: str
    name_th: str
    name_en: str


@dataclass(frozen=True)
class IndicatorRef:
    code: str
    instrument: str
    name_th: str
    name_en: str
    sub_indicators: tuple[SubIndicatorRef, ...]


@dataclass(frozen=True)
class InstrumentRef:
    """An instrument of the set with its weight and its indicators, in the set's order."""

    code: str
    name_th: str
    name_en: str
    weight: float
    indicators: tuple[IndicatorRef, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)

    @property
    def code_range(self) -> str:
        return code_range(self.codes)


@dataclass(frozen=True)
class GradeBand:
    grade: str
    min_score: float
    max_score: float  # the highest score of the band as the seed prints it (100 for the top)
    label_th: str
    label_en: str
    passed: bool


@dataclass(frozen=True)
class TierFloor:
    instrument: str
    floor: float


@dataclass(frozen=True)
class Tier:
    """A verdict tier (ผ่านดี, ผ่าน, ไม่ผ่าน …): reached when the total and every floor are met."""

    code: str
    label_th: str
    label_en: str
    min_total: float
    passed: bool
    floors: tuple[TierFloor, ...]


@dataclass(frozen=True)
class Methodology:
    set_id: str
    title_th: str
    title_en: str
    instruments: tuple[InstrumentRef, ...]
    target: float  # the agency's target per indicator (the assessment's, else the set's)
    pass_mark: float
    grades: tuple[GradeBand, ...]
    tiers: tuple[Tier, ...]
    min_group_size: int

    @property
    def has_tiers(self) -> bool:
        """True when the verdict is more than pass/fail, or a tier has a floor (B.E. 2567 on)."""
        return len(self.tiers) > 2 or any(t.floors for t in self.tiers)

    @property
    def indicator_count(self) -> int:
        return sum(len(i.indicators) for i in self.instruments)

    def instrument(self, code: str) -> InstrumentRef:
        return next(i for i in self.instruments if i.code == code)


# -- figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class OptionShare:
    code: int
    label_th: str
    label_en: str
    option_score: float
    count: int | None
    percent: float | None


@dataclass(frozen=True)
class QuestionScore:
    column: str
    text_th: str
    text_en: str
    n: int
    no_answer: int
    mean: float | None
    options: tuple[OptionShare, ...]


@dataclass(frozen=True)
class ItemScore:
    code: str
    text_th: str
    text_en: str
    n: int | None
    mean: float | None
    questions: tuple[QuestionScore, ...]


@dataclass(frozen=True)
class OitItemResult:
    code: str
    text_th: str
    text_en: str
    passed: bool | None  # None: not judged yet (counts as not passed)


@dataclass(frozen=True)
class SubIndicatorScore:
    code: str
    name_th: str
    name_en: str
    score: float | None
    source: str | None
    items: int
    items_passed: int | None
    checklist: tuple[OitItemResult, ...]

    @property
    def not_passed(self) -> tuple[OitItemResult, ...]:
        return tuple(o for o in self.checklist if not o.passed)


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    instrument: str
    name_th: str
    name_en: str
    score: float | None
    grade: str | None
    passed: bool | None
    source: str | None
    n: int | None
    bootstrap_ci95: Interval | None
    cronbach_alpha: float | None
    items: tuple[ItemScore, ...]
    sub_indicators: tuple[SubIndicatorScore, ...]


@dataclass(frozen=True)
class InstrumentScore:
    code: str
    name_th: str
    name_en: str
    score: float | None
    weight: float
    weighted: float | None
    responses: int | None  # None for OIT
    minimum_sample: int | None
    sample_met: bool | None
    margin_of_error: float | None
    bootstrap_ci95: Interval | None
    indicators: tuple[IndicatorScore, ...]

    @property
    def code_range(self) -> str:
        return code_range(tuple(i.code for i in self.indicators))


@dataclass(frozen=True)
class TrendPoint:
    fiscal_year_be: int
    total: float | None
    development: str
    development_en: str
    difference: float | None


@dataclass(frozen=True)
class GroupIndicator:
    code: str
    score: float | None


@dataclass(frozen=True)
class GroupScore:
    code: str
    label_th: str
    label_en: str
    n: int
    suppressed: bool
    indicators: tuple[GroupIndicator, ...]
    score: float | None


@dataclass(frozen=True)
class FloorMissed:
    """An instrument below a floor of the tier above the verdict (e.g. EIT 84.10 < 85)."""

    instrument: str
    score: float
    floor: float


@dataclass(frozen=True)
class Verdict:
    code: str
    label_th: str
    label_en: str
    passed: bool
    floors_missed: tuple[FloorMissed, ...] = ()


@dataclass(frozen=True)
class InstrumentNeed:
    """What one instrument must reach for the next tier, the others held fixed."""

    instrument: str
    score: float
    need: float
    met: bool
    reachable: bool


@dataclass(frozen=True)
class IndicatorLever:
    """How much one more point on an indicator adds to the total."""

    code: str
    instrument: str
    per_point: float
    score: float | None
    max_gain: float | None


@dataclass(frozen=True)
class TierGap:
    """The distance from the verdict to the tier just above it (``scoring.tiers``)."""

    label_th: str
    label_en: str
    total: float
    total_need: float
    total_met: bool
    instruments: tuple[InstrumentNeed, ...]
    indicators: tuple[IndicatorLever, ...]  # most per point first


@dataclass(frozen=True)
class AgencyInfo:
    id: int
    code: str
    name_th: str
    name_en: str
    agency_type: str
    headcount: int | None


@dataclass(frozen=True)
class AssessmentInfo:
    id: int
    fiscal_year_be: int
    instrument_set: str
    state: AssessmentState


@dataclass(frozen=True)
class ResponseCount:
    """Responses of a survey instrument against its minimum sample."""

    instrument: str
    name_th: str
    name_en: str
    responses: int
    minimum: int | None
    met: bool | None
    margin_of_error: float | None


@dataclass(frozen=True)
class OitProgress:
    judged: int
    items: int
    passed: int


# -- collection monitoring --------------------------------------------------------------------


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


@dataclass(frozen=True)
class ResultsView:
    """Everything the dashboard, exports and report show about one assessment."""

    agency: AgencyInfo
    assessment: AssessmentInfo
    methodology: Methodology
    responses: tuple[ResponseCount, ...]
    oit: OitProgress
    instruments: tuple[InstrumentScore, ...]
    indicators: tuple[IndicatorScore, ...]  # in the set's order
    total: float | None
    total_bootstrap_ci95: Interval | None
    grade: str | None
    verdict: Verdict | None
    strengths: tuple[IndicatorScore, ...]  # at or above the target, best first
    to_develop: tuple[IndicatorScore, ...]  # below the target (or unknown), best first
    trend: tuple[TrendPoint, ...]
    eit_groups: tuple[GroupScore, ...]
    gap: TierGap | None = None  # none at the top tier, with grades only, or without a total

    @property
    def target(self) -> float:
        return self.methodology.target

    @property
    def ranked(self) -> tuple[IndicatorScore, ...]:
        """Indicators by score, best first (the seed's table 4)."""
        return self.strengths + self.to_develop

    @property
    def highest(self) -> IndicatorScore | None:
        scored = [i for i in self.ranked if i.score is not None]
        return scored[0] if scored else None

    @property
    def lowest(self) -> IndicatorScore | None:
        scored = [i for i in self.ranked if i.score is not None]
        return scored[-1] if scored else None

    @property
    def grade_band(self) -> GradeBand | None:
        return next((g for g in self.methodology.grades if g.grade == self.grade), None)

    def indicator(self, code: str) -> IndicatorScore:
        return next(i for i in self.indicators if i.code == code)

    def instrument(self, code: str) -> InstrumentScore:
        return next(i for i in self.instruments if i.code == code)

    def strengths_of(self, instrument: str) -> tuple[IndicatorScore, ...]:
        return tuple(i for i in self.strengths if i.instrument == instrument)

    def to_develop_of(self, instrument: str) -> tuple[IndicatorScore, ...]:
        return tuple(i for i in self.to_develop if i.instrument == instrument)

    @property
    def channel_rows(self) -> tuple[tuple[IndicatorScore | None, ...], ...]:
        """The by-channel table: one column per instrument, its indicators down the column."""
        depth = max((len(i.indicators) for i in self.instruments), default=0)
        return tuple(tuple(i.indicators[k] if k < len(i.indicators) else None
                           for i in self.instruments) for k in range(depth))

    @property
    def group_indicator_codes(self) -> tuple[str, ...]:
        """The indicators the EIT respondent groups are scored on (the set's EIT indicators)."""
        return next((i.codes for i in self.methodology.instruments if i.code == "EIT"), ())


# -- the supervisor's comparison --------------------------------------------------------------


@dataclass(frozen=True)
class SampleCheck:
    """Responses of one survey instrument against the minimum sample (``scoring``'s rule)."""

    instrument: str
    received: int
    minimum: int | None  # None: unknown (IIT without a usable headcount)

    @property
    def met(self) -> bool | None:
        return None if self.minimum is None else self.received >= self.minimum

    @property
    def short(self) -> int | None:
        """How many more responses the minimum takes (0 when met; None when unknown)."""
        return None if self.minimum is None else max(0, self.minimum - self.received)


@dataclass(frozen=True)
class SupervisorRow:
    """One agency of a supervisor's comparison (and one row of the area workbook).

    ``provisional``: a survey instrument is below its minimum sample or its minimum is unknown;
    the figures are shown but the agency has no rank and is left out of the group's average and
    distribution.
    """

    agency: AgencyInfo
    assessment_id: int
    instrument_set: str
    total: float | None
    grade: str | None
    verdict: Verdict | None
    rank: int | None
    own: bool
    responses: tuple[tuple[str, int], ...]  # (survey instrument, responses)
    weighted: tuple[tuple[str, float | None], ...]  # (instrument, weighted part)
    scores: tuple[tuple[str, float | None], ...] = ()  # (instrument, score 0-100)
    indicators: tuple[tuple[str, float | None], ...] = ()  # (indicator code, score)
    samples: tuple[SampleCheck, ...] = ()
    target: float | None = None

    def responses_of(self, instrument: str) -> int:
        return dict(self.responses).get(instrument, 0)

    def weighted_of(self, instrument: str) -> float | None:
        return dict(self.weighted).get(instrument)

    def score_of(self, instrument: str) -> float | None:
        return dict(self.scores).get(instrument)

    def indicator(self, code: str) -> float | None:
        return dict(self.indicators).get(code)

    def sample_of(self, instrument: str) -> SampleCheck | None:
        return next((s for s in self.samples if s.instrument == instrument), None)

    @property
    def below_minimum(self) -> tuple[SampleCheck, ...]:
        return tuple(s for s in self.samples if s.met is False)

    @property
    def minimum_unknown(self) -> tuple[SampleCheck, ...]:
        return tuple(s for s in self.samples if s.met is None)

    @property
    def provisional(self) -> bool:
        return any(s.met is not True for s in self.samples)


@dataclass(frozen=True)
class Shortfall:
    """An agency that still needs answers to one survey instrument."""

    agency: AgencyInfo
    assessment_id: int
    check: SampleCheck


@dataclass(frozen=True)
class DistributionBar:
    """How many agencies (that met their minimums) have one grade or verdict tier."""

    code: str
    label_th: str
    label_en: str
    n: int


@dataclass(frozen=True)
class RankGroup:
    """Agencies ranked and averaged together: those of one agency type.  An area office is
    assessed in another group than its schools, so it is never ranked among them."""

    agency_type: str
    rated: int  # agencies ranked in the group
    average: float | None  # mean of their totals, rounded by scoring
    distribution: tuple[tuple[str, int], ...]  # grade → ranked agencies of the group
    tiers: tuple[DistributionBar, ...]  # verdict tier → ranked agencies of the group


@dataclass(frozen=True)
class SupervisorView:
    fiscal_year_be: int | None
    years: tuple[int, ...]
    instruments: tuple[str, ...]  # the weighted parts' columns (the sets' instruments)
    survey_instruments: tuple[str, ...]  # the response counts' columns
    rows: tuple[SupervisorRow, ...]  # ranked (group by group), then provisional, then no total
    # average, rated, distribution and tiers: of the main group (the one with the most
    # agencies, the schools of an area); ``groups`` holds every group's own
    average: float | None  # mean of the ranked agencies' totals, rounded by scoring
    rated: int  # agencies ranked: a total and every minimum sample met
    distribution: tuple[tuple[str, int], ...]  # grade → ranked agencies, best grade first
    without_result: int
    without_assessment: tuple[AgencyInfo, ...]
    indicator_codes: tuple[str, ...] = ()
    tiers: tuple[DistributionBar, ...] = ()  # verdict tier → ranked agencies, best first
    needs_answers: tuple[Shortfall, ...] = ()  # largest shortfall first; unknown minimums last
    area: AgencyInfo | None = None  # whose scope this is (the area office), if one agency's
    groups: tuple[RankGroup, ...] = ()  # each agency type ranked apart, main group first

    @property
    def provisional(self) -> tuple[SupervisorRow, ...]:
        return tuple(r for r in self.rows if r.total is not None and r.provisional)

    @property
    def ranked(self) -> tuple[SupervisorRow, ...]:
        return tuple(r for r in self.rows if r.rank is not None)


@dataclass(frozen=True)
class AgencyScore:
    agency: AgencyInfo
    score: float


@dataclass(frozen=True)
class IndicatorBelow:
    """One indicator and the ranked agencies whose score is below their target, lowest first."""

    code: str
    name_th: str
    name_en: str
    agencies: tuple[AgencyScore, ...]


@dataclass(frozen=True)
class AreaItem:
    """A survey item's mean over every answer of the area's ranked agencies."""

    code: str
    indicator: str
    instrument: str
    text_th: str
    text_en: str
    mean: float
    lowest: float  # the lowest agency's own mean of the item
    n: int  # answers
    agencies: int  # agencies with an answer


@dataclass(frozen=True)
class AreaReportView:
    """The area summary report: the roll-up and what it says across agencies."""

    rollup: SupervisorView
    below_target: tuple[IndicatorBelow, ...]
    weakest_items: tuple[AreaItem, ...]  # lowest pooled mean first
    targets: tuple[float, ...]  # the ranked agencies' indicator targets (usually one)

    @property
    def title_agency(self) -> str:
        return self.rollup.area.name_th if self.rollup.area else ""


# -- the yearly report ------------------------------------------------------------------------


@dataclass(frozen=True)
class WeakItem:
    """One of an indicator's weakest points: a survey item or an OIT sub-indicator."""

    code: str
    text_th: str
    score: float | None


@dataclass(frozen=True)
class StrengthNote:
    indicator: IndicatorScore
    factors: str  # ปัจจัยที่ส่งผลให้ตัวชี้วัดดังกล่าวเป็นจุดแข็ง (the office's words, or the draft)
    edited: bool


@dataclass(frozen=True)
class DevelopNote:
    indicator: IndicatorScore
    analysis: str  # the office's analysis of the weak indicator (or the draft)
    edited: bool
    weak_items: tuple[WeakItem, ...]  # ประเด็นการประเมิน: the weakest items, by score


@dataclass(frozen=True)
class MeasureLine:
    """One improvement measure; text fields are split into their lines (single breaks)."""

    measure: tuple[str, ...]
    responsible: str
    steps: tuple[str, ...]
    period: str  # the period's note
    issue: tuple[str, ...] = ()  # ประเด็น the measure addresses
    start_quarter: int | None = None
    end_quarter: int | None = None


@dataclass(frozen=True)
class IndicatorMeasures:
    indicator: IndicatorScore
    below_target: bool
    issues: tuple[WeakItem, ...]  # ประเด็นการประเมิน of the plan table
    measures: tuple[MeasureLine, ...]
    monitoring: str  # การกำกับติดตามและรายงานผล (the office's words, or the draft)


@dataclass(frozen=True)
class OitFinding:
    """An OIT sub-indicator below full marks, with the checklist items it did not pass."""

    indicator: IndicatorScore
    sub_indicator: SubIndicatorScore


@dataclass(frozen=True)
class ReportView:
    results: ResultsView
    strengths: tuple[StrengthNote, ...]
    to_develop: tuple[DevelopNote, ...]
    oit_findings: tuple[OitFinding, ...]
    measures: tuple[IndicatorMeasures, ...]  # below-target indicators first, then any others

    @property
    def agency(self) -> AgencyInfo:
        return self.results.agency

    @property
    def year(self) -> int:
        return self.results.assessment.fiscal_year_be

    @property
    def next_year(self) -> int:
        return self.year + 1

    def strengths_of(self, instrument: str) -> tuple[StrengthNote, ...]:
        return tuple(s for s in self.strengths if s.indicator.instrument == instrument)

    def to_develop_of(self, instrument: str) -> tuple[DevelopNote, ...]:
        return tuple(d for d in self.to_develop if d.indicator.instrument == instrument)

    @property
    def measures_below(self) -> tuple[IndicatorMeasures, ...]:
        return tuple(m for m in self.measures if m.below_target)

    @property
    def figures(self) -> dict[str, float | None]:
        """Every figure the report prints, keyed by what it is (for checking renderers agree)."""
        r = self.results
        out: dict[str, float | None] = {"total": r.total}
        for inst in r.instruments:
            out[f"weighted:{inst.code}"] = inst.weighted
        for ind in r.indicators:
            out[f"indicator:{ind.code}"] = ind.score
            for sub in ind.sub_indicators:
                out[f"sub:{sub.code}"] = sub.score
        for point in r.trend:
            out[f"year:{point.fiscal_year_be}"] = point.total
        return out


# -- the follow-up of the improvement measures ------------------------------------------------

#: A measure's status in a quarter (สถานะ), in the order the dashboard and reports count them.
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

    def planned_in(self, quarter: int) -> bool:
        return (self.start_quarter is not None and self.end_quarter is not None
                and self.start_quarter <= quarter <= self.end_quarter)

    def due_by(self, quarter: int) -> bool:
        """Whether the plan has the measure started by ``quarter`` (no quarters yet: due)."""
        return self.start_quarter is None or self.start_quarter <= quarter

    def standing(self, quarter: int) -> str:
        """The measure's status in ``quarter`` as the dashboard says it: ``not_due`` before
        its first planned quarter while nothing is reported, else the reported status."""
        status = self.progress(quarter).status
        return "not_due" if status == "not_started" and not self.due_by(quarter) else status


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

    @property
    def standings(self) -> tuple[StatusCount, ...]:
        """The measures by :meth:`MeasureFollowUp.standing` as of ``as_of``: the statuses,
        then ``not_due`` (planned for a later quarter, counted apart from "not started")."""
        shown = [m.standing(self.as_of) for m in self.measures]
        return tuple(StatusCount(s, shown.count(s)) for s in (*MEASURE_STATUSES, "not_due"))

    @property
    def total(self) -> int:
        return len(self.measures)

    @property
    def overdue(self) -> tuple[MeasureFollowUp, ...]:
        return tuple(m for m in self.measures if m.overdue)

    @property
    def reported(self) -> tuple[MeasureFollowUp, ...]:
        """The quarter's measures: planned in it, or with a report for it (all for the year)."""
        if self.quarter is None:
            return self.measures
        return tuple(m for m in self.measures
                     if m.planned_in(self.quarter) or m.progress(self.quarter).recorded)

    def count(self, status: str) -> int:
        return next((c.count for c in self.counts if c.status == status), 0)

    @property
    def quarters(self) -> tuple[int, ...]:
        """The quarters the report tells about: its own, or all four for the year."""
        return QUARTERS if self.quarter is None else (self.quarter,)

    def months(self, quarter: int) -> tuple[int, int, int]:
        """(first month, last month, the last month's year B.E.) of a quarter of the year."""
        start = quarter_start(self.fiscal_year_be, quarter)
        end = quarter_end(self.fiscal_year_be, quarter)
        return start.month, end.month, end.year + BE_OFFSET

    @property
    def plan_items(self) -> tuple[OitItemRef, ...]:
        return tuple(o for o in self.oit_items if o.asks == "plan")

    @property
    def report_items(self) -> tuple[OitItemRef, ...]:
        return tuple(o for o in self.oit_items if o.asks == "report")
