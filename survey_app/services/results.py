"""Results from the database: build ``scoring.assess``'s inputs, rate, and shape a view model.

The one seam between stored data and :mod:`scoring`: models → DataFrames → ``scoring.assess`` →
``scoring.report.result_to_dict`` → the plain dicts templates, exports and the report read.
Nothing here rounds or rolls up a figure itself; the only statistics computed here are across
agencies (the supervisor's group average, ranks and grade counts), which no single agency's
result holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from questionnaires import InstrumentSet, load_instrument_set
from scoring import AssessmentResult, assess, group_average, rank_totals, score_agencies
from scoring.assess import DEFAULT_BOOTSTRAP
from scoring.report import result_to_dict
from scoring.rollup import oit_indicators, oit_sub_indicator_scores, round_half_up

from ..models import Agency, Assessment, PastScore, User
from .agencies import agency_scope, visible_agencies
from .assessments import assessment_state, response_counts
from .exports import responses_frame_by_id
from .oit import oit_results


def oit_judgements(session: Session, assessment: Assessment, iset: InstrumentSet) -> dict[str, bool]:
    """Return the judged OIT items of an assessment that its instrument set knows."""
    known = {o.code for o in iset.oit_items}
    return {item: passed for item, passed in oit_results(session, assessment).items()
            if item in known}


def _frame_or_none(session: Session, assessment: Assessment, instrument: str):
    frame = responses_frame_by_id(session, assessment.id, instrument)
    if len(frame) == 0:
        return None
    return frame.drop(columns=["submitted_on"])


def history_pairs(session: Session, assessment: Assessment) -> list[tuple[int, float]]:
    """Return earlier years' totals: entered past results, else the agency's own assessments.

    A published figure entered as a past result wins over the total this system computes for
    the same year; years after this assessment's are left out.
    """
    year = assessment.fiscal_year_be
    totals: dict[int, float] = {}
    earlier = session.scalars(
        sa.select(Assessment).where(Assessment.agency_id == assessment.agency_id,
                                    Assessment.fiscal_year_be < year,
                                    Assessment.id != assessment.id)
        .order_by(Assessment.fiscal_year_be, Assessment.id)
    ).all()
    for other in earlier:
        if other.fiscal_year_be in totals:
            continue
        result = assess(load_instrument_set(other.instrument_set),
                        **assessment_inputs(session, other, with_history=False), bootstrap=0)
        if result.total is not None:
            totals[other.fiscal_year_be] = result.total
    past = session.execute(
        sa.select(PastScore.fiscal_year_be, PastScore.score).where(
            PastScore.agency_id == assessment.agency_id, PastScore.code == "total",
            PastScore.fiscal_year_be < year, PastScore.score.is_not(None))
    ).all()
    for past_year, score in past:
        totals[past_year] = float(score)
    return sorted(totals.items())


def assessment_inputs(session: Session, assessment: Assessment, *,
                      with_history: bool = True) -> dict[str, Any]:
    """Return the keyword arguments of :func:`scoring.assess` for a stored assessment.

    OIT: the judged checklist items; an item not judged yet counts as not passed
    (``oit_missing="fail"``), so a checklist being filled in shows a live score.  With no item
    judged at all, OIT (and so the total) is unknown.
    """
    iset = load_instrument_set(assessment.instrument_set)
    oit = oit_judgements(session, assessment, iset)
    return {
        "iit": _frame_or_none(session, assessment, "IIT"),
        "eit": _frame_or_none(session, assessment, "EIT"),
        "oit": oit or None,
        "oit_missing": "fail",
        "history": history_pairs(session, assessment) if with_history else None,
        "headcount": assessment.agency.eligible_headcount,
        "eit_minimum": assessment.eit_minimum,
        "fiscal_year_be": assessment.fiscal_year_be,
        "target": assessment.indicator_target,
    }


def assessment_result(session: Session, assessment: Assessment, *,
                      bootstrap: int = DEFAULT_BOOTSTRAP) -> AssessmentResult:
    """Rate a stored assessment with :func:`scoring.assess`."""
    iset = load_instrument_set(assessment.instrument_set)
    return assess(iset, **assessment_inputs(session, assessment), bootstrap=bootstrap)


# -- the view model ---------------------------------------------------------------------------


def _option_labels(iset: InstrumentSet) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for item in iset.items:
        for q in item.questions:
            scores = item.scale.scores(q.direction)
            out[q.column] = [{"code": o.code, "label_th": o.label_th, "label_en": o.label_en,
                              "score": scores[o.code]} for o in item.scale.options]
    return out


def results_view(session: Session, assessment: Assessment, *,
                 bootstrap: int = DEFAULT_BOOTSTRAP,
                 result: AssessmentResult | None = None) -> dict[str, Any]:
    """Return everything the dashboard, exports and report show, figures from ``scoring``.

    ``scores`` is ``result_to_dict(result)`` unchanged (every figure already rounded by
    scoring); the rest is labels and facts about the assessment (names, texts, counts).
    """
    iset = load_instrument_set(assessment.instrument_set)
    if result is None:
        result = assessment_result(session, assessment, bootstrap=bootstrap)
    scores = result_to_dict(result)
    oit = oit_judgements(session, assessment, iset)
    agency = assessment.agency
    indicators = scores["indicators"]

    def ranked(codes):
        return [{"code": c, **{k: indicators[c][k] for k in
                               ("name_th", "name_en", "instrument", "score", "grade", "passed")}}
                for c in codes]

    questions = {}
    for item in iset.items:
        questions[item.code] = {"text_th": item.text_th, "text_en": item.text_en,
                                "scale_th": item.scale.label_th, "scale_en": item.scale.label_en,
                                "subs": {q.column: {"text_th": q.text_th, "text_en": q.text_en}
                                         for q in item.questions}}
    return {
        "scores": scores,
        "agency": {"id": agency.id, "code": agency.code, "name_th": agency.name_th,
                   "name_en": agency.name_en or agency.name_th, "type": agency.agency_type,
                   "headcount": agency.eligible_headcount},
        "assessment": {"id": assessment.id, "fiscal_year_be": assessment.fiscal_year_be,
                       "instrument_set": assessment.instrument_set,
                       "opens_at": assessment.opens_at, "closes_at": assessment.closes_at,
                       "state": assessment_state(assessment).value},
        "iset": {"id": iset.id, "title_th": iset.title_th, "title_en": iset.title_en,
                 "weights": dict(iset.methodology.weights),
                 "pass_mark": iset.methodology.pass_mark,
                 "grades": [{"grade": g.grade, "min_score": g.min_score, "label_th": g.label_th,
                             "label_en": g.label_en, "passed": g.passed}
                            for g in iset.methodology.grades],
                 "min_group_size": iset.methodology.min_group_size},
        "responses": response_counts(session, assessment),
        "oit": {"judged": len(oit), "items": len(iset.oit_items),
                "passed": sum(oit.values())},
        "strengths": ranked(scores["strengths"]),
        "to_develop": ranked(scores["to_develop"]),
        "ranked": ranked([*scores["strengths"], *scores["to_develop"]]),
        "highest": ranked(scores["strengths"] + scores["to_develop"])[:1],
        "lowest": ranked(scores["strengths"] + scores["to_develop"])[-1:],
        "questions": questions,
        "options": _option_labels(iset),
        "groups": {g.code: {"label_th": g.label_th, "label_en": g.label_en}
                   for g in iset.respondent_groups},
    }


# -- the supervisor's comparison --------------------------------------------------------------


@dataclass
class SupervisorRow:
    agency: Agency
    assessment: Assessment
    total: float | None  # rounded by scoring.report
    grade: str | None
    verdict_th: str | None
    verdict_en: str | None
    passed: bool | None
    responses: dict[str, int]
    instruments: dict[str, float | None]
    rank: int | None = None
    own: bool = False


@dataclass
class SupervisorView:
    fiscal_year_be: int | None
    years: list[int]
    rows: list[SupervisorRow]
    average: float | None  # mean of the agencies' totals, rounded half up
    rated: int
    distribution: list[tuple[str, int]]  # grade → number of agencies, best grade first
    without_result: int
    without_assessment: list[Agency] = field(default_factory=list)


def _score_assessments(session: Session, iset: InstrumentSet,
                       assessments: list[Assessment]):
    """Rate several assessments of one instrument set with :func:`scoring.score_agencies`.

    Rows are keyed by assessment id; OIT comes from each checklist as on the dashboard
    (unjudged items count as not passed; none judged leaves OIT unknown).
    """
    frames: dict[str, list] = {"IIT": [], "EIT": []}
    given: dict[int, dict[str, float]] = {}
    for assessment in assessments:
        for inst, found in frames.items():
            frame = _frame_or_none(session, assessment, inst)
            if frame is not None:
                found.append(frame.assign(assessment=assessment.id))
        oit = oit_judgements(session, assessment, iset)
        if oit:
            subs = oit_sub_indicator_scores(iset, oit, missing="fail")
            given[assessment.id] = oit_indicators(iset, subs)
    return score_agencies(
        iset, by="assessment",
        iit=pd.concat(frames["IIT"], ignore_index=True) if frames["IIT"] else None,
        eit=pd.concat(frames["EIT"], ignore_index=True) if frames["EIT"] else None,
        given=pd.DataFrame.from_dict(given, orient="index") if given else None)


def supervisor_years(session: Session, user: User) -> list[int]:
    """Return the fiscal years (newest first) with an assessment of an agency in scope."""
    scope = agency_scope(session, user)
    query = sa.select(Assessment.fiscal_year_be).distinct()
    if scope is not None:
        query = query.where(Assessment.agency_id.in_(scope or {-1}))
    return sorted(session.scalars(query), reverse=True)


def supervisor_view(session: Session, user: User, fiscal_year_be: int | None = None
                    ) -> SupervisorView:
    """Compare every agency in ``user``'s scope with an assessment in one fiscal year.

    All agencies of an instrument set are rated at once by :func:`scoring.score_agencies` (the
    formulas of :func:`scoring.assess`, without the per-item statistics this page does not
    show), so a supervisor of hundreds of agencies gets the page quickly.  Ranks go by the
    rounded total (equal totals share a rank, the next rank skips); the group average is the
    mean of the agencies' totals.
    """
    years = supervisor_years(session, user)
    if fiscal_year_be is None:
        fiscal_year_be = years[0] if years else None
    agencies = session.scalars(visible_agencies(session, user)).all()
    latest = {a.agency_id: a for a in session.scalars(
        sa.select(Assessment).where(Assessment.fiscal_year_be == fiscal_year_be,
                                    Assessment.agency_id.in_([a.id for a in agencies] or [-1]))
        .order_by(Assessment.id))}  # the newest assessment of each agency wins
    missing = [a for a in agencies if a.id not in latest]
    by_set: dict[str, list[Assessment]] = {}
    for assessment in latest.values():
        by_set.setdefault(assessment.instrument_set, []).append(assessment)

    rows: list[SupervisorRow] = []
    grades: list[str] = []
    full_totals: list[float] = []
    for set_id, assessments in by_set.items():
        iset = load_instrument_set(set_id)
        grades += [g.grade for g in iset.methodology.grades if g.grade not in grades]
        table = _score_assessments(session, iset, assessments)
        verdicts = {v.code: v for v in iset.methodology.verdicts}
        decimals = iset.methodology.decimals
        for assessment in assessments:
            row = table.loc[assessment.id] if assessment.id in table.index else None
            total = None if row is None or np.isnan(row["total"]) else float(row["total"])
            verdict = verdicts.get(row["verdict"]) if row is not None else None
            if total is not None:
                full_totals.append(total)
            rows.append(SupervisorRow(
                agency=assessment.agency, assessment=assessment,
                total=None if total is None else round_half_up(total, decimals),
                grade=None if row is None else row["grade"],
                verdict_th=verdict.label_th if verdict else None,
                verdict_en=verdict.label_en if verdict else None,
                passed=verdict.passed if verdict else None,
                responses=response_counts(session, assessment),
                instruments={inst: (None if row is None or np.isnan(row[f"{inst}_weighted"])
                                    else round_half_up(row[f"{inst}_weighted"], decimals))
                             for inst in iset.instruments},
                own=assessment.agency_id == user.agency_id))
    ranks = rank_totals(pd.Series({k: r.total for k, r in enumerate(rows)}, dtype=float))
    for k, r in enumerate(rows):
        r.rank = None if np.isnan(ranks[k]) else int(ranks[k])
    rated = sorted((r for r in rows if r.rank is not None), key=lambda r: (r.rank, r.agency.code))
    rows = rated + sorted((r for r in rows if r.total is None), key=lambda r: r.agency.code)
    distribution = [(g, sum(1 for r in rated if r.grade == g)) for g in grades]
    mean = group_average(pd.Series(full_totals, dtype=float))
    average = None if mean is None else round_half_up(mean)
    return SupervisorView(
        fiscal_year_be=fiscal_year_be, years=years, rows=rows, average=average,
        rated=len(rated), distribution=distribution, without_result=len(rows) - len(rated),
        without_assessment=missing)
