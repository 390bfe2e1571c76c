"""Why a file, or the data in it, is refused: one key per kind of problem, its English words here.

Every :class:`~scoring.inputs.InputFileError`, :class:`~scoring.responses.ResponseDataError`,
:class:`~scoring.assess.HeadcountError`, every problem of a :class:`~scoring.gforms.MappingError`
and the given-score and OIT-item checks say why by a key of :data:`REASONS` and the values its
words take (``%(name)s``; already shown as a person reads them: ``'x'``, ``101``, ``2,000``).
``ita score`` prints the English words (:func:`words`); the console translates the same key
(``survey_app.refusals`` takes its msgids from this table: ``N_`` marks them for extraction,
and ``ita translate update`` reads this file through ``babel.cfg``).

A row and a column are not part of the words: the error names them beside its reason.
"""

from __future__ import annotations

from collections.abc import Mapping

from questionnaires.reasons import N_  # marks an English template for the catalogue

#: Key → English words (``%(name)s`` the values).  Keys are stable: the console's Thai is
#: looked up by them.
REASONS: dict[str, str] = {
    # -- reading a file (scoring.inputs.read_table)
    "file_missing": N_("no such file"),
    "file_type_unsupported": N_("unsupported file type '%(suffix)s' (use .csv or .xlsx)"),
    "file_empty": N_("the file is empty"),
    "file_unreadable": N_("cannot be read: %(detail)s"),
    "file_no_rows": N_("the file has no rows"),
    "header_unnamed_column": N_("a column has no name in the header row"),
    "header_column_twice": N_("column appears twice"),
    "header_too_wide": N_("the header has more than %(limit)s columns (%(count)s or more); no "
                          "input has that many"),
    "header_too_long": N_("the header row is longer than %(kib)s KiB; no input has such a "
                          "header"),
    "xlsx_unreadable": N_("is not a readable XLSX file (%(detail)s)"),
    "xlsx_no_sheet": N_("the workbook has no sheet"),
    "cell_error_value": N_("%(value)s is an error value, not an answer: leave the cell empty for "
                           "no answer"),
    "cell_formula_unsaved": N_("a formula cell without a saved value: open the file in a "
                               "spreadsheet program and save it, or paste the values"),
    # -- the columns of an OIT, given-scores or history file
    "column_unknown": N_("unknown column (expected: %(expected)s)"),
    "column_missing": N_("missing column '%(name)s'"),
    # -- cells of those files
    "oit_file_item_blank": N_("item code is blank"),
    "oit_file_passed_invalid": N_("passed must be 1 or 0, not %(value)s"),
    "oit_file_item_twice": N_("item %(item)s appears twice"),
    "indicator_blank": N_("indicator is blank"),
    "score_blank": N_("score is blank"),
    "score_outside_range": N_("score %(value)s is outside 0–100"),
    "indicator_twice": N_("indicator %(indicator)s appears twice"),
    "year_not_buddhist_era": N_("fiscal_year must be a Buddhist-era year such as 2566, not "
                                "%(value)s"),
    "year_twice": N_("fiscal year %(year)s appears twice"),
    "total_outside_range": N_("total %(value)s is outside 0–100"),
    "number_na": N_("%(value)s is not a number (leave the cell empty when it is unknown)"),
    "number_invalid": N_("%(value)s is not a number"),
    "number_not_finite": N_("%(value)s is not a number a score can be"),
    # -- response cells (scoring.inputs.check_response_cells, scoring.responses)
    "answer_na": N_("%(cell)s is not an answer: leave the cell empty for no answer"),
    "answer_not_option_code": N_("%(cell)s is not an option code"),
    "answer_not_on_scale": N_("%(cell)s is not an option of the scale"),
    "answer_not_option_of_scale": N_("%(cell)s is not an option of scale '%(scale)s' "
                                     "(allowed: %(allowed)s)"),
    "answer_true_false": N_("true/false is not an option code"),
    "responses_no_items": N_("instrument set %(set)s has no %(instrument)s items"),
    "responses_column_unknown": N_("unknown column: not one of the %(instrument)s questions of "
                                   "%(set)s"),
    "responses_column_other_instrument": N_("unknown column: not one of the %(instrument)s "
                                            "questions of %(set)s (it belongs to %(other)s)"),
    "responses_no_rows": N_("no rows"),
    "respondent_group_unknown": N_("%(cell)s is not a respondent group (known: %(known)s)"),
    # -- what the files give together (scoring.assess, scoring.rollup)
    "headcount_invalid": N_("headcount %(headcount)s is not a number of staff (at least 1)"),
    "headcount_below_responses": N_("headcount %(headcount)s is below the number of IIT "
                                    "responses (%(n)s): give the number of staff eligible to "
                                    "answer IIT"),
    "given_code_unknown": N_("unknown indicator or sub-indicator '%(code)s' in %(set)s"),
    "given_score_invalid": N_("indicator %(code)s: score %(value)s is not a number"),
    "given_score_outside_range": N_("indicator %(code)s: score %(value)s is outside 0–100"),
    "oit_item_unknown_in_set": N_("unknown OIT item '%(item)s' (not in %(set)s)"),
    "oit_sub_indicator_unjudged": N_("OIT sub-indicator %(sub)s: no result for item(s) "
                                     "%(items)s"),
    # -- a Google Forms mapping file (scoring.gforms.MappingError)
    "mapping_not_utf8": N_("is not UTF-8 text"),
    "mapping_unreadable": N_("cannot be read (%(detail)s)"),
    "mapping_not_toml": N_("is not valid TOML (%(detail)s)"),
    "mapping_section_unknown": N_("[%(section)s]: expected [IIT.columns], [IIT.labels.\"scope\"], "
                                  "or EIT"),
    "mapping_column_code_not_text": N_("[%(section)s.columns] %(header)s: the code must be text"),
    "mapping_labels_not_table": N_("[%(section)s.labels] %(scope)s: expected a table label = "
                                   "code"),
    "mapping_label_code_invalid": N_("[%(section)s.labels.%(scope)s] %(label)s: the code must be "
                                     "a number or text"),
    "mapping_key_unknown": N_("[%(section)s.%(key)s]: expected columns or labels"),
    "mapping_csv_header": N_("row 1: the header must be instrument,kind,text,code,scope"),
    "mapping_csv_instrument": N_("row %(line)s: instrument must be IIT or EIT, not %(value)s"),
    "mapping_csv_kind": N_("row %(line)s: kind must be column or label, not %(value)s"),
}


def words(key: str, values: Mapping[str, object]) -> str:
    """The English words of a reason (what ``ita score`` prints)."""
    return REASONS[key] % dict(values)


class ReasonedError(ValueError):
    """A ``ValueError`` that says why by a key of :data:`REASONS` and the words' values;
    ``str()`` is the English words."""

    def __init__(self, key: str, /, **values: object) -> None:
        if key not in REASONS:
            raise KeyError(f"no reason {key!r} in scoring.reasons.REASONS")
        self.key, self.values = key, values
        super().__init__(words(key, values))

    @property
    def reason(self) -> str:
        return words(self.key, self.values)
