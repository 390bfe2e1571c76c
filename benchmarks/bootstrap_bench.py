"""The bootstrap's resampling alone, in one process: per respondent (the code before issue 19,
kept here) against ``scoring.intervals._Sampler`` now (answer patterns when they repeat enough,
a batch's counts drawn one resample at a time, then one float32 product of them with the
centred values; its set-up, the grouping into patterns, included), alternating.

    .venv/bin/python benchmarks/cli_bench.py --keep /tmp/iit.csv [--beta 40 0.8]
    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bootstrap_bench.py /tmp/iit.csv [--resamples 200]

One BLAS thread: on a loaded 2-core machine OpenBLAS's second thread spins and multiplies the
CPU time of both ways by 5-15x.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from questionnaires import load_instrument_set
from scoring import intervals
from scoring.responses import score_responses


def per_respondent(sr, rng, resamples: int) -> np.ndarray:
    """The item-mean draws as ``bootstrap_draws`` made them before answer patterns."""
    n = sr.n
    values = np.nan_to_num(sr.item_scores)
    mask = (~np.isnan(sr.item_scores)).astype(float)
    means = np.empty((resamples, values.shape[1]))
    chunk = max(1, 4_000_000 // max(n, 1))
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        rows = stop - start
        picks = rng.integers(0, n, size=(rows, n)) + np.arange(rows)[:, None] * n
        weights = np.bincount(picks.ravel(), minlength=rows * n).reshape(rows, n).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            means[start:stop] = (weights @ values) / (weights @ mask)
    return means


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path, help="an IIT file (cli_bench.py --keep)")
    parser.add_argument("--resamples", type=int, default=200)
    args = parser.parse_args()
    sr = score_responses(pd.read_csv(args.csv), load_instrument_set("ita-2566"), "IIT")
    patterns = len(intervals.answer_patterns(sr.item_scores).counts)
    print(f"{sr.n:,} respondents, {patterns:,} answer patterns; {args.resamples} resamples; "
          f"load average {os.getloadavg()[0]:.1f}; OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    ways = {"per respondent (before)": lambda rng: per_respondent(sr, rng, args.resamples),
            "scoring.intervals (now)": lambda rng: intervals._Sampler(sr).draw(
                rng, args.resamples)}
    best = dict.fromkeys(ways, float("inf"))
    for _ in range(2):
        for name, way in ways.items():
            start = time.process_time()
            way(np.random.default_rng(1))
            best[name] = min(best[name], time.process_time() - start)
    for name, seconds in best.items():
        print(f"  {name:>24}: {seconds:.2f} s CPU (best of 2)")
    before, now = best.values()
    print(f"  ratio now/before: {now / before:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
