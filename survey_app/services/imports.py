"""Rehearsal imports: a Google Forms export joins an assessment as its own source.

Schools and offices rehearse the IIT and EIT in Google Forms.  An admin uploads the export (and,
if the automatic matching left something out, a mapping file), sees what matched
(:func:`preview_export`, which stores nothing), and confirms (:func:`store_import`).  The rows
go into ``imported_response``/``imported_answer`` under one ``response_import`` record, never
into ``response``: the Timestamp and Email columns are dropped by :mod:`scoring.gforms` before
anything else reads the file.

Results are computed from collected responses only unless a caller asks for imported ones by
name: :func:`responses_by_source` gives each source's frame, :func:`responses_frame` the
collected frame with the imported rows added only when ``include_imported=True``, or the
imported rows alone when ``include_imported=REHEARSAL`` (the rehearsal scored on its own).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from questionnaires import InstrumentSet
from scoring.gforms import FormsImport, Mapping, MappingError, parse_mapping, read_export
from scoring.inputs import InputFileError, read_table

from ..models import Assessment, ImportedAnswer, ImportedResponse, ResponseImport, User
from .assessments import response_counts
from .exports import responses_frame_by_id
from .instrument_sets import assessment_set
from .refusals import Refusal, reason

#: ``include_imported`` for the rehearsal rows alone (False: collected only; True: both).
REHEARSAL = "rehearsal"
GROUP_COLUMN = "respondent_group"
SUFFIXES = (".csv", ".xlsx")
_SALT = "ita-gforms-import"
#: How long a preview can be confirmed (seconds).
PREVIEW_MAX_AGE = 3600


class ImportRefused(Refusal):
    """An upload that cannot be previewed (keys of ``survey_app.refusals``, one per problem)."""


@dataclass(frozen=True)
class Preview:
    """What an upload would import: the matched frame and every message about it."""

    file_name: str
    result: FormsImport
    token: str | None  # signed payload to confirm with; None while something is unmatched
    mapping_toml: str  # the inferred mapping, to save, edit and upload again


def _with_suffix(name: str) -> str:
    return Path(name or "").suffix.lower()


def preview_export(iset: InstrumentSet, instrument: str, data: bytes, file_name: str, *,
                   mapping_data: bytes | None = None, mapping_name: str = "",
                   assessment_id: int, secret: str) -> Preview:
    """Read an uploaded export (and mapping), match it, and return the preview.

    Nothing is stored: the file is read from a private temporary copy that is removed at once.
    Raises :class:`ImportRefused` for a file that cannot be read at all.
    """
    if instrument not in ("IIT", "EIT"):
        raise ImportRefused("import_instrument_unknown")
    file_name = Path((file_name or "").replace("\\", "/")).name[:255]  # no client's folders
    suffix = _with_suffix(file_name)
    if suffix not in SUFFIXES:
        raise ImportRefused("import_file_type", file=file_name)
    mapping: Mapping | None = None
    if mapping_data:
        try:
            mapping = parse_mapping(mapping_data, name=mapping_name or "mapping.toml")
        except MappingError as exc:
            # each problem by its key in scoring.reasons, said in the admin's language
            raise ImportRefused(reasons=[
                reason("import_mapping_unreadable", problem=reason(key, **values))
                for key, values in exc.reasons]) from None
    fd, tmp = tempfile.mkstemp(suffix=suffix, prefix="ita-import-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        result = read_export(tmp, iset, instrument, mapping=mapping, read_table=read_table)
    except InputFileError as exc:
        # the row and column the reader names, when it names them (as in the file); why by
        # the reader's key in scoring.reasons, said in the admin's language
        key = "import_unreadable" + ("_row" if exc.row is not None else "") \
            + ("_column" if exc.column is not None else "")
        raise ImportRefused(key, file=file_name, row=exc.row, column=exc.column,
                            reason=reason(exc.key, **exc.values)) from None
    except Exception as exc:
        first_line = (str(exc).strip().splitlines() or [""])[0][:200]
        raise ImportRefused("import_unreadable_other", file=file_name,
                            error=type(exc).__name__, reason=first_line) from None
    finally:
        os.unlink(tmp)
    token = None
    if result.ok:
        token = _serializer(secret).dumps(_payload(result, file_name, assessment_id))
    return Preview(file_name, result, token, result.mapping.to_toml())


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def _payload(result: FormsImport, file_name: str, assessment_id: int) -> dict:
    frame = result.frame.astype(object).where(result.frame.notna(), None)
    return {"assessment": assessment_id, "set": result.set_id, "instrument": result.instrument,
            "file": file_name[:255], "columns": list(frame.columns),
            "rows": [[None if v is None else (v if isinstance(v, str) else int(v)) for v in row]
                     for row in frame.itertuples(index=False)]}


class PreviewExpired(Refusal):
    """A confirmation whose preview is too old, was altered, or is for another assessment
    (``import_preview_expired``; ``why`` tells which, for a log)."""

    def __init__(self, why: str) -> None:
        super().__init__("import_preview_expired", why=why)


def load_preview(token: str, *, secret: str, assessment: Assessment,
                 max_age: int = PREVIEW_MAX_AGE) -> dict:
    """Return a preview's payload after checking its signature, age and assessment."""
    try:
        payload = _serializer(secret).loads(token, max_age=max_age)
    except SignatureExpired:
        raise PreviewExpired("expired") from None
    except BadSignature:
        raise PreviewExpired("invalid") from None
    if payload.get("assessment") != assessment.id or payload.get("set") != \
            assessment.instrument_set:
        raise PreviewExpired("another assessment")
    return payload


def store_import(session: Session, assessment: Assessment, payload: dict, *,
                 user: User) -> ResponseImport:
    """Store a confirmed preview as one import of the assessment (flushes, does not commit)."""
    iset = assessment_set(assessment)
    instrument = payload["instrument"]
    columns = payload["columns"]
    if instrument not in ("IIT", "EIT"):
        raise PreviewExpired("instrument")
    allowed = {c: iset.item(iset.question(c).item).scale.codes
               for c in iset.columns_for(instrument)}
    groups = {g.code for g in iset.respondent_groups}
    if not set(columns) <= set(allowed) | ({GROUP_COLUMN} if instrument == "EIT" else set()):
        raise PreviewExpired("columns")
    for row in payload["rows"]:  # signed by us, checked all the same before anything is stored
        for column, value in zip(columns, row, strict=True):
            if value is not None and (value not in groups if column == GROUP_COLUMN
                                      else value not in allowed[column]):
                raise PreviewExpired("values")
    record = ResponseImport(assessment_id=assessment.id, instrument=instrument,
                            file_name=payload["file"], rows=len(payload["rows"]),
                            user_id=user.id, username=user.username)
    session.add(record)
    session.flush()
    for row in payload["rows"]:
        values = dict(zip(columns, row, strict=True))
        group = values.pop(GROUP_COLUMN, None) if instrument == "EIT" else None
        record.responses.append(ImportedResponse(
            respondent_group=group,
            answers=[ImportedAnswer(question=q, option=int(v))
                     for q, v in values.items() if v is not None]))
    session.flush()
    return record


def imports_of(session: Session, assessment: Assessment) -> list[ResponseImport]:
    """The assessment's imports, newest first."""
    return list(session.scalars(
        sa.select(ResponseImport).where(ResponseImport.assessment_id == assessment.id)
        .order_by(ResponseImport.imported_at.desc(), ResponseImport.id.desc())))


def delete_import(session: Session, assessment: Assessment, import_id: int
                  ) -> ResponseImport | None:
    """Remove one import with all its rows; ``None`` when the assessment has no such import."""
    record = session.get(ResponseImport, import_id)
    if record is None or record.assessment_id != assessment.id:
        return None
    session.execute(sa.delete(ImportedAnswer).where(ImportedAnswer.response_id.in_(
        sa.select(ImportedResponse.id).where(ImportedResponse.import_id == record.id))))
    session.execute(sa.delete(ImportedResponse).where(ImportedResponse.import_id == record.id))
    session.delete(record)
    session.flush()
    return record


def counts_by_source(session: Session, assessment: Assessment) -> dict[str, dict[str, int]]:
    """{"collected": {"IIT": n, "EIT": n}, "imported": {"IIT": n, "EIT": n}}."""
    imported = {"IIT": 0, "EIT": 0}
    rows = session.execute(
        sa.select(ResponseImport.instrument, sa.func.count(ImportedResponse.id))
        .join(ImportedResponse, ImportedResponse.import_id == ResponseImport.id)
        .where(ResponseImport.assessment_id == assessment.id)
        .group_by(ResponseImport.instrument))
    for instrument, n in rows:
        imported[instrument] = n
    return {"collected": response_counts(session, assessment), "imported": imported}


def imported_frame(session: Session, assessment: Assessment, instrument: str) -> pd.DataFrame:
    """The imported rows of one instrument as the code frame (``ita score``'s input), in the
    order they were imported; the same columns as the collected frame, no ``submitted_on``."""
    iset = assessment_set(assessment)
    columns = list(iset.columns_for(instrument))
    header = ([GROUP_COLUMN] if instrument == "EIT" else []) + columns
    heads = session.execute(
        sa.select(ImportedResponse.id, ImportedResponse.respondent_group)
        .join(ResponseImport, ImportedResponse.import_id == ResponseImport.id)
        .where(ResponseImport.assessment_id == assessment.id,
               ResponseImport.instrument == instrument)
        .order_by(ResponseImport.id, ImportedResponse.id)).all()
    rows = {rid: {GROUP_COLUMN: group} if instrument == "EIT" else {} for rid, group in heads}
    if rows:
        answers = session.execute(
            sa.select(ImportedAnswer.response_id, ImportedAnswer.question, ImportedAnswer.option)
            .join(ImportedResponse, ImportedAnswer.response_id == ImportedResponse.id)
            .join(ResponseImport, ImportedResponse.import_id == ResponseImport.id)
            .where(ResponseImport.assessment_id == assessment.id,
                   ResponseImport.instrument == instrument))
        for rid, question, option in answers:
            rows[rid][question] = option
    frame = pd.DataFrame(list(rows.values()), columns=header)
    frame[columns] = frame[columns].astype("Int64")
    return frame


def responses_by_source(session: Session, assessment: Assessment, instrument: str
                        ) -> dict[str, pd.DataFrame]:
    """Each source's responses of one instrument as code frames (no ``submitted_on``):
    ``{"collected": …, "imported": …}``; either may have no rows."""
    collected = responses_frame_by_id(session, assessment.id, instrument, dates=False)
    return {"collected": collected,
            "imported": imported_frame(session, assessment, instrument)}


def responses_frame(session: Session, assessment: Assessment, instrument: str, *,
                    include_imported: bool | str = False) -> pd.DataFrame:
    """The responses results are computed from: collected ones only, unless
    ``include_imported`` (then the imported rows follow the collected ones; with
    :data:`REHEARSAL`, the imported rows alone)."""
    if include_imported == REHEARSAL:
        return imported_frame(session, assessment, instrument)
    if not include_imported:
        return responses_frame_by_id(session, assessment.id, instrument, dates=False)
    frames = responses_by_source(session, assessment, instrument)
    if frames["imported"].empty:
        return frames["collected"]
    if frames["collected"].empty:
        return frames["imported"]
    return pd.concat([frames["collected"], frames["imported"]], ignore_index=True)
