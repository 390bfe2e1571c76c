"""Descriptive statistics used by the ITA results: summaries, intervals, reliability, precision.

All functions take plain arrays with NaN for "no answer" and never round.  A statistic that is
undefined for the data is ``None``, never a number computed from float noise; the ``*_reason``
helpers and :attr:`Summary.note` say why, in words that go into the output.

scipy is imported only where a t quantile is needed (:func:`t_quantile`), so importing
``scoring`` stays cheap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist

import numpy as np

CONFIDENCE = 0.95

#: Reasons a statistic is none (``None`` in Python, ``null`` in JSON), as the output says them.
NO_ANSWERS = "no answers"
ONE_ANSWER = "fewer than 2 answers"
NO_TOTAL_VARIANCE = "every respondent's total over the items is the same (no variance in the totals)"
TOO_FEW_ITEMS = "fewer than 2 items"
TOO_FEW_COMPLETE = "fewer than 2 respondents answered every item"

#: Relative tolerance for "no variance": a spread below this share of the values' magnitude is
#: float noise (the values themselves carry about 1e-16 relative error).
ZERO_SPREAD = 1e-9


def normal_quantile(p: float) -> float:
    """Standard normal quantile (the standard library's; no scipy needed)."""
    return NormalDist().inv_cdf(p)


#: From this many degrees of freedom on, the t quantile comes from its expansion in 1/df.
T_EXPANSION_DF = 200


@cache
def t_quantile(p: float, df: float) -> float:
    """Student t quantile with ``df`` degrees of freedom.

    Below :data:`T_EXPANSION_DF` it is scipy's (``scipy.special.stdtrit``, imported on first
    use); from there on the Cornish–Fisher expansion in powers of 1/df (Abramowitz & Stegun
    26.7.5, terms to 1/df⁴), within a relative 2e-11 of scipy there, so a large file is scored
    without importing scipy at all.
    """
    if df >= T_EXPANSION_DF:
        z = normal_quantile(p)
        g1 = (z ** 3 + z) / 4
        g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96
        g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384
        g4 = (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / 92160
        return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4
    from scipy.special import stdtrit

    return float(stdtrit(df, p))


def no_spread(sd: float, magnitude: float) -> bool:
    """Whether a standard deviation is zero up to float noise, relative to the values' scale."""
    return not sd > ZERO_SPREAD * max(1.0, abs(magnitude))


@dataclass(frozen=True)
class Summary:
    """Descriptive statistics of a set of scores (0–100).

    ``ci_low``/``ci_high`` is the two-sided t-interval for the mean at ``CONFIDENCE``;
    statistics that need more answers than there are are ``None`` and ``note`` says why:
    everything with no answers, SD and interval with one answer.
    """

    n: int
    no_answer: int
    mean: float | None
    sd: float | None
    median: float | None
    ci_low: float | None
    ci_high: float | None
    note: str | None = None  # why the statistics that are None are


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
        return Summary(0, no_answer, None, None, None, None, None, NO_ANSWERS)
    mean = float(answered.mean())
    median = float(np.median(answered))
    if n < 2:
        return Summary(n, no_answer, mean, None, median, None, None, ONE_ANSWER)
    sd = float(answered.std(ddof=1))
    half = t_quantile(0.5 + CONFIDENCE / 2, n - 1) * sd / math.sqrt(n)
    return Summary(n, no_answer, mean, sd, median, mean - half, mean + half)


def summarize_counts(values: np.ndarray, counts: np.ndarray) -> Summary:
    """:func:`summarize` of data given as distinct values (NaN = no answer) and their counts.

    The same statistics in O(distinct values) once the counts are known; scores that come
    from a handful of option codes are summarised this way without touching every answer.

    Examples
    --------
    >>> s = summarize_counts(np.array([100.0, 50.0, np.nan, 0.0]), np.array([1, 1, 1, 1]))
    >>> s == summarize(np.array([100.0, 50.0, np.nan, 0.0]))
    True
    """
    values = np.asarray(values, dtype=float)
    counts = np.asarray(counts, dtype=np.int64)
    blank = np.isnan(values)
    no_answer = int(counts[blank].sum())
    keep = ~blank & (counts > 0)
    values, counts = values[keep], counts[keep]
    n = int(counts.sum())
    if n == 0:
        return Summary(0, no_answer, None, None, None, None, None, NO_ANSWERS)
    order = np.argsort(values, kind="stable")
    values, counts = values[order], counts[order]
    mean = float((values * counts).sum() / n)
    upto = np.cumsum(counts)
    middle = values[np.searchsorted(upto, [(n - 1) // 2, n // 2], side="right")]
    median = float(middle.mean())
    if n < 2:
        return Summary(n, no_answer, mean, None, median, None, None, ONE_ANSWER)
    sd = math.sqrt(float((counts * (values - mean) ** 2).sum()) / (n - 1))
    half = t_quantile(0.5 + CONFIDENCE / 2, n - 1) * sd / math.sqrt(n)
    return Summary(n, no_answer, mean, sd, median, mean - half, mean + half)


def cronbach_alpha(matrix: np.ndarray) -> float | None:
    """Return Cronbach's alpha of the columns (items) of ``matrix``, rows with a blank dropped.

    See :func:`cronbach_alpha_with_reason`, which also says why it is ``None``.
    """
    return cronbach_alpha_with_reason(matrix)[0]


def cronbach_alpha_with_reason(matrix: np.ndarray) -> tuple[float | None, str | None]:
    """Return Cronbach's alpha of the columns of ``matrix`` and, when it is ``None``, why.

    Notes
    -----
    .. math:: \\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\sum_i s_i^2}{s_T^2}\\right)

    with ``k`` items, item variances :math:`s_i^2` and the variance :math:`s_T^2` of the row
    totals (all ``ddof=1``).  ``None`` when it is undefined: fewer than two items or two
    complete rows, or no variance in the totals.  "No variance" is judged relative to the
    totals' scale (:func:`no_spread`): totals that are all the same in exact arithmetic differ
    by float noise (1e-14 on scores of 0–100), which would otherwise give alphas such as -1e29.

    Examples
    --------
    >>> cronbach_alpha_with_reason(np.array([[100 / 3, 200 / 3], [200 / 3, 100 / 3]]))[0] is None
    True
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[1] < 2:
        return None, TOO_FEW_ITEMS
    totals = matrix.sum(axis=1)  # NaN exactly for the rows with a blank
    complete = ~np.isnan(totals)
    if int(complete.sum()) < 2:
        return None, TOO_FEW_COMPLETE
    k = matrix.shape[1]
    if not complete.all():
        totals = totals[complete]
    total_var = totals.var(ddof=1)
    if no_spread(math.sqrt(max(total_var, 0.0)), float(np.abs(totals).max())):
        return None, NO_TOTAL_VARIANCE
    rows = matrix if complete.all() else matrix[complete]
    item_var = float(rows.var(axis=0, ddof=1).sum())
    return float(k / (k - 1) * (1 - item_var / total_var)), None


def margin_of_error(n: int, population: int | None = None) -> float | None:
    """Return the achieved 95% margin of error, in percentage points, of a sample of ``n``.

    Notes
    -----
    The conservative margin for a proportion (p = 0.5), with the finite population
    correction when the eligible population ``N`` is known:

    .. math:: e = z_{0.975}\\sqrt{\\frac{0.25}{n}}\\,\\sqrt{\\frac{N-n}{N-1}} \\times 100

    It needs no sampling rule and says how far a share of answers could be from the whole
    population's.  ``None`` without responses; ``0`` when everyone answered.  A population
    smaller than the sample is a contradiction and raises :class:`ValueError`.

    Examples
    --------
    >>> round(margin_of_error(100), 2)
    9.8
    >>> margin_of_error(50, population=50)
    0.0
    """
    if population is not None and population < n:
        raise ValueError(f"headcount {population} is below the number of responses ({n})")
    if n <= 0:
        return None
    z = normal_quantile(0.5 + CONFIDENCE / 2)
    e = z * math.sqrt(0.25 / n)
    if population is not None:
        if population <= 1 or n >= population:
            return 0.0
        e *= math.sqrt((population - n) / (population - 1))
    return 100 * e


def option_distribution(codes: np.ndarray, option_codes: list[int]
                        ) -> dict[int, tuple[int, float | None]]:
    """Count each option code; the share is of the answered (non-blank) responses, in %.

    With no answer at all the shares are ``None`` (a share of nothing), not 0 %.

    Examples
    --------
    >>> option_distribution(np.array([np.nan, np.nan]), [0, 1])
    {0: (0, None), 1: (0, None)}
    """
    codes = np.asarray(codes, dtype=float)
    answered = codes[~np.isnan(codes)]
    return distribution_from_counts({c: int((answered == c).sum()) for c in option_codes})


def distribution_from_counts(counts: dict[int, int]) -> dict[int, tuple[int, float | None]]:
    """Option code → (count, % of the answered); the % is ``None`` when nothing was answered."""
    total = sum(counts.values())
    return {code: (count, 100 * count / total if total else None)
            for code, count in counts.items()}
