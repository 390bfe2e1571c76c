"""The yearly report: the results arranged as the seed document has them, with the office's
words and measures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .common import AgencyInfo
from .results import ComparisonView, IndicatorScore, ResultsView, SubIndicatorScore


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
