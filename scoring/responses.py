"""Turn raw survey responses (option codes) into scores.

A responses frame has one row per response and one column per question: ``i2`` for an item
without sub-items, ``i1.1``, ``i1.2`` … for sub-items.  Values are option codes (4-level scale
1–4, yes/no 1/0); a blank (NaN/None/empty) means no answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np
import pandas as pd

from questionnaires import InstrumentSet, Scale

from .reasons import words

#: Columns a responses file may carry besides questions; they are never scored.
KNOWN_EXTRA_COLUMNS = ("respondent_group", "submitted_on")


class ResponseDataError(ValueError):
    """Responses that cannot be scored.

    ``row`` is the 0-based position in the frame (``None`` for a whole-column problem);
    ``column`` names the offending column.  Why is a key of :data:`scoring.reasons.REASONS`
    and its ``values``; ``reason`` is its English words.
    """

    def __init__(self, key: str, *, column: str | None = None, row: int | None = None,
                 value: object = None, instrument: str | None = None, **values: object):
        # the words may name the instrument (``%(instrument)s``); ``value`` is the cell itself
        self.key = key
        self.values = {"instrument": instrument, **values} if instrument else values
        self.reason = words(key, self.values)
        self.column, self.row, self.value = column, row, value
        self.instrument = instrument
        reason = self.reason
        where = []
        if instrument:
            where.append(f"{instrument} responses")
        if column is not None:
            where.append(f"column '{column}'")
        if row is not None:
            where.append(f"row {row + 1}")
        super().__init__(f"{', '.join(where)}: {reason}" if where else reason)


def shown(value: object) -> str:
    """A cell's value as a message shows it: ``6``, not ``np.int64(6)``; ``'x'`` for text.

    NumPy scalars become Python ones, and a whole float (a numeric column with blanks reads
    as floats) loses its ``.0``.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return repr(value)


#: Stored for a blank answer in the int8 code arrays.
BLANK = np.int8(-128)
_INVALID = -1.0  # a score no option has: marks a code that is not an option


@dataclass(frozen=True)
class _ScoreTable:
    """Option code → score, for every possible int8 code at once.

    Indexing with the codes viewed as uint8 gives each answer's score in one gather from a
    2 KiB table: NaN for a blank, -1 for a code that is not an option.  One table serves every
    question with the same scale and direction.
    """

    scores: np.ndarray  # float64[256]
    scores_or_zero: np.ndarray  # the same with 0 for a blank, for summing sub-items

    @classmethod
    def build(cls, codes: frozenset[int], score_map: dict[int, float]) -> _ScoreTable:
        scores = np.full(256, _INVALID)
        for code in codes:
            scores[np.int8(code).view(np.uint8)] = score_map[code]
        or_zero = scores.copy()
        scores[BLANK.view(np.uint8)] = np.nan
        or_zero[BLANK.view(np.uint8)] = 0.0
        return cls(scores, or_zero)

    def lookup(self, codes: np.ndarray, *, blank_as_zero: bool = False
               ) -> tuple[np.ndarray, np.ndarray]:
        """Return each code's score (NaN, or 0, for a blank) and which codes are not options."""
        table = self.scores_or_zero if blank_as_zero else self.scores
        scores = table[codes.view(np.uint8)]
        return scores, scores == _INVALID


@cache
def _table(scale: Scale, direction: str) -> _ScoreTable:
    return _ScoreTable.build(scale.codes, scale.scores(direction))


@dataclass(frozen=True)
class ScoredResponses:
    """Item scores of one instrument's responses, with the option codes they came from.

    Attributes
    ----------
    item_scores : (n_responses, n_items) each respondent's item score: the mean of the
        answered questions of the item, NaN when every question of the item is blank.
    codes : question column → (n_responses,) int8 option codes, ``BLANK`` for no answer
        (present columns only).
    question_codes, question_scores : (n_responses, n_questions) matrices, built on first use
        (the statistics need them; scoring many agencies at once does not).
    """

    instrument: str
    questions: tuple[str, ...]
    items: tuple[str, ...]
    item_indicator: tuple[str, ...]
    item_scores: np.ndarray
    codes: dict[str, np.ndarray]
    tables: dict[str, _ScoreTable]

    @property
    def n(self) -> int:
        return self.item_scores.shape[0]

    @cached_property
    def question_codes(self) -> np.ndarray:
        out = np.full((self.n, len(self.questions)), np.nan)
        for j, column in enumerate(self.questions):
            if column in self.codes:
                codes = self.codes[column]
                out[:, j] = np.where(codes == BLANK, np.nan, codes)
        return out

    @cached_property
    def question_scores(self) -> np.ndarray:
        out = np.full((self.n, len(self.questions)), np.nan)
        for j, column in enumerate(self.questions):
            if column in self.codes:
                out[:, j] = self.tables[column].lookup(self.codes[column])[0]
        return out

    def subset(self, rows: np.ndarray) -> ScoredResponses:
        """Return the same scores for some respondents only (a boolean or index array)."""
        return ScoredResponses(self.instrument, self.questions, self.items, self.item_indicator,
                               self.item_scores[rows],
                               {c: v[rows] for c, v in self.codes.items()}, self.tables)


def score_responses(responses: pd.DataFrame, iset: InstrumentSet, instrument: str, *,
                    extra_columns: tuple[str, ...] = ()) -> ScoredResponses:
    """Validate a responses frame and compute every respondent's item scores.

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
        option code of the question's scale (naming column, row and value).

    Notes
    -----
    For an item with sub-items, a respondent's item score is the mean of the scores of the
    sub-items they answered; blank sub-items are left out, and an item whose sub-items are all
    blank has no score for that respondent.  The work is done one column at a time on
    contiguous arrays, which keeps a national year (over a million responses) to about a
    second.
    """
    items = iset.items_for(instrument)
    if not items:
        raise ResponseDataError("responses_no_items", instrument=instrument, set=iset.id)
    known = {c for item in items for c in item.columns}
    allowed = known | set(KNOWN_EXTRA_COLUMNS) | set(extra_columns)
    for col in responses.columns:
        if str(col) not in allowed:
            other = "EIT" if instrument == "IIT" else "IIT"
            if any(str(col) in it.columns for it in iset.items_for(other)):
                raise ResponseDataError("responses_column_other_instrument", column=str(col),
                                        instrument=instrument, set=iset.id, other=other)
            raise ResponseDataError("responses_column_unknown", column=str(col),
                                    instrument=instrument, set=iset.id)

    n = len(responses)
    codes: dict[str, np.ndarray] = {}
    tables: dict[str, _ScoreTable] = {}
    item_scores = np.empty((n, len(items)), order="F")  # one contiguous column per item
    for k, item in enumerate(items):
        present = [q for q in item.questions if q.column in responses.columns]
        single = len(present) == 1
        total = count = None
        for q in present:
            table = _table(item.scale, q.direction)
            col = _as_codes(responses[q.column], q.column, instrument)
            scores, invalid = table.lookup(col, blank_as_zero=not single)
            if invalid.any():
                row = int(np.flatnonzero(invalid)[0])
                bad = responses[q.column].iloc[row]
                allowed_codes = ", ".join(str(c) for c in sorted(item.scale.codes))
                raise ResponseDataError(
                    "answer_not_option_of_scale", column=q.column, row=row, value=bad,
                    instrument=instrument, cell=shown(bad), scale=item.scale.code,
                    allowed=allowed_codes)
            codes[q.column], tables[q.column] = col, table
            if single:
                item_scores[:, k] = scores
            elif total is None:
                total, count = scores, (col != BLANK).astype(np.float64)
            else:
                total += scores
                count += col != BLANK
        if not present:
            item_scores[:, k] = np.nan
        elif total is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                np.divide(total, count, out=item_scores[:, k])  # 0/0 = NaN: nothing answered

    return ScoredResponses(
        instrument=instrument,
        questions=tuple(q.column for item in items for q in item.questions),
        items=tuple(item.code for item in items),
        item_indicator=tuple(item.indicator for item in items),
        item_scores=item_scores,
        codes=codes,
        tables=tables,
    )


def _as_codes(series: pd.Series, column: str, instrument: str) -> np.ndarray:
    """Return a column as int8 option codes (``BLANK`` = no answer).

    Text that is not a whole number, true/false, fractions and numbers no scale could have
    (beyond ±127) are rejected here, naming the row; whether a whole number is an option of
    the question's scale is the score table's job.
    """
    def reject(row: int, key: str = "answer_not_option_code") -> ResponseDataError:
        return ResponseDataError(key, column=column, row=row, value=series.iloc[row],
                                 instrument=instrument, cell=shown(series.iloc[row]))

    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        raise ResponseDataError("answer_true_false", column=column, instrument=instrument)
    if pd.api.types.is_integer_dtype(dtype):
        if np.dtype(getattr(dtype, "numpy_dtype", dtype)) == np.int8:
            return series.to_numpy(dtype=np.int8, na_value=BLANK)  # one pass, no overflow
        values = series.to_numpy(dtype=np.int64, na_value=int(BLANK))
        wide = ((values < -127) | (values > 127)) & (values != int(BLANK))
        if wide.any():
            raise reject(int(np.flatnonzero(wide)[0]), "answer_not_on_scale")
        return values.astype(np.int8)
    if pd.api.types.is_numeric_dtype(dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
    else:
        text = series.astype("object").map(lambda v: v.strip() if isinstance(v, str) else v)
        text = text.map(lambda v: None if isinstance(v, str) and v == "" else v)
        numeric = pd.to_numeric(text, errors="coerce")
        bad = numeric.isna() & text.notna()
        if bad.any():
            raise reject(int(np.flatnonzero(bad.to_numpy())[0]))
        values = numeric.to_numpy(dtype=float, na_value=np.nan)
    blank = np.isnan(values)
    with np.errstate(invalid="ignore"):
        # a fraction, or a number beyond int8, does not survive the round trip (NaN is blank);
        # -128 would read as a blank
        codes = values.astype(np.int8)
    bad = ((codes != values) | (codes == BLANK)) & ~blank
    if bad.any():
        filled = np.where(blank, 0.0, values)
        fractional = filled != np.round(filled)
        wide = (filled < -127) | (filled > 127)
        first = int(np.flatnonzero(bad)[0])
        if fractional[first] or not wide[first]:
            raise reject(first)
        raise reject(first, "answer_not_on_scale")
    codes[blank] = BLANK
    return codes
