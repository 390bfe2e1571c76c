"""The area office's roll-up: every agency in scope compared, flagged, listed and summarised.

One comparison (:func:`area_rollup`) feeds the supervisor page, the area workbook
(:func:`write_area_workbook`) and the area summary report (:func:`area_report_view`), so the
three show the same figures.  Every agency's figures are read set-based and the stale ones
rated in one vectorised pass (:mod:`.bulk_results`: the formulas of :func:`scoring.assess`,
point figures only); the minimum samples come from :func:`scoring.assess.minimum_sample`; the
weakest items from each assessment's own item means (:func:`.bulk_results.item_means_of`)
pooled by :func:`scoring.pool_item_means`.  The only statistics computed here are across
agencies: ranks, the group average and the counts.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict, namedtuple
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from questionnaires import InstrumentSet
from questionnaires.model import SURVEY_INSTRUMENTS
from scoring import agencies_table, group_average, pool_item_means, rank_totals
from scoring.assess import minimum_sample
from scoring.rollup import round_half_up
from scoring.tiers import floors_missed_many

from ..models import Agency, Assessment, PublishedResult, PublishedScore, User
from . import view_models as vm
from .agencies import agency_scope, subtree
from .assessments import response_counts_by_assessment
from .bulk_results import ASSESSMENT_COLUMNS, collected_points, item_means_of, oit_marks_of
from .exports import export_filename, neutralise
from .id_lists import among, rows_of
from .instrument_sets import load_set, pinned_set
from .publication import marks_of
from .published import published_of_year, rate_published_many, registry_year_set
from .result_store import code_digest
from .results import agency_info, usable_headcount

SORTS = ("shortfall", "agency")
#: How the comparison table may be ordered: the ranking (ranked, then provisional, then no
#: total), by agency code, or by total (highest first, no total last).
ORDERS = ("rank", "agency", "total")
#: Rows per page of the supervisor's long tables (the downloads hold every row).
PAGE_SIZE = 50

#: Where the workbook's layout comes from (its notes sheet says the same, in Thai and English).
PROVENANCE_TH = (
    "รูปแบบของสมุดงานนี้จัดทำโดยโครงการ ita-survey ตามคำอธิบายไฟล์ Score-Final ของ สพฐ. "
    "(ไฟล์รวมผลการประเมิน ITA ของทุกโรงเรียนในสำนักงานเขตพื้นที่การศึกษาเพื่อนำส่ง สพฐ.) "
    "ในหน้า \"เครื่องมือประเมิน\" ของ itaschool.pracharath.ac.th ซึ่งไม่ได้เผยแพร่ผังคอลัมน์ของไฟล์ "
    "จึงไม่ใช่แบบฟอร์มทางการ: คอลัมน์ ลำดับ และชื่อหัวตารางเป็นของโครงการนี้")
PROVENANCE_EN = (
    "This workbook's layout is ita-survey's own, after OBEC's description of its Score-Final "
    "sheet (one file of the ITA results of every school of an area office, sent to OBEC) on the "
    "'เครื่องมือประเมิน' page of itaschool.pracharath.ac.th; that page does not publish the "
    "sheet's columns, so this is not the official form: the columns, their order and headings "
    "are this project's.")


# -- the comparison ---------------------------------------------------------------------------


def supervisor_years(session: Session, scope: set[int] | None) -> list[int]:
    """Return the fiscal years (newest first) with an assessment or a published result of an
    agency in ``scope`` that holds more than a total (any indicator, sub-indicator or part: a
    year typed as parts or OIT only is a year's result too); a year of published totals only
    is the history of later years, not listed."""
    query = sa.select(Assessment.fiscal_year_be).distinct()
    published = (sa.select(PublishedResult.fiscal_year_be).distinct()
                 .join(PublishedScore, PublishedScore.result_id == PublishedResult.id)
                 .where(PublishedScore.code != "total"))
    if scope is not None:
        query = query.where(among(session, Assessment.agency_id, scope))
        published = published.where(among(session, PublishedResult.agency_id, scope))
    return sorted({y for (y,) in rows_of(session, query)}
                  | {y for (y,) in rows_of(session, published)}, reverse=True)


def supervisor_view(session: Session, user: User, fiscal_year_be: int | None = None, *,
                    sort: str = "shortfall") -> vm.SupervisorView:
    """Compare every agency in ``user``'s scope (see :func:`area_rollup`)."""
    scope = agency_scope(session, user)
    return area_rollup(session, scope, fiscal_year_be, own_agency_id=user.agency_id,
                       area=None if scope is None else user.agency, sort=sort)


def area_of(session: Session, agency: Agency, fiscal_year_be: int | None = None
            ) -> vm.SupervisorView:
    """Compare an agency and every agency below it (the CLI's ``--area``)."""
    return area_rollup(session, subtree(session, agency.id), fiscal_year_be,
                       own_agency_id=agency.id, area=agency)


def _samples(iset, assessment, headcount: int | None, counts: dict[str, int],
             minimums: dict[tuple, int | None] | None = None) -> tuple[vm.SampleCheck, ...]:
    """The minimum-sample checks of one assessment; ``minimums``: the minimums already worked
    out for this set, by (instrument, usable headcount, EIT minimum) — a pure function of
    those, so agencies of the same headcount share it."""
    usable = usable_headcount(headcount, counts.get("IIT", 0))
    minimums = {} if minimums is None else minimums
    out = []
    for inst in SURVEY_INSTRUMENTS:
        if inst not in iset.methodology.minimum_sample:
            continue
        key = (inst, usable, assessment.eit_minimum)
        if key not in minimums:
            minimums[key] = minimum_sample(iset, inst, headcount=usable,
                                           eit_minimum=assessment.eit_minimum)
        out.append(vm.SampleCheck(inst, counts.get(inst, 0), minimums[key]))
    return tuple(out)


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) \
        else float(value)


#: The agency columns a comparison reads (Core rows: what :func:`.results.agency_info` takes).
AGENCY_COLUMNS = (Agency.id, Agency.code, Agency.name_th, Agency.name_en, Agency.agency_type,
                  Agency.eligible_headcount)


#: An agency's and an assessment's columns as plain tuples: compared as tuples are (in C).
_AgencyRow = namedtuple("_AgencyRow", [c.key for c in AGENCY_COLUMNS])
_AssessmentRow = namedtuple("_AssessmentRow", [c.key for c in ASSESSMENT_COLUMNS])


@dataclass(frozen=True)
class _Inputs:
    """Everything a comparison is made of, as read for one load (:func:`_read_inputs`): equal
    inputs make an equal comparison.  The stored points are not part of it: they are a function
    of the inputs (their fingerprint is made of ``marks``, ``oit``, the sets and the code)."""

    code: str  # :func:`.result_store.code_digest`: the formulas
    fiscal_year_be: int | None
    years: tuple[int, ...]
    agencies: tuple  # rows of AGENCY_COLUMNS in scope, by code
    latest: dict  # agency id → its newest assessment of the year (ASSESSMENT_COLUMNS)
    published: dict  # agency id → its published result of the year
    counts: dict  # assessment id → responses per instrument (stored, published or not)
    marks: dict  # assessment id → publication marks (:func:`.publication.marks_of`)
    oit: dict  # assessment id → judged OIT items (:func:`.bulk_results.oit_marks_of`)
    sets: tuple  # (set id, hash, the set) of every assessment's set
    registry: InstrumentSet | None  # the year's set of a published result without assessment
    own_agency_id: int | None
    area: vm.AgencyInfo | None
    sort: str


def _read_inputs(session: Session, scope: set[int] | None, fiscal_year_be: int | None, *,
                 own_agency_id: int | None, area: Agency | None, sort: str) -> _Inputs:
    """Read what a comparison is made of: a few queries for the whole scope, whatever its size
    (no answer and no stored point is read here)."""
    years = supervisor_years(session, scope)
    if fiscal_year_be is None:
        fiscal_year_be = years[0] if years else None
    query = sa.select(*AGENCY_COLUMNS).order_by(Agency.code)
    if scope is not None:
        query = query.where(among(session, Agency.id, scope))
    agencies = tuple(map(_AgencyRow._make, rows_of(session, query)))
    by_id = {a.id for a in agencies}
    assessments = sa.select(*ASSESSMENT_COLUMNS).where(Assessment.fiscal_year_be == fiscal_year_be)
    if scope is not None:
        assessments = assessments.where(among(session, Assessment.agency_id, scope))
    latest = {a.agency_id: a for a in map(_AssessmentRow._make,
                                          rows_of(session, assessments.order_by(Assessment.id)))
              if a.agency_id in by_id}  # the newest assessment of each agency wins
    # An agency's published result of the year (entered or uploaded) is its result, with or
    # without an assessment here; the others are rated from the answers collected here.
    published = {} if fiscal_year_be is None else {
        k: p for k, p in published_of_year(session, scope, fiscal_year_be).items() if k in by_id}
    ids = [a.id for a in latest.values()]
    collected = [a.id for a in latest.values() if a.agency_id not in published]
    sets: dict[tuple, InstrumentSet] = {}
    for a in latest.values():
        key = (a.instrument_set, a.instrument_set_sha256)
        if key not in sets:
            sets[key] = pinned_set(session, *key)
    registry = registry_year_set(session, fiscal_year_be) \
        if any(k not in latest for k in published) else None
    return _Inputs(
        code=code_digest(),
        fiscal_year_be=fiscal_year_be, years=tuple(years), agencies=agencies, latest=latest,
        published=published, counts=response_counts_by_assessment(session, ids),
        marks=marks_of(session, collected), oit=oit_marks_of(session, collected),
        sets=tuple((*k, v) for k, v in sets.items()), registry=registry,
        own_agency_id=own_agency_id, area=None if area is None else agency_info(area), sort=sort)


#: The comparisons made in this process, per database engine (they go with it), newest
#: last: scope and choices → (what it was made of, the comparison).  A load whose inputs are
#: equal to the kept ones shows the kept comparison; any change (an answer published, a count,
#: a judgement, a published result, an agency or assessment edited) makes the inputs differ,
#: and the comparison is made again.
_MADE: weakref.WeakKeyDictionary[Engine, OrderedDict[tuple, tuple[_Inputs, vm.SupervisorView]]] \
    = weakref.WeakKeyDictionary()
_MADE_LOCK = threading.Lock()
#: At most this many agencies' rows kept per engine (the newest comparison is always kept).
KEPT_ROWS = 40_000


def forget_comparisons() -> None:
    """Drop every comparison kept in this process (the next load of each is made afresh, as in
    a new worker)."""
    with _MADE_LOCK:
        _MADE.clear()


def area_rollup(session: Session, scope: set[int] | None, fiscal_year_be: int | None = None, *,
                own_agency_id: int | None = None, area: Agency | None = None,
                sort: str = "shortfall") -> vm.SupervisorView:
    """Compare every agency in ``scope`` (None: all) with an assessment in one fiscal year.

    Every agency's assessment, response counts, publication marks, judged OIT items and
    published result are read in a few queries for the whole scope (:func:`_read_inputs`).
    The comparison made of the same inputs last time in this process is shown again; else it
    is made (:func:`_compare`) and kept.
    """
    inputs = _read_inputs(session, scope, fiscal_year_be, own_agency_id=own_agency_id,
                          area=area, sort=sort)
    engine = session.get_bind().engine
    key = (None if scope is None else frozenset(scope), fiscal_year_be, own_agency_id, sort)
    with _MADE_LOCK:
        kept = _MADE.get(engine, {}).get(key)
    if kept is not None and kept[0] == inputs:
        return kept[1]
    view = _compare(session, inputs)
    with _MADE_LOCK:
        made = _MADE.setdefault(engine, OrderedDict())
        made[key] = (inputs, view)
        made.move_to_end(key)
        rows = sum(len(v.rows) for _, v in made.values())
        while len(made) > 1 and rows > KEPT_ROWS:
            rows -= len(made.popitem(last=False)[1][1].rows)
    return view


def _compare(session: Session, inputs: _Inputs) -> vm.SupervisorView:
    """Make the comparison of :func:`area_rollup` from its inputs.

    The assessments whose stored points are missing or stale are rated in one vectorised pass
    per instrument set (:func:`.bulk_results.collected_points`), and each set's agencies are
    rolled up at once (:func:`scoring.agencies_table`).  An agency whose IIT or EIT responses
    are below the minimum sample, or whose IIT minimum is unknown (no usable headcount), is
    *provisional*: its figures are shown, flagged, but it gets no rank and is left out of the
    group average and the grade and tier counts.  Ranks go by the rounded total of the others
    (equal totals share a rank, the next rank skips).
    """
    fiscal_year_be, agencies = inputs.fiscal_year_be, inputs.agencies
    latest, published, counts = inputs.latest, inputs.published, inputs.counts
    own_agency_id = inputs.own_agency_id
    by_id = {a.id: a for a in agencies}
    missing = [a for a in agencies if a.id not in latest and a.id not in published]
    by_set: dict[str, list] = {}
    for assessment in latest.values():
        if assessment.agency_id not in published:
            by_set.setdefault(assessment.instrument_set, []).append(assessment)
    points = collected_points(session, [a for group in by_set.values() for a in group],
                              marks=inputs.marks, oit=inputs.oit)

    rows: list[dict] = []
    full: dict[int, float] = {}  # row → unrounded total, of the agencies that met their minimums
    grades: list[tuple[str, str, str]] = []
    tiers: list[tuple[str, str, str]] = []
    instruments: list[str] = []
    indicator_codes: list[str] = []
    pinned = {(set_id, sha): iset for set_id, sha, iset in inputs.sets}

    def set_of(assessment) -> InstrumentSet:
        return pinned[assessment.instrument_set, assessment.instrument_set_sha256]

    def learn(iset: InstrumentSet) -> None:
        m = iset.methodology
        grades.extend((g.grade, g.grade, g.grade) for g in m.grades
                      if g.grade not in [x[0] for x in grades])
        if not m.grades:
            tiers.extend((v.code, v.label_th, v.label_en) for v in m.verdicts
                         if v.code not in [x[0] for x in tiers])
        instruments.extend(i for i in iset.instruments if i not in instruments)
        indicator_codes.extend(c for c in iset.indicators if c not in indicator_codes)

    for set_id, members in by_set.items():
        iset = set_of(members[0])
        m = iset.methodology
        learn(iset)
        known = {a.id: points[a.id] for a in members
                 if any(v is not None for v in points[a.id].values())}  # no score at all: no row
        shown = _figures(iset, agencies_table(
            iset, pd.DataFrame.from_dict(known, orient="index", dtype=float)))
        minimums: dict[tuple, int | None] = {}  # the set's minimum samples, by their inputs
        for assessment in members:
            figures = shown.get(assessment.id, _NO_FIGURES)
            samples = _samples(iset, assessment, by_id[assessment.agency_id].eligible_headcount,
                               counts[assessment.id], minimums)
            if figures["total"] is not None and all(s.met for s in samples):
                full[len(rows)] = figures["unrounded"]
            rows.append(dict(
                agency=agency_info(by_id[assessment.agency_id]), assessment_id=assessment.id,
                instrument_set=set_id, **_shown(iset, figures),
                responses=tuple((s.instrument, s.received) for s in samples),
                samples=samples,
                target=(assessment.indicator_target if assessment.indicator_target is not None
                        else m.indicator_target),
                own=assessment.agency_id == own_agency_id))
    # Published results, rated set by set (:func:`.published.rate_published_many`): no
    # minimum-sample checks (NACC's figures do not depend on the answers collected here).
    published_sets: dict[str, tuple[InstrumentSet, list]] = {}
    for agency in agencies:
        if agency.id not in published:
            continue
        assessment = latest.get(agency.id)
        iset = set_of(assessment) if assessment is not None else inputs.registry
        if iset is not None:
            published_sets.setdefault(iset.id, (iset, []))[1].append(agency)
    for iset, group in published_sets.values():
        m = iset.methodology
        learn(iset)
        shown = _figures(iset, rate_published_many(iset, {a.id: published[a.id] for a in group}))
        for agency in group:
            figures = shown[agency.id]
            assessment = latest.get(agency.id)
            if figures["total"] is not None:
                given = published[agency.id].total
                full[len(rows)] = given if given is not None else figures["total"]
            counts_of = {} if assessment is None else counts[assessment.id]
            rows.append(dict(
                agency=agency_info(agency),
                assessment_id=None if assessment is None else assessment.id,
                instrument_set=iset.id, **_shown(iset, figures),
                responses=tuple((inst, counts_of.get(inst, 0)) for inst in SURVEY_INSTRUMENTS
                                if inst in m.minimum_sample),
                samples=(),
                target=(assessment.indicator_target if assessment is not None
                        and assessment.indicator_target is not None else m.indicator_target),
                own=agency.id == own_agency_id, source="published"))
    members: dict[str, list[int]] = {}  # agency type → its rows: ranked apart (an area office
    for k, r in enumerate(rows):        # and its schools are assessed in different groups)
        members.setdefault(r["agency"].agency_type, []).append(k)
    ranks: dict[int, int] = {}
    for group in members.values():
        countable = pd.Series({k: rows[k]["total"] for k in group if k in full}, dtype=float)
        ranks.update({k: int(v) for k, v in rank_totals(countable).items()})
    typed = [vm.SupervisorRow(**r, rank=ranks.get(k)) for k, r in enumerate(rows)]
    order = _group_order(members, typed)
    position = {agency_type: k for k, agency_type in enumerate(order)}
    ranked = sorted((r for r in typed if r.rank is not None),
                    key=lambda r: (position[r.agency.agency_type], r.rank, r.agency.code))
    provisional = sorted((r for r in typed if r.rank is None and r.total is not None),
                         key=lambda r: (-r.total, r.agency.code))
    unrated = sorted((r for r in typed if r.total is None), key=lambda r: r.agency.code)
    groups = tuple(_rank_group(agency_type, [typed[k] for k in members[agency_type]],
                               [full[k] for k in members[agency_type] if k in full],
                               grades, tiers)
                   for agency_type in order)
    main = groups[0] if groups else _rank_group("", [], [], grades, tiers)
    return vm.SupervisorView(
        fiscal_year_be=fiscal_year_be, years=inputs.years, instruments=tuple(instruments),
        survey_instruments=tuple(i for i in SURVEY_INSTRUMENTS if i in instruments),
        rows=tuple(ranked + provisional + unrated),
        average=main.average, rated=main.rated, distribution=main.distribution,
        tiers=main.tiers, groups=groups,
        without_result=len(unrated),
        without_assessment=tuple(agency_info(a) for a in missing),
        indicator_codes=tuple(indicator_codes),
        needs_answers=needs_answers(typed, sort=inputs.sort),
        area=inputs.area)


_NO_FIGURES = {"unrounded": None, "total": None, "grade": None, "verdict": None}


def _figures(iset: InstrumentSet, table: pd.DataFrame) -> dict[int, dict]:
    """Each row of a :func:`scoring.agencies_table`-shaped frame as the page shows it: every
    figure rounded once by ``scoring`` (one :func:`round_half_up` per column, not per cell)."""
    m = iset.methodology
    columns = (*iset.indicators, *iset.instruments,
               *(f"{inst}_weighted" for inst in iset.instruments), "total")
    def numbers(values: np.ndarray) -> list[float | None]:
        return [None if v != v else v for v in values.tolist()]  # NaN → None

    raw = {c: numbers(table[c].to_numpy(dtype=float)) for c in ("total", *iset.instruments)}
    rounded = {c: numbers(round_half_up(table[c].to_numpy(dtype=float), m.decimals))
               for c in columns}
    grades = [g if isinstance(g, str) else None  # not NaN
              for g in table["grade"].to_numpy(dtype=object)]
    verdicts = [v if isinstance(v, str) else None for v in table["verdict"].to_numpy(dtype=object)]
    tiers = {v.code: v for v in iset.methodology.verdicts}
    # the floors each verdict missed, every column rounded once (not per agency)
    missed = floors_missed_many(iset, [v if v in tiers else None for v in verdicts],
                                raw["total"], {inst: raw[inst] for inst in iset.instruments})
    shown: dict[tuple, vm.Verdict] = {}  # a verdict and its missed floors, made once
    instruments, indicators = tuple(iset.instruments), tuple(iset.indicators)

    def by_row(codes) -> list[tuple]:  # the rounded columns as one tuple per row
        return list(zip(*(rounded[c] for c in codes), strict=True)) if codes \
            else [()] * len(table)

    weighted = by_row([f"{inst}_weighted" for inst in instruments])
    scores, shown_indicators = by_row(instruments), by_row(indicators)
    out = {}
    for k, key in enumerate(table.index):
        tier = tiers.get(verdicts[k])
        verdict = None
        if tier is not None:
            floors = tuple((f.instrument, f.score, f.floor) for f in missed[k])
            verdict = shown.get((tier.code, floors))
            if verdict is None:
                verdict = shown[tier.code, floors] = vm.Verdict(
                    tier.code, tier.label_th, tier.label_en, tier.passed,
                    tuple(vm.FloorMissed(*f) for f in floors))
        out[key] = {"unrounded": raw["total"][k], "total": rounded["total"][k],
                    "grade": grades[k], "verdict": verdict,
                    "weighted": tuple(zip(instruments, weighted[k], strict=True)),
                    "scores": tuple(zip(instruments, scores[k], strict=True)),
                    "indicators": tuple(zip(indicators, shown_indicators[k], strict=True))}
    return out


def _shown(iset: InstrumentSet, figures: dict) -> dict:
    """A row's figures (:func:`_figures`; none: every figure None) as
    :class:`vm.SupervisorRow` fields."""
    return dict(
        total=figures["total"], grade=figures["grade"], verdict=figures["verdict"],
        weighted=figures.get("weighted", tuple((inst, None) for inst in iset.instruments)),
        scores=figures.get("scores", tuple((inst, None) for inst in iset.instruments)),
        indicators=figures.get("indicators", tuple((c, None) for c in iset.indicators)))


def _group_order(members: dict[str, list[int]], rows: list[vm.SupervisorRow]) -> list[str]:
    """The agency types, the main group first: most agencies ranked, then most agencies."""
    def size(agency_type: str) -> tuple[int, int]:
        group = [rows[k] for k in members[agency_type]]
        return (-sum(1 for r in group if r.rank is not None), -len(group))
    return sorted(members, key=lambda t: (*size(t), t))


def _rank_group(agency_type: str, rows: list[vm.SupervisorRow], totals: list[float],
                grades: list[tuple[str, str, str]], tiers: list[tuple[str, str, str]]
                ) -> vm.RankGroup:
    """One group's figures: its ranked agencies, their average and counts."""
    ranked = [r for r in rows if r.rank is not None]
    mean = group_average(pd.Series(totals, dtype=float))
    return vm.RankGroup(
        agency_type=agency_type, rated=len(ranked),
        average=None if mean is None else round_half_up(mean),
        distribution=tuple((g, sum(1 for r in ranked if r.grade == g)) for g, _, _ in grades),
        tiers=tuple(vm.DistributionBar(code, th, en, sum(
            1 for r in ranked if r.verdict is not None and r.verdict.code == code))
            for code, th, en in tiers))


def ordered_rows(view: vm.SupervisorView, order: str = "rank") -> tuple[vm.SupervisorRow, ...]:
    """The comparison's rows in one of :data:`ORDERS` (``"rank"``: as :func:`area_rollup`
    gives them)."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
    if order == "agency":
        return tuple(sorted(view.rows, key=lambda r: r.agency.code))
    if order == "total":
        return tuple(sorted(view.rows, key=lambda r: (r.total is None, -(r.total or 0.0),
                                                      r.agency.code)))
    return view.rows


def page_of(items, number: int | None, size: int | None = None) -> vm.Page:
    """Page ``number`` (from 1; out of range: the nearest page) of ``items``, ``size``
    (default :data:`PAGE_SIZE`) to a page."""
    items, size = tuple(items), size or PAGE_SIZE
    pages = max(1, -(-len(items) // size))
    number = min(max(number or 1, 1), pages)
    return vm.Page(items=items[(number - 1) * size:number * size], number=number, pages=pages,
                   total=len(items), size=size)


def needs_answers(rows: Iterable[vm.SupervisorRow], *, sort: str = "shortfall"
                  ) -> tuple[vm.Shortfall, ...]:
    """Every survey instrument of an agency below (or without) its minimum sample.

    ``sort``: ``"shortfall"`` — most responses still needed first, unknown minimums last;
    ``"agency"`` — by agency code, then instrument.
    """
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    out = [vm.Shortfall(r.agency, r.assessment_id, s)
           for r in rows for s in r.samples if s.met is not True]
    if sort == "agency":
        return tuple(sorted(out, key=lambda x: (x.agency.code, x.check.instrument)))
    return tuple(sorted(out, key=lambda x: (x.check.short is None, -(x.check.short or 0),
                                            x.agency.code, x.check.instrument)))


# -- the area workbook (Score-Final shape) ----------------------------------------------------


def area_filename(agency_code: str, fiscal_year_be: int | None, kind: str, ext: str) -> str:
    """``ita-area-<agency code>-<year>-<kind>.<ext>`` (year 0 when there is none)."""
    return export_filename(f"area-{agency_code}", fiscal_year_be or 0, kind, ext)


def workbook_title(view: vm.SupervisorView) -> str:
    """The notes sheet's first line."""
    who = view.area.name_th if view.area else "ทุกหน่วยงานในระบบ"
    return f"ผลการประเมิน ITA ของหน่วยงานในสังกัด {who} (area ITA roll-up)"


def workbook_header(view: vm.SupervisorView) -> list[str]:
    """The Score-Final sheet's columns, Thai with the English name (one header row)."""
    head = ["ลำดับ (rank)", "รหัสหน่วยงาน (agency code)", "หน่วยงาน (agency)",
            "ประเภท (type)", "ชุดเครื่องมือ (instrument set)"]
    for inst in view.survey_instruments:
        head += [f"{inst} ผู้ตอบ (responses)", f"{inst} ขั้นต่ำ (minimum)",
                 f"{inst} ขาดอีก (still needed)"]
    head += [f"ตัวชี้วัดที่ {c} (indicator {c})" for c in view.indicator_codes]
    for inst in view.instruments:
        head += [f"{inst} (0-100)", f"{inst} ถ่วงน้ำหนัก (weighted)"]
    head += ["คะแนนรวม (total)", "ระดับ (grade)", "ผลการประเมิน (verdict)",
             "ไม่ถึงเกณฑ์ขั้นต่ำรายเครื่องมือ (floors missed)",
             "ผลชั่วคราว (provisional)", "หมายเหตุ (note)"]
    return head


def workbook_row(view: vm.SupervisorView, r: vm.SupervisorRow, type_label: str) -> list:
    """One agency's cells, in :func:`workbook_header`'s order (figures as the page shows them)."""
    cells: list = [r.rank, r.agency.code, r.agency.name_th, type_label, r.instrument_set]
    for inst in view.survey_instruments:
        s = r.sample_of(inst)
        cells += [r.responses_of(inst), s.minimum if s else None, s.short if s else None]
    cells += [r.indicator(c) for c in view.indicator_codes]
    for inst in view.instruments:
        cells += [r.score_of(inst), r.weighted_of(inst)]
    floors = "; ".join(f"{f.instrument} {f.score:.2f} < {f.floor:.2f}"
                       for f in (r.verdict.floors_missed if r.verdict else ()))
    notes = ["ผลที่สำนักงาน ป.ป.ช. ประกาศ (NACC's published result)"] \
        if r.source == "published" else []
    notes += [f"{s.instrument} {s.received}/{s.minimum} (ขาด {s.short})" for s in r.below_minimum]
    notes += [f"{s.instrument}: ไม่ทราบขั้นต่ำ (ไม่มีจำนวนบุคลากร)" for s in r.minimum_unknown]
    cells += [r.total, r.grade, r.verdict.label_th if r.verdict else None, floors or None,
              "ชั่วคราว" if r.provisional and r.total is not None else None,
              "; ".join(notes) or None]
    return cells


def write_area_workbook(view: vm.SupervisorView, output, *, type_labels: dict[str, str],
                        title: str) -> None:
    """Write the area roll-up: Score-Final, needs-answers, no-assessment and notes sheets.

    ``type_labels``: agency type → its Thai name.  Text cells are neutralised (an agency name
    starting with ``=`` is text, never a formula).  The workbook is written in openpyxl's
    write-only mode, row by row (every sheet's layout is decided from its values first): an
    8,300-agency roll-up is written in a few seconds, not ten.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    workbook = Workbook(write_only=True)
    _write_sheet(workbook, "Score-Final", [neutralise(h) for h in workbook_header(view)],
                 [[neutralise(v) for v in workbook_row(
                     view, r, type_labels.get(r.agency.agency_type, r.agency.agency_type))]
                  for r in view.rows],
                 _score_final_formats(view), freeze="D2")
    _write_sheet(workbook, "needs-answers",
                 ["รหัสหน่วยงาน (agency code)", "หน่วยงาน (agency)", "เครื่องมือ (instrument)",
                  "ได้รับ (received)", "ขั้นต่ำ (minimum)", "ขาดอีก (still needed)"],
                 [[neutralise(x.agency.code), neutralise(x.agency.name_th), x.check.instrument,
                   x.check.received, x.check.minimum, x.check.short]
                  for x in view.needs_answers],
                 [None, None, None, COUNT, COUNT, COUNT])
    _write_sheet(workbook, "no-assessment", ["รหัสหน่วยงาน (agency code)", "หน่วยงาน (agency)"],
                 [[neutralise(a.code), neutralise(a.name_th)] for a in view.without_assessment],
                 [None, None])
    notes = workbook.create_sheet("notes")
    notes.column_dimensions["A"].width = 120
    for k, line in enumerate(_notes(view, title, type_labels)):
        cell = WriteOnlyCell(notes, neutralise(line))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if k == 0:
            cell.font = Font(bold=True)
        notes.append([cell])
    workbook.save(output)


COUNT, SCORE = "0", "0.00"  # the number formats: whole counts, scores with their 2 decimals


def _score_final_formats(view: vm.SupervisorView) -> list[str | None]:
    """Score-Final's number format per column, in :func:`workbook_header`'s order."""
    formats: list[str | None] = [COUNT, None, None, None, None]
    formats += [COUNT] * (3 * len(view.survey_instruments))
    formats += [SCORE] * len(view.indicator_codes)
    formats += [SCORE] * (2 * len(view.instruments))
    return [*formats, SCORE, None, None, None, None, None]


def _write_sheet(workbook, title: str, header: list[str], rows: list[list],
                 formats: list[str | None], *, freeze: str = "A2") -> None:
    """A sheet an office can hand in as it comes: the header bold, wrapped and frozen with an
    autofilter, each column as wide as its content (within bounds), numbers formatted.

    ``workbook`` is write-only: the layout (widths, panes, filter) is set before the rows are
    appended; a formatted column's cells carry their number format, the others are plain
    values."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = freeze
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    for k, head in enumerate(header):
        fmt = formats[k] if k < len(formats) else None
        widest = max((len(str(row[k])) for row in rows if row[k] is not None), default=0)
        if fmt == SCORE:
            widest = max(widest, 6)  # 100.00
        # a header wraps onto at most three lines; the values never wrap
        sheet.column_dimensions[get_column_letter(k + 1)].width = min(
            max(widest, (len(str(head or "")) + 2) // 3, 6) + 2, 60)
    heading = []
    for head in header:
        cell = WriteOnlyCell(sheet, head)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        heading.append(cell)
    sheet.append(heading)
    formatted = [(k, fmt) for k, fmt in enumerate(formats[:len(header)]) if fmt is not None]
    for row in rows:
        row = list(row)
        for k, fmt in formatted:
            row[k] = cell = WriteOnlyCell(sheet, row[k])
            cell.number_format = fmt
        sheet.append(row)


def _notes(view: vm.SupervisorView, title: str, type_labels: dict[str, str]) -> list[str]:
    groups = [f"{type_labels.get(g.agency_type, g.agency_type)}: "
              f"{'-' if g.average is None else f'{g.average:.2f}'} ({g.rated} แห่ง)"
              for g in view.groups] if len(view.groups) > 1 else []
    return [
        title,
        f"ปีงบประมาณ พ.ศ. {view.fiscal_year_be} (fiscal year B.E.)",
        f"หน่วยงานที่จัดลำดับ {view.rated} แห่ง (agencies ranked); "
        f"ผลชั่วคราว {len(view.provisional)} แห่ง (provisional); "
        f"ยังไม่มีคะแนนรวม {view.without_result} แห่ง (no total yet); "
        f"ยังไม่มีการประเมินปีนี้ {len(view.without_assessment)} แห่ง (no assessment this year)",
        "ค่าเฉลี่ยของกลุ่มและจำนวนตามระดับนับเฉพาะหน่วยงานที่มีผู้ตอบ IIT และ EIT ถึงขั้นต่ำ; "
        "หน่วยงานที่ยังไม่ถึงเป็นผลชั่วคราว ไม่จัดลำดับ (the group average and the counts by grade "
        "or tier are over agencies that met their minimum samples; the others are provisional "
        "and unranked)",
        *(["หน่วยงานแต่ละประเภทจัดลำดับและเฉลี่ยแยกกัน: สำนักงานเขตพื้นที่ประเมินคนละกลุ่มกับ"
            "สถานศึกษาในสังกัด (each agency type is ranked and averaged apart: an area office is "
            "assessed in another group than its schools); ลำดับในคอลัมน์ลำดับเป็นลำดับในกลุ่ม "
            "(ranks are within the group)",
            "ค่าเฉลี่ยของแต่ละกลุ่ม (group averages): " + "; ".join(groups)] if groups else
          [f"ค่าเฉลี่ยของกลุ่ม (group average): "
           f"{'-' if view.average is None else f'{view.average:.2f}'}"]),
        "ขั้นต่ำ IIT: ร้อยละ 10 ของบุคลากรที่มีสิทธิ์ตอบ อย่างน้อย 30 คน (ต่ำกว่า 30 คน: ทุกคน) — "
        "กฎของชุดเครื่องมือ ไม่ใช่สูตรทางการของ ป.ป.ช.; ขั้นต่ำ EIT: ตามที่การประเมินกำหนด "
        "(IIT minimum: the instrument set's rule, not NACC's own formula; EIT: the assessment's)",
        "คะแนนปัดเศษครึ่งขึ้น 2 ตำแหน่งโดย scoring (scores rounded half up to 2 decimals once, "
        "by scoring)",
        "ที่มาของรูปแบบ (provenance): " + PROVENANCE_TH,
        PROVENANCE_EN,
    ]


# -- the area summary report ------------------------------------------------------------------


WEAKEST_ITEMS = 10  # the area's lowest survey items, by pooled mean


def area_report_view(session: Session, view: vm.SupervisorView, *,
                     weakest: int = WEAKEST_ITEMS) -> vm.AreaReportView:
    """The area summary: distribution, agencies below target per indicator, weakest items.

    Agencies below target and the weakest items are over the agencies that met their minimum
    samples (the ranked ones), as the group average is.  Item means are each assessment's own
    over its published answers (:func:`.bulk_results.item_means_of`: read for every ranked
    assessment at once, as :func:`scoring.assess` summarises an item), pooled over every
    answer by :func:`scoring.pool_item_means`.
    """
    ranked = view.ranked
    with_answers = [r.assessment_id for r in ranked
                    if r.assessment_id is not None]  # a published result only: none to pool
    sets = {r.instrument_set: load_set(r.instrument_set, session)
            for r in ranked if r.assessment_id is not None}
    assessments = session.execute(sa.select(*ASSESSMENT_COLUMNS).where(
        among(session, Assessment.id, with_answers))).all() if with_answers else []
    names: dict[str, tuple[str, str]] = {}
    texts: dict[str, tuple[str, str]] = {}
    for iset in sets.values():
        for ind in iset.indicators.values():
            names.setdefault(ind.code, (ind.name_th, ind.name_en))
        for inst in SURVEY_INSTRUMENTS:
            for item in iset.items_for(inst):
                texts.setdefault(item.code, (item.text_th, item.text_en))
    below = []
    for code in view.indicator_codes:
        hits = tuple(vm.AgencyScore(r.agency, r.indicator(code)) for r in ranked
                     if r.indicator(code) is not None and r.target is not None
                     and r.indicator(code) < r.target)
        below.append(vm.IndicatorBelow(code, *names.get(code, (code, code)),
                                       agencies=tuple(sorted(hits, key=lambda h: (h.score,
                                                                                  h.agency.code)))))
    pooled = pool_item_means(item_means_of(session, assessments)) if assessments else None
    items: tuple[vm.AreaItem, ...] = ()
    if pooled is not None and len(pooled):
        order = pooled.sort_values(["mean"], kind="stable").head(weakest)
        items = tuple(vm.AreaItem(code=str(code), indicator=row["indicator"],
                                  instrument=row["instrument"],
                                  text_th=texts.get(str(code), ("", ""))[0],
                                  text_en=texts.get(str(code), ("", ""))[1],
                                  mean=round_half_up(float(row["mean"])),
                                  lowest=round_half_up(float(row["lowest"])),
                                  n=int(row["n"]), agencies=int(row["agencies"]))
                      for code, row in order.iterrows())
    targets = sorted({r.target for r in ranked if r.target is not None})
    return vm.AreaReportView(rollup=view, below_target=tuple(below), weakest_items=items,
                             targets=tuple(targets))

