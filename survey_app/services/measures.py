"""Improvement measures (มาตรการ): what an agency plans for each indicator it must raise, and
how each measure went, quarter by quarter, in the fiscal year it is carried out in.

The measures drawn from the results of fiscal year ``Y`` are carried out in ``Y + 1`` (the
yearly report's "ประจำปีงบประมาณ พ.ศ. Y+1", as the seed's office does), so their quarters
(:mod:`survey_app.quarters`) are that year's.  Each quarter of a measure may carry a report: a
status (:data:`~survey_app.services.view_models.MEASURE_STATUSES`), a note and evidence links;
a quarter without one keeps the status of the last report before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.orm import Session

from questionnaires import InstrumentSet

from ..models import Assessment, ImprovementMeasure, MeasureProgress, utcnow
from ..quarters import QUARTERS, quarter_of, quarters_closed
from . import view_models as vm
from .assessments import assessment_state
from .formatting import split_lines
from .instrument_sets import assessment_set, default_set_id, list_sets, load_set
from .oit import parse_evidence_urls
from .report_document import report_document
from .results import agency_info, stored_result

STATUSES = vm.MEASURE_STATUSES
FINISHED = ("done", "dropped")  # a measure in either is never overdue
NOTE_MAX = 4000
URLS_MAX = 20  # evidence links per quarter


def measures_year(assessment: Assessment) -> int:
    """The fiscal year (B.E.) the assessment's measures are carried out and reported in."""
    return assessment.fiscal_year_be + 1


def current_quarter(assessment: Assessment, today: dt.date | None = None) -> int:
    """The quarter of the measures' year that ``today`` is in (1 before it, 4 after it)."""
    return quarter_of(today or utcnow().date(), measures_year(assessment))


def measures_by_indicator(session: Session, assessment: Assessment
                          ) -> dict[str, list[ImprovementMeasure]]:
    out: dict[str, list[ImprovementMeasure]] = {}
    for m in session.scalars(sa.select(ImprovementMeasure)
                             .where(ImprovementMeasure.assessment_id == assessment.id)
                             .order_by(ImprovementMeasure.indicator, ImprovementMeasure.position,
                                       ImprovementMeasure.id)):
        out.setdefault(m.indicator, []).append(m)
    return out


def measure_of(session: Session, assessment: Assessment, measure_id: int
               ) -> ImprovementMeasure | None:
    """Return one measure of ``assessment`` (None if it does not exist or is another's)."""
    row = session.get(ImprovementMeasure, measure_id)
    return row if row is not None and row.assessment_id == assessment.id else None


def _check_quarters(start: int | None, end: int | None) -> None:
    if (start is None) != (end is None):
        raise ValueError("give both the start and the end quarter")
    if start is not None and not (start in QUARTERS and end in QUARTERS and start <= end):
        raise ValueError(f"quarters {start}-{end}: each 1-4, the end not before the start")


def add_measure(session: Session, assessment: Assessment, *, indicator: str, measure: str,
                responsible: str = "", steps: str = "", issue: str = "",
                start_quarter: int | None = None, end_quarter: int | None = None,
                period: str = "") -> ImprovementMeasure:
    """Add a measure (``ValueError`` for a quarter range that is not 1 ≤ start ≤ end ≤ 4)."""
    _check_quarters(start_quarter, end_quarter)
    position = session.scalar(sa.select(sa.func.coalesce(sa.func.max(ImprovementMeasure.position), 0))
                              .where(ImprovementMeasure.assessment_id == assessment.id,
                                     ImprovementMeasure.indicator == indicator)) + 1
    row = ImprovementMeasure(assessment_id=assessment.id, indicator=indicator,
                             measure=measure.strip(), responsible=responsible.strip(),
                             steps=steps.strip(), issue=issue.strip(),
                             start_quarter=start_quarter, end_quarter=end_quarter,
                             period=period.strip(), position=position)
    session.add(row)
    session.flush()
    return row


def update_measure(row: ImprovementMeasure, *, indicator: str, measure: str,
                   responsible: str = "", steps: str = "", issue: str = "",
                   start_quarter: int | None = None, end_quarter: int | None = None,
                   period: str = "") -> None:
    _check_quarters(start_quarter, end_quarter)
    row.indicator = indicator
    row.measure = measure.strip()
    row.responsible = responsible.strip()
    row.steps = steps.strip()
    row.issue = issue.strip()
    row.start_quarter, row.end_quarter = start_quarter, end_quarter
    row.period = period.strip()


def indicator_scores(session: Session, assessment: Assessment) -> dict[str, float]:
    """Return this assessment's indicator scores known so far (from its stored result).

    Reading it may store a freshly computed result: the caller commits.
    """
    scores = stored_result(session, assessment).indicators
    return {c: score for c, score in scores.items() if score is not None}


def indicator_order(iset: InstrumentSet, scores: dict[str, float], target: float) -> list[str]:
    """Indicators below the target first, each group in the instrument set's order."""
    order = list(iset.indicators)
    below = [c for c in order if c in scores and scores[c] < target]
    return below + [c for c in order if c not in below]


# -- progress per quarter ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressEntry:
    """One quarter's report on a measure as an admin typed it, checked."""

    quarter: int
    status: str
    note: str
    evidence_urls: tuple[str, ...]


@dataclass(frozen=True)
class ProgressProblem:
    quarter: int
    problem: str  # "status", "note", "url" or "urls"
    value: str = ""


def read_progress(posted: Mapping[int, tuple[str, str, str]]
                  ) -> tuple[dict[int, ProgressEntry], list[ProgressProblem]]:
    """Check the typed reports: quarter → (status, note, evidence links one per line).

    Links typed without a scheme get ``https://`` (the OIT checklist's rule,
    :func:`~survey_app.services.oit.parse_evidence_urls`).  Returns the entries and every
    problem found; store the entries only when there is none.
    """
    entries: dict[int, ProgressEntry] = {}
    problems: list[ProgressProblem] = []
    for quarter, (status, note, urls_text) in sorted(posted.items()):
        if quarter not in QUARTERS or status not in STATUSES:
            problems.append(ProgressProblem(quarter, "status", status))
            continue
        note = "\n".join(split_lines(note))
        if len(note) > NOTE_MAX:
            problems.append(ProgressProblem(quarter, "note"))
        urls, bad = parse_evidence_urls(urls_text or "")
        problems.extend(ProgressProblem(quarter, "url", b) for b in bad)
        if len(urls) > URLS_MAX:
            problems.append(ProgressProblem(quarter, "urls"))
        entries[quarter] = ProgressEntry(quarter, status, note, urls)
    return entries, problems


def save_progress(session: Session, measure: ImprovementMeasure,
                  entries: Mapping[int, ProgressEntry]) -> list[int]:
    """Store the quarters' reports; return the quarters that changed.

    A quarter left "not started" with no note and no link has no report (it follows the one
    before it again).
    """
    saved = {p.quarter: p for p in measure.progress}
    changed = []
    for quarter, entry in sorted(entries.items()):
        urls = "\n".join(entry.evidence_urls)
        row = saved.get(quarter)
        empty = entry.status == "not_started" and not entry.note and not urls
        if row is None:
            if not empty:
                measure.progress.append(MeasureProgress(quarter=quarter, status=entry.status,
                                                        note=entry.note, evidence_urls=urls))
                changed.append(quarter)
        elif empty:
            measure.progress.remove(row)
            changed.append(quarter)
        elif (row.status, row.note, row.evidence_urls) != (entry.status, entry.note, urls):
            row.status, row.note, row.evidence_urls = entry.status, entry.note, urls
            changed.append(quarter)
    session.flush()
    return changed


# -- the follow-up view (dashboard and report) ------------------------------------------------


def _quarters(row: ImprovementMeasure) -> tuple[vm.QuarterProgress, ...]:
    saved = {p.quarter: p for p in row.progress}
    out = []
    status = "not_started"
    for q in QUARTERS:
        p = saved.get(q)
        if p is not None:
            status = p.status
        out.append(vm.QuarterProgress(
            quarter=q, status=status, note=split_lines(p.note) if p else (),
            evidence=tuple(u for u in p.evidence_urls.splitlines() if u) if p else (),
            recorded=p is not None))
    return tuple(out)


def build_follow_up(iset: InstrumentSet, rows: list[ImprovementMeasure], *,
                    agency: vm.AgencyInfo, assessment: vm.AssessmentInfo, fiscal_year_be: int,
                    quarter: int | None, closed: int,
                    oit_set: InstrumentSet | None = None) -> vm.FollowUpView:
    """Arrange measures and their reports into the follow-up of ``quarter`` (None: the year).

    ``iset``: the assessment's set (the indicators); ``oit_set``: the set whose OIT the report
    serves (the measures' year's; default ``iset``): its items marked ``measures`` are named.
    ``closed``: how many quarters of the year have ended.  A measure is overdue when its end
    quarter is at most ``min(as_of, closed)`` and it is neither done nor dropped as of then.
    """
    as_of = 4 if quarter is None else quarter
    ended = min(as_of, closed)
    order = {code: k for k, code in enumerate(iset.indicators)}
    out = []
    for row in sorted(rows, key=lambda r: (order.get(r.indicator, len(order)), r.position, r.id)):
        ind = iset.indicators.get(row.indicator)
        quarters = _quarters(row)
        status = quarters[as_of - 1].status
        out.append(vm.MeasureFollowUp(
            id=row.id, indicator_code=row.indicator,
            indicator_name_th=ind.name_th if ind else "", indicator_name_en=ind.name_en if ind else "",
            issue=split_lines(row.issue), measure=split_lines(row.measure),
            responsible=(row.responsible or "").strip(), steps=split_lines(row.steps),
            start_quarter=row.start_quarter, end_quarter=row.end_quarter,
            period_note=(row.period or "").strip(), quarters=quarters, status=status,
            overdue=(row.end_quarter is not None and row.end_quarter <= ended
                     and status not in FINISHED)))
    counts = tuple(vm.StatusCount(s, sum(1 for m in out if m.status == s)) for s in STATUSES)
    oit_set = oit_set or iset
    items = tuple(vm.OitItemRef(o.code, o.text_th, o.text_en, o.measures)
                  for o in oit_set.oit_items if o.measures)
    return vm.FollowUpView(agency=agency, assessment=assessment, fiscal_year_be=fiscal_year_be,
                           quarter=quarter, as_of=as_of, closed=closed, measures=tuple(out),
                           counts=counts, oit_items=items, oit_set_title_th=oit_set.title_th)


def follow_up_view(session: Session, assessment: Assessment, quarter: int | None, *,
                   today: dt.date | None = None) -> vm.FollowUpView:
    """The follow-up of a stored assessment's measures for ``quarter`` (1-4; None: the year).

    The OIT items it serves are those of the set a new assessment of the measures' year takes
    (:func:`~survey_app.services.instrument_sets.default_set_id`): the report is published
    in that year, for that year's OIT.
    """
    if quarter is not None and quarter not in QUARTERS:
        raise ValueError(f"quarter {quarter}: not 1-4")
    year = measures_year(assessment)
    rows = list(session.scalars(sa.select(ImprovementMeasure)
                                .where(ImprovementMeasure.assessment_id == assessment.id)))
    info = vm.AssessmentInfo(id=assessment.id, fiscal_year_be=assessment.fiscal_year_be,
                             instrument_set=assessment.instrument_set,
                             state=assessment_state(assessment))
    iset = assessment_set(assessment)
    oit_set_id = default_set_id(list_sets(session), year)
    oit_set = load_set(oit_set_id, session) if oit_set_id and oit_set_id != iset.id else iset
    view = build_follow_up(iset, rows, agency=agency_info(assessment.agency), assessment=info,
                           fiscal_year_be=year, quarter=quarter,
                           closed=quarters_closed(today or utcnow().date(), year), oit_set=oit_set)
    return replace(view, document=report_document(session, assessment))
