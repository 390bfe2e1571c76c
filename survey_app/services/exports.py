"""Stored responses as a DataFrame and as the CSV that ``ita score`` reads.

One row per response; the columns are the instrument's question columns in questionnaire order
(``iset.columns_for``), values are option codes (nullable Int64, blank in CSV when unanswered);
EIT has ``respondent_group`` first; both end with ``submitted_on`` (a date, never a time).
No response id is exported.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import IO

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from questionnaires import load_instrument_set

from ..models import Answer, Assessment, Response

GROUP_COLUMN = "respondent_group"
DATE_COLUMN = "submitted_on"


def responses_frame(session: Session, assessment_id: int, instrument: str) -> pd.DataFrame:
    """Return the stored responses of one instrument of an assessment, one row per response."""
    if instrument not in ("IIT", "EIT"):
        raise ValueError(f"instrument must be IIT or EIT, not {instrument!r}")
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise LookupError(f"no assessment with id {assessment_id}")
    columns = list(load_instrument_set(assessment.instrument_set).columns_for(instrument))
    meta_columns = ([GROUP_COLUMN] if instrument == "EIT" else []) + [DATE_COLUMN]

    responses = session.execute(
        sa.select(Response.id, Response.respondent_group, Response.submitted_on)
        .where(Response.assessment_id == assessment_id, Response.instrument == instrument)
        .order_by(Response.submitted_on, Response.id)
    ).all()
    answers = session.execute(
        sa.select(Answer.response_id, Answer.question, Answer.option)
        .join(Response)
        .where(Response.assessment_id == assessment_id, Response.instrument == instrument)
    ).all()

    ids = [r.id for r in responses]
    wide = pd.DataFrame(index=pd.Index(ids, dtype="int64"), columns=columns, dtype="Int64")
    if answers:
        long = pd.DataFrame(answers, columns=["response_id", "question", "option"])
        long = long[long["question"].isin(columns)]
        pivot = long.pivot(index="response_id", columns="question", values="option")
        wide = pivot.reindex(index=ids, columns=columns).astype("Int64")
    frame = wide.reset_index(drop=True)
    if instrument == "EIT":
        frame.insert(0, GROUP_COLUMN, pd.Series([r.respondent_group for r in responses]))
    frame[DATE_COLUMN] = pd.Series([r.submitted_on for r in responses], dtype="object")
    return frame[meta_columns[:-1] + columns + [DATE_COLUMN]]


def write_responses_csv(
    session: Session, assessment_id: int, instrument: str, output: str | os.PathLike | IO[bytes]
) -> int:
    """Write the responses CSV (UTF-8 with BOM, for Excel and Thai); return the row count."""
    frame = responses_frame(session, assessment_id, instrument)
    frame[DATE_COLUMN] = frame[DATE_COLUMN].map(lambda d: d.isoformat())
    text = frame.to_csv(index=False, na_rep="", lineterminator="\n")
    data = ("\ufeff" + text).encode("utf-8")
    if isinstance(output, (str, os.PathLike)):
        Path(output).write_bytes(data)
    else:
        output.write(data)
    return len(frame)


def responses_csv_bytes(session: Session, assessment_id: int, instrument: str) -> bytes:
    buffer = io.BytesIO()
    write_responses_csv(session, assessment_id, instrument, buffer)
    return buffer.getvalue()
