"""One agency's ITA result: scores, grades, verdict and the statistics around them."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from questionnaires import InstrumentSet
from questionnaires.model import VerdictTier
from questionnaires.score_maps import ScoreMap, apply_score_map

from .intervals import DEFAULT_METHOD, METHODS, Interval, intervals
from .reasons import ReasonedError
from .responses import ResponseDataError, ScoredResponses, score_responses, shown
from .rollup import (
    grade_of,
    indicators_from_items,
    item_means,
    oit_indicators,
    oit_sub_indicator_scores,
    roll_up,
    round_half_up,
)
from .statistics import (
    NO_ANSWERS,
    Summary,
    cronbach_alpha_with_reason,
    distribution_from_counts,
    margin_of_error,
    summarize,
    summarize_counts,
)
from .tiers import FloorMiss, TierGap, floors_missed, next_tier_gap
from .trend import TrendRow, trend

DEFAULT_BOOTSTRAP = 2000
DEFAULT_SEED = 2566
INTERVALS_OFF = "intervals turned off"


class HeadcountError(ReasonedError):
    """A headcount (eligible staff) below the number of IIT responses, or not a number of staff:
    one of them is wrong."""


@dataclass(frozen=True)
class QuestionSummary:
    """One question (item or sub-item): answers, mean score and option distribution."""

    column: str
    n: int
    no_answer: int
    mean: float | None
    distribution: dict[int, tuple[int, float | None]]  # option code → (count, % of answered)
    note: str | None = None  # why mean and percentages are None (no answers)


@dataclass(frozen=True)
class ItemSummary:
    code: str
    indicator: str
    summary: Summary
    questions: tuple[QuestionSummary, ...]


@dataclass(frozen=True)
class SubIndicatorResult:
    code: str
    indicator: str
    name_th: str
    name_en: str
    score: float | None
    source: str | None  # "checklist" or "given"
    items: int
    items_passed: int | None


@dataclass(frozen=True)
class IndicatorResult:
    """An indicator (ตัวชี้วัด) 1–10: its score, grade, and how sure we are of it.

    ``source`` says where the score came from: ``"responses"``, ``"checklist"`` (OIT items),
    ``"given"`` (an indicator-level input) or ``None`` when it is unknown.
    """

    code: str
    instrument: str
    name_th: str
    name_en: str
    score: float | None
    source: str | None
    grade: str | None
    passed: bool | None
    summary: Summary | None = None  # of the respondents' own indicator scores
    bootstrap: tuple[float, float] | None = None  # the 95% interval (see interval_method)
    alpha: float | None = None
    items: tuple[ItemSummary, ...] = ()
    sub_indicators: tuple[SubIndicatorResult, ...] = ()
    #: why a statistic is None: "bootstrap_ci95" (the interval), "cronbach_alpha"
    notes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InstrumentResult:
    code: str
    name_th: str
    name_en: str
    score: float | None
    weight: float
    weighted: float | None
    responses: int | None = None
    minimum_sample: int | None = None
    sample_met: bool | None = None
    margin_of_error: float | None = None
    bootstrap: tuple[float, float] | None = None  # the 95% interval (see interval_method)
    interval_note: str | None = None  # why there is no interval


@dataclass(frozen=True)
class GroupResult:
    """EIT results of one respondent group; groups below the minimum size are suppressed."""

    code: str
    label_th: str
    label_en: str
    n: int | None  # None when suppressed
    suppressed: bool
    indicators: dict[str, float | None]
    score: float | None


@dataclass(frozen=True)
class AssessmentResult:
    instrument_set: str
    fiscal_year_be: int
    indicators: dict[str, IndicatorResult]
    instruments: dict[str, InstrumentResult]
    total: float | None
    grade: str | None
    verdict: VerdictTier | None
    passed: bool | None
    total_bootstrap: tuple[float, float] | None
    target: float
    strengths: tuple[str, ...]
    to_develop: tuple[str, ...]
    eit_groups: tuple[GroupResult, ...]
    history: tuple[TrendRow, ...]
    headcount: int | None
    bootstrap_resamples: int  # drawn (0: no resampling)
    seed: int
    floors_missed: tuple[FloorMiss, ...] = ()  # why the tier above was not reached
    gap: TierGap | None = None  # what it takes to reach the next tier
    interval_method: str | None = DEFAULT_METHOD  # None: intervals turned off
    total_interval_note: str | None = None  # why the total has no interval
    #: the alternative answer→score map the result was computed with (None: the set's own)
    score_map: str | None = None
    #: the most resamples the bootstrap methods could draw (they stop earlier when the
    #: intervals' ends are precise enough: :func:`scoring.intervals.bootstrap_intervals`)
    bootstrap_maximum: int = 0


def minimum_sample(iset: InstrumentSet, instrument: str, *, headcount: int | None = None,
                   eit_minimum: int | None = None) -> int | None:
    """Return how many responses ``instrument`` needs, or None when that cannot be said.

    IIT follows the set's rule on the eligible ``headcount`` (none without one); EIT takes the
    assessment's own ``eit_minimum`` when it has one, else the set's rule; an instrument
    without a rule (OIT) needs none.

    Examples
    --------
    >>> from questionnaires import load_instrument_set
    >>> iset = load_instrument_set("ita-2566")
    >>> minimum_sample(iset, "IIT", headcount=400), minimum_sample(iset, "IIT", headcount=12)
    (40, 12)
    >>> minimum_sample(iset, "EIT"), minimum_sample(iset, "EIT", eit_minimum=15)
    (30, 15)
    """
    rule = iset.methodology.minimum_sample.get(instrument)
    if rule is None:
        return None
    if instrument == "EIT" and eit_minimum is not None:
        return eit_minimum
    return rule.minimum(headcount if instrument == "IIT" else None)


def assess(
    iset: InstrumentSet,
    *,
    iit: pd.DataFrame | None = None,
    eit: pd.DataFrame | None = None,
    oit: Mapping[str, bool] | None = None,
    given: Mapping[str, float] | None = None,
    history: Sequence[tuple[int, float | None]] | None = None,
    headcount: int | None = None,
    eit_minimum: int | None = None,
    fiscal_year_be: int | None = None,
    target: float | None = None,
    oit_missing: str = "error",
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int = DEFAULT_SEED,
    progress: Callable[[int, int], None] | None = None,
    interval: str = DEFAULT_METHOD,
    score_map: ScoreMap | None = None,
) -> AssessmentResult:
    """Rate one agency from any mix of responses, OIT item results and given scores.

    Parameters
    ----------
    iit, eit : responses frames (see :func:`scoring.responses.score_responses`); an EIT frame
        may carry a ``respondent_group`` column for the breakdown by group.
    oit : OIT item code → passed.
    given : indicator (``"1"`` … ``"10"``) or sub-indicator (``"9.5"``) → score in 0–100,
        taken as it is.  A given score wins over one computed from responses or items, which
        is how past years and "what if EIT reached 95?" are rated.
    history : ``(fiscal_year_be, total)`` of earlier years, for the trend table.
    headcount : eligible staff, for the IIT minimum sample and the finite population
        correction of its margin of error.
    eit_minimum : this assessment's EIT minimum (default: the instrument set's rule).
    target : the agency's target per indicator (default: the methodology's).
    oit_missing : how unjudged OIT items count (see :func:`~scoring.rollup.oit_sub_indicator_scores`).
    interval : how the 95% intervals are computed (:mod:`scoring.intervals`): ``"logit"``
        (default, analytic), ``"bootstrap"`` (BCa) or ``"percentile"``.
    bootstrap : the most resamples the bootstrap methods draw (they stop as soon as every
        interval end is precise to the printed hundredth:
        :func:`scoring.intervals.bootstrap_intervals`); 0 turns every interval off.  ``seed``
        fixes the resamples, and so where they stop.
    progress : called as ``progress(done, total)`` while the resamples are drawn (for a bar).
    score_map : an alternative answer→score map (:mod:`questionnaires.score_maps`) used
        instead of the set's own; the result names it (``score_map``).

    Raises
    ------
    HeadcountError
        When ``headcount`` is below the number of IIT responses.

    Notes
    -----
    The roll-up and its formulas are in :mod:`scoring.rollup`.  Intervals are computed for
    indicators from responses, for IIT/EIT and for the total, treating IIT and EIT as
    independent samples of respondents and OIT and given scores as fixed.
    """
    iset = apply_score_map(iset, score_map)
    m = iset.methodology
    fiscal_year_be = fiscal_year_be or iset.fiscal_year_be
    target = m.indicator_target if target is None else target
    given = validate_given(iset, given or {})
    if interval not in METHODS:
        raise ValueError(f"interval method must be one of {', '.join(METHODS)}, "
                         f"not {interval!r}")
    if headcount is not None and headcount < 1:
        raise HeadcountError("headcount_invalid", headcount=headcount)

    scored: dict[str, ScoredResponses] = {}
    groups_col = None
    for inst, frame in (("IIT", iit), ("EIT", eit)):
        if frame is None:
            continue
        if len(frame) == 0:
            raise ResponseDataError("responses_no_rows", instrument=inst)
        scored[inst] = score_responses(frame, iset, inst)
        if inst == "IIT" and headcount is not None and scored[inst].n > headcount:
            raise HeadcountError("headcount_below_responses", headcount=headcount,
                                 n=scored[inst].n)
        if inst == "EIT" and "respondent_group" in frame.columns:
            groups_col = frame["respondent_group"]

    # indicator scores with their sources
    scores: dict[str, float] = {}
    sources: dict[str, str] = {}
    for sr in scored.values():
        row = indicators_from_items(item_means(sr), sr).iloc[0]
        for code, value in row.items():
            if not np.isnan(value):
                scores[code], sources[code] = float(value), "responses"
    sub_scores: dict[str, float] = {}
    sub_sources: dict[str, str] = {}
    if oit is not None:
        for code, value in oit_sub_indicator_scores(iset, oit, missing=oit_missing).items():
            sub_scores[code], sub_sources[code] = value, "checklist"
    for code, value in given.items():
        if code in iset.sub_indicators:
            sub_scores[code], sub_sources[code] = value, "given"
    for code, value in oit_indicators(iset, sub_scores).items():
        subs = {sub_sources[s.code] for s in iset.sub_indicators_for(code)}
        scores[code], sources[code] = value, ("checklist" if subs == {"checklist"} else "given")
    for code, value in given.items():
        if code in iset.indicators:
            scores[code], sources[code] = value, "given"

    frame = pd.DataFrame([{c: scores.get(c, np.nan) for c in iset.indicators}])
    rolled = roll_up(iset, frame).iloc[0]

    values = {**scores, **{k: rolled[k] for k in (*iset.instruments, "total")}}
    found = intervals(iset, scored, scores, sources, values, method=interval,
                      resamples=bootstrap, seed=seed, progress=progress) if bootstrap else None
    boots: dict[str, Interval] = {} if found is None else found.intervals
    resampling = None if found is None else found.resampling

    def note_of(key: str) -> str | None:
        return boots[key].note if key in boots else (INTERVALS_OFF if not bootstrap else None)

    indicators = {}
    for code, ind in iset.indicators.items():
        score = scores.get(code)
        grade = grade_of(iset, score)[0] if score is not None else None
        sr = scored.get(ind.instrument)
        summary = items = alpha = None
        notes = {}
        if sr is not None and sources.get(code) == "responses":
            summary, items, alpha, alpha_note = _indicator_statistics(iset, sr, code)
            if alpha_note:
                notes["cronbach_alpha"] = alpha_note
            if note_of(code):
                notes["bootstrap_ci95"] = note_of(code)
        interval_of = boots[code].pair if code in boots else None
        indicators[code] = IndicatorResult(
            code=code, instrument=ind.instrument, name_th=ind.name_th, name_en=ind.name_en,
            score=score, source=sources.get(code), grade=grade,
            passed=None if grade is None else _grade_passed(iset, grade),
            summary=summary, bootstrap=interval_of, alpha=alpha, items=items or (),
            notes=notes,
            sub_indicators=tuple(
                SubIndicatorResult(
                    s.code, s.indicator, s.name_th, s.name_en, sub_scores.get(s.code),
                    sub_sources.get(s.code), len(iset.oit_items_for(s.code)),
                    (sum(bool(oit.get(o.code, False)) for o in iset.oit_items_for(s.code))
                     if oit is not None and sub_sources.get(s.code) == "checklist" else None))
                for s in iset.sub_indicators_for(code)),
        )

    instruments = {}
    for inst, meta in iset.instruments.items():
        score = _nan_to_none(rolled[inst])
        n = scored[inst].n if inst in scored else None
        minimum = met = moe = None
        if inst in m.minimum_sample:
            minimum = minimum_sample(iset, inst, headcount=headcount, eit_minimum=eit_minimum)
            if n is not None:
                met = None if minimum is None else n >= minimum
                moe = margin_of_error(n, headcount if inst == "IIT" else None)
        instruments[inst] = InstrumentResult(
            code=inst, name_th=meta.name_th, name_en=meta.name_en, score=score,
            weight=m.weights.get(inst, 0.0), weighted=_nan_to_none(rolled[f"{inst}_weighted"]),
            responses=n, minimum_sample=minimum, sample_met=met, margin_of_error=moe,
            bootstrap=boots[inst].pair if inst in boots else None,
            interval_note=note_of(inst) if inst in scored else None)

    total = _nan_to_none(rolled["total"])
    verdict = next((v for v in m.verdicts if v.code == rolled["verdict"]), None)
    ranked = sorted((c for c in indicators if indicators[c].score is not None),
                    key=lambda c: (-round_half_up(indicators[c].score, m.decimals), int(c)))
    strengths = tuple(c for c in ranked
                      if round_half_up(indicators[c].score, m.decimals) >= target)
    to_develop = tuple(c for c in ranked if c not in strengths)

    years = dict(history or ())
    if total is not None and fiscal_year_be not in years:
        years[fiscal_year_be] = total

    return AssessmentResult(
        instrument_set=iset.id, fiscal_year_be=fiscal_year_be, indicators=indicators,
        instruments=instruments, total=total, grade=rolled["grade"], verdict=verdict,
        passed=None if verdict is None else verdict.passed,
        total_bootstrap=boots["total"].pair if "total" in boots else None,
        target=target, strengths=strengths, to_develop=to_develop,
        eit_groups=_eit_groups(iset, scored.get("EIT"), groups_col),
        history=trend(sorted(years.items()), decimals=m.decimals), headcount=headcount,
        bootstrap_resamples=0 if resampling is None else resampling.drawn,
        bootstrap_maximum=0 if resampling is None else resampling.maximum, seed=seed,
        interval_method=interval if bootstrap else None,
        total_interval_note=note_of("total") if scored and total is not None else None,
        score_map=None if score_map is None else score_map.code,
        **_tier_outlook(iset, verdict, total, instruments, indicators))


def _tier_outlook(iset: InstrumentSet, verdict: VerdictTier | None, total: float | None,
                  instruments: Mapping[str, InstrumentResult],
                  indicators: Mapping[str, IndicatorResult]) -> dict:
    """The floors missed and the gap to the next tier (see :mod:`scoring.tiers`)."""
    code = None if verdict is None else verdict.code
    inst_scores = {c: i.score for c, i in instruments.items()}
    return {"floors_missed": floors_missed(iset, code, total, inst_scores),
            "gap": next_tier_gap(iset, code, total, inst_scores,
                                 {c: i.score for c, i in indicators.items()})}


def with_published_parts(iset: InstrumentSet, result: AssessmentResult, *,
                         weighted: Mapping[str, float] | None = None,
                         total: float | None = None) -> AssessmentResult:
    """Return ``result`` with published weighted parts and total taken as they are.

    A published result whose parts or total do not agree with the ones recomputed from its
    indicators, and that its user chose to keep as published, is rated from those figures:
    an instrument given a weighted part gets ``score = part / weight``; a given total replaces
    the sum, and the grade, verdict, floors missed, gap to the next tier and this year's row of
    the trend follow it.  Figures not given stay as computed.
    """
    m = iset.methodology
    instruments = dict(result.instruments)
    for code, part in (weighted or {}).items():
        inst = instruments[code]
        score = part / inst.weight if inst.weight else inst.score
        instruments[code] = replace(inst, weighted=float(part), score=score)
    if total is None:
        total = (sum(i.weighted for i in instruments.values())
                 if all(i.weighted is not None for i in instruments.values()) else result.total)
    total = None if total is None else float(total)
    code = None
    if total is not None:
        rounded = round_half_up(total, m.decimals)
        for tier in m.verdicts:
            if rounded >= tier.min_total and all(
                    instruments[inst].score is not None
                    and round_half_up(instruments[inst].score, m.decimals) >= floor
                    for inst, floor in tier.floors.items()):
                code = tier.code
                break
    verdict = next((v for v in m.verdicts if v.code == code), None)
    years = {row.fiscal_year_be: row.total for row in result.history}
    if total is not None:
        years[result.fiscal_year_be] = total
    return replace(
        result, instruments=instruments, total=total,
        grade=None if total is None else grade_of(iset, total)[0], verdict=verdict,
        passed=None if verdict is None else verdict.passed,
        history=trend(sorted(years.items()), decimals=m.decimals),
        **_tier_outlook(iset, verdict, total, instruments, result.indicators))


def validate_given(iset: InstrumentSet, given: Mapping[str, float]) -> dict[str, float]:
    """Check given scores: known (sub-)indicator codes, numbers in 0–100."""
    out = {}
    for code, value in given.items():
        code = str(code).strip()
        if code not in iset.indicators and code not in iset.sub_indicators:
            raise ReasonedError("given_code_unknown", code=code, set=iset.id)
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ReasonedError("given_score_invalid", code=code, value=shown(value)) from None
        if math.isnan(value) or not 0 <= value <= 100:
            raise ReasonedError("given_score_outside_range", code=code, value=f"{value:g}")
        out[code] = value
    return out


def _grade_passed(iset: InstrumentSet, grade: str) -> bool:
    return next(g.passed for g in iset.methodology.grades if g.grade == grade)


def _nan_to_none(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) \
        else float(value)


def _indicator_statistics(iset: InstrumentSet, sr: ScoredResponses, code: str):
    """Summaries of the respondents' own indicator scores, items and questions; alpha.

    A respondent's own indicator score is the mean of the item scores they have for the
    indicator (items they left blank left out; none when every item is blank).  Questions are
    summarised from their option counts (one ``bincount`` of the int8 codes).
    """
    cols = [k for k, ind in enumerate(sr.item_indicator) if ind == code]
    block = sr.item_scores[:, cols]
    answered = ~np.isnan(block)
    count = answered.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_respondent = np.where(count > 0, np.where(answered, block, 0).sum(axis=1)
                                  / np.maximum(count, 1), np.nan)
    items = []
    for k in cols:
        item = iset.item(sr.items[k])
        questions = tuple(_question_summary(sr, q.column, item.scale.options)
                          for q in item.questions)
        items.append(ItemSummary(item.code, code, _item_summary(sr, k, item), questions))
    alpha, alpha_note = cronbach_alpha_with_reason(block)
    return summarize(per_respondent), tuple(items), alpha, alpha_note


#: Items with more answered columns than this are summarised from their scores directly.
_MAX_PATTERN_COLUMNS = 4


def _item_summary(sr: ScoredResponses, k: int, item) -> Summary:
    """Summarise item ``k``'s scores from the counts of its answer patterns.

    An item's score depends only on the option codes of its questions, so one ``bincount`` of
    the pattern (a number in base options+1, 0 = blank, per question) and the score of each
    pattern, computed as :func:`~scoring.responses.score_responses` does, give the same
    summary as the n scores at a fraction of the cost.
    """
    columns = [q.column for q in item.questions if q.column in sr.codes]
    if not columns or len(columns) > _MAX_PATTERN_COLUMNS:
        return summarize(sr.item_scores[:, k])
    options = sorted(item.scale.codes)
    base = len(options) + 1
    # code (as uint8) → 1 + option position, blank 0; patterns fit in uint16 (base⁴ ≤ 65,536)
    index = np.zeros(256, dtype=np.uint16)
    for pos, code in enumerate(options):
        index[np.int8(code).view(np.uint8)] = pos + 1
    pattern = index[sr.codes[columns[0]].view(np.uint8)]
    for q, column in enumerate(columns[1:], start=1):
        pattern += index[sr.codes[column].view(np.uint8)] * np.uint16(base ** q)
    counts = np.bincount(pattern, minlength=base ** len(columns))
    seen = np.flatnonzero(counts)
    option_bytes = np.array([0, *options], dtype=np.int8).view(np.uint8)  # digit → code
    total = np.zeros(seen.size)
    answered = np.zeros(seen.size)
    for q, column in enumerate(columns):  # in question order, as score_responses adds up
        digit = (seen // base ** q) % base
        score = sr.tables[column].scores[option_bytes[digit]]
        total += np.where(digit > 0, score, 0.0)
        answered += digit > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        values = total if len(columns) == 1 else total / answered
    values = np.where(answered > 0, values, np.nan)
    return summarize_counts(values, counts[seen])


def _question_summary(sr: ScoredResponses, column: str, options) -> QuestionSummary:
    codes = sr.codes.get(column)
    if codes is None:  # the column is not in the data: nobody answered
        counts = {o.code: 0 for o in options}
        return QuestionSummary(column, 0, sr.n, None, distribution_from_counts(counts),
                               NO_ANSWERS)
    tally = np.bincount(codes.view(np.uint8), minlength=256)
    counts = {o.code: int(tally[np.int8(o.code).view(np.uint8)]) for o in options}
    n = sum(counts.values())
    scores = sr.tables[column].scores
    mean = None if n == 0 else float(
        sum(c * scores[np.int8(code).view(np.uint8)] for code, c in counts.items()) / n)
    return QuestionSummary(column, n, sr.n - n, mean, distribution_from_counts(counts),
                           NO_ANSWERS if n == 0 else None)


def _eit_groups(iset: InstrumentSet, sr: ScoredResponses | None,
                groups: pd.Series | None) -> tuple[GroupResult, ...]:
    if sr is None or groups is None:
        return ()
    labels = groups.astype("object").where(groups.notna(), None).to_numpy()
    known = {g.code for g in iset.respondent_groups}
    for row, value in enumerate(labels):
        if value is not None and str(value).strip() and str(value).strip() not in known:
            raise ResponseDataError(
                "respondent_group_unknown", column="respondent_group", row=row, value=value,
                instrument="EIT", cell=shown(value), known=", ".join(sorted(known)))
    labels = np.array([str(v).strip() if v is not None else "" for v in labels], dtype=object)
    minimum = iset.methodology.min_group_size
    out = []
    for g in iset.respondent_groups:
        rows = labels == g.code
        n = int(rows.sum())
        if n == 0:
            continue
        if n < minimum:
            out.append(GroupResult(g.code, g.label_th, g.label_en, None, True, {}, None))
            continue
        sub = sr.subset(rows)
        inds = indicators_from_items(item_means(sub), sub).iloc[0]
        values = {c: _nan_to_none(v) for c, v in inds.items()}
        known_values = [v for v in values.values() if v is not None]
        score = float(np.mean(known_values)) if len(known_values) == len(values) else None
        out.append(GroupResult(g.code, g.label_th, g.label_en, n, False, values, score))
    return tuple(out)
