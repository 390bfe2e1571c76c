"""Turn raw survey responses (option codes) into scores.

A responses frame has one row per response and one column per question: ``i2`` for an item
without sub-items, ``i1.1``, ``i1.2`` … for sub-items.  Values are option codes (4-level scale
1–4, yes/no 1/0); a blank (NaN/None/empty) means no answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from questionnaires import InstrumentSet

#: Columns a responses file may carry besides questions; they are never scored.
KNOWN_EXTRA_COLUMNS = ("respondent_group", "submitted_on")


class ResponseDataError(ValueError):
    """Responses that cannot be scored.

    ``row`` is the 0-based position in the frame (``None`` for a whole-column problem);
    ``column`` names the offending column.
    """

    def __init__(self, reason: str, *, column: str | None = None, row: int | None = None,
                 value: object = None, instrument: str | None = None):
        self.reason, self.column, self.row, self.value = reason, column, row, value
        self.instrument = instrument
        where = []
        if instrument:
            where.append(f"{instrument} responses")
        if column is not None:
            where.append(f"column '{column}'")
        if row is not None:
            where.append(f"row {row + 1}")
        super().__init__(f"{', '.join(where)}: {reason}" if where else reason)


@dataclass(frozen=True)
class ScoredResponses:
    """Question and item scores of one instrument's responses, as float arrays (NaN = blank).

    Attributes
    ----------
    question_scores : (n_responses, n_questions) scores of each answered question.
    question_codes : (n_responses, n_questions) the option codes (NaN = blank).
    item_scores : (n_responses, n_items) each respondent's item score: the mean of the
        answered questions of the item, NaN when every question of the item is blank.
    """

    instrument: str
    questions: tuple[str, ...]
    items: tuple[str, ...]
    item_indicator: tuple[str, ...]
    question_codes: np.ndarray
    question_scores: np.ndarray
    item_scores: np.ndarray

    @property
    def n(self) -> int:
        return self.item_scores.shape[0]


def score_responses(responses: pd.DataFrame, iset: InstrumentSet, instrument: str, *,
                    extra_columns: tuple[str, ...] = ()) -> ScoredResponses:
    """Validate a responses frame and compute every question and item score.

    Parameters
    ----------
    responses : one row per response; question columns as described in the module docstring.
        Missing question columns are treated as blank throughout.
    iset : the instrument set whose items and scales apply.
    instrument : ``"IIT"`` or ``"EIT"``.
    extra_columns : more columns to accept and ignore (e.g. an agency code to group by).

    Raises
    ------
    ResponseDataError
        On a column that is not a question of the instrument, or a value that is not an
        option code of the question's scale (the message names column, row and value).

    Notes
    -----
    For an item with sub-items, a respondent's item score is the mean of the scores of the
    sub-items they answered; blank sub-items are left out, and an item whose sub-items are all
    blank has no score for that respondent.
    """
    items = iset.items_for(instrument)
    if not items:
        raise ResponseDataError(f"instrument set {iset.id} has no {instrument} items",
                                instrument=instrument)
    known = {c for item in items for c in item.columns}
    allowed = known | set(KNOWN_EXTRA_COLUMNS) | set(extra_columns)
    for col in responses.columns:
        if str(col) not in allowed:
            hint = ""
            other = "EIT" if instrument == "IIT" else "IIT"
            if any(str(col) in it.columns for it in iset.items_for(other)):
                hint = f" (it belongs to {other})"
            raise ResponseDataError(f"unknown column: not one of the {instrument} questions "
                                    f"of {iset.id}{hint}", column=str(col), instrument=instrument)

    n = len(responses)
    questions = [q for item in items for q in item.questions]
    codes = np.full((n, len(questions)), np.nan)
    scores = np.full((n, len(questions)), np.nan)
    for j, q in enumerate(questions):
        if q.column not in responses.columns:
            continue
        scale = iset.item(q.item).scale
        col = _as_codes(responses[q.column], q.column, instrument)
        valid = np.isnan(col) | np.isin(col, list(scale.codes))
        if not valid.all():
            row = int(np.flatnonzero(~valid)[0])
            bad = responses[q.column].iloc[row]
            allowed_codes = ", ".join(str(c) for c in sorted(scale.codes))
            raise ResponseDataError(
                f"{bad!r} is not an option of scale '{scale.code}' (allowed: {allowed_codes})",
                column=q.column, row=row, value=bad, instrument=instrument)
        lut_codes = np.array(sorted(scale.codes))
        score_map = scale.scores(q.direction)
        lut = np.array([score_map[c] for c in lut_codes])
        answered = ~np.isnan(col)
        codes[:, j] = col
        scores[answered, j] = lut[np.searchsorted(lut_codes, col[answered])]

    item_scores = np.full((n, len(items)), np.nan)
    start = 0
    for k, item in enumerate(items):
        width = len(item.questions)
        block = scores[:, start:start + width]
        start += width
        if width == 1:
            item_scores[:, k] = block[:, 0]
            continue
        answered = ~np.isnan(block)
        count = answered.sum(axis=1)
        total = np.where(answered, block, 0.0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            item_scores[:, k] = np.where(count > 0, total / np.maximum(count, 1), np.nan)

    return ScoredResponses(
        instrument=instrument,
        questions=tuple(q.column for q in questions),
        items=tuple(item.code for item in items),
        item_indicator=tuple(item.indicator for item in items),
        question_codes=codes,
        question_scores=scores,
        item_scores=item_scores,
    )


def _as_codes(series: pd.Series, column: str, instrument: str) -> np.ndarray:
    """Return a column as float codes (NaN = blank), rejecting text and fractions."""
    if pd.api.types.is_bool_dtype(series.dtype):
        raise ResponseDataError("true/false is not an option code", column=column,
                                instrument=instrument)
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
    else:
        text = series.astype("object").map(lambda v: v.strip() if isinstance(v, str) else v)
        text = text.map(lambda v: None if isinstance(v, str) and v == "" else v)
        numeric = pd.to_numeric(text, errors="coerce")
        bad = numeric.isna() & text.notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ResponseDataError(f"{series.iloc[row]!r} is not an option code",
                                    column=column, row=row, value=series.iloc[row],
                                    instrument=instrument)
        values = numeric.to_numpy(dtype=float, na_value=np.nan)
    fractional = ~np.isnan(values) & (values != np.round(values))
    if fractional.any():
        row = int(np.flatnonzero(fractional)[0])
        raise ResponseDataError(f"{series.iloc[row]!r} is not an option code", column=column,
                                row=row, value=series.iloc[row], instrument=instrument)
    return values
