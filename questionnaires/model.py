"""Typed, immutable description of one year's ITA instrument set.

Everything a year can change (items, wording, answer scales and their scores, grade bands,
verdict tiers, weights, the minimum-sample rule) lives in a data file read by
:mod:`questionnaires.loader`; these classes only give that data a shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

INSTRUMENTS = ("IIT", "EIT", "OIT")
SURVEY_INSTRUMENTS = ("IIT", "EIT")

#: Directions an item or sub-item can have.  ``yes_good``/``yes_bad`` are the yes/no
#: spellings of ``positive``/``reverse`` and are only valid on a yes/no scale.
DIRECTIONS = ("positive", "reverse", "yes_good", "yes_bad")
_REVERSED = {"positive": False, "yes_good": False, "reverse": True, "yes_bad": True}


@dataclass(frozen=True)
class Option:
    """One answer option: its code in files and forms, its labels and its score."""

    code: int
    label_th: str
    label_en: str
    score: float
    reverse_score: float


@dataclass(frozen=True)
class Scale:
    """An answer scale (e.g. the 4-level scale, or yes/no)."""

    code: str
    kind: str  # "ordinal" or "yes_no"
    label_th: str
    label_en: str
    options: tuple[Option, ...]

    @cached_property
    def codes(self) -> frozenset[int]:
        return frozenset(o.code for o in self.options)

    def option(self, code: int) -> Option:
        for o in self.options:
            if o.code == code:
                return o
        raise KeyError(code)

    def scores(self, direction: str) -> dict[int, float]:
        """Return the option code → score map for an item of ``direction``."""
        reverse = _REVERSED[direction]
        return {o.code: (o.reverse_score if reverse else o.score) for o in self.options}


@dataclass(frozen=True)
class Question:
    """A scored question: an item without sub-items, or one sub-item of an item."""

    column: str  # the column name in response files: ``i2`` or ``i1.2``
    item: str
    text_th: str
    text_en: str
    direction: str


@dataclass(frozen=True)
class Item:
    """A survey item (IIT or EIT); its score for one respondent is the mean of its questions."""

    code: str
    instrument: str
    indicator: str
    scale: Scale
    direction: str
    text_th: str
    text_en: str
    sub_items: tuple[Question, ...] = ()
    note: str = ""

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        if self.sub_items:
            return self.sub_items
        return (Question(self.code, self.code, self.text_th, self.text_en, self.direction),)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(q.column for q in self.questions)


@dataclass(frozen=True)
class SubIndicator:
    code: str  # e.g. "9.1"
    indicator: str
    name_th: str
    name_en: str


#: The publication rhythms an OIT item's ``due`` may name, most frequent first.
OIT_DUE = ("monthly", "quarterly", "half-year", "yearly")

#: What an OIT item asks of the improvement measures, when it asks about them: ``plan`` (the
#: measures set from the ITA results) or ``report`` (the report on carrying them out).
OIT_MEASURES = ("plan", "report")


@dataclass(frozen=True)
class OitItem:
    """One item of the OIT open-data checklist, judged pass/fail."""

    code: str  # e.g. "O1"
    sub_indicator: str
    text_th: str
    text_en: str
    #: How often the evidence is due (one of :data:`OIT_DUE`), or None when the set says nothing.
    due: str | None = None
    #: One of :data:`OIT_MEASURES` when the item is about the improvement measures, else None.
    measures: str | None = None


@dataclass(frozen=True)
class Indicator:
    code: str  # "1" … "10"
    instrument: str
    name_th: str
    name_en: str


@dataclass(frozen=True)
class Instrument:
    code: str
    name_th: str
    name_en: str
    #: False when the items' wording is this project's, not NACC's (the respondent pages say so).
    wording_official: bool = True


@dataclass(frozen=True)
class RespondentGroup:
    code: str
    label_th: str
    label_en: str


@dataclass(frozen=True)
class Grade:
    grade: str
    min_score: float
    label_th: str
    label_en: str
    passed: bool


@dataclass(frozen=True)
class VerdictTier:
    """A verdict (ผ่าน, ผ่านดี, ไม่ผ่าน …): reached when the total and every floor are met."""

    code: str
    label_th: str
    label_en: str
    min_total: float
    passed: bool
    floors: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SampleRule:
    """How many responses an instrument needs.

    ``percent_with_floor``: ``ceil(percent% × headcount)``, at least ``floor``, and everyone
    when the headcount is at most ``floor``.  ``fixed``: ``count`` responses (an assessment may
    set its own number).
    """

    instrument: str
    rule: str
    percent: float = 0.0
    floor: int = 0
    count: int = 0
    provenance: str = ""

    def minimum(self, headcount: int | None) -> int | None:
        if self.rule == "fixed":
            return self.count
        if headcount is None:
            return None
        if headcount <= self.floor:
            return headcount
        return max(self.floor, math.ceil(headcount * self.percent / 100 - 1e-9))


@dataclass(frozen=True)
class Methodology:
    weights: dict[str, float]
    pass_mark: float
    indicator_target: float
    decimals: int
    grades: tuple[Grade, ...]
    verdicts: tuple[VerdictTier, ...]
    minimum_sample: dict[str, SampleRule]
    min_group_size: int
    provenance: str = ""


@dataclass(frozen=True)
class InstrumentSet:
    """A year's complete instrument set (e.g. ``ita-2566``)."""

    id: str
    fiscal_year_be: int
    title_th: str
    title_en: str
    provenance: str
    source: str  # the file it was loaded from
    instruments: dict[str, Instrument]
    indicators: dict[str, Indicator]
    sub_indicators: dict[str, SubIndicator]
    scales: dict[str, Scale]
    items: tuple[Item, ...]
    oit_items: tuple[OitItem, ...]
    respondent_groups: tuple[RespondentGroup, ...]
    methodology: Methodology
    #: The file's ``unconfirmed`` list (codes of :data:`questionnaires.provenance.DATA`), or
    #: None when the file has none and its provenance notes say what is not confirmed.
    declared_unconfirmed: tuple[str, ...] | None = None

    def items_for(self, instrument: str) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.instrument == instrument)

    def indicators_for(self, instrument: str) -> tuple[Indicator, ...]:
        return self._by("indicators", "instrument").get(instrument, ())

    def columns_for(self, instrument: str) -> tuple[str, ...]:
        """Return the response-file columns of a survey instrument, in questionnaire order."""
        return tuple(c for item in self.items_for(instrument) for c in item.columns)

    def question(self, column: str) -> Question:
        for item in self.items:
            for q in item.questions:
                if q.column == column:
                    return q
        raise KeyError(column)

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def oit_items_for(self, sub_indicator: str) -> tuple[OitItem, ...]:
        return self._by("oit_items", "sub_indicator").get(sub_indicator, ())

    def sub_indicators_for(self, indicator: str) -> tuple[SubIndicator, ...]:
        return self._by("sub_indicators", "indicator").get(indicator, ())

    def _by(self, members: str, attribute: str) -> dict[str, tuple]:
        """The set's ``members`` (a tuple, or a dict's values) grouped by ``attribute``, in
        their order: worked out once per set (the set never changes; scoring thousands of
        checklists asks for the same groups each time)."""
        groups = self._groups
        key = (members, attribute)
        if key not in groups:
            found: dict[str, list] = {}
            values = getattr(self, members)
            for member in (values.values() if isinstance(values, dict) else values):
                found.setdefault(getattr(member, attribute), []).append(member)
            groups[key] = {k: tuple(v) for k, v in found.items()}
        return groups[key]

    @cached_property
    def _groups(self) -> dict[tuple[str, str], dict[str, tuple]]:
        return {}

    def instrument_of(self, indicator: str) -> str:
        return self.indicators[indicator].instrument
