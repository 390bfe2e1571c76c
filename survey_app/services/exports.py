"""Stored responses as a DataFrame and as the CSV that ``ita score`` reads.

One row per response; the columns are the instrument's question columns in questionnaire order
(``iset.columns_for``), values are option codes (nullable Int64, blank in CSV when unanswered);
EIT has ``respondent_group`` first; both end with ``submitted_on`` (a date, never a time).
No response id is exported.
"""

from __future__ import annotations

import csv
import io
import os
from typing import IO

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Assessment, Response
from .compact import BLANK, code_columns, decode, stored_layout
from .instrument_sets import assessment_set
from .publication import PUBLISHED

GROUP_COLUMN = "respondent_group"
DATE_COLUMN = "submitted_on"


# -- streamed exports for the console and `ita export` -----------------------------------------
#
# Every CSV/XLSX cell of text goes through ``neutralise`` so that a spreadsheet never runs a
# cell as a formula; numbers stay numbers.  Responses are read a batch at a time (keyset pages
# on the response id) as their compact answers (``compact.py``), and
# each batch is decoded with numpy and written as CSV text in one vectorised step, so an export
# of a million responses holds one batch in memory at a time on SQLite and PostgreSQL alike.

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BATCH_RESPONSES = 5000
RESPONSE_KINDS = ("responses-iit", "responses-eit")
EXPORT_KINDS = {
    "responses-iit": ("csv", "xlsx"),
    "responses-eit": ("csv", "xlsx"),
    "codebook": ("csv", "xlsx"),
    "scores": ("csv", "xlsx", "json"),
}
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def neutralise(value):
    """Return ``value`` safe for a spreadsheet cell: text a spreadsheet would run as a formula
    (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'``.
    A lone ``-`` (the "no previous year" mark) is left as it is.

    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-cmd"), neutralise(-1.5), neutralise("ผ่าน")
    ('\\'=HYPERLINK("http://x")', "'-cmd", -1.5, 'ผ่าน')
    """
    if isinstance(value, str) and value != "-" and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_filename(agency_code: str, fiscal_year_be: int, kind: str, ext: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in agency_code)
    return f"ita-{safe}-{fiscal_year_be}-{kind}.{ext}"


def response_header(assessment: Assessment, instrument: str) -> list[str]:
    if instrument not in ("IIT", "EIT"):
        raise ValueError(f"instrument must be IIT or EIT, not {instrument!r}")
    columns = list(assessment_set(assessment).columns_for(instrument))
    return ([GROUP_COLUMN] if instrument == "EIT" else []) + columns + [DATE_COLUMN]


def _assessment(session: Session, assessment_id: int) -> Assessment:
    assessment = session.get(Assessment, assessment_id)
    if assessment is not None:
        return assessment
    raise LookupError(f"no assessment with id {assessment_id}")


def _checked(instrument: str) -> None:
    if instrument not in ("IIT", "EIT"):
        raise ValueError(f"instrument must be IIT or EIT, not {instrument!r}")


def _response_batches(session: Session, assessment: Assessment, instrument: str, *,
                      batch: int | None, dates: bool = True):
    """Yield (groups, days, codes) per batch of published responses, oldest id first.

    Only published responses (``publication.py``): IIT once the assessment has closed, EIT in
    batches of at least K.  Every figure, export and document reads responses here.

    ``codes`` is a ``uint8`` matrix (``compact.BLANK`` = unanswered) with the instrument's
    question columns in questionnaire order; ``groups`` the EIT respondent groups (None for
    IIT), ``days`` the dates as ISO text (None unless ``dates``).  One SELECT per ``batch``
    responses (keyset pagination on the id), or one for all when ``batch`` is None.
    """
    columns = list(assessment_set(assessment).columns_for(instrument))
    connection = session.connection()  # Core rows: no ORM row processing
    layout = stored_layout(connection, assessment.id, instrument)
    eit = instrument == "EIT"
    selected = [Response.id, Response.answers] + (
        [Response.respondent_group] if eit else []) + ([Response.submitted_on] if dates else [])
    query = (sa.select(*selected)
             .where(Response.assessment_id == assessment.id, Response.instrument == instrument,
                    PUBLISHED)
             .order_by(Response.id))
    last_id = 0
    while True:
        # Keyset pages (one SELECT when ``batch`` is None), each read from the result's DBAPI
        # cursor: no Row object or type processing per response.  A day is then the driver's
        # value: a date (PostgreSQL) or ISO text (SQLite).
        page = query if batch is None else query.where(Response.id > last_id).limit(batch)
        result = connection.execute(page)
        try:
            rows = result.cursor.fetchall()
        finally:
            result.close()
        if not rows:
            return
        ids, blobs, *rest = zip(*rows, strict=True)
        groups = rest.pop(0) if eit else None
        days = [_iso(d) for d in rest.pop(0)] if dates else None
        yield groups, days, decode(blobs, layout, columns)
        if batch is None or len(rows) < batch:
            return
        last_id = ids[-1]


def _iso(day) -> str:
    return day if isinstance(day, str) else day.isoformat()


def _values(codes: np.ndarray) -> list[list]:
    """A codes matrix as lists of ints, None where unanswered."""
    return _OPTION_VALUES[codes].tolist()


_OPTION_VALUES = np.array([*range(BLANK), None], dtype=object)


def iter_response_rows(session: Session, assessment_id: int, instrument: str, *,
                       batch: int = BATCH_RESPONSES):
    """Yield one list per stored response (the header's order), oldest id first, lazily."""
    _checked(instrument)
    assessment = _assessment(session, assessment_id)
    for groups, days, codes in _response_batches(session, assessment, instrument, batch=batch):
        rows = _values(codes)
        for k, row in enumerate(rows):
            if groups is not None:
                row.insert(0, neutralise(groups[k]))  # the only free text in a response row
            row.append(days[k])
        yield from rows


def _csv_text(rows, *, neutralised: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows if neutralised else ([neutralise(v) for v in row] for row in rows))
    return buffer.getvalue()


#: Each option code as three right-aligned ASCII digits, NUL-padded (BLANK: three NULs).
_DIGITS = np.zeros((256, 3), dtype=np.uint8)
for _code in range(BLANK):
    _text = str(_code).encode()
    _DIGITS[_code, 3 - len(_text):] = np.frombuffer(_text, dtype=np.uint8)
del _code, _text


def _cells(texts, suffix: str) -> np.ndarray:
    """Each text as its CSV cell plus ``suffix``, as NUL-padded rows of UTF-8 bytes."""
    index: dict[object, int] = {}
    positions = np.fromiter((index.setdefault(t, len(index)) for t in texts), dtype=np.intp,
                            count=len(texts))
    # Written in a row of two cells: csv.writer quotes a row's only empty cell.
    encoded = [(_csv_text([[v, ""]], neutralised=True)[:-2] + suffix).encode() for v in index]
    table = np.zeros((len(encoded), max(map(len, encoded))), dtype=np.uint8)
    for k, cell in enumerate(encoded):
        table[k, :len(cell)] = np.frombuffer(cell, dtype=np.uint8)
    return table[positions]


def _csv_batch(groups, days, codes: np.ndarray) -> str:
    """One batch of responses as CSV text, exactly as ``csv.writer`` writes the rows of
    :func:`iter_response_rows`, built in one vectorised step: each cell goes into a
    NUL-padded byte matrix and ``bytes.translate`` deletes the padding."""
    texts = [] if groups is None else [neutralise(g) for g in groups]
    if any("\0" in t for t in texts if t):  # a NUL would be taken for padding
        return _csv_text(([t, *row] for t, row in zip(texts, _values(codes), strict=True)),
                         neutralised=True)
    n, width = codes.shape
    fields = np.empty((n, width, 4), dtype=np.uint8)
    fields[:, :, :3] = _DIGITS[codes]
    fields[:, :, 3] = ord(",")
    parts = [fields.reshape(n, width * 4), _cells(days, "\n")]
    if groups is not None:
        parts.insert(0, _cells(texts, ","))
    return np.concatenate(parts, axis=1).tobytes().translate(None, b"\0").decode()


def iter_responses_csv(session: Session, assessment_id: int, instrument: str, *,
                       batch: int = BATCH_RESPONSES):
    """Yield the responses CSV (UTF-8 with BOM) in text chunks, one batch of responses each.

    The columns of :func:`response_header`, which ``ita score`` reads.
    """
    _checked(instrument)
    assessment = _assessment(session, assessment_id)
    yield "\ufeff" + _csv_text([response_header(assessment, instrument)])
    for groups, days, codes in _response_batches(session, assessment, instrument, batch=batch):
        yield _csv_batch(groups, days, codes)


def write_streamed_csv(chunks, output: str | os.PathLike | IO[bytes]) -> None:
    """Write text chunks as UTF-8 to a path or a binary stream."""
    if isinstance(output, (str, os.PathLike)):
        with open(output, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk.encode("utf-8"))
    else:
        for chunk in chunks:
            output.write(chunk.encode("utf-8"))


# -- the codebook -----------------------------------------------------------------------------

CODEBOOK_COLUMNS = ("column", "instrument", "item", "indicator", "indicator_name_th",
                    "question_th", "question_en", "item_th", "item_en", "scale", "direction",
                    "options")


def codebook_rows(assessment: Assessment, instrument: str | None = None) -> list[dict]:
    """Name every column of the responses exports and every option code with its score."""
    iset = assessment_set(assessment)
    rows = []
    for inst in ([instrument] if instrument else ["IIT", "EIT"]):
        if inst == "EIT":
            rows.append({
                "column": GROUP_COLUMN, "instrument": inst, "item": "", "indicator": "",
                "indicator_name_th": "", "question_th": "กลุ่มผู้ตอบ",
                "question_en": "Respondent group", "item_th": "", "item_en": "",
                "scale": "code", "direction": "",
                "options": " | ".join(f"{g.code} = {g.label_th} / {g.label_en}"
                                      for g in iset.respondent_groups)})
        for item in iset.items_for(inst):
            ind = iset.indicators[item.indicator]
            for q in item.questions:
                scores = item.scale.scores(q.direction)
                rows.append({
                    "column": q.column, "instrument": inst, "item": item.code,
                    "indicator": item.indicator, "indicator_name_th": ind.name_th,
                    "question_th": q.text_th, "question_en": q.text_en,
                    "item_th": item.text_th if item.sub_items else "",
                    "item_en": item.text_en if item.sub_items else "",
                    "scale": item.scale.code, "direction": q.direction,
                    "options": " | ".join(
                        f"{o.code} = {o.label_th} / {o.label_en} → {scores[o.code]:.2f}"
                        for o in item.scale.options)})
        rows.append({
            "column": DATE_COLUMN, "instrument": inst, "item": "", "indicator": "",
            "indicator_name_th": "", "question_th": "วันที่ส่งคำตอบ (ไม่มีเวลา)",
            "question_en": "Date the response was submitted (no time)", "item_th": "",
            "item_en": "", "scale": "date", "direction": "", "options": "YYYY-MM-DD"})
    return rows


def codebook_csv(assessment: Assessment, instrument: str | None = None) -> str:
    rows = codebook_rows(assessment, instrument)
    return "\ufeff" + _csv_text([list(CODEBOOK_COLUMNS)] +
                                [[r[c] for c in CODEBOOK_COLUMNS] for r in rows])


def _append_sheet(workbook, title: str, header, rows, *, neutralised: bool = False) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append([neutralise(h) for h in header])
    for row in rows:
        sheet.append(row if neutralised else [neutralise(v) for v in row])


def write_codebook_xlsx(assessment: Assessment, output, instrument: str | None = None) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    rows = codebook_rows(assessment, instrument)
    _append_sheet(workbook, "codebook", CODEBOOK_COLUMNS,
                  ([r[c] for c in CODEBOOK_COLUMNS] for r in rows))
    workbook.save(output)


def write_responses_xlsx(session: Session, assessment_id: int, instrument: str, output, *,
                         batch: int = BATCH_RESPONSES) -> int:
    """Write responses (first sheet, readable by ``ita score``) and a codebook sheet.

    openpyxl's write-only workbook streams rows to disk, so memory stays flat.
    """
    from openpyxl import Workbook

    assessment = _assessment(session, assessment_id)
    workbook = Workbook(write_only=True)
    count = 0

    def counted():
        nonlocal count
        for row in iter_response_rows(session, assessment_id, instrument, batch=batch):
            count += 1
            yield row

    _append_sheet(workbook, "responses", response_header(assessment, instrument), counted(),
                  neutralised=True)  # iter_response_rows neutralised the only text
    rows = codebook_rows(assessment, instrument)
    _append_sheet(workbook, "codebook", CODEBOOK_COLUMNS,
                  ([r[c] for c in CODEBOOK_COLUMNS] for r in rows))
    workbook.save(output)
    return count


# -- scores -----------------------------------------------------------------------------------


def scores_csv(scores: dict) -> str:
    """The scores CSV: ``scoring.report``'s rows (``CSV_COLUMNS``), text cells neutralised.

    ``scores`` is the result as ``scoring.report.result_to_dict`` gives it (a stored result).
    """
    from scoring.report import CSV_COLUMNS, rows_from_dict

    rows = rows_from_dict(scores)
    return "\ufeff" + _csv_text([list(CSV_COLUMNS)] + [
        ["" if r[c] is None else r[c] for c in CSV_COLUMNS] for r in rows])


def scores_json(scores: dict) -> str:
    """The scores JSON: exactly ``ita score --format json`` (``result_to_dict``'s object)."""
    import json

    return json.dumps(scores, ensure_ascii=False, indent=2) + "\n"


def write_scores_xlsx(view, scores: dict, output) -> None:
    """Write scores, per-question distributions, history and EIT groups as XLSX sheets.

    ``view`` is the typed :class:`~survey_app.services.view_models.ResultsView` of ``scores``
    (``result_to_dict``'s object).
    """
    from openpyxl import Workbook

    from scoring.report import CSV_COLUMNS, rows_from_dict

    workbook = Workbook(write_only=True)
    agency, assessment = view.agency, view.assessment
    summary = [
        ("agency_code", agency.code), ("agency_name_th", agency.name_th),
        ("fiscal_year_be", assessment.fiscal_year_be),
        ("instrument_set", assessment.instrument_set),
        ("total", view.total), ("grade", view.grade),
        ("verdict", view.verdict.label_th if view.verdict else None),
        ("target", view.target),
        *[(f"{i.code}_weighted", i.weighted) for i in view.instruments],
        *[(f"{c.instrument}_responses", c.responses) for c in view.responses],
        ("oit_items_judged", view.oit.judged), ("oit_items", view.oit.items),
    ]
    _append_sheet(workbook, "summary", ("field", "value"), summary)
    _append_sheet(workbook, "scores", CSV_COLUMNS,
                  ([r[c] for c in CSV_COLUMNS] for r in rows_from_dict(scores)))

    def item_rows():
        for ind in view.indicators:
            for item in ind.items:
                for q in item.questions:
                    for o in q.options:
                        if o.count is None:
                            continue
                        yield [ind.code, item.code, q.column, q.text_th, q.n, q.no_answer,
                               q.mean, o.code, o.label_th, o.option_score, o.count, o.percent]

    _append_sheet(workbook, "items",
                  ("indicator", "item", "column", "question_th", "n", "no_answer", "mean",
                   "option", "option_th", "option_score", "count", "percent"), item_rows())
    _append_sheet(workbook, "history",
                  ("fiscal_year_be", "total", "development", "difference"),
                  ([h.fiscal_year_be, h.total, h.development, h.difference] for h in view.trend))
    codes = view.group_indicator_codes
    _append_sheet(workbook, "eit_groups",
                  ("code", "label_th", "n", "suppressed", *codes, "score"),
                  ([g.code, g.label_th, g.n, g.suppressed,
                    *[dict((gi.code, gi.score) for gi in g.indicators).get(c) for c in codes],
                    g.score] for g in view.eit_groups))
    workbook.save(output)


def responses_frame_by_id(session: Session, assessment_id: int, instrument: str, *,
                          dates: bool = True) -> pd.DataFrame:
    """Return the stored responses of one instrument, one row per response, in the export's order.

    The console scores this frame, so its bootstrap intervals match ``ita score`` run on the
    exported file row for row (the bootstrap resamples rows by position).  One SELECT of the
    compact answers, decoded with ``numpy.frombuffer``.  Without ``dates`` the frame has no
    ``submitted_on`` column (what scoring reads).
    """
    _checked(instrument)
    assessment = _assessment(session, assessment_id)
    header = response_header(assessment, instrument)
    questions = [c for c in header if c not in (GROUP_COLUMN, DATE_COLUMN)]
    found = list(_response_batches(session, assessment, instrument, batch=None, dates=dates))
    groups, days, codes = found[0] if found else (
        (), (), np.empty((0, len(questions)), dtype=np.uint8))
    data: dict[str, object] = {}
    if instrument == "EIT":
        data[GROUP_COLUMN] = pd.Series(list(groups), dtype=object)
    data.update(code_columns(codes, questions))
    if dates:
        data[DATE_COLUMN] = pd.Series(days, dtype=object)
    return pd.DataFrame(data, columns=header if dates else header[:-1])
