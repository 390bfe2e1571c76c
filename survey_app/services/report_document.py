"""The office's report document: the words and marks it writes once for its yearly report and
follow-up report (foreword, background, standing internal measures, a comparison figure,
signature, cover date, logo).

:func:`read_document` checks what the report-texts page posted and names every problem;
:func:`save_document` stores it; :func:`document_view` gives the renderers the typed
:class:`~survey_app.services.view_models.ReportDocument`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Assessment, ReportDocument, utcnow
from . import view_models as vm
from .formatting import split_lines

TEXT_MAX = 5000  # characters of the foreword, the background or the internal measures
LINE_MAX = 200  # characters of the scope, the director's name and position
MEASURES_MAX = 40  # internal measures (lines)
UNITS_MAX = 100_000
LOGO_MAX = 200 * 1024  # bytes (the console takes at most 256 KB a request)
LOGO_PIXELS = 4000  # the longer side
LOGO_TYPES = {"PNG": "png", "JPEG": "jpeg"}
TEXT_FIELDS = ("foreword", "background", "internal_measures")
LINE_FIELDS = ("comparison_scope", "director_name", "director_position")
FIELDS = (*TEXT_FIELDS, *LINE_FIELDS, "comparison_units", "comparison_score", "cover_date")


@dataclass(frozen=True)
class Problem:
    field: str
    code: str  # too_long, too_many, number, range, date, score_needed, image, image_size,
    # image_pixels


@dataclass(frozen=True)
class Posted:
    """The checked fields (``values``), and the logo: new bytes and type, or ``remove``."""

    values: dict[str, object]
    logo: tuple[bytes, str] | None
    remove_logo: bool


def _number(text: str, kind):
    text = text.strip().replace(",", "")
    if not text:
        return None
    if kind is int and not re.fullmatch(r"\d+", text):
        raise ValueError
    return kind(text)


def check_logo(data: bytes) -> tuple[str | None, str]:
    """Return (problem code or None, image type) of an uploaded logo: a PNG or JPEG image of
    at most :data:`LOGO_MAX` bytes and :data:`LOGO_PIXELS` pixels a side."""
    if len(data) > LOGO_MAX:
        return "image_size", ""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = LOGO_TYPES.get(image.format or "")
            size = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return "image", ""
    if kind is None:
        return "image", ""
    if max(size) > LOGO_PIXELS:
        return "image_pixels", kind
    return None, kind


def read_document(form: Mapping[str, str], logo: bytes | None = None
                  ) -> tuple[Posted, list[Problem]]:
    """Check the posted fields (and an uploaded logo's bytes); nothing is stored here."""
    values: dict[str, object] = {}
    problems: list[Problem] = []
    for field in TEXT_FIELDS:
        text = "\n".join(split_lines(form.get(field, "")))
        if len(text) > TEXT_MAX:
            problems.append(Problem(field, "too_long"))
        values[field] = text
    if len(split_lines(str(values["internal_measures"]))) > MEASURES_MAX:
        problems.append(Problem("internal_measures", "too_many"))
    for field in LINE_FIELDS:
        text = " ".join(form.get(field, "").split())
        if len(text) > LINE_MAX:
            problems.append(Problem(field, "too_long"))
        values[field] = text
    for field, kind, low, high in (("comparison_units", int, 1, UNITS_MAX),
                                   ("comparison_score", float, 0.0, 100.0)):
        try:
            number = _number(form.get(field, ""), kind)
        except ValueError:
            problems.append(Problem(field, "number"))
            continue
        if number is not None and not low <= number <= high:
            problems.append(Problem(field, "range"))
        values[field] = None if number is None else (round(number, 2) if kind is float
                                                        else number)
    if (values.get("comparison_scope") or values.get("comparison_units") is not None) \
            and values.get("comparison_score") is None \
            and not any(p.field == "comparison_score" for p in problems):
        problems.append(Problem("comparison_score", "score_needed"))
    day = form.get("cover_date", "").strip()
    try:
        values["cover_date"] = dt.date.fromisoformat(day) if day else None
    except ValueError:
        problems.append(Problem("cover_date", "date"))
    new_logo = None
    if logo:
        code, kind = check_logo(logo)
        if code:
            problems.append(Problem("logo", code))
        else:
            new_logo = (logo, kind)
    return Posted(values, new_logo, form.get("remove_logo") == "1"), problems


def load_document(session: Session, assessment: Assessment) -> ReportDocument | None:
    return session.scalar(sa.select(ReportDocument)
                          .where(ReportDocument.assessment_id == assessment.id))


def save_document(session: Session, assessment: Assessment, posted: Posted) -> list[str]:
    """Store checked fields; return the names of those that changed (``logo`` included)."""
    row = load_document(session, assessment)
    if row is None:
        row = ReportDocument(assessment_id=assessment.id, **{f: "" for f in (*TEXT_FIELDS,
                                                                             *LINE_FIELDS)},
                             logo_type="")
        session.add(row)
    changed = []
    for field, value in posted.values.items():
        if getattr(row, field) != value:
            setattr(row, field, value)
            changed.append(field)
    if posted.logo is not None:
        row.logo, row.logo_type = posted.logo
        changed.append("logo")
    elif posted.remove_logo and row.logo is not None:
        row.logo, row.logo_type = None, ""
        changed.append("logo")
    if changed:
        row.updated_at = utcnow()
    session.flush()
    return changed


def document_view(row: ReportDocument | None) -> vm.ReportDocument:
    """The typed document of a stored row (an empty one when the office wrote nothing)."""
    if row is None:
        return vm.ReportDocument()
    comparison = None
    if row.comparison_score is not None:
        comparison = vm.Comparison(row.comparison_scope or "", row.comparison_units,
                                   row.comparison_score)
    return vm.ReportDocument(
        foreword=split_lines(row.foreword), background=split_lines(row.background),
        internal_measures=split_lines(row.internal_measures), comparison=comparison,
        director_name=row.director_name or "", director_position=row.director_position or "",
        cover_date=row.cover_date, logo=row.logo or None, logo_type=row.logo_type or "")


def report_document(session: Session, assessment: Assessment) -> vm.ReportDocument:
    return document_view(load_document(session, assessment))
