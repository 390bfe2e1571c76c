"""The published result: the figures NACC published for an agency and year, the year's record.

Typed in the console, uploaded (CSV or XLSX, one agency's years or all the agencies of an
area), or set from the CLI; OIT may be entered item by item as NACC judged it, its
sub-indicators and indicators 9/10 computed by the set's own OIT scoring
(:func:`from_oit_items`).  Every figure is checked against the year's instrument set before
anything is stored: the parts and the total recomputed from the indicators (and indicators
9/10 from their sub-indicators) must agree with the published ones to 0.01; otherwise each
mismatch is named and nothing is stored unless the user keeps the published figures as given.

Where a published result exists it is the year's result (:func:`.results.stored_result`);
a year with only a total feeds the history of later years.  It was the "past results" before
migration 0013.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from questionnaires import InstrumentSet
from scoring import AssessmentResult, agencies_table, assess
from scoring.assess import with_published_parts
from scoring.rollup import oit_indicators, round_half_up

from ..models import Agency, Assessment, PublishedResult, PublishedScore
from .id_lists import among, rows_of
from .instrument_sets import assessment_set, default_set_id, list_sets, load_set
from .oit import _JUDGEMENT, CHECKLIST_HEADER  # the checklist download, read back as it is
from .refusals import Reason, Refusal, reason

YEAR_RANGE = (2400, 2700)
#: How far a published part or total may lie from the one recomputed from the indicators.
TOLERANCE = 0.01


@dataclass(frozen=True)
class Published:
    """One agency's published result of one year, as stored."""

    agency_id: int
    fiscal_year_be: int
    scores: dict[str, float]
    source: str
    as_given: bool
    entered_by: str
    entered_at: dt.datetime

    @property
    def total(self) -> float | None:
        return self.scores.get("total")


@dataclass(frozen=True)
class Mismatch:
    """A published figure that the indicators do not give back (to :data:`TOLERANCE`)."""

    code: str  # "total", "IIT" … (weighted part) or an OIT indicator ("9") from its subs
    published: float
    computed: float
    #: Computed from the OIT items entered with it (:func:`from_oit_items`), not the indicators.
    from_items: bool = False

    @property
    def difference(self) -> float:
        return round_half_up(self.published - self.computed, 2)

    def describe(self) -> Reason:
        values = dict(code=self.code, published=f"{self.published:.2f}",
                      computed=f"{self.computed:.2f}", difference=f"{self.difference:+.2f}")
        if self.from_items:
            return reason("published_mismatch_items", **values)
        return reason("published_mismatch", **values)


class PublishedError(Refusal):
    """Figures that cannot be stored: one reason per problem, naming its row and column;
    ``mismatches`` the figures the indicators do not give back."""

    def __init__(self, key: str | None = None, /, *, reasons: Iterable[Reason] = (),
                 mismatches: tuple[Mismatch, ...] = (), **values: object) -> None:
        super().__init__(key, reasons=reasons, **values)
        self.mismatches = mismatches


def natural(code: str) -> tuple:
    """Sort "2" before "10" and "9.2" before "10.1"; other codes after, by text."""
    parts = code.split(".")
    if all(p.isdigit() for p in parts):
        return (0, tuple(int(p) for p in parts), code)
    return (1, (), code)


def set_codes(iset: InstrumentSet | None) -> tuple[str, ...]:
    """The figures a published result of a year on ``iset`` can hold, in grid order: the
    total, each instrument's weighted part, then each indicator followed by its
    sub-indicators.  Without a set (a year before every set) only the total."""
    if iset is None:
        return ("total",)
    out = ["total", *iset.instruments]
    for code in sorted(iset.indicators, key=natural):
        out.append(code)
        out.extend(s.code for s in iset.sub_indicators_for(code))
    return tuple(out)


def all_codes(session: Session) -> tuple[str, ...]:
    """Every code any set of the registry knows (for a grid of several years)."""
    seen: dict[str, None] = {}
    for info in list_sets(session):
        seen.update(dict.fromkeys(set_codes(load_set(info.id, session))))
    head = [c for c in seen if not c[0].isdigit()]
    nums = sorted((c for c in seen if c[0].isdigit() and "." not in c), key=natural)
    out = list(head)
    for code in nums:
        out.append(code)
        out.extend(sorted((c for c in seen if c.startswith(code + ".")), key=natural))
    return tuple(out)


def oit_item_codes(iset: InstrumentSet | None) -> tuple[str, ...]:
    """The OIT checklist items of ``iset`` (O1 …), in the set's order; none without a set."""
    return () if iset is None else tuple(o.code for o in iset.oit_items)


def all_oit_item_codes(session: Session) -> tuple[str, ...]:
    """Every OIT item code any set of the registry knows (the columns an upload may have)."""
    seen: dict[str, None] = {}
    for info in list_sets(session):
        seen.update(dict.fromkeys(oit_item_codes(load_set(info.id, session))))
    return tuple(sorted(seen, key=lambda c: (c.rstrip("0123456789"),
                                             int(c[len(c.rstrip("0123456789")):] or 0), c)))


#: How NACC's judgement of an OIT item may be written (any case; the checklist download's
#: labels too).  Blank, or the download's "not judged", is "not entered".
OIT_PASS = frozenset({"pass", "passed", "p", "yes", "y", "1", "true", "ผ่าน", _JUDGEMENT[True]})
OIT_FAIL = frozenset({"fail", "failed", "f", "no", "n", "0", "false", "ไม่ผ่าน",
                      _JUDGEMENT[False]})
OIT_BLANK = frozenset({"", _JUDGEMENT[None]})


def parse_oit_item(text: object) -> bool | None:
    """Read one OIT item's result: pass → True, fail → False, blank → None.

    Raises :class:`PublishedError` ("not pass or fail").
    """
    value = " ".join(str(text).split()).lower()
    if value in OIT_BLANK:
        return None
    if value in OIT_PASS:
        return True
    if value in OIT_FAIL:
        return False
    raise PublishedError("oit_item_not_pass_or_fail")


def year_set(session: Session, agency: Agency, year: int) -> InstrumentSet | None:
    """The instrument set a year's figures are checked against: the set of the agency's
    assessment of that year, else the registry's set for that year (:func:`default_set_id`:
    the oldest set for a year before every set), none with no set at all."""
    assessment = session.scalar(sa.select(Assessment).where(
        Assessment.agency_id == agency.id, Assessment.fiscal_year_be == year)
        .order_by(Assessment.id))
    if assessment is not None:
        return assessment_set(assessment)
    return registry_year_set(session, year)


def registry_year_set(session: Session, year: int) -> InstrumentSet | None:
    """The registry's set for ``year`` (:func:`year_set` of an agency without an assessment
    that year)."""
    set_id = default_set_id(list_sets(session), year)
    return None if set_id is None else load_set(set_id, session)


def parse_score(text: str) -> float | None:
    """Read one score as typed (``,`` or ``.`` decimals); blank is None.

    Raises :class:`PublishedError` (a ``ValueError``): not a number, or outside 0–100.
    """
    text = str(text).strip()
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise PublishedError("score_not_a_number") from None
    if not 0 <= value <= 100:  # also refuses nan and inf
        raise PublishedError("score_out_of_range")
    return value


# -- reading ----------------------------------------------------------------------------------


def _published(row: PublishedResult) -> Published:
    return Published(agency_id=row.agency_id, fiscal_year_be=row.fiscal_year_be,
                     scores={s.code: s.score for s in row.scores}, source=row.source,
                     as_given=row.as_given, entered_by=row.entered_by,
                     entered_at=row.entered_at)


def published_years(session: Session, agency: Agency) -> dict[int, Published]:
    """Year → the agency's published result of that year, oldest first."""
    rows = session.scalars(sa.select(PublishedResult).where(PublishedResult.agency_id == agency.id)
                           .order_by(PublishedResult.fiscal_year_be))
    return {r.fiscal_year_be: _published(r) for r in rows}


def published_for(session: Session, agency_id: int, year: int) -> Published | None:
    row = session.scalar(sa.select(PublishedResult).where(
        PublishedResult.agency_id == agency_id, PublishedResult.fiscal_year_be == year))
    return None if row is None else _published(row)


def published_of_year(session: Session, agency_ids: set[int] | None, year: int
                      ) -> dict[int, Published]:
    """Agency id → its published result of ``year``, for every agency in ``agency_ids``
    (None: all), in two queries (the results, then their figures)."""
    query = (sa.select(PublishedResult.id, PublishedResult.agency_id, PublishedResult.source,
                       PublishedResult.as_given, PublishedResult.entered_by,
                       PublishedResult.entered_at)
             .where(PublishedResult.fiscal_year_be == year))
    if agency_ids is not None:
        query = query.where(among(session, PublishedResult.agency_id, agency_ids))
    rows = rows_of(session, query)
    if not rows:
        return {}
    scores: dict[int, dict[str, float]] = {r.id: {} for r in rows}
    figures = (sa.select(PublishedScore.result_id, PublishedScore.code, PublishedScore.score)
               .where(among(session, PublishedScore.result_id, scores)))  # these results only
    for result_id, code, score in rows_of(session, figures):
        scores[result_id][code] = score
    return {r.agency_id: Published(agency_id=r.agency_id, fiscal_year_be=year,
                                   scores=scores[r.id], source=r.source, as_given=r.as_given,
                                   entered_by=r.entered_by, entered_at=r.entered_at)
            for r in rows}


def published_totals(session: Session, agency_id: int, before: int) -> dict[int, float]:
    """Year → published total of the agency's years before ``before``."""
    rows = session.execute(
        sa.select(PublishedResult.fiscal_year_be, PublishedScore.score)
        .join(PublishedScore, PublishedScore.result_id == PublishedResult.id)
        .where(PublishedResult.agency_id == agency_id, PublishedResult.fiscal_year_be < before,
               PublishedScore.code == "total"))
    return {year: float(score) for year, score in rows}


# -- checking and rating ----------------------------------------------------------------------


def check(iset: InstrumentSet | None, scores: dict[str, float]) -> tuple[Mismatch, ...]:
    """Name every published figure the indicators do not give back to :data:`TOLERANCE`.

    Raises :class:`PublishedError` for a code the set does not know.
    """
    known = set(set_codes(iset))
    unknown = [c for c in scores if c not in known]
    if unknown:
        raise PublishedError(reasons=[reason("published_code_unknown",
                                      column=c, set=iset.id if iset else "-",
                                      codes=", ".join(set_codes(iset))) for c in unknown])
    if iset is None:
        return ()
    out: list[Mismatch] = []
    subs = {c: v for c, v in scores.items() if c in iset.sub_indicators}
    if subs:
        from_subs = assess(iset, given=subs, bootstrap=0)
        for code, ind in from_subs.indicators.items():
            if code in scores and ind.score is not None and ind.source == "given":
                out.extend(_compare(code, scores[code], ind.score))
    rated = assess(iset, given={c: v for c, v in scores.items()
                                if c in iset.indicators or c in iset.sub_indicators}, bootstrap=0)
    for code, inst in rated.instruments.items():
        if code in scores and inst.weighted is not None:
            out.extend(_compare(code, scores[code], inst.weighted))
    if "total" in scores and rated.total is not None:
        out.extend(_compare("total", scores["total"], rated.total))
    return tuple(out)


def _compare(code: str, published: float, computed: float, *,
             from_items: bool = False) -> list[Mismatch]:
    shown = round_half_up(computed, 2)
    if abs(published - shown) > TOLERANCE + 1e-9:
        return [Mismatch(code, published, shown, from_items)]
    return []


def from_oit_items(iset: InstrumentSet | None, items: dict[str, bool]) -> dict[str, float]:
    """The OIT sub-indicators and indicators (9.1 … 10.2, 9, 10) that NACC's item results give,
    computed as the set's own OIT scoring computes the checklist (:func:`scoring.assess` with
    ``oit``): a sub-indicator is ``100 × passed / items``, an indicator the mean of its
    sub-indicators once all are known.  Every item of a sub-indicator is needed once one is
    entered.

    Raises :class:`PublishedError` naming each item the set does not know, each sub-indicator
    entered only in part (and its missing items), or the missing set.
    """
    if not items:
        return {}
    if iset is None:
        raise PublishedError("oit_items_no_set")
    # scoring refuses these too (in English, one at a time); here each is named, translated
    known = oit_item_codes(iset)
    errors = [reason("oit_item_unknown", item=code, set=iset.id, first=known[0], last=known[-1])
              for code in items if code not in known]
    for sub in sorted(iset.sub_indicators, key=natural):
        codes = [o.code for o in iset.oit_items_for(sub)]
        missing = [c for c in codes if c not in items]
        if missing and len(missing) < len(codes):
            errors.append(reason("oit_sub_indicator_incomplete", sub=sub,
                                 items=", ".join(missing)))
    if errors:
        raise PublishedError(reasons=errors)
    rated = assess(iset, oit=items, bootstrap=0)
    out: dict[str, float] = {}
    for code, ind in rated.indicators.items():
        out.update({sub.code: sub.score for sub in ind.sub_indicators
                    if sub.source == "checklist" and sub.score is not None})
        if ind.source == "checklist" and ind.score is not None:
            out[code] = ind.score
    return out


def oit_items_note(items: dict[str, bool]) -> str:
    """What an audit row says of an entry's OIT items: "OIT items: 41 of 43 passed (fail: …)"."""
    failed = [c for c, passed in items.items() if not passed]
    return (f"OIT items: {len(items) - len(failed)} of {len(items)} passed"
            + (f" (fail: {', '.join(failed)})" if failed else ""))


def check_entry(iset: InstrumentSet | None, scores: dict[str, float],
                oit_items: dict[str, bool] | None = None
                ) -> tuple[dict[str, float], tuple[Mismatch, ...]]:
    """The figures one entry stores and every mismatch in it (:func:`check`).

    With ``oit_items`` (item code → passed), the sub-indicators and indicators 9/10 they give
    (:func:`from_oit_items`) join the typed figures; one typed as well keeps its typed value
    and is compared with the items' (a mismatch "from the OIT items"); the parts and the total
    are then checked against them all as for any entry.  Raises :class:`PublishedError` for
    an unknown code or item.
    """
    derived = from_oit_items(iset, oit_items or {})
    found: list[Mismatch] = []
    for code, value in derived.items():
        if code in scores:
            found.extend(_compare(code, scores[code], value, from_items=True))
    figures = {**derived, **scores}
    named = {m.code for m in found}
    found.extend(m for m in check(iset, figures) if m.code not in named)
    return figures, tuple(found)


def rate_published(iset: InstrumentSet, published: Published, *,
                   history: list[tuple[int, float]] | None = None,
                   target: float | None = None) -> AssessmentResult:
    """The published result as :func:`scoring.assess` rates it: its indicators and
    sub-indicators given; a part or total that they do not give back is taken as published
    (:func:`with_published_parts`)."""
    scores = published.scores
    given = {c: v for c, v in scores.items() if c in iset.indicators or c in iset.sub_indicators}
    result = assess(iset, given=given, history=history, bootstrap=0,
                    fiscal_year_be=published.fiscal_year_be, target=target)
    # A part or total the indicators give back (to TOLERANCE) stays as computed; one they do
    # not give (kept as given), or that they cannot give (no indicators), is taken as published.
    parts = {c: v for c, v in scores.items() if c in iset.instruments
             and _differs(v, result.instruments[c].weighted)}
    total = scores.get("total")
    if not parts and (total is None or not _differs(total, result.total)):
        return result
    return with_published_parts(iset, result, weighted=parts, total=total)


def _differs(published: float, computed: float | None) -> bool:
    return computed is None or bool(_compare("", published, computed))


def rate_published_many(iset: InstrumentSet, published: Mapping[int, Published]
                        ) -> pd.DataFrame:
    """Many published results rated on one set at once, as :func:`rate_published` rates each
    (without history or target): :func:`scoring.agencies_table`'s frame, indexed by the keys
    of ``published`` (its columns: the indicators, the instruments' scores and weighted parts,
    the total, grade and verdict).

    The indicators given (and indicators 9/10 from their given sub-indicators) are rolled up
    in one vectorised pass; a result whose parts or total the indicators do not give back is
    rated on its own by :func:`rate_published` (:func:`scoring.assess.with_published_parts`).
    """
    rows: dict[int, dict[str, float]] = {}
    for key, p in published.items():
        subs = {c: v for c, v in p.scores.items() if c in iset.sub_indicators}
        given = oit_indicators(iset, subs) if subs else {}
        given.update({c: v for c, v in p.scores.items() if c in iset.indicators})
        rows[key] = given
    frame = pd.DataFrame.from_dict(rows, orient="index", dtype=float).reindex(list(published))
    table = agencies_table(iset, frame).reindex(list(published))
    weighted = {inst: table[f"{inst}_weighted"].to_numpy(dtype=float)
                for inst in iset.instruments}
    totals = table["total"].to_numpy(dtype=float)
    for k, (key, p) in enumerate(published.items()):
        known = {inst: None if np.isnan(w[k]) else float(w[k]) for inst, w in weighted.items()}
        total = None if np.isnan(totals[k]) else float(totals[k])
        if not any(c in iset.instruments and _differs(v, known[c]) for c, v in p.scores.items()) \
                and (p.total is None or not _differs(p.total, total)):
            continue
        result = rate_published(iset, p)  # a part or the total as published
        values = {c: i.score for c, i in result.indicators.items()}
        values.update({c: i.score for c, i in result.instruments.items()})
        values.update({f"{c}_weighted": i.weighted for c, i in result.instruments.items()})
        values.update(total=result.total, grade=result.grade,
                      verdict=None if result.verdict is None else result.verdict.code)
        for column, value in values.items():
            table.loc[key, column] = np.nan if value is None else value
    return table


# -- writing ----------------------------------------------------------------------------------


def set_published(session: Session, agency: Agency, year: int, scores: dict[str, float | None],
                  *, source: str, entered_by: str, keep_as_given: bool = False,
                  iset: InstrumentSet | None = None,
                  oit_items: dict[str, bool] | None = None) -> bool:
    """Make the agency's published result of ``year`` exactly ``scores`` (None = blank), with
    the OIT sub-indicators and indicators that ``oit_items`` give (:func:`check_entry`).

    Checked first (:func:`check_entry`): a mismatch raises :class:`PublishedError` naming it
    unless ``keep_as_given``.  Nothing is written before every check passed; the caller
    commits.  All blank removes the year.  Returns whether anything changed.
    """
    lo, hi = YEAR_RANGE
    if not lo <= year <= hi:
        raise PublishedError(reasons=[reason("published_year_invalid",
                                      year=year, lo=lo, hi=hi)])
    figures = {c: float(v) for c, v in scores.items() if v is not None}
    bad = [reason("published_score_out_of_range", column=c, value=f"{v:g}")
           for c, v in figures.items() if not 0 <= v <= 100]
    if bad:
        raise PublishedError(reasons=bad)
    if iset is None:
        iset = year_set(session, agency, year)
    figures, mismatches = check_entry(iset, figures, oit_items)
    if mismatches and not keep_as_given:
        raise PublishedError(reasons=[m.describe() for m in mismatches], mismatches=mismatches)
    row = session.scalar(sa.select(PublishedResult).where(
        PublishedResult.agency_id == agency.id, PublishedResult.fiscal_year_be == year))
    if not figures:
        if row is None:
            return False
        session.delete(row)
        session.flush()
        return True
    if row is not None and {s.code: s.score for s in row.scores} == figures \
            and row.as_given == bool(mismatches):
        return False
    if row is None:
        row = PublishedResult(agency_id=agency.id, fiscal_year_be=year)
        session.add(row)
    row.source, row.entered_by = source, entered_by
    row.as_given = bool(mismatches)
    row.entered_at = dt.datetime.now(dt.UTC)
    existing = {s.code: s for s in row.scores}
    for code, s in existing.items():
        if code not in figures:
            row.scores.remove(s)
    for code, value in figures.items():
        if code in existing:
            existing[code].score = value
        else:
            row.scores.append(PublishedScore(code=code, score=value))
    session.flush()
    return True


def remove_published(session: Session, agency: Agency, year: int) -> bool:
    """Remove the agency's published result of ``year``; return whether there was one."""
    row = session.scalar(sa.select(PublishedResult).where(
        PublishedResult.agency_id == agency.id, PublishedResult.fiscal_year_be == year))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


# -- uploads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadRow:
    """One row of an upload: whose, which year, the figures, and the row's number."""

    line: int
    agency_code: str | None
    fiscal_year_be: int | None
    scores: dict[str, float | None]
    #: OIT item → passed, from columns named by item codes (blank cells left out).
    oit_items: dict[str, bool] = field(default_factory=dict)


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """The cells of a CSV (UTF-8) or XLSX upload as text, first sheet; raise PublishedError."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            rows = [["" if v is None else (f"{v:g}" if isinstance(v, float) else str(v))
                     for v in row] for row in sheet.iter_rows(values_only=True)]
            book.close()
        except Exception:  # openpyxl raises many kinds for a damaged file
            raise PublishedError(reasons=[reason("published_file_not_xlsx")]) \
                from None
        return rows
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PublishedError(reasons=[reason("published_file_not_utf8")]) from None
    if "\x00" in text:
        raise PublishedError(reasons=[reason("published_file_not_csv")])
    return [row for row in csv.reader(io.StringIO(text))]


def parse_upload(data: bytes, filename: str, codes: tuple[str, ...],
                 item_codes: tuple[str, ...] = ()) -> list[UploadRow]:
    """Read ``agency,fiscal_year,total,IIT,…,1,…,10,9.1,…`` rows (``agency`` and
    ``fiscal_year`` optional: the page's agency and year stand in), and columns named by the
    OIT item codes ``item_codes`` (``O1``, … pass/fail: :func:`parse_oit_item`); raise
    PublishedError naming every bad row and column."""
    table = read_table(data, filename)
    header = [h.strip() for h in (table[0] if table else [])]
    while header and not header[-1]:
        header.pop()
    keys = {"agency", "fiscal_year"}
    errors: list[Reason] = []
    if not header:
        raise PublishedError(reasons=[reason("published_no_header")])
    usable = ", ".join(codes) + (f", {item_codes[0]} … {item_codes[-1]}" if item_codes else "")
    for i, h in enumerate(header, start=1):
        if h not in keys and h not in codes and h not in item_codes:
            errors.append(reason("published_column_unknown", n=i, column=h, codes=usable))
    if len(set(header)) != len(header):
        errors.append(reason("published_column_twice"))
    if errors:
        raise PublishedError(reasons=errors)
    lo, hi = YEAR_RANGE
    out: list[UploadRow] = []
    seen: set[tuple] = set()
    for line, row in enumerate(table[1:], start=2):
        cells = [str(c).strip() for c in row]
        if not any(cells):
            continue
        if len(cells) > len(header) and any(cells[len(header):]):
            errors.append(reason("published_row_too_long", row=line))
            continue
        cells = cells[:len(header)] + [""] * (len(header) - len(cells))
        values = dict(zip(header, cells, strict=True))
        agency_code = values.pop("agency", None) or None
        year = None
        if "fiscal_year" in values:
            text = values.pop("fiscal_year")
            if not text.isdigit() or not lo <= int(text) <= hi:
                errors.append(reason("published_row_year_invalid",
                                      row=line, value=text, lo=lo, hi=hi))
                continue
            year = int(text)
        if (agency_code, year) in seen:
            which = " ".join(x for x in (agency_code, None if year is None else str(year)) if x)
            errors.append(reason("published_row_twice", row=line,
                                  which=which or "-"))
            continue
        seen.add((agency_code, year))
        scores: dict[str, float | None] = {}
        items: dict[str, bool] = {}
        for code, cell in values.items():
            try:
                if code in item_codes:
                    passed = parse_oit_item(cell)
                    if passed is not None:
                        items[code] = passed
                else:
                    scores[code] = parse_score(cell)
            except PublishedError as exc:
                errors.append(reason("published_row_score_invalid",
                                     row=line, column=code, value=cell, reason=exc.reasons[0]))
        out.append(UploadRow(line, agency_code, year, scores, items))
    if errors:
        raise PublishedError(reasons=errors)
    if not out:
        raise PublishedError(reasons=[reason("published_no_rows")])
    return out


def store_upload(session: Session, rows: list[UploadRow], *, default_agency: Agency | None,
                 year: int | None, allowed: Callable[[Agency], bool], source: str,
                 entered_by: str, keep_as_given: bool = False) -> list[tuple[Agency, int]]:
    """Check every row of an upload, then store them all, or none.

    ``default_agency``/``year`` stand in for a row without them; ``allowed(agency)`` says whether the
    uploader may set that agency's result.  Raises :class:`PublishedError` naming every
    refused row (and column); nothing is stored then.  Returns (agency, year) of each row.
    """
    errors: list[Reason] = []
    planned: list[tuple[Agency, int, UploadRow, InstrumentSet | None]] = []
    for r in rows:
        target = default_agency
        if r.agency_code is not None:
            target = session.scalar(sa.select(Agency).where(Agency.code == r.agency_code))
            if target is None:
                errors.append(reason("published_row_agency_unknown", row=r.line, code=r.agency_code))
                continue
        if target is None:
            errors.append(reason("published_row_agency_missing", row=r.line))
            continue
        if not allowed(target):
            errors.append(reason("published_row_agency_not_allowed",
                                  row=r.line, code=target.code))
            continue
        row_year = r.fiscal_year_be or year
        if row_year is None:
            errors.append(reason("published_row_year_missing", row=r.line))
            continue
        iset = year_set(session, target, row_year)
        try:
            _, mismatches = check_entry(iset, {c: v for c, v in r.scores.items()
                                               if v is not None}, r.oit_items)
        except PublishedError as exc:
            errors.extend(reason("published_row_problem", row=r.line, problem=m)
                          for m in exc.reasons)
            continue
        if mismatches and not keep_as_given:
            errors.extend(reason("published_row_column_problem", row=r.line,
                                  problem=m.describe()) for m in mismatches)
            continue
        planned.append((target, row_year, r, iset))
    if errors:
        raise PublishedError(reasons=errors)
    for target, row_year, r, iset in planned:  # a row replaces its year entirely
        set_published(session, target, row_year, r.scores, source=source, entered_by=entered_by,
                      keep_as_given=keep_as_given, iset=iset, oit_items=r.oit_items)
    return [(t, y) for t, y, _, _ in planned]


#: The headers of a file of OIT item results: the item's code and NACC's judgement (the
#: console's checklist download has both, so a judged checklist can be given as it is).
ITEM_HEADERS = frozenset({"item", CHECKLIST_HEADER[0]})
RESULT_HEADERS = frozenset({"result", "judgement", CHECKLIST_HEADER[4]})


def parse_oit_items(text: str) -> dict[str, bool]:
    """Read ``O1=pass,O2=fail …`` (commas or spaces between); raise PublishedError naming each
    bad entry or item."""
    items: dict[str, bool] = {}
    errors: list[Reason] = []
    for entry in text.replace(",", " ").split():
        code, sep, value = entry.partition("=")
        _one_item(items, errors, code.strip(), value if sep else "", entry)
    if errors:
        raise PublishedError(reasons=errors)
    if not items:
        raise PublishedError("oit_items_none_given")
    return items


def read_oit_items(data: bytes, filename: str) -> dict[str, bool]:
    """Read a CSV or XLSX file of OIT item results: a header row with ``item`` and ``result``
    columns (or the checklist download's "ข้อ (item)" and "ผลการตรวจ (judgement)"), one item a
    row; a blank result is left out.  Raise PublishedError naming every bad row."""
    table = read_table(data, filename)
    header = [str(h).strip().lower() for h in (table[0] if table else [])]
    where = {name: next((i for i, h in enumerate(header) if h in names), None)
             for name, names in (("item", ITEM_HEADERS), ("result", RESULT_HEADERS))}
    if None in where.values():
        raise PublishedError("oit_items_file_columns")
    items: dict[str, bool] = {}
    errors: list[Reason] = []
    for line, row in enumerate(table[1:], start=2):
        cells = [str(c).strip() for c in row] + ["", ""]
        code, value = cells[where["item"]], cells[where["result"]]
        if not code and not value:
            continue
        _one_item(items, errors, code, value, None, line=line)
    if errors:
        raise PublishedError(reasons=errors)
    if not items:
        raise PublishedError("oit_items_file_empty")
    return items


def _one_item(items: dict[str, bool], errors: list[Reason], code: str, value: str,
              entry: str | None, *, line: int | None = None) -> None:
    """Add one item's result to ``items``, or a reason naming it (and its row) to ``errors``."""
    if line:
        where = reason("oit_item_row_where", row=line, item=code)
    else:
        where = reason("oit_item_where", item=code)
    if not code:
        if entry is not None:
            errors.append(reason("oit_item_entry_malformed", entry=entry))
        else:
            errors.append(reason("oit_item_row_no_code", row=line))
        return
    if code in items:
        errors.append(reason("oit_item_twice", where=where))
        return
    try:
        passed = parse_oit_item(value)
    except PublishedError as exc:
        errors.append(reason("oit_item_value_invalid", where=where, value=value,
                             reason=exc.reasons[0]))
        return
    if passed is None:
        if entry is not None:
            errors.append(reason("oit_item_entry_malformed", entry=entry))
        return
    items[code] = passed


@dataclass(frozen=True)
class YearSummary:
    """A published year as the console lists it: the record and how the year's set rates it."""

    published: Published
    set_id: str | None
    total: float | None
    grade: str | None
    verdict_th: str | None
    verdict_en: str | None


def year_summaries(session: Session, agency: Agency) -> list[YearSummary]:
    """Each published year of the agency, with the verdict its set gives the figures."""
    out = []
    for year, pub in published_years(session, agency).items():
        iset = year_set(session, agency, year)
        if iset is None:
            out.append(YearSummary(pub, None, pub.total, None, None, None))
            continue
        rated = rate_published(iset, pub)
        verdict = rated.verdict
        out.append(YearSummary(pub, iset.id, rated.total, rated.grade,
                               None if verdict is None else verdict.label_th,
                               None if verdict is None else verdict.label_en))
    return out
