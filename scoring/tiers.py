"""Verdict tiers: the floor that was missed, and what it takes to reach the next tier.

From B.E. 2567 the verdict is a tier (ผ่านดีเยี่ยม, ผ่านดี, ผ่าน, ต้องปรับปรุง, ต้องปรับปรุงโดยด่วน)
with a floor per instrument, each instrument scored as a percentage of its own maximum.  The tiers
themselves are data (``[[methodology.verdicts]]`` of the instrument set) and the verdict is
decided by :func:`scoring.rollup.roll_up`; this module explains it: which floors kept a unit
out of the tier above (:func:`floors_missed`), what each instrument must reach for the next tier
(:func:`next_tier_gap`) and which indicators move the total most per point
(:func:`indicator_weights`).  Nothing here knows tier names or instrument counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from questionnaires import InstrumentSet
from questionnaires.model import VerdictTier

from .rollup import round_half_up


@dataclass(frozen=True)
class FloorMiss:
    """An instrument below the floor of the tier above the verdict (e.g. EIT 84.10 < 85)."""

    instrument: str
    score: float  # the instrument's score rounded to the methodology's decimals
    floor: float
    tier: str  # code of the tier whose floor it is


@dataclass(frozen=True)
class InstrumentNeed:
    """What one instrument must reach for the next tier, the other instruments held fixed."""

    instrument: str
    score: float
    floor: float | None  # the next tier's floor for this instrument, if it has one
    for_total: float | None  # the score that brings the total to the tier's minimum
    need: float  # the larger of the two: what the instrument must reach
    met: bool  # the instrument's rounded score already reaches ``need``
    reachable: bool  # ``need`` is at most 100


@dataclass(frozen=True)
class IndicatorWeight:
    """How much one more point on an indicator adds to the total."""

    code: str
    instrument: str
    per_point: float
    score: float | None
    max_gain: float | None  # ``per_point × (100 - score)``: the most it can still add


@dataclass(frozen=True)
class TierGap:
    """The distance from the verdict to the tier just above it."""

    tier: VerdictTier
    total: float
    total_met: bool  # the rounded total already reaches ``tier.min_total``
    instruments: tuple[InstrumentNeed, ...]
    indicators: tuple[IndicatorWeight, ...]  # most per point first


def _tier_above(iset: InstrumentSet, verdict: str | None) -> VerdictTier | None:
    codes = [v.code for v in iset.methodology.verdicts]
    if verdict not in codes or codes.index(verdict) == 0:
        return None
    return iset.methodology.verdicts[codes.index(verdict) - 1]


def floors_missed(iset: InstrumentSet, verdict: str | None, total: float | None,
                  instruments: Mapping[str, float | None]) -> tuple[FloorMiss, ...]:
    """Return the floors that kept a unit out of the tier above its verdict.

    Parameters
    ----------
    verdict : the code of the verdict reached (from :func:`scoring.rollup.roll_up`).
    total : the unrounded total.
    instruments : instrument code → unrounded score (0–100, a percentage of its maximum).

    Returns
    -------
    The floors of the tier just above the verdict that the rounded instrument scores miss,
    when the rounded total reaches that tier's minimum (the total alone would have earned it).
    Empty for the top tier, for a verdict held back by its total, and for sets without floors.

    Examples
    --------
    The published case: 94.64 in B.E. 2568, rated ผ่าน because EIT was below 85.

    >>> from questionnaires import load_instrument_set
    >>> iset = load_instrument_set("ita-2568")
    >>> floors_missed(iset, "pass", 94.64, {"IIT": 98.7, "EIT": 84.1, "OIT": 99.5})
    (FloorMiss(instrument='EIT', score=84.1, floor=85.0, tier='good'),)
    """
    return floors_missed_many(iset, [verdict], [total],
                              {inst: [score] for inst, score in instruments.items()})[0]


def floors_missed_many(iset: InstrumentSet, verdicts: Sequence[str | None],
                       totals: Sequence[float | None],
                       instruments: Mapping[str, Sequence[float | None]]
                       ) -> list[tuple[FloorMiss, ...]]:
    """:func:`floors_missed` of many units at once (their columns: ``verdicts``, unrounded
    ``totals`` and instrument code → unrounded scores, None or NaN where unknown), each
    column rounded in one :func:`round_half_up`; one tuple per unit, in order."""
    decimals = iset.methodology.decimals
    count = len(verdicts)
    total = round_half_up(np.asarray([np.nan if t is None else t for t in totals], dtype=float)
                          .reshape(count), decimals)
    rounded = {inst: round_half_up(np.asarray([np.nan if v is None else v for v in values],
                                              dtype=float).reshape(count), decimals)
               for inst, values in instruments.items()}
    above = {code: _tier_above(iset, code) for code in set(verdicts)}
    out: list[tuple[FloorMiss, ...]] = []
    for k, verdict in enumerate(verdicts):
        tier = above[verdict]
        if tier is None or not total[k] >= tier.min_total:  # NaN: no total
            out.append(())
            continue
        out.append(tuple(FloorMiss(inst, float(rounded[inst][k]), floor, tier.code)
                         for inst, floor in tier.floors.items()
                         if inst in rounded and rounded[inst][k] < floor))  # NaN: unknown
    return out


def indicator_weights(iset: InstrumentSet,
                      scores: Mapping[str, float | None] | None = None
                      ) -> tuple[IndicatorWeight, ...]:
    """Return how much one point on each indicator moves the total, largest first.

    Notes
    -----
    The roll-up is ``total = Σ_k w_k × mean(indicators of instrument k)``, so one more point on
    an indicator of instrument ``k`` with ``n_k`` indicators adds

    .. math:: \\frac{\\partial\\,total}{\\partial\\,indicator} = \\frac{w_k}{n_k}

    to the total, whatever the other scores are (e.g. an IIT indicator among five with weight
    0.30 adds 0.06).  ``max_gain = (w_k / n_k) × (100 - score)`` is the most an indicator can
    still add.  The order is: per point, then max gain, both largest first, then the set's
    order.

    Examples
    --------
    >>> from questionnaires import load_instrument_set
    >>> [(w.code, round(w.per_point, 4)) for w in indicator_weights(
    ...     load_instrument_set("ita-2569"))][:3]
    [('9', 0.2), ('10', 0.2), ('6', 0.1)]
    """
    scores = scores or {}
    m = iset.methodology
    rows = []
    for order, ind in enumerate(iset.indicators.values()):
        n = len(iset.indicators_for(ind.instrument))
        per_point = m.weights.get(ind.instrument, 0.0) / n
        score = scores.get(ind.code)
        gain = None if score is None else per_point * (100 - score)
        rows.append((order, IndicatorWeight(ind.code, ind.instrument, per_point, score, gain)))
    rows.sort(key=lambda r: (-round(r[1].per_point, 12),
                             -(r[1].max_gain if r[1].max_gain is not None else 0.0), r[0]))
    return tuple(w for _, w in rows)


def next_tier_gap(iset: InstrumentSet, verdict: str | None, total: float | None,
                  instruments: Mapping[str, float | None],
                  indicators: Mapping[str, float | None] | None = None) -> TierGap | None:
    """Return what it takes to reach the tier just above ``verdict``.

    Parameters
    ----------
    verdict : the code of the verdict reached; ``None`` (no total) gives ``None``.
    total : the unrounded total.
    instruments : instrument code → unrounded score; all must be known.
    indicators : indicator code → score, for the indicators' remaining gain.

    Returns
    -------
    ``None`` for the top tier or when a score is unknown.

    Notes
    -----
    For each instrument ``i`` with weight ``w_i`` and score ``s_i``, the other instruments held
    fixed, the total reaches the tier's minimum ``T`` when

    .. math:: s_i \\ge \\frac{T - (total - w_i s_i)}{w_i}

    This ``for_total`` is rounded *up* to the methodology's decimals (so that reaching the
    figure shown is enough; the half-up rounding of the total could let a hair less pass) and
    is at least 0.  The instrument must also reach the tier's floor for it, if any, so
    ``need = max(floor, for_total)``; it is ``met`` when the instrument's rounded score is at
    least ``need`` and ``reachable`` when ``need ≤ 100``.  An instrument of weight 0 cannot move
    the total (``for_total`` is ``None``).  Each instrument's need is its own: when two
    instruments miss their floors, both must rise.

    Examples
    --------
    The published case again: EIT must reach its floor, 85; the total already suffices.

    >>> from questionnaires import load_instrument_set
    >>> iset = load_instrument_set("ita-2568")
    >>> gap = next_tier_gap(iset, "pass", 94.64, {"IIT": 98.7, "EIT": 84.1, "OIT": 99.5})
    >>> gap.tier.code, gap.total_met
    ('good', True)
    >>> [(n.instrument, n.need, n.met) for n in gap.instruments]
    [('IIT', 85.0, True), ('EIT', 85.0, False), ('OIT', 85.0, True)]
    """
    above = _tier_above(iset, verdict)
    if above is None or total is None or any(instruments.get(i) is None
                                             for i in iset.instruments):
        return None
    m = iset.methodology
    scale = 10.0 ** m.decimals
    needs = []
    for inst in iset.instruments:
        score = float(instruments[inst])
        weight = m.weights.get(inst, 0.0)
        for_total = None
        if weight > 0:
            exact = (above.min_total - (total - weight * score)) / weight
            for_total = max(0.0, math.ceil(exact * scale - 1e-6) / scale)
        floor = above.floors.get(inst)
        need = max(floor or 0.0, for_total or 0.0)
        rounded = round_half_up(score, m.decimals)
        needs.append(InstrumentNeed(inst, score, floor, for_total, need,
                                    rounded >= need - 1e-9, need <= 100 + 1e-9))
    return TierGap(above, total, round_half_up(total, m.decimals) >= above.min_total,
                   tuple(needs), indicator_weights(iset, indicators))
