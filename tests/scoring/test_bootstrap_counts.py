"""A resample's respondent counts (Poisson counts completed to n) are Multinomial(n, 1/n)."""

import itertools
import math

import numpy as np
import pytest

from scoring.intervals import RespondentCounts, _poisson_thresholds


def _draws(n: int, rate: float | None, draws: int, seed: int) -> np.ndarray:
    counts = RespondentCounts(n, rate)
    rng = np.random.default_rng(seed)
    # in chunks of 700: looked up a few at a time (INDEX_BYTES), picks added and taken away
    return np.concatenate([counts.draw(rng, np.empty((min(700, draws - first), n),
                                                     dtype=np.uint8))
                           for first in range(0, draws, 700)])


#: chi-square's 0.999 quantile at 9 and 34 degrees of freedom (every count vector of n = 3, 4)
CHI2_999 = {3: 27.88, 4: 65.25}


@pytest.mark.parametrize("n", [3, 4])
@pytest.mark.parametrize("rate", [None, 0.3, 1.0, 2.0])  # picks added, or taken away (2.0)
def test_the_counts_have_the_multinomial_distribution(n, rate, monkeypatch):
    monkeypatch.setattr(RespondentCounts, "INDEX_BYTES", 8 * n * 64)  # 64 resamples at a time
    draws = 20_000
    got = _draws(n, rate, draws, seed=n)
    assert (got.sum(axis=1) == n).all()
    seen, times = np.unique(got, axis=0, return_counts=True)
    chi2 = 0.0
    for counts in itertools.product(range(n + 1), repeat=n):
        if sum(counts) != n:
            continue
        p = math.factorial(n) / math.prod(math.factorial(c) for c in counts) / n ** n
        observed = times[(seen == counts).all(axis=1)].sum()
        chi2 += (observed - draws * p) ** 2 / (draws * p)
    assert chi2 < CHI2_999[n]


def test_a_large_sample_has_the_multinomial_moments():
    n = 2_000
    got = _draws(n, None, 400, seed=5).astype(float)
    assert (got.sum(axis=1) == n).all()
    # each count: mean 1, variance 1 - 1/n; drawn with other respondents' independently
    assert abs(got.mean() - 1) < 1e-12
    assert abs(got.var(axis=0, ddof=1).mean() - (1 - 1 / n)) < 0.02
    assert abs(np.corrcoef(got[:, 0], got[:, 1])[0, 1]) < 0.2


@pytest.mark.parametrize("rate", [0.05, 0.9945, 1.0, 2.5])
def test_the_thresholds_give_the_poisson_probabilities(rate):
    thresholds = [0, *(int(t) for t in _poisson_thresholds(rate))]  # exact, below 2**64
    steps = [(b - a) / 2 ** 64 for a, b in itertools.pairwise(thresholds)]
    for k, p in enumerate(steps):
        assert p == pytest.approx(math.exp(-rate) * rate ** k / math.factorial(k),
                                  rel=1e-12, abs=1e-18)
    assert 2 ** 64 - thresholds[-1] < 2 ** 10  # the tail left to the last count: < 1e-16


class _AllOnTheFirst:
    """A generator whose uniform picks all land on respondent 0."""

    def __init__(self):
        self.bit_generator = np.random.PCG64(1)

    def integers(self, low, high, size):
        return np.zeros(size, dtype=np.int64)


def test_a_count_beyond_a_byte_widens_the_counts():
    counts = RespondentCounts(300, rate=0.0)  # every pick is an added one
    out = counts.draw(_AllOnTheFirst(), np.empty((2, 300), dtype=np.uint8))
    assert out.dtype == np.float32
    assert (out[:, 0] == 300).all() and (out.sum(axis=1) == 300).all()
    assert counts.draw(np.random.default_rng(1), np.empty((2, 300), np.uint8)).dtype == np.uint8
