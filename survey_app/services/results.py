"""Results from the database: build ``scoring.assess``'s inputs, rate, and shape a view model.

The one seam between stored data and :mod:`scoring`: models → DataFrames → ``scoring.assess`` →
``scoring.report.result_to_dict`` → the typed view models of :mod:`.view_models` that
templates, exports and the report read.
Nothing here rounds or rolls up a figure itself.  Many assessments at once (point figures
only) are rated in :mod:`.bulk_results`; the comparison across agencies built on it is in
:mod:`.area`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from questionnaires import InstrumentSet
from questionnaires.model import SURVEY_INSTRUMENTS
from questionnaires.provenance import unconfirmed
from questionnaires.score_maps import ScoreMap, apply_score_map, score_maps
from scoring import AssessmentResult, assess
from scoring.assess import DEFAULT_BOOTSTRAP, DEFAULT_SEED, IndicatorResult
from scoring.intervals import DEFAULT_METHOD, Interval
from scoring.report import result_to_dict
from scoring.rollup import round_half_up
from scoring.sensitivity import oit_grouping_range

from ..models import Agency, Assessment
from . import result_store
from . import view_models as vm
from .assessments import assessment_state
from .bulk_results import collected_points
from .imports import REHEARSAL, responses_frame
from .instrument_sets import assessment_set
from .oit import oit_results
from .publication import published_counts
from .published import Published, published_for, published_totals, rate_published
from .result_store import StoredResult, result_from_dict

log = logging.getLogger(__name__)


def oit_judgements(session: Session, assessment: Assessment, iset: InstrumentSet) -> dict[str, bool]:
    """Return the judged OIT items of an assessment that its instrument set knows."""
    known = {o.code for o in iset.oit_items}
    return {item: passed for item, passed in oit_results(session, assessment).items()
            if item in known}


def _frame_or_none(session: Session, assessment: Assessment, instrument: str, *,
                   include_imported: bool | str = False):
    frame = responses_frame(session, assessment, instrument, include_imported=include_imported)
    return None if len(frame) == 0 else frame


def history_pairs(session: Session, assessment: Assessment) -> list[tuple[int, float]]:
    """Return earlier years' totals: published results, else the agency's own assessments.

    A published total (:mod:`.published`) wins over the total this system computes for
    the same year; years after this assessment's are left out.  An earlier assessment's total
    is its stored result's (:func:`stored_result`), so an earlier year is rated at most once
    while its data stay as they are, never on every page.
    """
    year = assessment.fiscal_year_be
    totals: dict[int, float] = {}
    entered = published_totals(session, assessment.agency_id, year)
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
                      with_history: bool = True, include_imported: bool | str = False,
                      history: list[tuple[int, float]] | None = None) -> dict[str, Any]:
    """Return the keyword arguments of :func:`scoring.assess` for a stored assessment.

    Responses: those collected here; rehearsal rows imported from Google Forms are added only
    with ``include_imported`` (the dashboard's choice, always labelled), or taken alone with
    ``include_imported=REHEARSAL``.
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
        "score_map": assessment_score_map(assessment),
    }


def assessment_score_map(assessment: Assessment) -> ScoreMap | None:
    """The alternative answer->score map the assessment chose, or None for the set's own."""
    return score_maps().get(assessment.score_map) if assessment.score_map else None


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
                      include_imported: bool | str = False) -> AssessmentResult:
    """Rate a stored assessment with :func:`scoring.assess`, now (see :func:`stored_result`)."""
    iset = assessment_set(assessment)
    return assess(iset, **assessment_inputs(session, assessment,
                                            include_imported=include_imported),
                  bootstrap=bootstrap)


def result_variant(*, bootstrap: int = DEFAULT_BOOTSTRAP, include_imported: bool | str = False
                   ) -> str:
    """Name how a result is computed: which responses, interval method, resamples, seed."""
    which = (REHEARSAL if include_imported == REHEARSAL
             else "imported" if include_imported else "collected")
    return (f"{which}:{DEFAULT_METHOD}:"
            f"{bootstrap}:{DEFAULT_SEED}")


def stored_result(session: Session, assessment: Assessment, *,
                  bootstrap: int = DEFAULT_BOOTSTRAP,
                  include_imported: bool | str = False) -> StoredResult:
    """Return the year's result of the assessment: the published result where one exists for
    the agency and year (:func:`published_result`), else the collected one
    (:func:`collected_result`).  With ``include_imported`` (the rehearsal view) always the
    collected one: rehearsal answers are our own survey, never the year's record.
    """
    if not include_imported:
        published = published_for(session, assessment.agency_id, assessment.fiscal_year_be)
        if published is not None:
            return published_result(session, assessment, published)
    return collected_result(session, assessment, bootstrap=bootstrap,
                            include_imported=include_imported)


def published_result(session: Session, assessment: Assessment,
                     published: Published) -> StoredResult:
    """The published result of the assessment's agency and year, rated on the assessment's set
    (:func:`.published.rate_published`, no intervals: published figures have none), with the
    history of earlier years as any result of the year has it."""
    iset = assessment_set(assessment)
    result = rate_published(iset, published, history=history_pairs(session, assessment),
                            target=assessment.indicator_target)
    return StoredResult(scores=result_to_dict(result),
                        indicators={c: i.score for c, i in result.indicators.items()},
                        total=result.total, computed=True, source="published",
                        published=published)


def collected_result(session: Session, assessment: Assessment, *,
                     bootstrap: int = DEFAULT_BOOTSTRAP,
                     include_imported: bool | str = False) -> StoredResult:
    """Return the result of the answers collected here ("our own survey") from the store,
    computing and storing it when stale.

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


def refresh_results(engine: sa.Engine, assessment_ids: Iterable[int]) -> list[int]:
    """Recompute and store the result of each assessment whose published data just changed,
    so that no viewer pays the computation: the step the mixer runs right after a pass that
    published answers (``ballots.run_pass``), off every request but close-now's.

    For each assessment, the collected result (the variant every page reads) of it and of the
    agency's later assessments (their trend reads its total) is brought up to date with
    :func:`collected_result`, and so are its own points on the supervisor's pages
    (:func:`.bulk_results.collected_points`), in a session of its own, committed: a result
    still current costs
    its fingerprint, a stale one is computed once and stored under the fingerprint it was
    computed from, so the stale-never-shown rule is the same as for a page.  A failure is
    logged and leaves the result to be recomputed by the next view, as before.  Returns the
    ids of the assessments refreshed.
    """
    done = []
    for assessment_id in sorted(set(assessment_ids)):
        try:
            with Session(engine) as session:
                assessment = session.get(Assessment, assessment_id)
                if assessment is None:
                    continue
                for one in session.scalars(
                        sa.select(Assessment)
                        .where(Assessment.agency_id == assessment.agency_id,
                               Assessment.fiscal_year_be >= assessment.fiscal_year_be)
                        .order_by(Assessment.fiscal_year_be, Assessment.id)).all():
                    collected_result(session, one)
                    session.commit()
                collected_points(session, [assessment])
                session.commit()
            done.append(assessment_id)
        except Exception:  # the publication stands; the next view computes it
            log.exception("storing the result of assessment %d after its publication failed; "
                          "the next view computes it", assessment_id)
    return done


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


def _interval(pair) -> Interval | None:
    return None if not pair else Interval(pair[0], pair[1])


def _indicator_score(iset: InstrumentSet, ind: IndicatorResult, oit: dict[str, bool],
                     ) -> vm.IndicatorScore:
    items = []
    for it in ind.items:
        item = iset.item(it.code)
        questions = []
        for q in it.questions:
            spec = iset.question(q.column)
            scores = item.scale.scores(spec.direction)
            options = tuple(
                vm.OptionShare(code=o.code, label_th=o.label_th, label_en=o.label_en,
                               option_score=scores[o.code],
                               count=q.distribution.get(o.code, (None, None))[0],
                               percent=q.distribution.get(o.code, (None, None))[1])
                for o in item.scale.options)
            questions.append(vm.QuestionScore(column=q.column, text_th=spec.text_th,
                                              text_en=spec.text_en, n=q.n,
                                              no_answer=q.no_answer, mean=q.mean,
                                              options=options))
        items.append(vm.ItemScore(code=it.code, text_th=item.text_th, text_en=item.text_en,
                                  n=it.summary.n, mean=it.summary.mean,
                                  questions=tuple(questions)))
    subs = tuple(
        vm.SubIndicatorScore(
            code=sub.code, name_th=sub.name_th, name_en=sub.name_en, score=sub.score,
            source=sub.source, items=sub.items, items_passed=sub.items_passed,
            checklist=tuple(vm.OitItemResult(o.code, o.text_th, o.text_en, oit.get(o.code))
                            for o in iset.oit_items_for(sub.code))
            if sub.source == "checklist" else ())
        for sub in ind.sub_indicators)
    return vm.IndicatorScore(
        code=ind.code, instrument=ind.instrument, name_th=ind.name_th, name_en=ind.name_en,
        score=ind.score, grade=ind.grade, passed=ind.passed, source=ind.source,
        n=None if ind.summary is None else ind.summary.n,
        bootstrap_ci95=_interval(ind.bootstrap), cronbach_alpha=ind.alpha,
        items=tuple(items), sub_indicators=subs,
        topics=tuple(vm.Topic(i.code, i.text_th, i.text_en) for i in iset.items
                     if i.indicator == ind.code))


def results_view(session: Session, assessment: Assessment, *,
                 bootstrap: int = DEFAULT_BOOTSTRAP,
                 result: AssessmentResult | dict[str, Any] | None = None,
                 include_imported: bool | str = False) -> vm.ResultsView:
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
    counts = published_counts(session, assessment.id)  # what the figures include
    record = result_record(session, assessment, counts, include_imported=include_imported)
    # An alternative score map rescores our own answers only, never a published figure.
    score_map = assessment_score_map(assessment) if record.source == "collected" else None
    return build_results_view(iset, result, agency=agency_info(assessment.agency),
                              assessment=info, counts=counts,
                              oit=oit_judgements(session, assessment, iset),
                              score_map=score_map, record=record)


def unconfirmed_data(iset: InstrumentSet) -> tuple[vm.UnconfirmedDatum, ...]:
    """The set's unconfirmed data (:func:`questionnaires.provenance.unconfirmed`) as a view."""
    return tuple(vm.UnconfirmedDatum(u.code, u.instruments, u.note) for u in unconfirmed(iset))


def oit_sensitivity(iset: InstrumentSet, scores: dict[str, Any],
                    oit: dict[str, bool]) -> vm.OitSensitivityView | None:
    """The OIT range over the other groupings (:mod:`scoring.sensitivity`), when the set's
    grouping is unconfirmed and the OIT checklist has been judged."""
    if not oit or not any(u.code == "oit_grouping" for u in unconfirmed(iset)):
        return None
    if any(d["source"] != "checklist" for d in scores["indicators"].values()
           if d["instrument"] == "OIT"):
        return None  # OIT given as scores: nothing to regroup
    s = oit_grouping_range(iset, oit, {c: d["score"] for c, d in scores["indicators"].items()})
    tiers = {v.code: v for v in iset.methodology.verdicts}

    def outcome(o) -> vm.OitOutcome:
        tier = tiers.get(o.verdict)
        return vm.OitOutcome(oit=o.oit, total=o.total, grade=o.grade,
                             verdict_th=tier.label_th if tier else None,
                             verdict_en=tier.label_en if tier else None)

    return vm.OitSensitivityView(
        as_set=outcome(s.as_set), low=outcome(s.low), high=outcome(s.high),
        groupings=s.groupings, verdict_changes=s.verdict_changes,
        verdicts_th=tuple(tiers[c].label_th for c in s.verdicts),
        verdicts_en=tuple(tiers[c].label_en for c in s.verdicts))


def result_record(session: Session, assessment: Assessment, counts: dict[str, int], *,
                  include_imported: bool | str = False) -> vm.ResultRecord:
    """Whose figures the assessment's result is (:func:`stored_result`'s choice)."""
    has_collected = any(counts.values())
    published = None if include_imported else published_for(
        session, assessment.agency_id, assessment.fiscal_year_be)
    if published is None:
        return vm.ResultRecord(source="collected", has_collected=has_collected)
    return vm.ResultRecord(source="published", entered_via=published.source,
                           entered_by=published.entered_by, entered_at=published.entered_at,
                           as_given=published.as_given, has_collected=has_collected)


def comparison_view(session: Session, assessment: Assessment, *,
                    bootstrap: int = DEFAULT_BOOTSTRAP) -> vm.ComparisonView | None:
    """Our own survey (:func:`collected_result`) beside the published result of the same
    agency and year, per indicator and instrument; None without a published result.  Our own
    total is left out: the year has one total, the published one.
    """
    published = published_for(session, assessment.agency_id, assessment.fiscal_year_be)
    if published is None:
        return None
    iset = assessment_set(assessment)
    ours = collected_result(session, assessment, bootstrap=bootstrap).scores
    theirs = published_result(session, assessment, published).scores
    rows = []
    for code, ind in theirs["indicators"].items():
        mine = ours["indicators"][code]
        rows.append(vm.ComparisonRow(
            level="indicator", code=code, name_th=ind["name_th"], name_en=ind["name_en"],
            published=ind["score"], ours=mine["score"], interval=_interval(mine["bootstrap_ci95"]),
            n=mine["n"] if mine["source"] == "responses" else None))
    for code, inst in theirs["instruments"].items():
        mine = ours["instruments"][code]
        rows.append(vm.ComparisonRow(
            level="instrument", code=code, name_th=inst["name_th"], name_en=inst["name_en"],
            published=inst["score"], ours=mine["score"],
            interval=_interval(mine["bootstrap_ci95"]), n=mine["responses"]))
    counts = published_counts(session, assessment.id)  # what our own figures include
    view = build_results_view(iset, ours, agency=agency_info(assessment.agency),
                              assessment=vm.AssessmentInfo(
                                  id=assessment.id, fiscal_year_be=assessment.fiscal_year_be,
                                  instrument_set=assessment.instrument_set,
                                  state=assessment_state(assessment)),
                              counts=counts, oit=oit_judgements(session, assessment, iset))
    return vm.ComparisonView(agency=view.agency, assessment=view.assessment,
                             record=result_record(session, assessment, counts),
                             rows=tuple(rows), responses=view.responses)


def build_results_view(iset: InstrumentSet, result: AssessmentResult | dict[str, Any], *,
                       agency: vm.AgencyInfo, assessment: vm.AssessmentInfo,
                       counts: dict[str, int], oit: dict[str, bool],
                       score_map: ScoreMap | None = None,
                       record: vm.ResultRecord | None = None) -> vm.ResultsView:
    """Shape a result into the typed results view, every figure as ``scoring`` rounded it.

    The figures are ``scoring.report.result_to_dict(result)``'s (rounded once there, by
    ``scoring.round_half_up``), or ``result`` itself when it is that object (a stored result);
    the rest is labels and facts from the instrument set and the caller (names, texts, counts,
    the judged OIT items).
    """
    scores = result_to_dict(result) if isinstance(result, AssessmentResult) else result
    typed = result_from_dict(scores, iset)
    rescored = apply_score_map(iset, score_map)  # the option scores the figures were built on
    indicators = {c: _indicator_score(rescored, ind, oit) for c, ind in typed.indicators.items()}
    instruments = tuple(
        vm.InstrumentScore(
            code=code, name_th=inst.name_th, name_en=inst.name_en, score=inst.score,
            weight=inst.weight, weighted=inst.weighted, responses=inst.responses,
            minimum_sample=inst.minimum_sample, sample_met=inst.sample_met,
            margin_of_error=inst.margin_of_error, bootstrap_ci95=_interval(inst.bootstrap),
            indicators=tuple(i for i in indicators.values() if i.instrument == code))
        for code, inst in typed.instruments.items())
    verdict = typed.verdict
    return vm.ResultsView(
        agency=agency,
        assessment=assessment,
        methodology=methodology_of(iset, typed.target),
        responses=tuple(
            vm.ResponseCount(instrument=i.code, name_th=i.name_th, name_en=i.name_en,
                             responses=counts.get(i.code, 0), minimum=i.minimum_sample,
                             met=i.sample_met, margin_of_error=i.margin_of_error)
            for i in instruments if i.code in SURVEY_INSTRUMENTS),
        oit=vm.OitProgress(judged=len(oit), items=len(iset.oit_items), passed=sum(oit.values())),
        instruments=instruments,
        indicators=tuple(indicators.values()),
        total=typed.total,
        total_bootstrap_ci95=_interval(typed.total_bootstrap),
        grade=typed.grade,
        verdict=None if verdict is None else vm.Verdict(
            code=verdict.code, label_th=verdict.label_th, label_en=verdict.label_en,
            passed=bool(typed.passed),
            floors_missed=tuple(vm.FloorMissed(f.instrument, f.score, f.floor)
                                for f in typed.floors_missed)),
        gap=typed.gap,
        strengths=tuple(indicators[c] for c in typed.strengths),
        to_develop=tuple(indicators[c] for c in typed.to_develop),
        trend=tuple(vm.TrendPoint(fiscal_year_be=h.fiscal_year_be, total=h.total,
                                  development=h.development,
                                  development_en=h.development_en,
                                  difference=h.difference) for h in typed.history),
        eit_groups=tuple(
            vm.GroupScore(code=g.code, label_th=g.label_th, label_en=g.label_en,
                          n=g.n, suppressed=g.suppressed,
                          indicators=tuple(vm.GroupIndicator(c, v)
                                           for c, v in g.indicators.items()),
                          score=g.score) for g in typed.eit_groups),
        record=record,
        score_map=None if score_map is None else vm.ScoreMapInfo(
            score_map.code, score_map.label_th, score_map.label_en, score_map.provenance),
        unconfirmed=unconfirmed_data(iset),
        oit_sensitivity=oit_sensitivity(iset, scores, oit),
    )


def agency_info(agency: Agency) -> vm.AgencyInfo:
    return vm.AgencyInfo(id=agency.id, code=agency.code, name_th=agency.name_th,
                         name_en=agency.name_en or agency.name_th,
                         agency_type=agency.agency_type, headcount=agency.eligible_headcount)
