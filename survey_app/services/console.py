"""What the console pages show and change: agencies, assessments, code batches, OIT, past
results and improvement measures.  Functions add and flush; the views commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..admin.access import visible_agencies
from ..models import (
    AccessCode,
    Agency,
    Assessment,
    AuditEvent,
    ImprovementMeasure,
    OitResult,
    PastScore,
    Response,
    User,
    utcnow,
)


@dataclass(frozen=True)
class AssessmentRow:
    assessment: Assessment
    status: str  # "scheduled", "open", "closed"
    iit: int
    eit: int


@dataclass(frozen=True)
class AgencyRow:
    agency: Agency
    depth: int
    assessments: list[AssessmentRow]


def assessment_status(assessment: Assessment, now: dt.datetime | None = None) -> str:
    now = now or utcnow()
    if now < assessment.opens_at:
        return "scheduled"
    return "open" if now < assessment.closes_at else "closed"


def response_counts_by_assessment(
    session: Session, assessment_ids: list[int]
) -> dict[tuple[int, str], int]:
    if not assessment_ids:
        return {}
    rows = session.execute(
        sa.select(Response.assessment_id, Response.instrument, sa.func.count())
        .where(Response.assessment_id.in_(assessment_ids))
        .group_by(Response.assessment_id, Response.instrument)
    )
    return {(a, i): n for a, i, n in rows}


def home_rows(session: Session, user: User) -> list[AgencyRow]:
    """Return the account's agencies as a tree (parents first) with their assessments."""
    agencies = list(session.scalars(visible_agencies(session, user)))
    ids = {a.id for a in agencies}
    assessments = list(session.scalars(
        sa.select(Assessment).where(Assessment.agency_id.in_(ids))
        .order_by(Assessment.fiscal_year_be.desc(), Assessment.id.desc())
    )) if ids else []
    counts = response_counts_by_assessment(session, [a.id for a in assessments])
    by_agency: dict[int, list[AssessmentRow]] = {}
    now = utcnow()
    for a in assessments:
        by_agency.setdefault(a.agency_id, []).append(AssessmentRow(
            a, assessment_status(a, now), counts.get((a.id, "IIT"), 0),
            counts.get((a.id, "EIT"), 0)))
    children: dict[int | None, list[Agency]] = {}
    for a in agencies:
        parent = a.parent_id if a.parent_id in ids else None
        children.setdefault(parent, []).append(a)
    rows: list[AgencyRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for a in children.get(parent, []):
            rows.append(AgencyRow(a, depth, by_agency.get(a.id, [])))
            walk(a.id, depth + 1)

    walk(None, 0)
    return rows


@dataclass(frozen=True)
class BatchRow:
    batch: str
    issued: int
    unused: int
    used: int
    revoked: int


def code_batches(session: Session, assessment: Assessment) -> list[BatchRow]:
    """Return each batch's code counts by status (counts only: codes are never readable)."""
    rows = session.execute(
        sa.select(AccessCode.batch, AccessCode.status, sa.func.count())
        .where(AccessCode.assessment_id == assessment.id)
        .group_by(AccessCode.batch, AccessCode.status)
    )
    counts: dict[str, dict[str, int]] = {}
    for batch, status, n in rows:
        counts.setdefault(batch, {})[status] = n
    return [
        BatchRow(b, sum(c.values()), c.get("unused", 0), c.get("used", 0), c.get("revoked", 0))
        for b, c in sorted(counts.items())
    ]


# -- agencies ------------------------------------------------------------------------------

AGENCY_TYPES = ("area_office", "school", "ministry", "department", "local", "other")


class ConsoleError(ValueError):
    """A change the console refuses; the message (Thai, English) says why."""


def save_agency(session: Session, agency: Agency | None, *, code: str, name_th: str,
                name_en: str, agency_type: str, eligible_headcount: int | None,
                parent_id: int | None) -> Agency:
    """Create (``agency`` None) or update an agency; refuse a duplicate code or a cycle."""
    code = code.strip().upper()
    clash = session.scalar(sa.select(Agency.id).where(Agency.code == code))
    if clash is not None and (agency is None or clash != agency.id):
        raise ConsoleError("code_taken")
    if agency_type not in AGENCY_TYPES:
        raise ConsoleError("agency_type_unknown")
    if agency is not None and parent_id is not None:
        # The new parent must not be the agency itself or one of its descendants.
        ancestor = session.get(Agency, parent_id)
        while ancestor is not None:
            if ancestor.id == agency.id:
                raise ConsoleError("parent_cycle")
            ancestor = ancestor.parent
    if agency is None:
        agency = Agency(code=code)
        session.add(agency)
    agency.code = code
    agency.name_th = name_th.strip()
    agency.name_en = name_en.strip()
    agency.agency_type = agency_type
    agency.eligible_headcount = eligible_headcount
    agency.parent_id = parent_id
    session.flush()
    return agency


# -- assessments ---------------------------------------------------------------------------

#: How long an assessment opened by hand stays open when its closing time had passed.
REOPEN_DAYS = 30


def open_now(assessment: Assessment, now: dt.datetime | None = None) -> None:
    """Open an assessment at once (its closing time moves on if it had passed)."""
    now = now or utcnow()
    if assessment.opens_at > now:
        assessment.opens_at = now
    if assessment.closes_at <= now:
        assessment.closes_at = now + dt.timedelta(days=REOPEN_DAYS)


def close_now(assessment: Assessment, now: dt.datetime | None = None) -> None:
    """Close an assessment at once: new answers are refused from now on."""
    now = now or utcnow()
    if assessment.opens_at >= now:
        assessment.opens_at = now - dt.timedelta(seconds=1)
    assessment.closes_at = now


# -- IIT code batches ----------------------------------------------------------------------


def next_batch_label(session: Session, assessment: Assessment, now: dt.datetime | None = None
                     ) -> str:
    """Return a new batch label such as ``2569-01`` (year, then a running number)."""
    existing = set(session.scalars(
        sa.select(AccessCode.batch).where(AccessCode.assessment_id == assessment.id).distinct()))
    n = len(existing) + 1
    while f"{assessment.fiscal_year_be}-{n:02d}" in existing:
        n += 1
    return f"{assessment.fiscal_year_be}-{n:02d}"


def batch_exists(session: Session, assessment: Assessment, batch: str) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(AccessCode).where(
        AccessCode.assessment_id == assessment.id, AccessCode.batch == batch)) > 0


def revoke_batch(session: Session, assessment: Assessment, batch: str) -> int:
    """Revoke the unused codes of one batch (used codes stay used); return how many."""
    result = session.execute(
        sa.update(AccessCode)
        .where(AccessCode.assessment_id == assessment.id, AccessCode.batch == batch,
               AccessCode.status == "unused")
        .values(status="revoked")
    )
    return result.rowcount


def codes_csv(rows: list[tuple[str, str]]) -> str:
    """Return ``code,url`` CSV text (UTF-8 with BOM when encoded, for Excel)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["code", "url"])
    writer.writerows(rows)
    return buffer.getvalue()


# -- the OIT checklist ---------------------------------------------------------------------


def oit_results(session: Session, assessment: Assessment) -> dict[str, bool]:
    """Return the judged OIT items of ``assessment`` as item code → passed.

    Items not judged yet are absent: ``scoring.assess(..., oit=..., oit_missing="fail")``
    counts them as not passed, which is what the checklist page shows while it is filled in.
    """
    rows = session.execute(
        sa.select(OitResult.item, OitResult.passed).where(
            OitResult.assessment_id == assessment.id, OitResult.passed.is_not(None))
    )
    return {item: bool(passed) for item, passed in rows}


@dataclass(frozen=True)
class OitEntry:
    """One checklist item as the admin fills it in."""

    item: str
    passed: bool | None
    evidence_urls: tuple[str, ...] = ()
    note: str = ""


def oit_entries(session: Session, assessment: Assessment) -> dict[str, OitEntry]:
    rows = session.scalars(sa.select(OitResult).where(OitResult.assessment_id == assessment.id))
    return {
        r.item: OitEntry(r.item, r.passed, tuple(u for u in r.evidence_urls.splitlines() if u),
                         r.note)
        for r in rows
    }


def parse_evidence_urls(text: str) -> tuple[tuple[str, ...], list[str]]:
    """Split one-URL-per-line text; return (urls, the lines that are not http(s) URLs)."""
    from urllib.parse import urlsplit

    urls, bad = [], []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            parts = urlsplit(line)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in line
        except ValueError:
            ok = False
        (urls if ok else bad).append(line)
    return tuple(urls), bad


def save_oit(session: Session, assessment: Assessment, entries: list[OitEntry]) -> list[str]:
    """Store the checklist; return the codes of the items whose judgement or evidence changed."""
    from questionnaires import load_instrument_set

    known = {o.code for o in load_instrument_set(assessment.instrument_set).oit_items}
    existing = {r.item: r for r in session.scalars(
        sa.select(OitResult).where(OitResult.assessment_id == assessment.id))}
    changed = []
    for entry in entries:
        if entry.item not in known:
            raise ValueError(f"unknown OIT item {entry.item!r}")
        urls = "\n".join(entry.evidence_urls)
        row = existing.get(entry.item)
        if row is None:
            if entry.passed is None and not urls and not entry.note:
                continue
            row = OitResult(assessment_id=assessment.id, item=entry.item)
            session.add(row)
        elif (row.passed, row.evidence_urls, row.note) == (entry.passed, urls, entry.note):
            continue
        row.passed, row.evidence_urls, row.note = entry.passed, urls, entry.note
        changed.append(entry.item)
    session.flush()
    return changed


@dataclass(frozen=True)
class OitScores:
    judged: int
    items: int
    sub_indicators: dict[str, float]
    indicators: dict[str, float]


def oit_scores(instrument_set: str, passed: dict[str, bool]) -> OitScores:
    """Score the checklist as it stands (unjudged items count as not passed), via ``scoring``."""
    from questionnaires import load_instrument_set
    from scoring.rollup import oit_indicators, oit_sub_indicator_scores

    iset = load_instrument_set(instrument_set)
    subs = oit_sub_indicator_scores(iset, passed, missing="fail")
    return OitScores(len(passed), len(iset.oit_items), subs, oit_indicators(iset, subs))


# -- past results --------------------------------------------------------------------------

PAST_YEAR_RANGE = (2400, 2700)


def past_codes(instrument_set: str | None = None) -> tuple[str, ...]:
    """The figures a past year can hold: the total and indicators 1–10 (and OIT sub-indicators)."""
    from questionnaires import available_instrument_sets, load_instrument_set

    iset = load_instrument_set(instrument_set or available_instrument_sets()[-1])
    return ("total", *iset.indicators, *iset.sub_indicators)


def past_scores(session: Session, agency: Agency) -> dict[int, dict[str, float | None]]:
    """Return year → code → score for an agency's entered past results."""
    out: dict[int, dict[str, float | None]] = {}
    for row in session.scalars(sa.select(PastScore).where(PastScore.agency_id == agency.id)
                               .order_by(PastScore.fiscal_year_be)):
        out.setdefault(row.fiscal_year_be, {})[row.code] = row.score
    return out


def replace_past_year(session: Session, agency: Agency, year: int,
                      scores: dict[str, float | None]) -> bool:
    """Set one year's figures (None or absent = blank: the row is removed); return if changed."""
    existing = {r.code: r for r in session.scalars(sa.select(PastScore).where(
        PastScore.agency_id == agency.id, PastScore.fiscal_year_be == year))}
    changed = False
    for code, score in scores.items():
        row = existing.get(code)
        if score is None:
            if row is not None:
                session.delete(row)
                changed = True
        elif row is None:
            session.add(PastScore(agency_id=agency.id, fiscal_year_be=year, code=code,
                                  score=score))
            changed = True
        elif row.score != score:
            row.score = score
            changed = True
    session.flush()
    return changed


class PastImportError(ValueError):
    """A past-results CSV that cannot be imported: ``messages`` name rows and columns."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def parse_past_csv(data: bytes, codes: tuple[str, ...]) -> dict[int, dict[str, float | None]]:
    """Read ``fiscal_year,total[,1,…,10,9.1,…]`` rows; raise PastImportError listing every problem."""
    import csv
    import io

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PastImportError(["the file is not UTF-8 text (save it as CSV UTF-8)"]) from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    errors: list[str] = []
    if not header or header[0] != "fiscal_year":
        raise PastImportError(["the first column must be 'fiscal_year'"])
    for i, h in enumerate(header[1:], start=2):
        if h not in codes:
            errors.append(f"column {i} '{h}': unknown (use total, 1 … 10, 9.1 …)")
    if len(set(header)) != len(header):
        errors.append("a column appears twice")
    if errors:
        raise PastImportError(errors)
    out: dict[int, dict[str, float | None]] = {}
    lo, hi = PAST_YEAR_RANGE
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            errors.append(f"row {line}: more cells than columns")
            continue
        row = [cell.strip() for cell in row] + [""] * (len(header) - len(row))
        try:
            year = int(row[0])
        except ValueError:
            errors.append(f"row {line}, column fiscal_year: '{row[0]}' is not a year")
            continue
        if not lo <= year <= hi:
            errors.append(f"row {line}, column fiscal_year: {year} is not a B.E. year "
                          f"({lo}–{hi})")
            continue
        if year in out:
            errors.append(f"row {line}: year {year} appears twice")
            continue
        scores: dict[str, float | None] = {}
        for code, cell in zip(header[1:], row[1:], strict=True):
            if cell == "":
                scores[code] = None
                continue
            try:
                value = float(cell.replace(",", "."))
            except ValueError:
                errors.append(f"row {line}, column {code}: '{cell}' is not a number")
                continue
            if not 0 <= value <= 100 or value != value:
                errors.append(f"row {line}, column {code}: {cell} is outside 0–100")
                continue
            scores[code] = value
        out[year] = scores
    if errors:
        raise PastImportError(errors)
    if not out:
        raise PastImportError(["the file has no rows"])
    return out


# -- improvement measures ------------------------------------------------------------------


def measures_by_indicator(session: Session, assessment: Assessment
                          ) -> dict[str, list[ImprovementMeasure]]:
    out: dict[str, list[ImprovementMeasure]] = {}
    for m in session.scalars(sa.select(ImprovementMeasure)
                             .where(ImprovementMeasure.assessment_id == assessment.id)
                             .order_by(ImprovementMeasure.indicator, ImprovementMeasure.position,
                                       ImprovementMeasure.id)):
        out.setdefault(m.indicator, []).append(m)
    return out


def add_measure(session: Session, assessment: Assessment, *, indicator: str, measure: str,
                responsible: str = "", steps: str = "", period: str = "") -> ImprovementMeasure:
    position = session.scalar(sa.select(sa.func.coalesce(sa.func.max(ImprovementMeasure.position), 0))
                              .where(ImprovementMeasure.assessment_id == assessment.id,
                                     ImprovementMeasure.indicator == indicator)) + 1
    row = ImprovementMeasure(assessment_id=assessment.id, indicator=indicator,
                             measure=measure.strip(), responsible=responsible.strip(),
                             steps=steps.strip(), period=period.strip(), position=position)
    session.add(row)
    session.flush()
    return row


def indicator_scores_or_none(session: Session, assessment: Assessment) -> dict[str, float] | None:
    """Return this assessment's indicator scores from the results service, if it is there."""
    try:
        from .results import assessment_result
    except ImportError:  # pragma: no cover - the results part not installed
        return None
    result = assessment_result(session, assessment, bootstrap=0)
    return {c: i.score for c, i in result.indicators.items() if i.score is not None}


# -- the audit log -------------------------------------------------------------------------


def audit_page(session: Session, *, page: int, per_page: int = 50,
               agency_id: int | None = None) -> tuple[list[AuditEvent], int]:
    """Return one page of the audit log, newest first, and the number of events."""
    query = sa.select(AuditEvent)
    if agency_id is not None:
        query = query.where(AuditEvent.agency_id == agency_id)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    events = list(session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                                  .limit(per_page).offset((page - 1) * per_page)))
    return events, total
