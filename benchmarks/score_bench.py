"""Benchmark: score a synthetic national ITA year (every agency) with the vectorised path.

Run ``python benchmarks/score_bench.py --help`` for the options.  What is measured:

* **vectorised** - from the IIT and EIT response frames (each with an ``agency`` column) to a
  total, grade and verdict for every agency: ``score_responses`` (validation included),
  ``item_means`` grouped by agency, ``indicators_from_items``, joining the IIT, EIT and OIT
  indicators, ``roll_up``.  Generating the data is not timed.
* **peak memory** - the process's peak resident set size (``VmHWM``) while scoring.  The
  high-water mark is reset after generation (``/proc/self/clear_refs``), so it covers the
  scoring phase only, but it includes everything resident at the time: interpreter, libraries
  and the input frames themselves.  Without ``clear_refs`` the lifetime ``ru_maxrss`` is
  printed instead and labelled as including generation.
* **per-row loop** - a straightforward pure-Python scorer over the rows of a subsample of whole
  agencies, timed against the vectorised path on the same subsample.  It also checks the
  vectorised results: the script exits with status 1 when any total differs by more than 1e-9
  or any grade differs.

The goals (under 5 s, at least 50x the loop, under 2 GiB) are reported as PASS/MISS only; a
miss does not fail the script because timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from questionnaires import InstrumentSet, load_instrument_set
from scoring import grade_of, score_agencies

INSTRUMENT_SET = "ita-2566"
GOAL_SECONDS = 5.0
GOAL_RATIO = 50.0
GOAL_BYTES = 2 * 1024**3
TOLERANCE = 1e-9

#: Share of blank answers.
BLANK_RATE = 0.02
#: Every agency gets at least this many responses of each survey instrument.
MIN_RESPONSES = 5
#: Of the answers that are not the best option on the 4-level scale, how they spread over the
#: second, third and worst options (a mildly positive, realistic skew).
LEVEL4_FALLBACK = (0.6, 0.3, 0.1)


# --------------------------------------------------------------------------- generation

def generate_year(iset: InstrumentSet, n_agencies: int, n_responses: int, iit_share: float,
                  seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return synthetic IIT and EIT response frames and the OIT indicators of every agency.

    Answer codes are stored as pandas nullable ``Int8`` (1 byte + 1 mask byte per cell, what a
    typed CSV reader yields), so 1.35 million responses take about 65 MiB.  Agency ids are
    ``int32`` and the rows are shuffled, as responses arrive interleaved.
    """
    rng = np.random.default_rng(seed)
    # Agency "quality": the chance that a respondent picks the best option.  Beta(6, 2) over
    # 0.78-0.99 puts most agency totals in the 85-99 band seen in published ITA results.
    quality = (0.78 + 0.21 * rng.beta(6.0, 2.0, n_agencies)).astype(np.float32)
    # Skewed agency sizes: a few ministries with thousands of responses, many small local
    # offices near the minimum.  Lognormal weights, shared by both instruments.
    weight = rng.lognormal(0.0, 1.2, n_agencies)
    weight /= weight.sum()

    n_iit = round(n_responses * iit_share)
    frames = []
    for instrument, n in (("IIT", n_iit), ("EIT", n_responses - n_iit)):
        spare = n - MIN_RESPONSES * n_agencies
        if spare < 0:
            raise SystemExit(f"{n} {instrument} responses cannot give {n_agencies} agencies "
                             f"{MIN_RESPONSES} each")
        sizes = MIN_RESPONSES + rng.multinomial(spare, weight)
        agency = rng.permutation(np.repeat(np.arange(n_agencies, dtype=np.int32), sizes))
        frames.append(_answers(iset, instrument, agency, quality[agency], rng))

    oit = pd.DataFrame({"9": rng.uniform(70.0, 100.0, n_agencies),
                        "10": rng.uniform(70.0, 100.0, n_agencies)},
                       index=pd.Index(np.arange(n_agencies, dtype=np.int32), name="agency"))
    return frames[0], frames[1], oit


def _answers(iset: InstrumentSet, instrument: str, agency: np.ndarray, quality: np.ndarray,
             rng: np.random.Generator) -> pd.DataFrame:
    """Draw one answer per response and question, column by column (float32 draws)."""
    n = len(agency)
    columns: dict[str, object] = {}
    second = quality + (1 - quality) * LEVEL4_FALLBACK[0]
    third = second + (1 - quality) * LEVEL4_FALLBACK[1]
    for column in iset.columns_for(instrument):
        question = iset.question(column)
        scores = iset.item(question.item).scale.scores(question.direction)
        # Codes from best to worst for this question's direction, so "positive" answers are
        # good answers whether the item is reversed (yes = bad) or not.
        ranked = np.array(sorted(scores, key=scores.__getitem__, reverse=True), dtype=np.int8)
        u = rng.random(n, dtype=np.float32)
        rank = (u >= quality).astype(np.int8)
        if len(ranked) == 4:
            rank += (u >= second).astype(np.int8)
            rank += (u >= third).astype(np.int8)
        blank = rng.random(n, dtype=np.float32) < BLANK_RATE
        columns[column] = pd.arrays.IntegerArray(ranked[rank], blank)
    columns["agency"] = agency
    return pd.DataFrame(columns)


def whole_agency_subsample(iit: pd.DataFrame, eit: pd.DataFrame, target: int,
                           seed: int) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Pick random agencies until their IIT+EIT responses reach ``target``."""
    sizes = (iit["agency"].value_counts().add(eit["agency"].value_counts(), fill_value=0)
             .astype(int))
    order = np.random.default_rng(seed + 1).permutation(sizes.index.to_numpy())
    cumulative = np.cumsum(sizes.loc[order].to_numpy())
    chosen = np.sort(order[:int(np.searchsorted(cumulative, target)) + 1])
    return (iit[iit["agency"].isin(chosen)].reset_index(drop=True),
            eit[eit["agency"].isin(chosen)].reset_index(drop=True), chosen)


# --------------------------------------------------------------------------- scoring paths

def score_all(iset: InstrumentSet, iit: pd.DataFrame, eit: pd.DataFrame,
              oit: pd.DataFrame, threads: int = 2) -> pd.DataFrame:
    """The vectorised national run: totals, grades and verdicts for every agency."""
    return score_agencies(iset, iit=iit, eit=eit, given=oit, threads=threads)


def loop_score(iset: InstrumentSet, iit: pd.DataFrame, eit: pd.DataFrame,
               oit: pd.DataFrame) -> dict[int, tuple[float, str | None]]:
    """Score agencies the straightforward way: one row and one answer at a time.

    Only plain Python: dict look-ups of option scores, per-agency sums and counts, then
    item mean -> indicator (mean of items) -> instrument (mean of indicators) -> total.
    """
    instrument_scores: dict[str, dict[int, float]] = {}
    for instrument, frame in (("IIT", iit), ("EIT", eit)):
        position = {c: k for k, c in enumerate(frame.columns)}
        agency_at = position["agency"]
        plan = []  # (item code, indicator, [(column position, score map, column name)])
        for item in iset.items_for(instrument):
            questions = [(position[q.column], item.scale.scores(q.direction), q.column)
                         for q in item.questions if q.column in position]
            plan.append((item.code, item.indicator, questions))
        sums: dict[tuple[int, str], float] = defaultdict(float)
        counts: dict[tuple[int, str], int] = defaultdict(int)
        for row in frame.itertuples(index=False, name=None):
            agency = row[agency_at]
            for item_code, _, questions in plan:
                total, answered = 0.0, 0
                for at, score_map, column in questions:
                    code = row[at]
                    if code is pd.NA or code is None or code != code:
                        continue
                    if code not in score_map:  # validation, as score_responses does
                        raise ValueError(f"{instrument} {column}: {code!r} is not an option")
                    total += score_map[code]
                    answered += 1
                if answered:
                    sums[agency, item_code] += total / answered
                    counts[agency, item_code] += 1
        by_agency: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for (agency, item_code), s in sums.items():
            indicator = iset.item(item_code).indicator
            by_agency[agency][indicator].append(s / counts[agency, item_code])
        n_indicators = len(iset.indicators_for(instrument))
        instrument_scores[instrument] = {
            agency: (sum(sum(v) / len(v) for v in inds.values()) / n_indicators
                     if len(inds) == n_indicators else float("nan"))
            for agency, inds in by_agency.items()}

    weights = iset.methodology.weights
    out = {}
    for agency in instrument_scores["IIT"]:
        oit_score = (float(oit.at[agency, "9"]) + float(oit.at[agency, "10"])) / 2
        total = (weights["IIT"] * instrument_scores["IIT"][agency]
                 + weights["EIT"] * instrument_scores["EIT"].get(agency, float("nan"))
                 + weights["OIT"] * oit_score)
        out[int(agency)] = (total, grade_of(iset, [total])[0])
    return out


def compare(vectorised: pd.DataFrame,
            looped: dict[int, tuple[float, str | None]]) -> tuple[float, str]:
    """Return the largest |total difference| and what else disagrees ("" when nothing)."""
    if set(looped) != {int(a) for a in vectorised.index}:
        return float("inf"), "different agencies scored"
    agencies = sorted(looped)
    totals = np.array([looped[a][0] for a in agencies])
    v = vectorised.loc[agencies]
    if np.isnan(totals).any() or v["total"].isna().any():
        return float("inf"), "an agency has no total"
    worst = float(np.max(np.abs(v["total"].to_numpy() - totals)))
    differ = sum(g != looped[a][1] for a, g in zip(agencies, v["grade"], strict=True))
    return worst, f"{differ} grade(s) differ" if differ else ""


# --------------------------------------------------------------------------- measurement

def best_time(fn, repeat: int):
    """Run ``fn`` ``repeat`` times; return (fastest seconds, last result)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None  # let the previous result go before the next run allocates
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (Linux >= 4.0); False when not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def rss_status(field: str) -> int:
    """Return ``VmRSS``/``VmHWM`` of this process in bytes (from /proc/self/status)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def human(nbytes: float) -> str:
    return f"{nbytes / 1024**3:.2f} GiB" if nbytes >= 1024**3 else f"{nbytes / 1024**2:.0f} MiB"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=8317)
    parser.add_argument("--responses", type=int, default=1_350_000,
                        help="IIT+EIT responses in the year (default 1,350,000)")
    parser.add_argument("--iit-share", type=float, default=0.4,
                        help="share of the responses that are IIT (default 0.4)")
    parser.add_argument("--seed", type=int, default=2568)
    parser.add_argument("--subsample", type=int, default=100_000,
                        help="responses (whole agencies) for the per-row loop (default 100,000)")
    parser.add_argument("--threads", type=int, default=2,
                        help="threads for the vectorised path (IIT and EIT side by side)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed runs of each path; the fastest counts (default 3)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also report the peak of allocations traced by tracemalloc "
                             "during one extra, untimed scoring run")
    args = parser.parse_args(argv)

    iset = load_instrument_set(INSTRUMENT_SET)
    start = time.perf_counter()
    iit, eit, oit = generate_year(iset, args.agencies, args.responses, args.iit_share,
                                  args.seed)
    generation = time.perf_counter() - start
    n = len(iit) + len(eit)
    gc.collect()

    # Scoring phase: reset the peak-RSS mark so generation's temporaries do not count.
    clean_peak = reset_peak_rss()
    rss_before = rss_status("VmRSS")
    elapsed, rolled = best_time(lambda: score_all(iset, iit, eit, oit, args.threads),
                                args.repeat)
    single, _ = best_time(lambda: score_all(iset, iit, eit, oit, 1), args.repeat)
    peak = rss_status("VmHWM") if clean_peak else resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss * 1024

    if args.tracemalloc:
        tracemalloc.start()
        score_all(iset, iit, eit, oit, args.threads)
        traced_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    scored = int(rolled["total"].notna().sum())
    # Loop vs vectorised on the same whole-agency subsample; the loop also checks results.
    sub_iit, sub_eit, chosen = whole_agency_subsample(iit, eit, args.subsample, args.seed)
    sub_n = len(sub_iit) + len(sub_eit)
    sub_oit = oit.loc[chosen]
    loop_time, looped = best_time(lambda: loop_score(iset, sub_iit, sub_eit, sub_oit),
                                  args.repeat)
    vec_time, sub_rolled = best_time(lambda: score_all(iset, sub_iit, sub_eit, sub_oit,
                                                       args.threads),
                                     args.repeat)
    worst, problem = compare(sub_rolled, looped)
    equal = worst <= TOLERANCE and not problem
    ratio = loop_time / vec_time
    loop_full = loop_time / sub_n * n

    totals = rolled["total"]
    grades = rolled["grade"].value_counts().reindex([g.grade for g in iset.methodology.grades],
                                                    fill_value=0)
    print(f"agencies: {args.agencies}  responses: {n:,} (IIT {len(iit):,}, EIT {len(eit):,})  "
          f"seed {args.seed}  [generated in {generation:.1f} s, not timed]")
    print(f"totals: min {totals.min():.2f}  median {totals.median():.2f}  "
          f"max {totals.max():.2f}  grades: "
          + "  ".join(f"{g} {c}" for g, c in grades.items()))
    print(f"vectorised: all {scored:,} agencies scored in {elapsed:.2f} s  "
          f"({n / elapsed:,.0f} responses/s; fastest of {args.repeat}; IIT and EIT on "
          f"{args.threads} thread(s); on 1 thread: {single:.2f} s)")
    if clean_peak:
        print(f"peak memory while scoring: {human(peak)} (peak RSS of the process during "
              f"scoring, reset after generation; {human(rss_before)} resident before, "
              f"input frames included)")
    else:
        print(f"peak memory: {human(peak)} (process max RSS, INCLUDING generation: "
              f"/proc/self/clear_refs unavailable)")
    if args.tracemalloc:
        print(f"tracemalloc peak of one scoring run: {human(traced_peak)} "
              f"(Python + numpy allocations above the input frames)")
    print(f"per-row loop on {sub_n:,}-response subsample ({len(chosen)} whole agencies): "
          f"{loop_time:.2f} s; vectorised on same: {vec_time:.3f} s -> {ratio:.0f}x")
    full_ratio = loop_full / elapsed
    print(f"per-row loop extrapolated to the full year (it is linear in rows): "
          f"{loop_full:.0f} s -> {full_ratio:.0f}x the vectorised run")
    print(f"results equal: {'yes' if equal else 'NO'} (max |total difference| {worst:.1e}; "
          f"{problem or 'grades equal'})")
    print(f"goals: <{GOAL_SECONDS:g} s: {verdict(elapsed < GOAL_SECONDS)}  "
          f">={GOAL_RATIO:g}x on the full year: {verdict(full_ratio >= GOAL_RATIO)}  "
          f"<2 GiB: {verdict(peak < GOAL_BYTES)}")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
