"""Score many agencies at once: the national run, and a supervisor's comparison."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from questionnaires import InstrumentSet

from .assess import AssessmentResult
from .responses import score_responses
from .rollup import indicators_from_items, item_means, roll_up, round_half_up


def score_agencies(iset: InstrumentSet, *, iit: pd.DataFrame | None = None,
                   eit: pd.DataFrame | None = None, given: pd.DataFrame | None = None,
                   by: str = "agency", threads: int = 2) -> pd.DataFrame:
    """Return indicators, instrument scores, total, grade and verdict for every agency.

    Parameters
    ----------
    iit, eit : responses of many agencies, with a column ``by`` naming each row's agency.
    given : indicator scores known per agency (e.g. OIT ``"9"`` and ``"10"`` from the
        checklists, or published figures), indexed by agency, columns indicator codes.  A given
        score wins over one computed from responses.
    threads : the instruments are scored concurrently (numpy releases the GIL in its loops),
        so a two-core machine scores IIT and EIT side by side; 1 scores them one after another.

    Returns
    -------
    DataFrame indexed by agency (sorted): columns ``"1"`` … ``"10"``, ``n_IIT``, ``n_EIT`` and
    those of :func:`scoring.rollup.roll_up`.

    Notes
    -----
    The same formulas as :func:`scoring.assess` (both go through :mod:`scoring.rollup`); only
    the statistics are left out.
    """
    frames = [(inst, f) for inst, f in (("IIT", iit), ("EIT", eit)) if f is not None]

    def indicators(item: tuple[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.Series]:
        inst, frame = item
        if by not in frame.columns:
            raise ValueError(f"{inst} responses have no '{by}' column to group by")
        groups = frame[by].to_numpy()
        scored = score_responses(frame, iset, inst, extra_columns=(by,))
        inds = indicators_from_items(item_means(scored, groups=groups), scored)
        counts = pd.Series(groups).value_counts().rename(f"n_{inst}")
        return inds, counts

    if threads > 1 and len(frames) > 1:
        with ThreadPoolExecutor(max_workers=min(threads, len(frames))) as pool:
            parts = list(pool.map(indicators, frames))
    else:
        parts = [indicators(f) for f in frames]

    computed = pd.concat([p[0] for p in parts], axis=1) if parts else pd.DataFrame()
    combined = computed if given is None else given.rename(columns=str).combine_first(computed)
    counts = pd.concat([p[1] for p in parts], axis=1) if parts else None
    return agencies_table(iset, combined, counts)


def agencies_table(iset: InstrumentSet, indicators: pd.DataFrame,
                   counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Roll known indicator scores of many agencies up into :func:`score_agencies`'s table.

    Parameters
    ----------
    indicators : indicator scores, indexed by agency, columns indicator codes (a missing
        column or NaN is an unknown score).
    counts : responses per agency, columns ``n_IIT`` and ``n_EIT`` (missing: 0).
    """
    combined = indicators.rename(columns=str).sort_index()
    for code in iset.indicators:
        if code not in combined.columns:
            combined[code] = np.nan
    indicators_frame = combined[list(iset.indicators)].astype(float)
    out = indicators_frame.copy()
    for inst in ("IIT", "EIT"):
        col = f"n_{inst}"
        n = counts[col] if counts is not None and col in counts else None
        out[col] = (n.reindex(out.index).fillna(0).astype(int) if n is not None else 0)
    return pd.concat([out, roll_up(iset, indicators_frame)], axis=1)


def rank_totals(totals: pd.Series, *, decimals: int = 2) -> pd.Series:
    """Rank agencies by their total rounded half up, best first.

    Equal rounded totals share a rank and the next rank skips (1, 2, 2, 4); an agency without
    a total has no rank (NaN).

    Examples
    --------
    >>> rank_totals(pd.Series({"A": 91.004, "B": 95.0, "C": 90.996, "D": None})).to_dict()
    {'A': 2.0, 'B': 1.0, 'C': 2.0, 'D': nan}
    """
    rounded = pd.Series(round_half_up(totals.to_numpy(dtype=float), decimals), index=totals.index)
    return rounded.rank(method="min", ascending=False)


def group_average(totals: pd.Series) -> float | None:
    """Return the mean of the agencies' totals in full precision (None when none has one)."""
    known = totals.dropna().astype(float)
    return float(known.mean()) if len(known) else None


def pooled_item_means(results: Mapping[object, AssessmentResult]) -> pd.DataFrame:
    """Return each survey item's mean over every response of several agencies' results.

    Parameters
    ----------
    results : agency (or assessment) → its :func:`scoring.assess` result.

    Returns
    -------
    :func:`pool_item_means` of the items of every result.
    """
    rows = [(key, item.code, ind.code, ind.instrument, item.summary.n, item.summary.mean)
            for key, result in results.items() for ind in result.indicators.values()
            for item in ind.items if item.summary.n and item.summary.mean is not None]
    return pool_item_means(pd.DataFrame(rows, columns=["agency", "item", "indicator",
                                                      "instrument", "n", "mean"]))


def pool_item_means(items: pd.DataFrame) -> pd.DataFrame:
    """Pool agencies' item means into each item's mean over every answer.

    Parameters
    ----------
    items : one row per agency and item answered: ``item``, ``indicator``, ``instrument``,
        ``n`` (the agency's answers to the item, > 0) and ``mean`` (their mean).

    Returns
    -------
    DataFrame indexed by item code (in order of first appearance): ``indicator``,
    ``instrument``, ``n`` (answers over all agencies), ``agencies`` (how many answered it),
    ``mean`` (full precision) and ``lowest`` (the lowest agency's item mean).

    Notes
    -----
    An agency's item mean is over its ``n_k`` respondents who answered the item, so the mean
    over every answer of the area is the pooled mean

    .. math:: \\bar{x} = \\frac{\\sum_k n_k \\bar{x}_k}{\\sum_k n_k}

    — exactly the mean of all the answers, without reading them again.
    """
    columns = ["indicator", "instrument", "n", "agencies", "mean", "lowest"]
    if not len(items):
        return pd.DataFrame(columns=columns)
    frame = items.assign(weighted=items["n"] * items["mean"])
    grouped = frame.groupby("item", sort=False)
    out = pd.DataFrame({"indicator": grouped["indicator"].first(),
                        "instrument": grouped["instrument"].first(),
                        "n": grouped["n"].sum(), "agencies": grouped["n"].count(),
                        "sum": grouped["weighted"].sum(), "lowest": grouped["mean"].min()})
    out["mean"] = out["sum"] / out["n"]
    out.index.name = None
    return out[columns]
