"""Descriptive statistics used by the ITA results: summaries, intervals, reliability, precision.

All functions take plain arrays with NaN for "no answer" and never round.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Summary:
    """Descriptive statistics of a set of scores (0–100).

    ``ci_low``/``ci_high`` is the two-sided t-interval for the mean at ``CONFIDENCE``;
    statistics that need more answers than there are (SD with n < 2) are ``None``.
    """

    n: int
    no_answer: int
    mean: float | None
    sd: float | None
    median: float | None
    ci_low: float | None
    ci_high: float | None


def summarize(values: np.ndarray) -> Summary:
    """Summarise one column of scores, NaN meaning no answer.

    Notes
    -----
    ``sd`` uses ``ddof=1``.  The interval is ``mean ± t(0.975, n-1) · sd / √n``; it collapses
    to the mean when every answer is the same.

    Examples
    --------
    >>> s = summarize(np.array([100.0, 50.0, np.nan, 0.0]))
    >>> s.n, s.no_answer, s.mean, s.median
    (3, 1, 50.0, 50.0)
    """
    values = np.asarray(values, dtype=float)
    answered = values[~np.isnan(values)]
    n = int(answered.size)
    no_answer = int(values.size - n)
    if n == 0:
        return Summary(0, no_answer, None, None, None, None, None)
    mean = float(answered.mean())
    median = float(np.median(answered))
    if n < 2:
        return Summary(n, no_answer, mean, None, median, None, None)
    sd = float(answered.std(ddof=1))
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * sd / math.sqrt(n)
    return Summary(n, no_answer, mean, sd, median, mean - half, mean + half)


def cronbach_alpha(matrix: np.ndarray) -> float | None:
    """Return Cronbach's alpha of the columns (items) of ``matrix``, rows with a blank dropped.

    Notes
    -----
    .. math:: \\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\sum_i s_i^2}{s_T^2}\\right)

    with ``k`` items, item variances :math:`s_i^2` and the variance :math:`s_T^2` of the row
    totals (all ``ddof=1``).  ``None`` when it is undefined: fewer than two items or two
    complete rows, or no variance in the totals.
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[1] < 2:
        return None
    complete = matrix[~np.isnan(matrix).any(axis=1)]
    if complete.shape[0] < 2:
        return None
    k = complete.shape[1]
    total_var = complete.sum(axis=1).var(ddof=1)
    if total_var <= 0:
        return None
    item_var = complete.var(axis=0, ddof=1).sum()
    return float(k / (k - 1) * (1 - item_var / total_var))


def margin_of_error(n: int, population: int | None = None) -> float | None:
    """Return the achieved 95% margin of error, in percentage points, of a sample of ``n``.

    Notes
    -----
    The conservative margin for a proportion (p = 0.5), with the finite population
    correction when the eligible population ``N`` is known:

    .. math:: e = z_{0.975}\\sqrt{\\frac{0.25}{n}}\\,\\sqrt{\\frac{N-n}{N-1}} \\times 100

    It needs no sampling rule and says how far a share of answers could be from the whole
    population's.  ``None`` without responses; ``0`` when everyone answered.

    Examples
    --------
    >>> round(margin_of_error(100), 2)
    9.8
    >>> margin_of_error(50, population=50)
    0.0
    """
    if n <= 0:
        return None
    z = float(stats.norm.ppf(0.5 + CONFIDENCE / 2))
    e = z * math.sqrt(0.25 / n)
    if population is not None:
        if population <= 1 or n >= population:
            return 0.0
        e *= math.sqrt((population - n) / (population - 1))
    return 100 * e


def option_distribution(codes: np.ndarray, option_codes: list[int]) -> dict[int, tuple[int, float]]:
    """Count each option code; the share is of the answered (non-blank) responses, in %."""
    codes = np.asarray(codes, dtype=float)
    answered = codes[~np.isnan(codes)]
    total = answered.size
    out = {}
    for code in option_codes:
        count = int((answered == code).sum())
        out[code] = (count, 100 * count / total if total else 0.0)
    return out
