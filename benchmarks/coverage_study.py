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
held the true score (coverage) and its mean width.  The "total" scenario also draws EIT
responses the same way and holds OIT at 95, and checks the interval of the ITA total (IIT and
EIT independent samples, Welch–Satterthwaite degrees of freedom).  ``t`` is the plain t-interval of the
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
    eit: int = 0  # EIT respondents as well (and OIT fixed at OIT_SCORE): the total is checked


#: The OIT indicators' score in the scenario with a total.
OIT_SCORE = 95.0

SCENARIOS = (
    Scenario("mid-range", 50, 2.0, 2.0),
    Scenario("near ceiling (98)", 50, 15.0, 0.6),
    Scenario("near ceiling (99)", 50, 40.0, 0.8),
    Scenario("small n", 10, 8.0, 1.0),
    Scenario("skewed", 50, 3.0, 0.5),
    Scenario("large n, ceiling", 1000, 15.0, 0.6),
    Scenario("total, near ceiling", 50, 15.0, 0.6, eit=100),
)


def true_scores(iset: InstrumentSet, mean_q: float, instrument: str = "IIT"
                ) -> dict[str, float]:
    """The population indicator scores and instrument score when ``E[q] = mean_q``."""
    by_indicator: dict[str, list[float]] = {}
    for item in iset.items_for(instrument):
        scores = sorted(item.scale.scores(item.questions[0].direction).values(), reverse=True)
        if len(scores) == 4:
            worse = sum(w * s for w, s in zip((*LEVEL4_FALLBACK,), scores[1:], strict=True))
        else:
            worse = scores[1]
        by_indicator.setdefault(item.indicator, []).append(
            mean_q * scores[0] + (1 - mean_q) * worse)
    out = {code: float(np.mean(v)) for code, v in by_indicator.items()}
    out[instrument] = float(np.mean(list(out.values())))
    return out


def scenario_truth(iset: InstrumentSet, scenario: Scenario) -> dict[str, float]:
    """True indicator scores, IIT (and EIT and the total) of a scenario."""
    mean_q = scenario.a / (scenario.a + scenario.b)
    truth = true_scores(iset, mean_q)
    if scenario.eit:
        truth.update(true_scores(iset, mean_q, "EIT"))
        w = iset.methodology.weights
        truth["total"] = w["IIT"] * truth["IIT"] + w["EIT"] * truth["EIT"] + w["OIT"] * OIT_SCORE
    return truth


def one_sample(iset: InstrumentSet, scenario: Scenario, methods, rng, resamples: int):
    """Intervals of one drawn sample: method → key → (low, high) or None."""
    scored, scores, values = {}, {}, {}
    sizes = {"IIT": scenario.n, "EIT": scenario.eit}
    for instrument, n in sizes.items():
        if not n:
            continue
        quality = rng.beta(scenario.a, scenario.b, size=n).astype(np.float32)
        frame = _answers(iset, instrument, np.zeros(n, dtype=np.int32), quality, rng)
        sr = scored[instrument] = score_responses(frame.drop(columns="agency"), iset,
                                                  instrument)
        own = {c: float(v) for c, v in indicators_from_items(item_means(sr), sr).iloc[0].items()}
        scores.update(own)
        values[instrument] = float(np.mean(list(own.values())))
    sources = dict.fromkeys(scores, "responses")
    if scenario.eit:
        for ind in iset.indicators_for("OIT"):
            scores[ind.code], sources[ind.code] = OIT_SCORE, "given"
        w = iset.methodology.weights
        values["total"] = (w["IIT"] * values["IIT"] + w["EIT"] * values["EIT"]
                           + w["OIT"] * OIT_SCORE)
    values.update(scores)
    out = {}
    for method in methods:
        if method == "t":
            out[method] = {}
            for sr in scored.values():
                for code, column in _respondent_scores(sr).items():
                    s = summarize(column)
                    out[method][code] = None if s.ci_low is None else (s.ci_low, s.ci_high)
            continue
        found = intervals(iset, scored, scores, sources, values, method=method,
                          resamples=resamples, seed=int(rng.integers(2**31)))
        out[method] = {k: v.pair for k, v in found.intervals.items()}
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
    """Return method → ``"indicators"``/``"IIT"``/``"total"`` → (coverage, mean width).

    ``"indicators"`` pools the sampled indicators (IIT's five, and EIT's three in a scenario
    with EIT); ``"total"`` is NaN without EIT.  An interval that is none counts as not
    covering (and adds no width).
    """
    iset = iset or load_instrument_set("ita-2566")
    truth = scenario_truth(iset, scenario)
    rng = np.random.default_rng(seed)
    groups = ("indicators", "IIT", "total")
    hits = {m: {g: [] for g in groups} for m in methods}
    widths = {m: {g: [] for g in groups} for m in methods}
    for _ in range(reps):
        found = one_sample(iset, scenario, methods, rng, resamples)
        for method, by_key in found.items():
            for key, true in truth.items():
                if key not in by_key or key == "EIT":
                    continue
                group = key if key in ("IIT", "total") else "indicators"
                pair = by_key[key]
                hits[method][group].append(pair is not None and pair[0] <= true <= pair[1])
                if pair is not None:
                    widths[method][group].append(pair[1] - pair[0])
    return {m: {g: (float(np.mean(hits[m][g])) if hits[m][g] else float("nan"),
                    float(np.mean(widths[m][g])) if widths[m][g] else float("nan"))
                for g in groups} for m in methods}


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
          f"seed {args.seed}; coverage (mean width) of the indicators | of the IIT score"
          f" | of the total (scenario with EIT)")
    for scenario in SCENARIOS:
        if args.scenario and not any(s in scenario.name for s in args.scenario):
            continue
        start = time.perf_counter()
        truth = scenario_truth(iset, scenario)
        result = study(scenario, reps=args.reps, seed=args.seed, resamples=args.resamples,
                       iset=iset)
        indicators = [v for k, v in truth.items() if k not in ("IIT", "EIT", "total")]
        eit = f" + EIT n = {scenario.eit}, OIT {OIT_SCORE:g}" if scenario.eit else ""
        total = f", total {truth['total']:.2f}" if "total" in truth else ""
        print(f"\n{scenario.name}: n = {scenario.n}{eit}, q ~ Beta({scenario.a:g}, "
              f"{scenario.b:g}), true indicators {min(indicators):.2f}–{max(indicators):.2f}, "
              f"IIT {truth['IIT']:.2f}{total}  [{time.perf_counter() - start:.0f} s]")

        def cell(pair):
            return "-" if np.isnan(pair[0]) else f"{pair[0]:.3f} ({pair[1]:5.2f})"

        for method, groups in result.items():
            row = f"  {method:<11} {cell(groups['indicators'])} | {cell(groups['IIT'])}"
            if scenario.eit:
                row += f" | {cell(groups['total'])}"
            print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
