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

# scoring's own types: a computed and a published result reach the views as the same objects.
from scoring.intervals import Interval
from scoring.tiers import TierGap

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
class Topic:
    """One topic (survey item) the instrument set assesses an indicator on."""

    code: str
    text_th: str
    text_en: str


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
    #: The set's own topics (its survey items) for the indicator: the report's
    #: "ประเด็นการประเมิน" when there are no item scores (a published result).
    topics: tuple[Topic, ...] = ()


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
class ScoreMapInfo:
    """The alternative answer->score map a result was computed with."""

    code: str
    label_th: str
    label_en: str
    provenance: str


@dataclass(frozen=True)
class UnconfirmedDatum:
    """A datum of the set that no public source confirms (code of questionnaires.provenance)."""

    code: str
    instruments: tuple[str, ...]  # whose figures rest on it (empty: no figure changes)
    note: str


@dataclass(frozen=True)
class OitOutcome:
    oit: float
    total: float | None
    verdict_th: str | None
    verdict_en: str | None
    grade: str | None


@dataclass(frozen=True)
class OitSensitivityView:
    """The OIT score (total, verdict) under the set's grouping and the other groupings."""

    as_set: OitOutcome
    low: OitOutcome
    high: OitOutcome
    groupings: int
    verdict_changes: bool
    verdicts_th: tuple[str, ...]
    verdicts_en: tuple[str, ...]


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
    score_map: ScoreMapInfo | None = None  # None: the set's own answer->score map
    unconfirmed: tuple[UnconfirmedDatum, ...] = ()  # of the set, see questionnaires.provenance
    oit_sensitivity: OitSensitivityView | None = None  # when the OIT grouping is unconfirmed

    @property
    def unconfirmed_shown(self) -> tuple[UnconfirmedDatum, ...]:
        """The unconfirmed data that figures on the page rest on."""
        return tuple(u for u in self.unconfirmed if u.instruments)
    #: Whose figures these are: NACC's published result or the answers collected here.
    record: ResultRecord | None = None

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
    assessment_id: int | None  # None: a published result without an assessment here
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
    #: "published" (NACC's figures, entered here) or "collected" (the answers collected here).
    source: str = "collected"

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
    #: From the answers collected here although the report is of the published result.
    own_survey: bool = False


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
class Comparison:
    """A figure the office types to compare itself with (the seed's national average: "245
    เขต ได้คะแนนเฉลี่ยร้อยละ 94.67"): who was averaged, how many of them, their average."""

    scope: str  # e.g. ภาพรวมระดับประเทศ ของสำนักงานเขตพื้นที่การศึกษา
    units: int | None
    score: float


@dataclass(frozen=True)
class ReportDocument:
    """What the office writes once into its documents (:class:`~survey_app.models.ReportDocument`);
    empty fields are left out of the documents (the background falls back to a sentence built
    from the data)."""

    foreword: tuple[str, ...] = ()  # paragraphs
    background: tuple[str, ...] = ()
    internal_measures: tuple[str, ...] = ()  # one measure each
    comparison: Comparison | None = None
    director_name: str = ""
    director_position: str = ""
    cover_date: dt.date | None = None
    logo: bytes | None = None
    logo_type: str = ""  # "png" or "jpeg"

    @property
    def logo_uri(self) -> str:
        """The logo as a data: URI (the page and the PDF embed it)."""
        import base64

        if not self.logo:
            return ""
        return f"data:image/{self.logo_type};base64," + base64.b64encode(self.logo).decode()

    @property
    def signed(self) -> bool:
        return bool(self.director_name)


@dataclass(frozen=True)
class ReportView:
    results: ResultsView
    strengths: tuple[StrengthNote, ...]
    to_develop: tuple[DevelopNote, ...]
    oit_findings: tuple[OitFinding, ...]
    measures: tuple[IndicatorMeasures, ...]  # below-target indicators first, then any others
    #: Our own survey beside the published result (both exist for the year), else None.
    comparison: ComparisonView | None = None
    document: ReportDocument = ReportDocument()

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
    def planned(self) -> tuple[IndicatorMeasures, ...]:
        """The indicators with measures: each has its plan table and sustain section."""
        return tuple(m for m in self.measures if m.measures)

    @property
    def internal_sub(self) -> SubIndicatorScore | None:
        """The sub-indicator on the office's internal measures (B.E. 2566: 10.2), if the set
        has one."""
        return next((sub for ind in self.results.indicators for sub in ind.sub_indicators
                     if "มาตรการภายใน" in sub.name_th), None)

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

    def planned_in(self, quarter: int) -> bool:
        return (self.start_quarter is not None and self.end_quarter is not None
                and self.start_quarter <= quarter <= self.end_quarter)



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
    document: ReportDocument = ReportDocument()

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
        return start.month, end.month, end.year + BE_OFFSET

    @property
    def plan_items(self) -> tuple[OitItemRef, ...]:
        return tuple(o for o in self.oit_items if o.asks == "plan")

    @property
    def report_items(self) -> tuple[OitItemRef, ...]:
        return tuple(o for o in self.oit_items if o.asks == "report")


# -- the year's result: published or collected; our own survey against it (issue 16) ---------


@dataclass(frozen=True)
class ResultRecord:
    """Where a result's figures come from: ``"published"`` (NACC's figures, entered here) or
    ``"collected"`` (computed from the answers collected here)."""

    source: str
    entered_via: str | None = None  # console, upload, cli, demo, migrated
    entered_by: str | None = None
    entered_at: dt.datetime | None = None
    as_given: bool = False
    has_collected: bool = False  # answers collected here exist for the year (our own survey)

    @property
    def published(self) -> bool:
        return self.source == "published"


@dataclass(frozen=True)
class ComparisonRow:
    """One figure of our own survey set beside the published one."""

    level: str  # "indicator" or "instrument" (the instrument's score)
    code: str
    name_th: str
    name_en: str
    published: float | None
    ours: float | None
    interval: Interval | None  # our 95 % interval
    n: int | None  # our responses behind it (None: checklist or none)

    @property
    def difference(self) -> float | None:
        """Ours minus published (both as printed, two decimals)."""
        if self.published is None or self.ours is None:
            return None
        return round(self.ours - self.published, 2)

    @property
    def inside(self) -> bool | None:
        """Whether the published figure lies inside our 95 % interval (None: no interval)."""
        if self.interval is None or self.published is None or self.interval.low is None:
            return None
        return self.interval.low <= self.published <= self.interval.high


@dataclass(frozen=True)
class ComparisonView:
    """Our own survey against the published result of the same year (where both exist)."""

    agency: AgencyInfo
    assessment: AssessmentInfo
    record: ResultRecord
    rows: tuple[ComparisonRow, ...]
    responses: tuple[ResponseCount, ...]

    @property
    def with_interval(self) -> tuple[ComparisonRow, ...]:
        return tuple(r for r in self.rows if r.inside is not None)

    @property
    def inside_count(self) -> int:
        return sum(1 for r in self.with_interval if r.inside)

    @property
    def largest_gap(self) -> ComparisonRow | None:
        known = [r for r in self.rows if r.difference is not None and r.level == "indicator"]
        return max(known, key=lambda r: abs(r.difference), default=None)

    @property
    def mean_absolute_difference(self) -> float | None:
        known = [abs(r.difference) for r in self.rows
                 if r.difference is not None and r.level == "indicator"]
        return round(sum(known) / len(known), 2) if known else None

    @property
    def samples_short(self) -> tuple[ResponseCount, ...]:
        return tuple(c for c in self.responses if c.met is False)
