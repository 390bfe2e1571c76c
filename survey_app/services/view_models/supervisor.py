"""The supervisor's page, the area workbook and the area summary: many agencies side by side."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .common import AgencyInfo, Verdict


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

    # Each lookup below is made from the row's tuples once (a kept comparison is shown again
    # and again, and the page and the workbook ask each row for every column); the page's
    # template reads the mappings (an item, not a call, per cell).

    @cached_property
    def responses_by(self) -> dict[str, int]:
        return dict(self.responses)

    @cached_property
    def weighted_by(self) -> dict[str, float | None]:
        return dict(self.weighted)

    @cached_property
    def scores_by(self) -> dict[str, float | None]:
        return dict(self.scores)

    @cached_property
    def indicators_by(self) -> dict[str, float | None]:
        return dict(self.indicators)

    @cached_property
    def samples_by(self) -> dict[str, SampleCheck]:
        return {s.instrument: s for s in reversed(self.samples)}  # the first of an instrument

    def responses_of(self, instrument: str) -> int:
        return self.responses_by.get(instrument, 0)

    def weighted_of(self, instrument: str) -> float | None:
        return self.weighted_by.get(instrument)

    def score_of(self, instrument: str) -> float | None:
        return self.scores_by.get(instrument)

    def indicator(self, code: str) -> float | None:
        return self.indicators_by.get(code)

    def sample_of(self, instrument: str) -> SampleCheck | None:
        return self.samples_by.get(instrument)

    @cached_property
    def below_minimum(self) -> tuple[SampleCheck, ...]:
        return tuple(s for s in self.samples if s.met is False)

    @cached_property
    def minimum_unknown(self) -> tuple[SampleCheck, ...]:
        return tuple(s for s in self.samples if s.met is None)

    @cached_property
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


@dataclass(frozen=True)
class Page:
    """One page of a long list, numbered from 1 (the supervisor's tables page on the server)."""

    items: tuple
    number: int
    pages: int  # at least 1
    total: int  # items on every page
    size: int

    @property
    def first(self) -> int:
        """1-based position of the first item shown (0 when there is none)."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0
