"""The results dashboard: an assessment's figures, whose they are (published or collected), and
our own survey against the published result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scoring.intervals import Interval
from scoring.tiers import TierGap

from .common import AgencyInfo, AssessmentInfo, GradeBand, Methodology, Verdict, code_range


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
    #: Whose figures these are: NACC's published result or the answers collected here.
    record: ResultRecord | None = None

    @property
    def unconfirmed_shown(self) -> tuple[UnconfirmedDatum, ...]:
        """The unconfirmed data that figures on the page rest on: none for NACC's published
        figures alone (they rest on nothing of the set's); with answers collected here, those
        our own survey's figures rest on (see :attr:`rests_on_own_survey`)."""
        if self.record is not None and self.record.published and not self.record.has_collected:
            return ()
        return tuple(u for u in self.unconfirmed if u.instruments)

    @property
    def rests_on_own_survey(self) -> bool:
        """The year's figures are NACC's: the unconfirmed data concern our own survey only."""
        return self.record is not None and self.record.published

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
