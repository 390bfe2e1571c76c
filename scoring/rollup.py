"""The ITA roll-up: item means → indicators → instruments → weighted parts → total → grade.

Every function here is vectorised over *units* (agencies, or bootstrap draws): a unit is a row.
A single agency's result is the one-row case, so the national benchmark, the supervisor view and
one agency's dashboard all go through the same code.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal

import numpy as np
import pandas as pd

from questionnaires import InstrumentSet

from .reasons import ReasonedError
from .responses import ScoredResponses


def round_half_up(x, decimals: int = 2):
    """Round half up (towards +∞) to ``decimals`` places, as the published figures are.

    A value is rounded once, on its decimal value: a float's decimal is the 15 significant
    digits a double holds faithfully (``DBL_DIG``), which is exactly the number a person typed
    (84.995 → 85.00, 84.9949999999999 → 84.99) and takes off the binary noise of arithmetic
    on such numbers (0.3 × 91.85 is stored as 27.554999999999996; its decimal 27.555 → 27.56).
    No tolerance decides a tie.  Values within 1e-6 of a tie go through :mod:`decimal`; the
    rest are unambiguous and rounded in float.  Works on scalars and arrays; NaN stays NaN.

    Examples
    --------
    >>> round_half_up(94.6708), round_half_up(29.35380), round_half_up(94.675)
    (94.67, 29.35, 94.68)
    >>> round_half_up(84.995), round_half_up(84.9949999999999), round_half_up(0.3 * 91.85)
    (85.0, 84.99, 27.56)
    """
    if type(x) in _SCALARS:  # one number (most calls): the same float steps, without numpy
        return _round_scalar(float(x), decimals)
    values = np.asarray(x, dtype=float)
    scale = 10.0 ** decimals
    scaled = values * scale
    with np.errstate(invalid="ignore"):
        out = np.floor(scaled + 0.5) / scale
        near_tie = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    if near_tie.any():
        out = np.array(out)  # writable, also for a scalar
        flat_in, flat_out = values.reshape(-1), out.reshape(-1)
        for k in np.flatnonzero(near_tie.reshape(-1)):
            flat_out[k] = _round_decimal(float(flat_in[k]), decimals)
    return float(out) if out.ndim == 0 else out


_SCALARS = frozenset({float, int, np.float64, np.float32, np.int64, np.int32})


def _round_scalar(value: float, decimals: int) -> float:
    """``round_half_up`` of one float, with the array path's float operations in the same
    order (so the same bits: tests/scoring/test_none_and_rounding.py compares them)."""
    scale = 10.0 ** decimals
    scaled = value * scale
    if not math.isfinite(scaled):
        return scaled / scale  # NaN stays NaN; ±inf (or past the float range once scaled) too
    if abs(scaled - math.floor(scaled) - 0.5) < 1e-6:
        return _round_decimal(value, decimals)
    return math.floor(scaled + 0.5) / scale


def _round_decimal(value: float, decimals: int) -> float:
    """Round a float's 15-significant-digit decimal half up (towards +∞), exactly."""
    unit = Decimal(1).scaleb(-decimals)
    digits = Decimal(format(value, ".15g")) / unit
    return float((digits + Decimal("0.5")).to_integral_value(ROUND_FLOOR) * unit)


def item_means(scored: ScoredResponses, groups=None) -> pd.DataFrame:
    """Return each item's mean score (rows: groups, or one row ``"all"``; columns: items).

    Respondents with no score for an item are left out of that item's mean; an item nobody in
    a group answered is NaN there.  ``groups`` labels each response (e.g. agency codes); the
    rows come out sorted by label.
    """
    if groups is None:
        inverse, labels = np.zeros(scored.n, dtype=np.intp), pd.Index(["all"])
    else:
        inverse, labels = pd.factorize(np.asarray(groups), sort=True)
        if (inverse < 0).any():
            raise ValueError("a response has no group label")
    n_groups = len(labels)
    means = np.empty((n_groups, len(scored.items)))
    for k in range(len(scored.items)):
        column = scored.item_scores[:, k]
        answered = ~np.isnan(column)
        if groups is None:  # one group: a plain mean of the answered
            count = int(answered.sum())
            means[0, k] = column[answered].mean() if count else np.nan
            continue
        total = np.bincount(inverse, weights=np.where(answered, column, 0.0), minlength=n_groups)
        count = np.bincount(inverse, weights=answered, minlength=n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            means[:, k] = total / count
    return pd.DataFrame(means, index=labels, columns=list(scored.items))


def indicators_from_items(means: pd.DataFrame, scored: ScoredResponses) -> pd.DataFrame:
    """Return indicator scores as the mean of their items' means (columns: indicator codes).

    Notes
    -----
    ``indicator = mean(item means)``; an item nobody in the unit answered is left out.
    """
    out = {}
    for code in dict.fromkeys(scored.item_indicator):
        cols = [i for i, ind in zip(scored.items, scored.item_indicator, strict=True) if ind == code]
        out[code] = means[cols].mean(axis=1, skipna=True)
    return pd.DataFrame(out, index=means.index)


def oit_sub_indicator_scores(iset: InstrumentSet, passed: Mapping[str, bool], *,
                             missing: str = "error") -> dict[str, float]:
    """Score each OIT sub-indicator as ``100 × passed / items`` from per-item results.

    Parameters
    ----------
    passed : item code → whether the item passed.
    missing : ``"error"`` rejects a sub-indicator judged only in part; ``"fail"`` counts an
        unjudged item as not passed (a checklist still being filled in); ``"skip"`` leaves out
        every sub-indicator with an unjudged item.  Except with ``"fail"``, a sub-indicator
        with no judged item is left out (unknown).
    """
    if missing not in ("error", "fail", "skip"):
        raise ValueError(f"missing must be error, fail or skip, not {missing!r}")
    known = {o.code for o in iset.oit_items}
    for code in passed:
        if code not in known:
            raise ReasonedError("oit_item_unknown_in_set", item=code, set=iset.id)
    out = {}
    for sub in iset.sub_indicators.values():
        items = iset.oit_items_for(sub.code)
        unjudged = [o.code for o in items if o.code not in passed]
        if len(unjudged) == len(items) and missing != "fail":
            continue  # nothing judged: the sub-indicator is simply unknown
        if unjudged and missing == "error":
            raise ReasonedError("oit_sub_indicator_unjudged", sub=sub.code,
                                items=", ".join(unjudged))
        if unjudged and missing == "skip":
            continue
        n_passed = sum(bool(passed.get(o.code, False)) for o in items)
        out[sub.code] = 100 * n_passed / len(items)
    return out


def oit_indicators(iset: InstrumentSet, sub_scores: Mapping[str, float]) -> dict[str, float]:
    """Return indicators 9 and 10 as the mean of their sub-indicators (when all are known).

    Notes
    -----
    Each sub-indicator weighs the same whatever its number of items: pooling the items of
    indicator 9 does *not* reproduce the published figures.
    """
    out = {}
    for ind in iset.indicators_for("OIT"):
        subs = iset.sub_indicators_for(ind.code)
        if subs and all(s.code in sub_scores for s in subs):
            out[ind.code] = float(np.mean([sub_scores[s.code] for s in subs]))
    return out


def oit_checklist_indicators(iset: InstrumentSet, passed: pd.DataFrame) -> pd.DataFrame:
    """:func:`oit_indicators` of :func:`oit_sub_indicator_scores` (``missing="fail"``) for many
    checklists at once: the same formulas, column by column.

    Parameters
    ----------
    passed : one row per unit, columns OIT item codes of ``iset`` (others are refused), values
        True / False (NaN or an absent column: not judged, counted as not passed).

    Returns
    -------
    DataFrame indexed as ``passed``, a column per OIT indicator whose sub-indicators all have
    items (as :func:`oit_indicators` leaves out the others).
    """
    known = [o.code for o in iset.oit_items]
    for code in passed.columns:
        if code not in known:
            raise ReasonedError("oit_item_unknown_in_set", item=code, set=iset.id)
    ticks = (passed.reindex(columns=known).to_numpy(dtype=object) == True)  # noqa: E712
    column = {code: k for k, code in enumerate(known)}
    subs = {}
    for sub in iset.sub_indicators.values():
        items = [column[o.code] for o in iset.oit_items_for(sub.code)]
        # 100 × passed / items: whole numbers, one division each, as the scalar form
        subs[sub.code] = 100 * ticks[:, items].sum(axis=1) / len(items)
    out = {}
    for ind in iset.indicators_for("OIT"):
        codes = [s.code for s in iset.sub_indicators_for(ind.code)]
        if codes:  # the mean of its sub-indicators, each row as np.mean of a list sums it
            out[ind.code] = np.mean(np.stack([subs[c] for c in codes], axis=1), axis=1)
    return pd.DataFrame(out, index=passed.index)


def roll_up(iset: InstrumentSet, indicators: pd.DataFrame) -> pd.DataFrame:
    """Compute instrument scores, weighted parts, totals, grades and verdicts for each row.

    Parameters
    ----------
    indicators : one row per unit, columns ``"1"`` … ``"10"`` (NaN where unknown).

    Returns
    -------
    DataFrame with columns ``IIT``, ``EIT``, ``OIT`` (means of their indicators, NaN unless
    every indicator is known), ``IIT_weighted`` … , ``total`` (NaN unless all instruments are
    known), ``total_rounded``, ``grade`` and ``verdict`` (codes; ``None`` without a total).

    Notes
    -----
    ``instrument = mean(its indicators)``; ``weighted = weight × instrument``;
    ``total = Σ weighted``.  Grades and verdicts use the total rounded half up to the
    methodology's decimals; nothing else is rounded.
    """
    m = iset.methodology
    out = pd.DataFrame(index=indicators.index)
    for inst in iset.instruments:
        cols = [i.code for i in iset.indicators_for(inst)]
        present = [c for c in cols if c in indicators.columns]
        if len(present) < len(cols):
            out[inst] = np.nan
        else:
            out[inst] = indicators[cols].mean(axis=1, skipna=False)
        out[f"{inst}_weighted"] = out[inst] * m.weights.get(inst, 0.0)
    weighted = out[[f"{i}_weighted" for i in iset.instruments]]
    out["total"] = weighted.sum(axis=1, skipna=False)
    out["total_rounded"] = round_half_up(out["total"].to_numpy(), m.decimals)
    out["grade"] = grade_of(iset, out["total"].to_numpy())
    rounded = {inst: round_half_up(out[inst].to_numpy(), m.decimals) for inst in iset.instruments}
    verdict = np.full(len(out), None, dtype=object)
    total_r = out["total_rounded"].to_numpy()
    undecided = ~np.isnan(total_r)
    for tier in m.verdicts:
        ok = undecided & (total_r >= tier.min_total)
        for inst, floor in tier.floors.items():
            ok &= rounded[inst] >= floor
        verdict[ok] = tier.code
        undecided &= ~ok
    out["verdict"] = verdict
    return out


def grade_of(iset: InstrumentSet, scores) -> np.ndarray:
    """Return the grade band (``"AA"`` …) of each score, banded on its rounded value."""
    m = iset.methodology
    rounded = np.atleast_1d(round_half_up(scores, m.decimals))
    out = np.full(rounded.shape, None, dtype=object)
    undecided = ~np.isnan(rounded)
    for band in m.grades:  # highest first
        hit = undecided & (rounded >= band.min_score)
        out[hit] = band.grade
        undecided &= ~hit
    return out
