"""Coverage study: how often each interval method's 95% interval holds the true score.

Run ``python benchmarks/coverage_study.py --help`` for the options.  Each scenario draws IIT
responses to every ita-2566 IIT question, as ``score_bench.py`` draws them: a respondent has a
"general view" ``q`` drawn from Beta(a, b); each answer is the best option with probability
``q``, otherwise the 2nd/3rd/worst with shares 0.6/0.3/0.1 (yes/no: the bad answer); 2% of
answers are blank.  The true scores are known exactly: every answered question has expected
score ``E[q]·best + (1 − E[q])·(0.6·2nd + 0.3·3rd + 0.1·worst)``, so an indicator's true score
(the mean of its items' population means) and the IIT score (the mean of the indicators) follow.

For each scenario and method the study draws ``--reps`` samples of ``n`` respondents, computes
the 95% interval of each of the five IIT indicators and of the IIT score with
:func:`scoring.intervals.intervals` (the same code ``assess`` uses), and prints how often it
held the true score (coverage) and its mean width.  ``t`` is the plain t-interval of the
respondents' own indicator scores (the ``ci95`` of the output), for comparison; it has no IIT
row.  With 1,000 reps the coverage has a standard error of about 0.007.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from score_bench import LEVEL4_FALLBACK, _answers  # same generator as the national benchmark

from questionnaires import InstrumentSet, load_instrument_set
from scoring.intervals import intervals
from scoring.responses import score_responses
from scoring.rollup import indicators_from_items, item_means
from scoring.statistics import summarize

METHODS = ("logit", "bootstrap", "percentile", "t")


@dataclass(frozen=True)
class Scenario:
    name: str
    n: int
    a: float  # the respondents' general view q ~ Beta(a, b)
    b: float


SCENARIOS = (
    Scenario("mid-range", 50, 2.0, 2.0),
    Scenario("near ceiling (98)", 50, 15.0, 0.6),
    Scenario("near ceiling (99)", 50, 40.0, 0.8),
    Scenario("small n", 10, 8.0, 1.0),
    Scenario("skewed", 50, 3.0, 0.5),
    Scenario("large n, ceiling", 1000, 15.0, 0.6),
)


def true_scores(iset: InstrumentSet, mean_q: float) -> dict[str, float]:
    """The population indicator scores and IIT score when ``E[q] = mean_q``."""
    by_indicator: dict[str, list[float]] = {}
    for item in iset.items_for("IIT"):
        scores = sorted(item.scale.scores(item.questions[0].direction).values(), reverse=True)
        if len(scores) == 4:
            worse = sum(w * s for w, s in zip((*LEVEL4_FALLBACK,), scores[1:], strict=True))
        else:
            worse = scores[1]
        by_indicator.setdefault(item.indicator, []).append(
            mean_q * scores[0] + (1 - mean_q) * worse)
    out = {code: float(np.mean(v)) for code, v in by_indicator.items()}
    out["IIT"] = float(np.mean(list(out.values())))
    return out


def one_sample(iset: InstrumentSet, scenario: Scenario, methods, rng, resamples: int):
    """Intervals of one drawn sample: method → key → (low, high) or None."""
    quality = rng.beta(scenario.a, scenario.b, size=scenario.n).astype(np.float32)
    frame = _answers(iset, "IIT", np.zeros(scenario.n, dtype=np.int32), quality, rng)
    sr = score_responses(frame.drop(columns="agency"), iset, "IIT")
    scores = {c: float(v) for c, v in indicators_from_items(item_means(sr), sr).iloc[0].items()}
    sources = dict.fromkeys(scores, "responses")
    values = {**scores, "IIT": float(np.mean(list(scores.values())))}
    out = {}
    for method in methods:
        if method == "t":
            per = _respondent_scores(sr)
            out[method] = {}
            for code, column in per.items():
                s = summarize(column)
                out[method][code] = None if s.ci_low is None else (s.ci_low, s.ci_high)
            continue
        found = intervals(iset, {"IIT": sr}, scores, sources, values, method=method,
                          resamples=resamples, seed=int(rng.integers(2**31)))
        out[method] = {k: v.pair for k, v in found.items()}
    return out


def _respondent_scores(sr) -> dict[str, np.ndarray]:
    out = {}
    for code in dict.fromkeys(sr.item_indicator):
        cols = [k for k, ind in enumerate(sr.item_indicator) if ind == code]
        block = sr.item_scores[:, cols]
        answered = ~np.isnan(block)
        with np.errstate(invalid="ignore"):
            out[code] = np.where(answered, block, 0).sum(axis=1) / answered.sum(axis=1)
    return out


def study(scenario: Scenario, methods=METHODS, reps: int = 1000, seed: int = 2568,
          resamples: int = 1000, iset: InstrumentSet | None = None
          ) -> dict[str, dict[str, tuple[float, float]]]:
    """Return method → ``"indicators"``/``"IIT"`` → (coverage, mean width).

    An interval that is none counts as not covering (and adds no width).
    """
    iset = iset or load_instrument_set("ita-2566")
    truth = true_scores(iset, scenario.a / (scenario.a + scenario.b))
    rng = np.random.default_rng(seed)
    hits = {m: {"indicators": [], "IIT": []} for m in methods}
    widths = {m: {"indicators": [], "IIT": []} for m in methods}
    for _ in range(reps):
        found = one_sample(iset, scenario, methods, rng, resamples)
        for method, by_key in found.items():
            for key, true in truth.items():
                if key not in by_key:
                    continue
                group = "IIT" if key == "IIT" else "indicators"
                pair = by_key[key]
                hits[method][group].append(pair is not None and pair[0] <= true <= pair[1])
                if pair is not None:
                    widths[method][group].append(pair[1] - pair[0])
    return {m: {g: (float(np.mean(hits[m][g])) if hits[m][g] else float("nan"),
                    float(np.mean(widths[m][g])) if widths[m][g] else float("nan"))
                for g in ("indicators", "IIT")} for m in methods}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--resamples", type=int, default=1000,
                        help="bootstrap resamples per interval (default 1,000)")
    parser.add_argument("--seed", type=int, default=2568)
    parser.add_argument("--scenario", action="append",
                        help="run only scenarios whose name contains this (repeatable)")
    args = parser.parse_args(argv)
    iset = load_instrument_set("ita-2566")
    print(f"95% intervals, {args.reps} reps per scenario, {args.resamples} bootstrap resamples, "
          f"seed {args.seed}; coverage (mean width) of the 5 IIT indicators | of the IIT score")
    for scenario in SCENARIOS:
        if args.scenario and not any(s in scenario.name for s in args.scenario):
            continue
        start = time.perf_counter()
        truth = true_scores(iset, scenario.a / (scenario.a + scenario.b))
        result = study(scenario, reps=args.reps, seed=args.seed, resamples=args.resamples,
                       iset=iset)
        print(f"\n{scenario.name}: n = {scenario.n}, q ~ Beta({scenario.a:g}, {scenario.b:g}), "
              f"true indicators {min(v for k, v in truth.items() if k != 'IIT'):.2f}–"
              f"{max(v for k, v in truth.items() if k != 'IIT'):.2f}, IIT {truth['IIT']:.2f}  "
              f"[{time.perf_counter() - start:.0f} s]")
        for method, groups in result.items():
            ind, iit = groups["indicators"], groups["IIT"]
            iit_text = "-" if np.isnan(iit[0]) else f"{iit[0]:.3f} ({iit[1]:5.2f})"
            print(f"  {method:<11} {ind[0]:.3f} ({ind[1]:5.2f}) | {iit_text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
