"""95% intervals for the scores computed from responses: indicators, IIT/EIT and the total.

Every such score is linear in the indicator scores computed from responses (an instrument is
the mean of its indicators, the total a weighted sum of instruments, OIT and given scores held
fixed), and each indicator is a mean of item means.  So each score ``θ`` has

* a **plan**: ``θ = constant + Σ coefficient_j × indicator_j`` over the sampled indicators,
  which also gives the range ``θ`` can take (``[constant, constant + 100 Σ coefficients]``);
* an **influence value** per respondent (its linearisation): for item ``k`` answered by the
  share ``p_k`` with mean ``μ_k``, a respondent who answered it with score ``x`` contributes
  ``(x − μ_k) / p_k``; an indicator averages its items', a score sums ``coefficient_j ×``
  its indicators'.  Their sum of squares over ``n (n − 1)`` is the variance of ``θ`` (exactly
  ``s² / n`` for a plain mean; the delta method otherwise), IIT and EIT adding up as the
  independent samples they are.

Methods (see docs/scoring.md, "Intervals"):

``"logit"`` (default)
    Student-t interval on the logit scale of ``θ``'s range, back-transformed:
    ``logit(p) ± t(0.975, df) · se / (p (1 − p))`` with ``p = (θ − low) / (high − low)``.
    Scores near the ceiling have a long lower tail; on the logit scale the interval is
    symmetric and, back on the 0–100 scale, reaches further down than up and never past 100.
    ``df`` is ``n − 1`` (Welch–Satterthwaite for the total over IIT and EIT).  When every
    respondent is at the ceiling (or floor), ``se`` is 0 and the interval is the exact bound
    for a mean of scores in the range, ``[high − (high − low)(1 − (α/2)^(1/n)), high]``
    (Clopper–Pearson with all respondents at the top).  No resampling: O(responses × items).
``"bootstrap"``
    BCa bootstrap (bias-corrected and accelerated, Efron 1987): respondents resampled within
    each instrument, at most ``resamples`` times; acceleration from the influence values.
    Resampling stops early once every interval end's Monte Carlo standard error is at most
    :data:`MC_SE_BOUND` points (:func:`bootstrap_intervals`; Andrews & Buchinsky 2000).  A
    score whose items were each answered by :data:`CONTROLLED_FROM` respondents or more has
    its ends read with each draw's linear part as a control variate (:class:`Controlled`).
``"percentile"``
    The plain percentile bootstrap this package used before B.E. 2568 intervals were checked;
    kept for the coverage study (it covers only 0.85–0.90 near the ceiling).  The same
    stopping rule.

Whatever the method, a score gets no interval (``None`` with a reason) with fewer than 2
respondents, when every respondent has the same score away from the range's ends, or when the
score itself is unknown; with every respondent at an end it gets the exact bound above.
"""

from __future__ import annotations

import math
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist

import numpy as np

from questionnaires import InstrumentSet

from .responses import ScoredResponses
from .statistics import CONFIDENCE, ZERO_SPREAD, normal_quantile, t_quantile

METHODS = ("logit", "bootstrap", "percentile")
DEFAULT_METHOD = "logit"
DESCRIPTIONS = {
    "logit": "Student-t interval on the logit scale of the score's range, delta-method "
             "standard error (no resampling)",
    "bootstrap": "BCa bootstrap (bias-corrected and accelerated), respondents resampled within "
                 "each instrument",
    "percentile": "percentile bootstrap, respondents resampled within each instrument",
}

FEWER_THAN_TWO = "fewer than 2 respondents"
NO_SPREAD = "every respondent has the same score: no spread to estimate precision from"
UNKNOWN_SCORE = "the score is unknown"


@dataclass(frozen=True)
class Interval:
    """A 95% interval, or ``None`` bounds with the reason there is none."""

    low: float | None
    high: float | None
    note: str | None = None

    @property
    def pair(self) -> tuple[float, float] | None:
        return None if self.low is None else (self.low, self.high)


@dataclass(frozen=True)
class Plan:
    """``θ = constant + Σ coefficients[j] × indicator_j`` over the sampled indicators."""

    constant: float
    coefficients: dict[str, float]

    @property
    def low(self) -> float:
        return self.constant

    @property
    def high(self) -> float:
        return self.constant + 100.0 * sum(self.coefficients.values())


def plans(iset: InstrumentSet, scores: Mapping[str, float], sources: Mapping[str, str],
          sampled_instruments: set[str]) -> dict[str, Plan]:
    """Return the plan of every score that depends on responses (and is known).

    Keys: indicator codes, instrument codes and ``"total"``.
    """
    sampled = {c for c, s in sources.items()
               if s == "responses" and iset.instrument_of(c) in sampled_instruments}
    out: dict[str, Plan] = {c: Plan(0.0, {c: 1.0}) for c in sampled}
    total_constant, total_coefficients, total_known = 0.0, {}, True
    for inst in iset.instruments:
        codes = [i.code for i in iset.indicators_for(inst)]
        if not codes or any(c not in scores for c in codes):
            total_known = False
            continue
        constant = sum(scores[c] for c in codes if c not in sampled) / len(codes)
        coefficients = {c: 1.0 / len(codes) for c in codes if c in sampled}
        if coefficients:
            out[inst] = Plan(constant, coefficients)
        weight = iset.methodology.weights.get(inst, 0.0)
        total_constant += weight * constant
        for c, a in coefficients.items():
            total_coefficients[c] = weight * a
    if total_known and total_coefficients:
        out["total"] = Plan(total_constant, total_coefficients)
    return out


@dataclass(frozen=True)
class Influence:
    """One instrument's respondents: indicator scores and their influence values."""

    n: int
    indicators: tuple[str, ...]
    values: np.ndarray  # (n, len(indicators)) float64, column sums 0


def influence(sr: ScoredResponses) -> Influence:
    """Return each respondent's influence value on each indicator of ``sr``.

    Items nobody answered are left out, as they are of the indicator score.
    """
    n = sr.n
    codes = tuple(dict.fromkeys(sr.item_indicator))
    values = np.zeros((n, len(codes)), order="F")  # one contiguous column per indicator
    for j, code in enumerate(codes):
        used = 0
        for k, ind in enumerate(sr.item_indicator):
            if ind != code:
                continue
            column = sr.item_scores[:, k]
            answered = ~np.isnan(column)
            count = int(answered.sum())
            if count == 0:
                continue
            mean = column[answered].mean()
            contribution = np.where(answered, column - mean, 0.0)
            values[:, j] += contribution * (n / count)
            used += 1
        if used:
            values[:, j] /= used
    return Influence(n, codes, values)


def _special_case(theta: float, plan: Plan, parts: list[tuple[int, np.ndarray]],
                  confidence: float = CONFIDENCE) -> Interval | None:
    """The interval when the data leave no spread to work with, or why there is none.

    ``None`` when the score has a spread and the method's own interval applies.
    """
    if math.isnan(theta):
        return Interval(None, None, UNKNOWN_SCORE)
    if min(n for n, _ in parts) < 2:
        return Interval(None, None, FEWER_THAN_TWO)
    width = plan.high - plan.low
    se = math.sqrt(sum(_squares(u) / (n * (n - 1)) for n, u in parts)) / width
    if se > ZERO_SPREAD:
        return None
    # every respondent has the same score: at an end of the range, the exact bound for a mean
    # of scores within the range (all n at the top); elsewhere nothing can be said
    p = (theta - plan.low) / width
    n = min(n for n, _ in parts)
    reach = width * (1 - ((1 - confidence) / 2) ** (1 / n))
    if p >= 1 - ZERO_SPREAD:
        return Interval(plan.high - reach, plan.high)
    if p <= ZERO_SPREAD:
        return Interval(plan.low, plan.low + reach)
    return Interval(None, None, NO_SPREAD)


def logit_interval(theta: float, plan: Plan, parts: list[tuple[int, np.ndarray]],
                   confidence: float = CONFIDENCE) -> Interval:
    """The default interval of one score (see the module docstring)."""
    special = _special_case(theta, plan, parts, confidence)
    if special is not None:
        return special
    variances = [_squares(u) / (n * (n - 1)) for n, u in parts]
    var = sum(variances)
    low, high = plan.low, plan.high
    width = high - low
    p = (theta - low) / width
    se = math.sqrt(var) / width
    alpha = 1 - confidence
    df = var ** 2 / sum(v ** 2 / (n - 1) for v, (n, _) in zip(variances, parts, strict=True)) \
        if len(parts) > 1 else parts[0][0] - 1
    t = t_quantile(1 - alpha / 2, df)
    # p is strictly inside (0, 1) here: a score at an end of its range has no spread
    p = min(max(p, 1e-12), 1 - 1e-12)
    centre, half = math.log(p / (1 - p)), t * se / (p * (1 - p))

    def back(z: float) -> float:
        return low + width / (1 + math.exp(-z))

    return Interval(back(centre - half), back(centre + half))


def logit_intervals(values: Mapping[str, float], plan_of: Mapping[str, Plan],
                    infl: Mapping[str, Influence]) -> dict[str, Interval]:
    return {key: logit_interval(values[key], plan_of[key], parts)
            for key, parts in _all_parts(plan_of, infl).items()}


def _all_parts(plan_of: Mapping[str, Plan], infl: Mapping[str, Influence]
               ) -> dict[str, list[tuple[int, np.ndarray]]]:
    """Each score's influence values within each instrument sample: key → ``[(n, values)]``.

    A score's values are the weighted sum of a few contiguous indicator columns, summed
    element by element: a matrix product would call the threaded BLAS, whose threads cost
    more CPU than n × 5 numbers take (benchmarks/README.md, ``cli_bench.py``).
    """
    keys = list(plan_of)
    out: dict[str, list[tuple[int, np.ndarray]]] = {k: [] for k in keys}
    for part in infl.values():
        weights = np.array([[plan_of[k].coefficients.get(c, 0.0) for k in keys]
                            for c in part.indicators])
        for j, key in enumerate(keys):
            used = np.flatnonzero(weights[:, j])
            if not used.size:
                continue
            values = part.values[:, used[0]] * weights[used[0], j]
            for i in used[1:]:
                values += part.values[:, i] * weights[i, j]
            out[key].append((part.n, values))
    return out


def _squares(u: np.ndarray) -> float:
    """``u @ u`` without BLAS (see :func:`_all_parts`)."""
    return float(np.einsum("i,i->", u, u))


#: Resample counts of answer patterns when there are at most this share of patterns per
#: respondent (respondents are drawn and counted per pattern: the matrix products run over the
#: patterns); above it, counting per respondent is as fast.
PATTERN_SHARE = 1 / 2
#: Draw the pattern counts from one multinomial (no draw per respondent) when there are at most
#: this share of patterns per respondent (a multinomial draw per pattern costs about what eight
#: drawn respondents do).
MULTINOMIAL_SHARE = 1 / 16


@dataclass(frozen=True)
class Patterns:
    """The distinct rows of item scores (an *answer pattern*) and how many respondents gave each.

    ``values`` has 0 where ``answered`` is 0 (a blank item).  Respondents with one pattern are
    interchangeable in every statistic of the bootstrap, so resampling n respondents is the
    same, in distribution, as drawing the pattern counts from Multinomial(n, counts / n).
    """

    values: np.ndarray  # (P, items) float64
    answered: np.ndarray  # (P, items) float64, 1 or 0
    counts: np.ndarray  # (P,) int64, summing to n
    of_row: np.ndarray  # (n,) each respondent's pattern


def answer_patterns(item_scores: np.ndarray) -> Patterns:
    """Group the respondents' rows of ``item_scores`` (NaN = blank) by identical pattern.

    Rows are keyed by a 64-bit hash of their values, then every row is checked against its
    group's first row, so a hash collision can never merge two patterns (it only costs a
    slower exact grouping).
    """
    n, k = item_scores.shape
    blank = np.isnan(item_scores)
    # a blank is -1 (every item score is >= 0), so blank and 0 differ
    filled = np.where(blank, -1.0, item_scores)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Patterns(np.zeros((0, k)), np.zeros((0, k)), empty, empty)
    multipliers = np.random.default_rng(0x17A).integers(1, 2 ** 63, size=k, dtype=np.uint64) | 1
    keys = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        # item by item: the scores are held column by column, and a column's n keys stay in
        # the cache (no row-ordered copy of the whole matrix)
        for j in range(k):
            bits = np.ascontiguousarray(filled[:, j]).view(np.uint64)
            mixed = bits ^ (bits >> np.uint64(32))  # a float's low bits are mostly zeros
            mixed ^= mixed >> np.uint64(17)
            mixed *= multipliers[j]
            mixed ^= mixed >> np.uint64(31)
            keys += mixed
    _, first, inverse, counts = np.unique(keys, return_index=True, return_inverse=True,
                                          return_counts=True)
    inverse = inverse.reshape(-1)
    if not np.array_equal(filled[first][inverse], filled):  # a collision: group exactly
        _, first, inverse, counts = np.unique(filled, axis=0, return_index=True,
                                              return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
    rows = item_scores[first]
    return Patterns(np.nan_to_num(rows), (~np.isnan(rows)).astype(float), counts.astype(np.int64),
                    inverse)


#: Rows looked at to tell, before grouping every row, that patterns hardly repeat.
PATTERN_PROBE = 20_000


def _patterns_may_pay(item_scores: np.ndarray) -> bool:
    """False when even the first :data:`PATTERN_PROBE` rows are 60% distinct patterns: then
    grouping every row would only cost time (a large file of answers that rarely repeat).
    Only the speed depends on this, never the draws' distribution."""
    n = item_scores.shape[0]
    if n <= PATTERN_PROBE:
        return True
    probe = answer_patterns(item_scores[:PATTERN_PROBE])
    return len(probe.counts) <= 0.6 * PATTERN_PROBE


class RespondentCounts:
    """How often each of n respondents is drawn in a resample of n drawn with replacement:
    ``Multinomial(n, 1/n, ..., 1/n)``, drawn without counting n random picks one by one.

    Independent ``Poisson(λ)`` counts, given their sum s, are exactly ``Multinomial(s, 1/n,
    ...)`` whatever ``λ``; so each respondent gets a Poisson count, and then the ``n − s``
    picks still missing are drawn uniformly and added (or, when ``s > n``, ``s − n`` of the s
    picks, chosen uniformly without replacement, are taken away): n picks with replacement,
    exactly.  ``λ = 1 − 3/√n`` keeps ``s`` below ``n`` but for about one resample in 700.

    A Poisson count is the inverse of its distribution function at a uniform 64-bit word
    (exact to 2⁻⁶⁴ in each probability, the resolution of the word): the word's top 16 bits
    look the count up in a table of 65,536 entries, and only the few top-16-bit values a step
    of the distribution function falls within (8 of 65,536) draw the word's other 48 bits and
    compare it in full.  A count costs a quarter of a 64-bit random word and one byte lookup,
    with no per-pick count (``numpy.bincount``, which holds the GIL) at all; the picks added
    are about 3√n.  The random stream is not that of drawing n picks (docs/scoring.md,
    "Intervals").
    """

    #: Poisson counts are looked up by this many top bits of a 64-bit word (each word read as
    #: four 16-bit parts, one per respondent, in :meth:`draw`).
    TOP_BITS = 16
    _UNSURE = 255  # a table entry: the count needs the word's other bits
    #: Bytes of look-up indices held at once (resamples of a chunk looked up together).
    INDEX_BYTES = 2 ** 24

    def __init__(self, n: int, rate: float | None = None):
        self.n = n
        if rate is None:  # 0 up to 9 respondents: every pick is an added one
            rate = 1.0 - 3.0 / math.sqrt(n) if n > 9 else 0.0
        self.rate = rate
        self.thresholds = _poisson_thresholds(self.rate)
        low_bits = np.uint64(64 - self.TOP_BITS)
        first = np.arange(2 ** self.TOP_BITS, dtype=np.uint64) << low_bits
        last = first | np.uint64(2 ** int(low_bits) - 1)
        at_first = np.searchsorted(self.thresholds, first, side="right")
        sure = at_first == np.searchsorted(self.thresholds, last, side="right")
        self.table = np.where(sure, at_first, self._UNSURE).astype(np.uint8)
        self._buffers = threading.local()  # one index buffer per thread drawing
        # the counts' sum, at most 255 n: 32 bits (twice as fast to add up) while they hold it
        self._sum_type = np.uint32 if 255 * n < 2 ** 32 else np.uint64

    def draw(self, rng: np.random.Generator, counts: np.ndarray,
             wide: type = np.float32, stop: threading.Event | None = None) -> np.ndarray | None:
        """Fill ``counts`` (resamples × n, uint8) with a resample's counts per row; return it,
        or a copy widened to ``wide`` when a count outgrows a byte (``None`` when ``stop`` is
        set meanwhile: nobody wants them any more).

        Every step runs over the whole chunk of resamples at once: a few NumPy calls per
        chunk, not per resample, so two threads drawing chunks seldom wait for the GIL."""
        rows, n, bits = counts.shape[0], self.n, rng.bit_generator
        per_row = -(-n * self.TOP_BITS // 64)  # words per resample
        step = max(1, self.INDEX_BYTES // (n * np.dtype(np.intp).itemsize))
        index = getattr(self._buffers, "index", None)
        if index is None:  # take's own index array would be allocated every time
            index = self._buffers.index = np.empty((step, n), dtype=np.intp)
        for first in range(0, rows, step):  # the Poisson counts, a few resamples at a time
            if stop is not None and stop.is_set():
                return None
            part = counts[first:first + step]
            top = bits.random_raw(len(part) * per_row).astype("<u8", copy=False)
            top = top.view("<u2").reshape(len(part), -1)[:, :n]
            np.copyto(index[:len(part)], top)
            # every index is within the table: "clip" only spares take its bounds check
            np.take(self.table, index[:len(part)], out=part, mode="clip")
            flat = part.reshape(-1)
            unsure = np.flatnonzero(flat == self._UNSURE)
            if unsure.size:
                low = bits.random_raw(unsure.size) >> np.uint64(self.TOP_BITS)
                high = top[unsure // n, unsure % n].astype(np.uint64)
                words = (high << np.uint64(64 - self.TOP_BITS)) | low
                flat[unsure] = np.searchsorted(self.thresholds, words, side="right")
        flat = counts.reshape(-1)
        missing = n - counts.sum(axis=1, dtype=self._sum_type).astype(np.int64)
        short = np.flatnonzero(missing > 0)
        if short.size:  # the missing picks, drawn uniformly and counted (as flat positions)
            picks = rng.integers(0, n, size=int(missing[short].sum()))
            picks += np.repeat(short * n, missing[short])
            picks.sort()
            starts = np.flatnonzero(np.diff(picks, prepend=-1))
            who = picks[starts]
            total = flat[who] + np.diff(starts, append=picks.size)
            if total.max() > np.iinfo(counts.dtype).max:
                counts = counts.astype(wide)
                flat = counts.reshape(-1)
            flat[who] = total
        for row in np.flatnonzero(missing < 0):  # take away picks, chosen without replacement
            drawn = n - int(missing[row])
            gone = rng.choice(drawn, size=drawn - n, replace=False, shuffle=False)
            who = np.searchsorted(np.cumsum(counts[row], dtype=np.int64), gone, side="right")
            np.subtract.at(counts[row], who, 1)
        return counts


@cache
def _poisson_thresholds(rate: float) -> np.ndarray:
    """⌊2⁶⁴ · P(X ≤ k)⌋ for ``X ~ Poisson(rate)``, k = 0, 1, ... while below 2⁶⁴ − 1: a
    uniform 64-bit word ``u`` gives the count ``#{k: threshold_k ≤ u}`` (computed in
    60-digit decimals)."""
    from decimal import Decimal, localcontext

    with localcontext() as context:
        context.prec = 60
        lam = Decimal(rate)
        term, cdf, out = (-lam).exp(), Decimal(0), []
        for k in range(1, 1000):
            cdf += term
            threshold = int(cdf * 2 ** 64)
            if threshold >= 2 ** 64 - 1:
                break
            out.append(threshold)
            term = term * lam / k
    return np.array(out, dtype=np.uint64)


#: Below this many respondents the resampled sums are taken in float32 (see :class:`_Sampler`):
#: every answered count, a sum of at most n whole numbers, is then exact in float32 (2**24).
FLOAT32_BELOW = 2 ** 24


class _Sampler:
    """Draws the item means of bootstrap resamples of one instrument's respondents.

    Built once per instrument: the matrix ``[values − centre | answered]`` of the respondents
    (or of their answer patterns), so each chunk of resamples is one matrix product of the
    resample weights with it, the item sums and the answered counts side by side; an item's
    mean is ``centre + Σ w (x − centre) / Σ w``.  The product is in float32 (half the memory
    traffic of float64, and twice the speed) when n is below :data:`FLOAT32_BELOW`: the
    weights and answered counts are whole numbers below 2**24, so exact; the centred sums are
    small, and an item mean moves by a few millionths of a point (at most 3e-6 on
    ``cli_bench.py``'s 300,000 respondents, against a stopping bound of 0.002 and draws spread
    0.007-0.02; tests/scoring/test_bootstrap_stopping.py).
    """

    #: Resample counts held at once, in bytes: the resamples of a chunk share one product.
    CHUNK = 2 ** 25
    #: Rows of the matrix (respondents or patterns) per partial product: that many columns of
    #: a chunk's counts are widened to float32 at a time, and stay in the cache for the product.
    ROWS = 2 ** 14

    def __init__(self, sr: ScoredResponses):
        self.n, self.items = sr.n, sr.item_scores.shape[1]
        patterns = answer_patterns(sr.item_scores) if _patterns_may_pay(sr.item_scores) else None
        if patterns is not None and len(patterns.counts) <= PATTERN_SHARE * self.n:
            rows = np.where(patterns.answered == 1, patterns.values, np.nan)
            self.of_row: np.ndarray | None = patterns.of_row
            self.shares = patterns.counts / self.n
            # one multinomial draw of n over the P patterns, or n respondents counted by pattern
            self.multinomial = len(patterns.counts) <= MULTINOMIAL_SHARE * self.n
        else:  # nearly every respondent's pattern is their own: draw respondents
            rows = sr.item_scores
            self.of_row, self.multinomial = None, False
            self.respondents = RespondentCounts(self.n)
        # written straight into the matrix, with no float64 copy of the rows: the respondents'
        # item scores are held column by column, and each copy into rows costs a transpose
        k = self.items
        blank = np.isnan(rows)
        count = len(rows) - blank.sum(axis=0)
        # any shift works; the rows' mean of each item (0 when nobody answered it) keeps the
        # centred sums small
        self.centre = np.divide(np.sum(rows, axis=0, where=~blank), count, out=np.zeros(k),
                                where=count > 0)
        # each item's answered count and mean over every respondent, for the resamples'
        # linear parts (:meth:`draw`): the rows' own when they are the respondents (the
        # centre is then the mean), else each pattern counted as often as it was answered
        if self.of_row is None:
            self.answered, self.offset = count.astype(float), np.zeros(k)
        else:
            weight = self.shares * self.n
            self.answered = weight @ ~blank
            self.offset = np.divide(weight @ np.where(blank, 0.0, rows), self.answered,
                                    out=np.zeros(k), where=self.answered > 0) - self.centre
        self.dtype = np.float32 if self.n < FLOAT32_BELOW else np.float64
        self.matrix = np.empty((len(rows), 2 * k), dtype=self.dtype)
        np.subtract(rows, self.centre, out=self.matrix[:, :k], casting="same_kind")
        self.matrix[:, :k][blank] = 0  # a blank adds nothing to its item's sum
        np.logical_not(blank, out=self.matrix[:, k:], casting="unsafe")  # nor to its count
        self.size = self.matrix.shape[0]

    def draw(self, rng: np.random.Generator, resamples: int,
             stop: threading.Event | None = None) -> tuple[np.ndarray, np.ndarray] | None:
        """(resamples, items) item means over ``resamples`` bootstrap resamples, and each
        item mean's linear part (``None`` when ``stop`` is set while they are drawn: nobody
        wants them any more).

        An item mean's linear part is its first-order (delta-method) change from the
        sample's mean ``μ``: ``Σ w a (x − μ) / m`` over the resample's weights ``w``, with
        ``m`` the respondents who answered the item in the sample; summed over items like the
        scores are, it is ``Σ w u / n`` over the respondents' influence values ``u``
        (:func:`influence`).  It comes from the same product as the means.

        A chunk's counts are drawn first, one resample after the other from ``rng`` (the
        same stream as one product per resample), then multiplied with the matrix in one
        product, so the matrix is read from memory once per chunk, not once per resample.
        """
        k = self.items
        means = np.empty((resamples, k))
        linear = np.empty((resamples, k))
        # respondents' counts take one byte each (see _counts); pattern counts mostly more
        width = 1 if self.of_row is None else np.dtype(self.dtype).itemsize
        chunk = max(1, self.CHUNK // max(self.size * width, 1))
        for start in range(0, resamples, chunk):
            rows = min(resamples, start + chunk) - start
            counts = self._counts(rng, rows, stop)
            if counts is None:
                return None
            sums = self._product(counts, stop)
            if sums is None:
                return None
            sums = sums.astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                means[start:start + rows] = self.centre + sums[:, :k] / sums[:, k:]
            np.divide(sums[:, :k] - self.offset * sums[:, k:], self.answered,
                      out=linear[start:start + rows], where=self.answered > 0)
            linear[start:start + rows, self.answered == 0] = 0.0
        return means, linear

    def _counts(self, rng: np.random.Generator, rows: int,
                stop: threading.Event | None) -> np.ndarray | None:
        """(rows, size) how often each row of the matrix is drawn in each of ``rows``
        resamples (``None`` when ``stop`` is set meanwhile).

        Held in one byte per count while every count fits (a respondent drawn more than 255
        times in a resample takes n in the hundreds of thousands and luck beyond any run),
        else in the product's float type (exact: whole numbers below 2**24)."""
        n = self.n
        if self.multinomial:
            return rng.multinomial(n, self.shares, size=rows)
        counts = np.empty((rows, self.size), dtype=np.uint8)
        if self.of_row is None:
            return self.respondents.draw(rng, counts, self.dtype, stop)
        for row in range(rows):  # a resample at a time: its picks and counts stay in the cache
            if stop is not None and stop.is_set():
                return None
            drawn = np.bincount(self.of_row[rng.integers(0, n, size=n)], minlength=self.size)
            if counts.dtype == np.uint8 and drawn.max() > np.iinfo(np.uint8).max:
                counts = counts.astype(self.dtype)
            counts[row] = drawn
        return counts

    def _product(self, counts: np.ndarray, stop: threading.Event | None = None
                 ) -> np.ndarray | None:
        """``counts @ matrix`` over :data:`ROWS` rows of the matrix at a time, each slice of
        the counts widened to the matrix's float type in a buffer used again and again
        (``None`` when ``stop`` is set meanwhile)."""
        resamples = counts.shape[0]
        sums = np.zeros((resamples, self.matrix.shape[1]), dtype=self.dtype)
        buffer = np.empty((resamples, min(self.ROWS, self.size)), dtype=self.dtype)
        for first in range(0, self.size, self.ROWS):
            if stop is not None and stop.is_set():
                return None
            last = min(self.size, first + self.ROWS)
            weights = buffer[:, :last - first]
            np.copyto(weights, counts[:, first:last], casting="unsafe")
            sums += weights @ self.matrix[first:last]
        return sums


#: Resamples drawn between two looks at the stopping rule.
BATCH = 100
#: Batches drawn before the first look (the rule then judges 2.5% quantiles from >= 300 draws).
MIN_BATCHES = 3
#: The stopping rule's bound on each interval end's Monte Carlo standard error, in points of
#: the score: a fifth of the printed hundredth, so the end printed is the one infinitely many
#: resamples would give, to within half a hundredth, 19 times in 20 (1.96 × 0.002 < 0.005).
MC_SE_BOUND = 0.002


@dataclass(frozen=True)
class Resampling:
    """How many bootstrap resamples were drawn, and of at most how many."""

    drawn: int
    maximum: int


#: OpenBLAS's own names for its thread-count setter and getter, in the builds NumPy ships with.
_BLAS_THREADS = (("openblas_set_num_threads", "openblas_get_num_threads"),
                 ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
                 ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
                 ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"))


@cache
def _openblas() -> tuple[tuple[Callable[[int], None], Callable[[], int]], ...]:
    """(set, get) thread count of every OpenBLAS loaded (NumPy's, and SciPy's own when it is
    loaded too); none when the platform has no ``/proc/self/maps`` to find them in, or the
    BLAS is another (then nothing is changed)."""
    import ctypes

    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return ()
    found = []
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)  # the library already loaded: no second copy
        except OSError:
            continue
        for set_name, get_name in _BLAS_THREADS:
            if hasattr(lib, set_name) and hasattr(lib, get_name):
                setter, getter = getattr(lib, set_name), getattr(lib, get_name)
                setter.argtypes, setter.restype = [ctypes.c_int], None
                getter.argtypes, getter.restype = [], ctypes.c_int
                found.append((setter, getter))
                break
    return tuple(found)


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """OpenBLAS held to one thread while the bootstrap's matrix products run, then restored.

    Its threads spin while they wait for work: on a busy 2-core machine a product on two of
    them took 5-15x the CPU, and up to 12x the wall clock, of the same product on one
    (benchmarks/README.md).  The bootstrap runs its batches in threads of its own instead
    (:data:`WORKERS`).
    """
    blas = _openblas()
    before = [getter() for _, getter in blas]
    for setter, _ in blas:
        setter(1)
    try:
        yield
    finally:
        for (setter, _), threads in zip(blas, before, strict=True):
            setter(threads)


#: Batches drawn at once, each in its own thread (NumPy's random draws and matrix products
#: run without the GIL, as do the look-ups of respondents' counts; ``numpy.bincount`` of the picks
#: of answer patterns holds it), when the machine has the cores.
WORKERS = 2
#: Below this many respondents x resamples per batch, a batch is drawn in the calling thread.
THREADED_WORK = 2_000_000


@dataclass(frozen=True)
class Batch:
    """A batch of resamples: each planned score's draws, and their linear parts (the draws'
    first-order change from the score, ``Σ w u / n`` over each sample's resample weights
    ``w`` and influence values ``u``; :meth:`_Sampler.draw`)."""

    draws: dict[str, np.ndarray]
    linear: dict[str, np.ndarray]


def _batches(scored: Mapping[str, ScoredResponses], plan_of: Mapping[str, Plan], resamples: int,
             seed: int, progress: Callable[[int, int], None] | None = None
             ) -> Iterator[Batch]:
    """Each planned score's draws and their linear parts, :data:`BATCH` resamples at a time,
    up to ``resamples``.

    Batch ``b`` draws from its own stream, ``SeedSequence(seed).spawn``'s child ``b``, so one
    seed gives the same batches in the same order whichever thread draws them.  Large
    batches are drawn :data:`WORKERS` at a time; a consumer that stops early (the stopping
    rule) leaves the batches still being drawn unfinished after their current chunk.
    """
    samplers = {inst: _Sampler(sr) for inst, sr in scored.items()}
    starts = range(0, resamples, BATCH)
    total = resamples * len(scored)
    stop = threading.Event()

    def batch(b: int) -> Batch | None:
        rows = min(resamples, starts[b] + BATCH) - starts[b]
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(b,)))
        indicator_draws: dict[str, np.ndarray] = {}
        indicator_linear: dict[str, np.ndarray] = {}
        for inst, sr in scored.items():
            drawn = samplers[inst].draw(rng, rows, stop)
            if drawn is None:
                return None
            means, linear = drawn
            answered = samplers[inst].answered > 0
            for code in dict.fromkeys(sr.item_indicator):
                cols = [k for k, ind in enumerate(sr.item_indicator) if ind == code]
                with np.errstate(invalid="ignore"):
                    block = means[:, cols]
                    known = ~np.isnan(block)
                    indicator_draws[code] = np.where(known, block, 0).sum(axis=1) \
                        / known.sum(axis=1)
                # the linear part averages the items anybody answered, as influence() does
                used = [k for k in cols if answered[k]]
                indicator_linear[code] = linear[:, used].mean(axis=1) if used \
                    else np.zeros(rows)
        out = Batch({}, {})
        for key, plan in plan_of.items():
            draws, lin = np.full(rows, plan.constant), np.zeros(rows)
            for code, a in plan.coefficients.items():
                draws = draws + a * indicator_draws[code]
                lin = lin + a * indicator_linear[code]
            out.draws[key], out.linear[key] = draws, lin
        return out

    work = BATCH * sum(sampler.size for sampler in samplers.values())
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = max(1, min(WORKERS, cpus or 1, len(starts))) if work >= THREADED_WORK else 1
    done = 0
    with _one_blas_thread(), ThreadPoolExecutor(workers, thread_name_prefix="bootstrap") as pool:
        ahead = deque(pool.submit(batch, b) for b in range(min(workers, len(starts))))
        try:
            for b in range(len(starts)):
                draws = ahead.popleft().result()
                done += len(next(iter(draws.draws.values()))) * len(scored)
                if progress is not None:
                    progress(done, total)
                yield draws
                # the consumer wants more: only now is the next batch started, so a stop
                # leaves one batch drawn for nothing, not two
                if b + workers < len(starts):
                    ahead.append(pool.submit(batch, b + workers))
        finally:  # the consumer has what it wants: the batches still drawn stop at a chunk
            stop.set()


def bootstrap_draws(scored: Mapping[str, ScoredResponses], plan_of: Mapping[str, Plan],
                    resamples: int, seed: int,
                    progress: Callable[[int, int], None] | None = None) -> dict[str, np.ndarray]:
    """Resample respondents within each instrument; return each planned score's draws.

    Each resample draws n respondents with replacement; how often each was drawn is its
    weight, and the item means are weighted means (one matrix product per chunk).  The
    weights are drawn per answer pattern (:func:`answer_patterns`) when patterns repeat
    enough to make that cheaper: the same bootstrap distribution, another random stream (so
    the draws of one seed differ from the per-respondent draws within Monte Carlo error;
    docs/scoring.md's "Intervals" gives the tolerance).  These are the batches the stopping
    rule of :func:`bootstrap_intervals` looks at, all ``resamples`` of them.
    """
    return bootstrap_batch(scored, plan_of, resamples, seed, progress).draws


def bootstrap_batch(scored: Mapping[str, ScoredResponses], plan_of: Mapping[str, Plan],
                    resamples: int, seed: int,
                    progress: Callable[[int, int], None] | None = None) -> Batch:
    """:func:`bootstrap_draws` with each draw's linear part beside it (:class:`Batch`): all
    the batches the stopping rule looks at, as one."""
    batches = list(_batches(scored, plan_of, resamples, seed, progress))
    return Batch(*({key: np.concatenate([getattr(b, field)[key] for b in batches])
                    if batches else np.zeros(0) for key in plan_of}
                   for field in ("draws", "linear")))


def _end_levels(theta: float, draws: np.ndarray, parts: Spread, method: str,
                confidence: float = CONFIDENCE) -> list[tuple[float, float]]:
    """Each interval end's quantile level of the draws, and its Monte Carlo variance factor.

    The end is the draws' quantile at level ``q``; its Monte Carlo error is about
    ``sqrt(v / B) / f`` with ``f`` the draws' density there.  For the percentile interval
    ``v = q (1 − q)`` (the binomial variance of the share of draws below the end).  For BCa
    the level itself is estimated from the same draws, ``q = g(p)`` with ``p`` the share of
    draws below ``θ`` (the bias correction ``z0 = Φ⁻¹(p)``), so
    ``v = q (1 − q) + g'(p)² p (1 − p) − 2 g'(p) min(p, q) (1 − max(p, q))`` (the delta
    method over the two shares, which covary as the empirical distribution function does).
    """
    alpha = 1 - confidence
    if method == "percentile":
        return [(q, q * (1 - q)) for q in (alpha / 2, 1 - alpha / 2)]
    b = len(draws)
    below = float(np.mean(draws < theta)) + 0.5 * float(np.mean(draws == theta))
    p = min(max(below, 0.5 / b), 1 - 0.5 / b)
    out = []
    for q, slope in _bca_levels(p, _law(parts).acceleration, confidence):
        v = q * (1 - q) + slope ** 2 * p * (1 - p) - 2 * slope * min(p, q) * (1 - max(p, q))
        out.append((q, max(v, 0.0)))
    return out


def _cumulants(parts: list[tuple[int, np.ndarray]]) -> tuple[float, float]:
    """The variance and third cumulant of a score's linear part ``Σ w u / n`` over the
    resamples (each sample's n respondents drawn with replacement: a mean of n draws of its
    influence values ``u``, whose mean is 0), IIT and EIT adding up."""
    squares = sum(_squares(u) / n ** 2 for n, u in parts)
    cubes = sum(float((u ** 3).sum()) / n ** 3 for n, u in parts)
    return squares, cubes


def _bca_levels(p: float, a: float, confidence: float = CONFIDENCE
                ) -> list[tuple[float, float]]:
    """BCa's quantile levels of the draws for each end, from the share ``p`` of draws below
    the score (the bias correction ``z0 = Φ⁻¹(p)``) and the acceleration ``a``; each with its
    slope ``dq/dp``."""
    alpha = 1 - confidence
    z0 = normal_quantile(p)
    normal = NormalDist()
    out = []
    for level in (alpha / 2, 1 - alpha / 2):
        z = normal_quantile(level)
        d = 1 - a * (z0 + z)
        w = z0 + (z0 + z) / d
        out.append((normal.cdf(w), normal.pdf(w) * (1 + 1 / d ** 2) / normal.pdf(z0)))
    return out


def monte_carlo_errors(theta: float, draws: np.ndarray, parts: Spread,
                       method: str = "bootstrap") -> tuple[float, float]:
    """The Monte Carlo standard error of each end of the interval the draws give.

    ``sqrt(v / B)`` (:func:`_end_levels`) times the draws' sparsity ``1 / f`` at the end,
    from the binomial order-statistic bracket: the draws' quantiles at ``q ± 2 sqrt(q (1 − q)
    / B)``, two binomial standard errors of the level either side, over that distance.  Where
    the bracket does not fit within the draws the error is infinite (too few draws to judge).
    """
    b = len(draws)
    errors = []
    for q, v in _end_levels(theta, draws, parts, method):
        h = 2 * math.sqrt(q * (1 - q) / b)
        if q - h < 0.5 / b or q + h > 1 - 0.5 / b:
            errors.append(math.inf)
            continue
        low, high = np.percentile(draws, [100 * (q - h), 100 * (q + h)])
        errors.append(float(high - low) / (2 * h) * math.sqrt(v / b))
    return errors[0], errors[1]


def _law(parts: Spread) -> LinearPart:
    return parts if isinstance(parts, LinearPart) else LinearPart(parts)


#: A score each of whose items was answered by at least this many respondents has its
#: bootstrap ends read from the draws with their linear parts as a control variate
#: (:class:`Controlled`).
CONTROLLED_FROM = 5_000
_NORMAL = NormalDist()


class LinearPart:
    """The distribution of a score's linear part over the resamples (``Σ w u / n``, each
    sample's n respondents drawn with replacement: a mean of n draws of its influence values),
    from its first three cumulants: the one-term Edgeworth expansion
    ``Φ(z) − γ/6 (z² − 1) φ(z)``, ``z = y / sd``, ``γ`` the skewness.  Its error is of order
    1/n in probability (far below the Monte Carlo error of any number of resamples drawn
    here at :data:`CONTROLLED_FROM` respondents and more)."""

    def __init__(self, parts: list[tuple[int, np.ndarray]]):
        variance, third = _cumulants(parts)
        self.sd = math.sqrt(variance)
        self.skew = third / variance ** 1.5
        #: BCa's acceleration from the same cumulants (each sample's influence values over
        #: its n, so that IIT and EIT combine as variances do)
        self.acceleration = third / (6 * variance ** 1.5)

    def cdf(self, y: float) -> float:
        z = y / self.sd
        return _NORMAL.cdf(z) - self.skew / 6 * (z * z - 1) * _NORMAL.pdf(z)

    def pdf(self, y: float) -> float:
        z = y / self.sd
        return _NORMAL.pdf(z) / self.sd * (1 + self.skew / 6 * (z ** 3 - 3 * z))


#: A score's spread over the resamples: its influence values in each instrument sample,
#: ``[(n, values)]``, or the :class:`LinearPart` worked out from them once.
Spread = list[tuple[int, np.ndarray]] | LinearPart


class Controlled:
    """A score's bootstrap distribution read with the draws' linear parts as a control variate
    (Davison & Hinkley 1997, *Bootstrap Methods and their Application*, §9.3).

    Each draw ``T`` of the score comes with its linear part ``L`` (:class:`Batch`), whose
    distribution is known without resampling (:class:`LinearPart`).  The share of the
    bootstrap distribution below ``t`` is estimated as ``F_L(t) + (#{T ≤ t} − #{L ≤ t}) / B``:
    unbiased but for ``F_L``'s own error, and its Monte Carlo variance is that of
    ``1{T ≤ t} − 1{L ≤ t}``, which is not 0 only for the draws whose nonlinear remainder
    ``T − L`` carries them across ``t``.  With many respondents the remainder is a tiny
    fraction of the spread, so a few hundred resamples pin the ends down as tightly as many
    thousands of plain draws would.
    """

    def __init__(self, theta: float, draws: np.ndarray, linear: np.ndarray, law: LinearPart):
        self.b = len(draws)
        self.dev = draws - theta  # T − θ and L − θ, paired by resample
        self.lin = linear
        self.sorted_dev, self.sorted_lin = np.sort(self.dev), np.sort(self.lin)
        self.law = law
        self.remainder = float(np.mean(np.abs(self.dev - self.lin)))

    def share_below(self, t: float) -> float:
        """The estimated share of the bootstrap distribution at or below ``θ + t``."""
        above = np.searchsorted(self.sorted_dev, t, side="right") \
            - np.searchsorted(self.sorted_lin, t, side="right")
        return self.law.cdf(t) + float(above) / self.b

    def _difference(self, t: float, ties: bool = False) -> np.ndarray:
        """``1{T ≤ t} − 1{L ≤ t}`` per draw (ties counted half when ``ties``)."""
        if ties:
            return ((self.dev < t) + 0.5 * (self.dev == t)) \
                - ((self.lin < t) + 0.5 * (self.lin == t))
        return (self.dev <= t).astype(float) - (self.lin <= t)

    def quantile(self, q: float) -> float:
        """``θ + t`` where the estimated share below crosses ``q`` (bisection)."""
        spread = 12 * self.law.sd
        low = min(self.sorted_dev[0], self.sorted_lin[0]) - spread
        high = max(self.sorted_dev[-1], self.sorted_lin[-1]) + spread
        for _ in range(200):
            middle = 0.5 * (low + high)
            if middle in (low, high):
                break
            if self.share_below(middle) < q:
                low = middle
            else:
                high = middle
        return high

    def _variance(self, t: float, ties: bool = False) -> float:
        """The Monte Carlo variance of one draw's term of the share below ``t``: the draws'
        own, but never below ``1 / B`` (a remainder that carried one draw across) nor below
        ``f(t) E|T − L|`` (the chance that a remainder of the mean size does), so a run of
        draws that happen not to cross cannot claim a precision they did not show."""
        d = self._difference(t, ties)
        return max(float(d.var()), 1 / self.b, self.law.pdf(t) * self.remainder)

    def ends(self, method: str, confidence: float = CONFIDENCE) -> list[tuple[float, float]]:
        """Each end of the interval (as ``t``, from ``θ``) with its Monte Carlo standard
        error: ``sqrt(v / B) / f(t)``, ``f`` the linear part's density and ``v`` the variance
        above; for BCa, whose levels come from the share ``p`` below ``θ``, ``v`` adds that
        share's variance through ``dq/dp`` (bounded as if the two were fully correlated)."""
        alpha = 1 - confidence
        if method == "percentile":
            levels, p_part = [(alpha / 2, 0.0), (1 - alpha / 2, 0.0)], 0.0
        else:
            below = self.law.cdf(0.0) + float(self._difference(0.0, ties=True).mean())
            p = min(max(below, 0.5 / self.b), 1 - 0.5 / self.b)
            levels = _bca_levels(p, self.law.acceleration, confidence)
            p_part = math.sqrt(self._variance(0.0, ties=True))
        out = []
        for q, slope in levels:
            t = self.quantile(q)
            spread = math.sqrt(self._variance(t)) + abs(slope) * p_part
            density = self.law.pdf(t)
            out.append((t, spread / math.sqrt(self.b) / density if density > 0 else math.inf))
        return out


def _fewest_answers(scored: Mapping[str, ScoredResponses], answered_of: Mapping[str, np.ndarray],
                    plan: Plan) -> int:
    """The fewest respondents who answered any item a score averages (items nobody answered
    are left out of it, as of the score); ``answered_of``: each instrument's answered count
    per item."""
    fewest = None
    for inst, sr in scored.items():
        answered = answered_of[inst]
        for k, code in enumerate(sr.item_indicator):
            if code in plan.coefficients and answered[k] > 0:
                fewest = int(answered[k]) if fewest is None else min(fewest, int(answered[k]))
    return 0 if fewest is None else fewest


def controlled_interval(theta: float, draws: np.ndarray, linear: np.ndarray, parts: Spread,
                        method: str = "bootstrap") -> tuple[Interval, tuple[float, float]]:
    """The BCa (or percentile) interval the draws give with their linear parts as a control
    variate (:class:`Controlled`), and each end's Monte Carlo standard error."""
    (low, low_error), (high, high_error) = Controlled(theta, draws, linear,
                                                      _law(parts)).ends(method)
    return Interval(theta + low, theta + high), (low_error, high_error)


def percentile_interval(draws: np.ndarray, confidence: float = CONFIDENCE) -> Interval:
    alpha = 1 - confidence
    low, high = np.percentile(draws, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return Interval(float(low), float(high))


def bca_interval(theta: float, draws: np.ndarray, parts: Spread,
                 confidence: float = CONFIDENCE) -> Interval:
    """BCa interval from bootstrap draws; acceleration from the influence values (or their
    :class:`LinearPart`)."""
    levels = [100 * q for q, _ in _end_levels(theta, draws, parts, "bootstrap", confidence)]
    low, high = np.percentile(draws, levels)
    return Interval(float(low), float(high))


@dataclass(frozen=True)
class IntervalSet:
    """The intervals of the planned scores, and the resamples drawn for them (``None``: the
    method draws none)."""

    intervals: dict[str, Interval]
    resampling: Resampling | None = None


def bootstrap_intervals(values: Mapping[str, float], plan_of: Mapping[str, Plan],
                        infl: Mapping[str, Influence], scored: Mapping[str, ScoredResponses],
                        resamples: int, seed: int, method: str = "bootstrap",
                        progress: Callable[[int, int], None] | None = None) -> IntervalSet:
    """BCa (``method="bootstrap"``) or percentile intervals of every planned score.

    ``resamples`` is the most drawn.  They are drawn in batches of :data:`BATCH`, and from
    :data:`MIN_BATCHES` batches on the drawing stops as soon as every end of every interval
    has a Monte Carlo standard error (:func:`monte_carlo_errors`) of at most
    :data:`MC_SE_BOUND` points: the number of resamples is a means to a precision, and the
    precision that matters is the printed hundredth.  At a school's n the intervals are points
    wide and take every resample; at hundreds of thousands of respondents they are hundredths
    wide and a few hundred resamples pin their ends down.  This is the sequential form of
    Andrews & Buchinsky's choice of the number of bootstrap repetitions (Andrews, D. W. K. and
    Buchinsky, M. (2000), "A three-step method for choosing the number of bootstrap
    repetitions", *Econometrica* 68(1), 23–51), with an absolute bound in points instead of
    their relative one.  Deterministic for a seed: the batches are (:func:`_batches`), and so
    is where the rule stops.
    """
    out: dict[str, Interval] = {}
    live = {}
    for key, parts in _all_parts(plan_of, infl).items():
        special = _special_case(values[key], plan_of[key], parts)
        if special is not None:
            out[key] = special
        else:
            live[key] = (plan_of[key], parts)
    if not live:
        return IntervalSet(out, Resampling(0, resamples))
    drawn: dict[str, list[np.ndarray]] = {key: [] for key in live}
    linear: dict[str, list[np.ndarray]] = {key: [] for key in live}
    answered_of = {inst: sr.n - np.isnan(sr.item_scores).sum(axis=0)
                   for inst, sr in scored.items()}
    controlled = {key for key, (plan, _) in live.items()
                  if _fewest_answers(scored, answered_of, plan) >= CONTROLLED_FROM}

    laws = {key: LinearPart(parts) for key, (_, parts) in live.items()}

    def interval(key: str) -> tuple[Interval, tuple[float, float]]:
        parts, draws = laws[key], np.concatenate(drawn[key])
        if key in controlled:
            return controlled_interval(values[key], draws, np.concatenate(linear[key]), parts,
                                       method)
        plain = percentile_interval(draws) if method == "percentile" \
            else bca_interval(values[key], draws, parts)
        return plain, (monte_carlo_errors(values[key], draws, parts, method)
                       if len(draws) else (math.inf, math.inf))

    count = 0
    with closing(_batches(scored, {k: p for k, (p, _) in live.items()}, resamples, seed,
                          progress)) as batches:
        for batch_number, batch in enumerate(batches, start=1):
            for key in live:
                drawn[key].append(batch.draws[key])
                linear[key].append(batch.linear[key])
            count += len(next(iter(batch.draws.values())))
            if batch_number >= MIN_BATCHES and count < resamples and all(
                    max(interval(key)[1]) <= MC_SE_BOUND for key in live):
                break
    for key in live:
        out[key] = interval(key)[0]
    return IntervalSet(out, Resampling(count, resamples))


def intervals(iset: InstrumentSet, scored: Mapping[str, ScoredResponses],
              scores: Mapping[str, float], sources: Mapping[str, str],
              values: Mapping[str, float], *, method: str = DEFAULT_METHOD,
              resamples: int = 2000, seed: int = 2566,
              progress: Callable[[int, int], None] | None = None) -> IntervalSet:
    """Intervals of every score that depends on responses.

    ``scores``/``sources``: indicator code → score and where it came from; ``values``: the
    point value of each key (indicator codes, ``"IIT"``/``"EIT"``, ``"total"``; NaN when
    unknown).  ``resamples`` is the most the bootstrap methods draw
    (:func:`bootstrap_intervals`: they stop earlier once the intervals' ends are precise to
    the printed hundredth).
    """
    if method not in METHODS:
        raise ValueError(f"interval method must be one of {', '.join(METHODS)}, not {method!r}")
    if not scored:
        return IntervalSet({})
    plan_of = plans(iset, scores, sources, set(scored))
    infl = {inst: influence(sr) for inst, sr in scored.items()}
    vals = {k: float(values.get(k, math.nan)) for k in plan_of}
    if method == "logit":
        return IntervalSet(logit_intervals(vals, plan_of, infl))
    return bootstrap_intervals(vals, plan_of, infl, scored, resamples, seed, method, progress)
