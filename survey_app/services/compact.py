"""Answers stored compactly: one byte per question in the order the assessment's layout keeps.

``response.answers`` holds one byte per question column, in the order of the
``response_layout`` row of its (assessment, instrument), with ``BLANK`` (255) for a question
not answered; option codes are 0–254 (every scale's codes are small integers).  The layout is
stored with the data, so decoding never needs the instrument-set registry, and it only ever
grows: a question a layout does not have yet is appended, and a row shorter than its layout is
blank in the columns added after it was written.  Reading a whole assessment is one SELECT of
the byte strings and one ``numpy.frombuffer``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..models import ResponseLayout

#: The byte of an unanswered question.
BLANK = 255


def stored_layout(connection: sa.Connection, assessment_id: int, instrument: str
                  ) -> tuple[str, ...]:
    """The stored column order of one assessment's instrument (empty when none yet)."""
    text = connection.execute(
        sa.select(ResponseLayout.questions).where(ResponseLayout.assessment_id == assessment_id,
                                                  ResponseLayout.instrument == instrument)
    ).scalar()
    return tuple(text.split()) if text else ()


#: The last layout this process read or stored per (assessment id, instrument).  A layout only
#: grows at its end, so one that holds a response's columns encodes it correctly for as long
#: as the row still reads the same: a writer using it checks that in its INSERT and reads the
#: layout when the check fails (services/responses.py).
_KNOWN_LAYOUTS: dict[tuple[int, str], tuple[tuple[str, ...], frozenset[str]]] = {}
_KNOWN_LAYOUTS_MAX = 4096


def known_layout(assessment_id: int, instrument: str, columns: Iterable[str]
                 ) -> tuple[str, ...] | None:
    """This process's last known layout if it holds every one of ``columns`` (no query), or
    None.  Only for a writer that checks it against the stored row in the same statement."""
    known = _KNOWN_LAYOUTS.get((assessment_id, instrument))
    if known is None or not known[1].issuperset(columns):
        return None
    return known[0]


def _remember(assessment_id: int, instrument: str, layout: tuple[str, ...]) -> tuple[str, ...]:
    if len(_KNOWN_LAYOUTS) >= _KNOWN_LAYOUTS_MAX:
        _KNOWN_LAYOUTS.clear()
    _KNOWN_LAYOUTS[(assessment_id, instrument)] = (layout, frozenset(layout))
    return layout


def layout_for(connection: sa.Connection, assessment_id: int, instrument: str,
               columns: Iterable[str]) -> tuple[str, ...]:
    """Return the layout holding every one of ``columns``, storing or extending it if needed.

    A new layout takes ``columns`` in their order; an existing one gets the missing columns
    appended (existing bytes keep their meaning).  Runs in the caller's transaction.
    """
    wanted = list(dict.fromkeys(columns))
    current = stored_layout(connection, assessment_id, instrument)
    have = set(current)
    missing = [c for c in wanted if c not in have]
    if not missing:
        return _remember(assessment_id, instrument, current)
    for column in missing:
        if not column or any(ch.isspace() for ch in column):
            raise ValueError(f"question column {column!r} cannot be stored")
    grown = current + tuple(missing)
    if not current:
        insert = (postgresql.insert if connection.dialect.name == "postgresql"
                  else sqlite.insert)(ResponseLayout)
        connection.execute(insert.values(assessment_id=assessment_id, instrument=instrument,
                                         questions=" ".join(grown)).on_conflict_do_nothing())
    else:
        connection.execute(
            sa.update(ResponseLayout)
            .where(ResponseLayout.assessment_id == assessment_id,
                   ResponseLayout.instrument == instrument,
                   ResponseLayout.questions == " ".join(current))
            .values(questions=" ".join(grown)))
    # Another writer may have stored or grown it first: read back what holds.
    stored = stored_layout(connection, assessment_id, instrument)
    if set(wanted) <= set(stored):
        return _remember(assessment_id, instrument, stored)
    return layout_for(connection, assessment_id, instrument, wanted)


def encode(layout: Sequence[str], answers: Mapping[str, int | None]) -> bytes:
    """One response's answers as bytes in ``layout``'s order (``BLANK`` where unanswered).

    Raises ValueError for a question not in the layout or an option outside 0–254.
    """
    position = {c: k for k, c in enumerate(layout)}
    out = bytearray([BLANK]) * len(layout)
    for column, option in answers.items():
        if option is None:
            continue
        k = position.get(column)
        if k is None:
            raise ValueError(f"question {column!r} is not in the layout")
        option = int(option)  # a ballot written by hand (tests) may hold "4"
        if not 0 <= option < BLANK:
            raise ValueError(f"{column}: option code {option} cannot be stored (0–254)")
        out[k] = option
    return bytes(out)


def decode(blobs: Sequence[bytes], layout: Sequence[str], columns: Sequence[str]) -> np.ndarray:
    """Stored byte strings as a ``uint8`` matrix with one column per ``columns`` entry.

    A column the layout does not have is all ``BLANK``; a layout column not asked for is left
    out; a row shorter than the layout is blank at its end.
    """
    width = len(layout)
    joined = b"".join(blobs)
    if len(joined) != width * len(blobs):  # rows written before the layout grew
        joined = b"".join(bytes(b).ljust(width, bytes([BLANK])) for b in blobs)
    matrix = np.frombuffer(joined, dtype=np.uint8).reshape(len(blobs), width)
    position = {c: k for k, c in enumerate(layout)}
    if list(columns) == list(layout):
        return matrix
    out = np.full((len(blobs), len(columns)), BLANK, dtype=np.uint8)
    pairs = [(j, position[c]) for j, c in enumerate(columns) if c in position]
    if pairs:
        to, src = (list(x) for x in zip(*pairs, strict=True))
        out[:, to] = matrix[:, src]
    return out


def code_columns(matrix: np.ndarray, columns: Sequence[str]) -> dict[str, pd.arrays.IntegerArray]:
    """The decoded matrix as nullable ``Int64`` columns (what the scoring frames hold)."""
    values = matrix.astype(np.int64)
    blank = matrix == BLANK
    return {c: pd.arrays.IntegerArray(np.ascontiguousarray(values[:, j]),
                                      np.ascontiguousarray(blank[:, j]))
            for j, c in enumerate(columns)}


def insert_coded(connection: sa.Connection, assessment_id: int, instrument: str,
                 columns: Sequence[str], codes: np.ndarray, *, submitted_on: Sequence,
                 groups: Sequence[str | None] | None = None) -> int:
    """Bulk-insert responses given as a ``uint8`` matrix (one column per ``columns`` entry,
    ``BLANK`` = unanswered), in row order; one multi-row INSERT.  Returns the rows inserted."""
    from ..models import Response

    layout = layout_for(connection, assessment_id, instrument, columns)
    where = {c: k for k, c in enumerate(columns)}
    ordered = np.full((len(codes), len(layout)), BLANK, dtype=np.uint8)
    for k, column in enumerate(layout):
        if column in where:
            ordered[:, k] = codes[:, where[column]]
    raw = ordered.tobytes()
    width = len(layout)
    rows = [{"assessment_id": assessment_id, "instrument": instrument,
             "submitted_on": submitted_on[i],
             "respondent_group": None if groups is None else groups[i],
             "answers": raw[i * width:(i + 1) * width]} for i in range(len(codes))]
    if rows:
        connection.execute(sa.insert(Response), rows)
    return len(rows)
