"""Results from the database: build ``scoring.assess``'s inputs, rate, and shape a view model.

The one seam between stored data and :mod:`scoring`: models → DataFrames → ``scoring.assess`` →
``scoring.report.result_to_dict`` → the typed view models of :mod:`.view_models` that
templates, exports and the report read.
Nothing here rounds or rolls up a figure itself.  :func:`_score_assessments` rates many
assessments at once; the comparison across agencies built on it is in :mod:`.area`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from questionnaires import InstrumentSet
from questionnaires.model import SURVEY_INSTRUMENTS
from scoring import AssessmentResult, agencies_table, assess
from scoring.assess import DEFAULT_BOOTSTRAP, DEFAULT_SEED
from scoring.intervals import DEFAULT_METHOD
from scoring.report import result_to_dict
from scoring.rollup import round_half_up

from ..models import Agency, Assessment, PastScore
from . import result_store
from . import view_models as vm
from .assessments import assessment_state
from .imports import responses_frame
from .instrument_sets import assessment_set
from .oit import oit_results
from .publication import published_counts
from .result_store import StoredResult


def oit_judgements(session: Session, assessment: Assessment, iset: InstrumentSet) -> dict[str, bool]:
    """Return the judged OIT items of an assessment that its instrument set knows."""
    known = {o.code for o in iset.oit_items}
    return {item: passed for item, passed in oit_results(session, assessment).items()
            if item in known}


def _frame_or_none(session: Session, assessment: Assessment, instrument: str, *,
                   include_imported: bool = False):
    frame = responses_frame(session, assessment, instrument, include_imported=include_imported)
    return None if len(frame) == 0 else frame


def history_pairs(session: Session, assessment: Assessment) -> list[tuple[int, float]]:
    """Return earlier years' totals: entered past results, else the agency's own assessments.

    A published figure entered as a past result wins over the total this system computes for
    the same year; years after this assessment's are left out.  An earlier assessment's total
    is its stored result's (:func:`stored_result`), so an earlier year is rated at most once
    while its data stay as they are, never on every page.
    """
    year = assessment.fiscal_year_be
    totals: dict[int, float] = {}
    past = session.execute(
        sa.select(PastScore.fiscal_year_be, PastScore.score).where(
            PastScore.agency_id == assessment.agency_id, PastScore.code == "total",
            PastScore.fiscal_year_be < year, PastScore.score.is_not(None))
    ).all()
    entered = {past_year: float(score) for past_year, score in past}
    earlier = session.scalars(
        sa.select(Assessment).where(Assessment.agency_id == assessment.agency_id,
                                    Assessment.fiscal_year_be < year,
                                    Assessment.id != assessment.id)
        .order_by(Assessment.fiscal_year_be, Assessment.id)
    ).all()
    for other in earlier:
        if other.fiscal_year_be in totals or other.fiscal_year_be in entered:
            continue
        total = stored_result(session, other).total
        if total is not None:
            totals[other.fiscal_year_be] = total
    totals.update(entered)
    return sorted(totals.items())


def assessment_inputs(session: Session, assessment: Assessment, *,
                      with_history: bool = True, include_imported: bool = False,
                      history: list[tuple[int, float]] | None = None) -> dict[str, Any]:
    """Return the keyword arguments of :func:`scoring.assess` for a stored assessment.

    Responses: those collected here; rehearsal rows imported from Google Forms are added only
    with ``include_imported`` (the dashboard's choice, always labelled).
    OIT: the judged checklist items; an item not judged yet counts as not passed
    (``oit_missing="fail"``), so a checklist being filled in shows a live score.  With no item
    judged at all, OIT (and so the total) is unknown.
    History: ``history`` when given (already read), else :func:`history_pairs`.
    """
    iset = assessment_set(assessment)
    oit = oit_judgements(session, assessment, iset)
    iit = _frame_or_none(session, assessment, "IIT", include_imported=include_imported)
    return {
        "iit": iit,
        "eit": _frame_or_none(session, assessment, "EIT", include_imported=include_imported),
        "oit": oit or None,
        "oit_missing": "fail",
        "history": (history if history is not None else history_pairs(session, assessment))
        if with_history else None,
        "headcount": usable_headcount(assessment.agency.eligible_headcount,
                                      0 if iit is None else len(iit)),
        "eit_minimum": assessment.eit_minimum,
        "fiscal_year_be": assessment.fiscal_year_be,
        "target": assessment.indicator_target,
    }


def usable_headcount(headcount: int | None, iit_responses: int) -> int | None:
    """Return the agency's headcount, or none when it is below the IIT responses received.

    A headcount smaller than the answers already in is out of date; :func:`scoring.assess`
    refuses it, so the results are computed without a minimum sample or finite population
    correction and the dashboard asks for the headcount to be corrected instead of failing.
    """
    if headcount is not None and headcount < iit_responses:
        return None
    return headcount


def assessment_result(session: Session, assessment: Assessment, *,
                      bootstrap: int = DEFAULT_BOOTSTRAP,
                      include_imported: bool = False) -> AssessmentResult:
    """Rate a stored assessment with :func:`scoring.assess`, now (see :func:`stored_result`)."""
    iset = assessment_set(assessment)
    return assess(iset, **assessment_inputs(session, assessment,
                                            include_imported=include_imported),
                  bootstrap=bootstrap)


def result_variant(*, bootstrap: int = DEFAULT_BOOTSTRAP, include_imported: bool = False
                   ) -> str:
    """Name how a result is computed: which responses, interval method, resamples, seed."""
    return (f"{'imported' if include_imported else 'collected'}:{DEFAULT_METHOD}:"
            f"{bootstrap}:{DEFAULT_SEED}")


def stored_result(session: Session, assessment: Assessment, *,
                  bootstrap: int = DEFAULT_BOOTSTRAP,
                  include_imported: bool = False) -> StoredResult:
    """Return the assessment's result from the store, computing and storing it when stale.

    The stored result is used while its fingerprint equals the fingerprint of the inputs now
    (:func:`.result_store.fingerprint`: a few small queries, the same at any number of
    responses); otherwise the assessment is rated with :func:`scoring.assess` and the result
    stored in the caller's transaction (the caller commits, as for any write).  The fingerprint
    is taken before the data are read and again after: if the data changed meanwhile, the
    result is returned but not stored, so a stored result never claims newer data than it saw.
    """
    iset = assessment_set(assessment)
    history = history_pairs(session, assessment)
    variant = result_variant(bootstrap=bootstrap, include_imported=include_imported)

    def key() -> str:
        return result_store.fingerprint(session, assessment, iset, variant=variant,
                                        include_imported=include_imported, history=history)

    before = key()
    found = result_store.load(session, assessment.id, variant)
    if found is not None and found[0] == before:
        return found[1]
    result = assess(iset, **assessment_inputs(session, assessment, history=history,
                                              include_imported=include_imported),
                    bootstrap=bootstrap)
    values = {"scores": result_to_dict(result),
              "indicators": {c: i.score for c, i in result.indicators.items()},
              "total": result.total}
    if key() != before:
        return StoredResult(**values, computed=True)
    return result_store.save(session, assessment.id, variant, before, **values)


# -- the view model ---------------------------------------------------------------------------


def methodology_of(iset: InstrumentSet, target: float) -> vm.Methodology:
    """The set's instruments, indicators, weights, grade bands and tiers as a typed view."""
    m = iset.methodology
    step = 10.0 ** -m.decimals
    grades = []
    for k, g in enumerate(m.grades):
        top = 100.0 if k == 0 else round_half_up(m.grades[k - 1].min_score - step, m.decimals)
        grades.append(vm.GradeBand(grade=g.grade, min_score=g.min_score, max_score=top,
                                   label_th=g.label_th, label_en=g.label_en, passed=g.passed))
    instruments = tuple(
        vm.InstrumentRef(
            code=code, name_th=inst.name_th, name_en=inst.name_en,
            weight=m.weights.get(code, 0.0),
            indicators=tuple(
                vm.IndicatorRef(code=i.code, instrument=code, name_th=i.name_th,
                                name_en=i.name_en,
                                sub_indicators=tuple(vm.SubIndicatorRef(s.code, s.name_th, s.name_en)
                                                     for s in iset.sub_indicators_for(i.code)))
                for i in iset.indicators_for(code)))
        for code, inst in iset.instruments.items())
    tiers = tuple(vm.Tier(code=v.code, label_th=v.label_th, label_en=v.label_en,
                          min_total=v.min_total, passed=v.passed,
                          floors=tuple(vm.TierFloor(k, f) for k, f in v.floors.items()))
                  for v in m.verdicts)
    return vm.Methodology(set_id=iset.id, title_th=iset.title_th, title_en=iset.title_en,
                          instruments=instruments, target=target, pass_mark=m.pass_mark,
                          grades=tuple(grades), tiers=tiers, min_group_size=m.min_group_size)


def _interval(pair) -> vm.Interval | None:
    return None if not pair else vm.Interval(pair[0], pair[1])


def _indicator_score(iset: InstrumentSet, code: str, d: dict[str, Any],
                     oit: dict[str, bool]) -> vm.IndicatorScore:
    items = []
    for it in d["items"]:
        item = iset.item(it["code"])
        questions = []
        for q in it["questions"]:
            spec = iset.question(q["column"])
            scores = item.scale.scores(spec.direction)
            options = tuple(
                vm.OptionShare(code=o.code, label_th=o.label_th, label_en=o.label_en,
                               option_score=scores[o.code],
                               count=q["distribution"].get(str(o.code), {}).get("count"),
                               percent=q["distribution"].get(str(o.code), {}).get("percent"))
                for o in item.scale.options)
            questions.append(vm.QuestionScore(column=q["column"], text_th=spec.text_th,
                                              text_en=spec.text_en, n=q["n"],
                                              no_answer=q["no_answer"], mean=q["mean"],
                                              options=options))
        items.append(vm.ItemScore(code=it["code"], text_th=item.text_th, text_en=item.text_en,
                                  n=it["n"], mean=it["mean"], questions=tuple(questions)))
    subs = tuple(
        vm.SubIndicatorScore(
            code=sc, name_th=sub["name_th"], name_en=sub["name_en"], score=sub["score"],
            source=sub["source"], items=sub["items"], items_passed=sub["items_passed"],
            checklist=tuple(vm.OitItemResult(o.code, o.text_th, o.text_en, oit.get(o.code))
                            for o in iset.oit_items_for(sc)) if sub["source"] == "checklist"
            else ())
        for sc, sub in d["sub_indicators"].items())
    return vm.IndicatorScore(
        code=code, instrument=d["instrument"], name_th=d["name_th"], name_en=d["name_en"],
        score=d["score"], grade=d["grade"], passed=d["passed"], source=d["source"], n=d["n"],
        bootstrap_ci95=_interval(d["bootstrap_ci95"]), cronbach_alpha=d["cronbach_alpha"],
        items=tuple(items), sub_indicators=subs)


def results_view(session: Session, assessment: Assessment, *,
                 bootstrap: int = DEFAULT_BOOTSTRAP,
                 result: AssessmentResult | dict[str, Any] | None = None,
                 include_imported: bool = False) -> vm.ResultsView:
    """Return the typed results of a stored assessment (see :func:`build_results_view`).

    The figures are the stored result's (:func:`stored_result`) unless ``result`` is given.
    """
    iset = assessment_set(assessment)
    if result is None:
        result = stored_result(session, assessment, bootstrap=bootstrap,
                               include_imported=include_imported).scores
    info = vm.AssessmentInfo(id=assessment.id, fiscal_year_be=assessment.fiscal_year_be,
                             instrument_set=assessment.instrument_set,
                             state=assessment_state(assessment))
    return build_results_view(iset, result, agency=agency_info(assessment.agency),
                              assessment=info,
                              # what the figures include: published answers only
                              counts=published_counts(session, assessment.id),
                              oit=oit_judgements(session, assessment, iset))


def build_results_view(iset: InstrumentSet, result: AssessmentResult | dict[str, Any], *,
                       agency: vm.AgencyInfo, assessment: vm.AssessmentInfo,
                       counts: dict[str, int], oit: dict[str, bool]) -> vm.ResultsView:
    """Shape a result into the typed results view, every figure as ``scoring`` rounded it.

    The figures are ``scoring.report.result_to_dict(result)``'s (rounded once there, by
    ``scoring.round_half_up``), or ``result`` itself when it is that object (a stored result);
    the rest is labels and facts from the instrument set and the caller (names, texts, counts,
    the judged OIT items).
    """
    scores = result_to_dict(result) if isinstance(result, AssessmentResult) else result
    indicators = {c: _indicator_score(iset, c, d, oit) for c, d in scores["indicators"].items()}
    instruments = tuple(
        vm.InstrumentScore(
            code=code, name_th=d["name_th"], name_en=d["name_en"], score=d["score"],
            weight=d["weight"], weighted=d["weighted"], responses=d["responses"],
            minimum_sample=d["minimum_sample"], sample_met=d["sample_met"],
            margin_of_error=d["margin_of_error"], bootstrap_ci95=_interval(d["bootstrap_ci95"]),
            indicators=tuple(i for i in indicators.values() if i.instrument == code))
        for code, d in scores["instruments"].items())
    verdict = scores["verdict"]
    return vm.ResultsView(
        agency=agency,
        assessment=assessment,
        methodology=methodology_of(iset, scores["target"]),
        responses=tuple(
            vm.ResponseCount(instrument=i.code, name_th=i.name_th, name_en=i.name_en,
                             responses=counts.get(i.code, 0), minimum=i.minimum_sample,
                             met=i.sample_met, margin_of_error=i.margin_of_error)
            for i in instruments if i.code in SURVEY_INSTRUMENTS),
        oit=vm.OitProgress(judged=len(oit), items=len(iset.oit_items), passed=sum(oit.values())),
        instruments=instruments,
        indicators=tuple(indicators.values()),
        total=scores["total"],
        total_bootstrap_ci95=_interval(scores["total_bootstrap_ci95"]),
        grade=scores["grade"],
        verdict=None if verdict is None else vm.Verdict(
            code=verdict["code"], label_th=verdict["label_th"], label_en=verdict["label_en"],
            passed=bool(scores["passed"]),
            floors_missed=tuple(vm.FloorMissed(f["instrument"], f["score"], f["floor"])
                                for f in verdict.get("floors_missed", ()))),
        gap=_tier_gap(scores["gap"]),
        strengths=tuple(indicators[c] for c in scores["strengths"]),
        to_develop=tuple(indicators[c] for c in scores["to_develop"]),
        trend=tuple(vm.TrendPoint(fiscal_year_be=h["fiscal_year_be"], total=h["total"],
                                  development=h["development"],
                                  development_en=h["development_en"],
                                  difference=h["difference"]) for h in scores["history"]),
        eit_groups=tuple(
            vm.GroupScore(code=g["code"], label_th=g["label_th"], label_en=g["label_en"],
                          n=g["n"], suppressed=g["suppressed"],
                          indicators=tuple(vm.GroupIndicator(c, v)
                                           for c, v in g["indicators"].items()),
                          score=g["score"]) for g in scores["eit_groups"]),
    )


def _tier_gap(gap: dict | None) -> vm.TierGap | None:
    if gap is None:
        return None
    return vm.TierGap(
        label_th=gap["next_tier"]["label_th"], label_en=gap["next_tier"]["label_en"],
        total=gap["total"]["score"], total_need=gap["total"]["need"],
        total_met=gap["total"]["met"],
        instruments=tuple(vm.InstrumentNeed(code, n["score"], n["need"], n["met"], n["reachable"])
                          for code, n in gap["instruments"].items()),
        indicators=tuple(vm.IndicatorLever(w["code"], w["instrument"], w["per_point"],
                                           w["score"], w["max_gain"]) for w in gap["indicators"]))


def agency_info(agency: Agency) -> vm.AgencyInfo:
    return vm.AgencyInfo(id=agency.id, code=agency.code, name_th=agency.name_th,
                         name_en=agency.name_en or agency.name_th,
                         agency_type=agency.agency_type, headcount=agency.eligible_headcount)


# -- the supervisor's comparison --------------------------------------------------------------


def _score_assessments(session: Session, iset: InstrumentSet,
                       assessments: list[Assessment]):
    """Return the supervisor's table of several assessments of one set from their stored results.

    Rows are keyed by assessment id, with :func:`scoring.score_agencies`'s columns (indicators,
    ``n_IIT``/``n_EIT``, the roll-up's instrument scores, weighted parts, total, grade and
    verdict), rolled up by :func:`scoring.agencies_table` from each stored result's unrounded
    indicator scores (:func:`stored_result`: OIT from each checklist as on the dashboard,
    unjudged items not passed; none judged leaves OIT unknown).  An assessment with no score
    at all has no row.
    """
    known: dict[int, dict[str, float | None]] = {}
    counts: dict[int, dict[str, int]] = {}
    for assessment in assessments:
        stored = stored_result(session, assessment)
        if all(v is None for v in stored.indicators.values()):
            continue
        known[assessment.id] = stored.indicators
        counts[assessment.id] = {f"n_{inst}": d["responses"] or 0
                                 for inst, d in stored.scores["instruments"].items()
                                 if inst in SURVEY_INSTRUMENTS}
    indicators = pd.DataFrame.from_dict(known, orient="index", dtype=float)
    return agencies_table(iset, indicators,
                          pd.DataFrame.from_dict(counts, orient="index") if counts else None)

