"""Shared pieces of the view models: the instrument set's methodology, the agency and the
assessment, a verdict."""

from __future__ import annotations

from dataclasses import dataclass

from ..assessments import AssessmentState
from ..formatting import two_decimals


def code_range(codes: tuple[str, ...]) -> str:
    """``"1-5"``, ``"9-10"`` or a single code: how the seed names an instrument's indicators."""
    if not codes:
        return ""
    return codes[0] if len(codes) == 1 else f"{codes[0]}-{codes[-1]}"


def format_score(value: float | None) -> str:
    """A figure as the report prints it: two decimals, or ``-`` (the seed's dash) when unknown."""
    return two_decimals(value, dash="-")


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

    def instrument(self, code: str) -> InstrumentRef:
        return next(i for i in self.instruments if i.code == code)


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
