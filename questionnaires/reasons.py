"""Why an instrument-set definition is refused: one key per kind of problem, its English here.

Every :class:`~questionnaires.loader.DefinitionError` says why by a key of :data:`REASONS` and
the values its words take (``%(name)s``; already shown as a person reads them: ``'x'``, ``101``).
The CLI prints the English words (:func:`words`, ``str()`` of the error); the console translates
the same key (``survey_app.refusals`` takes its msgids from this table: ``N_`` marks them for
extraction, and ``ita translate update`` reads this file through ``babel.cfg``).

Where in the file the problem is (``indicator 3``, ``grade A``) is named by the file's own codes
beside the reason; the few fixed places that are words (:data:`PLACES`: "file", "instrument
set" …) are translated the same way.  Keys start with ``set_``: the console's catalogue also
holds scoring's reasons and the services' refusals, one meaning per key.
"""

from __future__ import annotations

from collections.abc import Mapping


def N_(text: str) -> str:  # gettext's name for "mark for translation, return as is"
    """Mark an English template for the catalogue; returns it unchanged (no Babel here)."""
    return text


#: Key → English words (``%(name)s`` the values).  Keys are stable: the console's Thai is
#: looked up by them.
REASONS: dict[str, str] = {
    # -- finding and reading the file
    "set_unknown_shipped": N_("unknown instrument set (shipped: %(known)s)"),
    "set_unknown": N_("unknown instrument set (known: %(known)s)"),
    "set_file_missing": N_("no such file"),
    "set_file_not_utf8": N_("not UTF-8 text"),
    "set_file_too_large": N_("larger than %(kb)s kB"),
    "set_toml_invalid": N_("not valid TOML: %(detail)s"),
    "set_toml_unreadable": N_("cannot be read as TOML: %(detail)s"),
    # -- a value of an entry (loader._Builder.get / number; the kinds of loader._KIND_REASONS)
    "set_value_missing": N_("missing '%(key)s'"),
    "set_value_empty": N_("'%(key)s' is empty"),
    "set_value_not_text": N_("'%(key)s' must be text"),
    "set_value_not_whole_number": N_("'%(key)s' must be a whole number"),
    "set_value_not_table": N_("'%(key)s' must be a table"),
    "set_value_not_list": N_("'%(key)s' must be a list"),
    "set_value_not_true_false": N_("'%(key)s' must be true or false"),
    "set_value_not_text_or_whole_number": N_("'%(key)s' must be text or a whole number"),
    "set_value_not_whole_or_number": N_("'%(key)s' must be a whole number or a number"),
    "set_value_not_text_whole_or_number": N_("'%(key)s' must be text or a whole number or a "
                                             "number"),
    "set_value_boolean_not_text": N_("'%(key)s' must be text, not a boolean"),
    "set_value_boolean_not_whole_number": N_("'%(key)s' must be a whole number, not a boolean"),
    "set_value_boolean_not_table": N_("'%(key)s' must be a table, not a boolean"),
    "set_value_boolean_not_list": N_("'%(key)s' must be a list, not a boolean"),
    "set_value_boolean_not_text_or_whole_number": N_("'%(key)s' must be text or a whole "
                                                     "number, not a boolean"),
    "set_value_boolean_not_whole_or_number": N_("'%(key)s' must be a whole number or a number, "
                                                "not a boolean"),
    "set_value_boolean_not_text_whole_or_number": N_("'%(key)s' must be text or a whole number "
                                                     "or a number, not a boolean"),
    "set_number_invalid": N_("'%(key)s' must be a number"),
    "set_number_or_fraction": N_("'%(key)s' must be a number or a fraction like \"200/3\", "
                                 "got %(value)s"),
    "set_code_twice": N_("duplicate code"),
    # -- the sections
    "set_schema_version": N_("must be 1"),
    "set_no_items": N_("has no items"),
    "set_oit_indicator_no_subs": N_("OIT indicator has no sub-indicators"),
    "set_instrument_no_indicators": N_("has no indicators"),
    "set_eit_no_groups": N_("EIT needs at least one respondent group"),
    "set_unconfirmed_not_list": N_("must be a list of codes"),
    "set_unconfirmed_unknown": N_("unknown code '%(code)s' (known: %(known)s)"),
    "set_instrument_unknown": N_("unknown instrument (known: %(known)s)"),
    "set_wording_official": N_("'wording_official' must be true or false"),
    "set_instrument_unknown_named": N_("unknown instrument '%(instrument)s'"),
    "set_indicator_unknown": N_("unknown indicator '%(indicator)s'"),
    "set_sub_indicator_not_oit": N_("sub-indicators belong to OIT indicators only"),
    "set_scale_kind": N_("kind must be 'ordinal' or 'yes_no'"),
    "set_scale_too_few_options": N_("needs at least two options"),
    "set_scale_yes_no_options": N_("a yes/no scale has exactly two options"),
    "set_option_no_score": N_("option without a score"),
    "set_option_score_outside": N_("score %(score)s is outside 0–100"),
    "set_direction_unknown": N_("unknown direction %(direction)s (known: %(known)s)"),
    "set_direction_needs_yes_no": N_("direction '%(direction)s' needs a yes/no scale, not "
                                     "'%(scale)s'"),
    "set_item_code_invalid": N_("code must be a letter followed by letters/digits"),
    "set_item_indicator_not_survey": N_("indicator %(indicator)s is %(instrument)s, which has "
                                        "no survey items (use [[oit_items]])"),
    "set_scale_unknown": N_("unknown scale '%(scale)s'"),
    "set_item_one_sub_item": N_("an item with sub-items needs at least two"),
    "set_sub_indicator_unknown": N_("unknown sub-indicator '%(sub)s'"),
    "set_oit_due_invalid": N_("due must be one of %(allowed)s, not %(value)s"),
    "set_oit_measures_invalid": N_("measures must be one of %(allowed)s, not %(value)s"),
    "set_weights_sum": N_("must add up to 1, not %(sum)s"),
    "set_grades_not_list": N_("'grades' must be a list"),
    "set_grade_min_outside": N_("min %(min)s is outside 0–100"),
    "set_grades_lowest_not_zero": N_("the lowest band must start at 0"),
    "set_sample_instrument": N_("only IIT and EIT have a minimum sample"),
    "set_sample_rule_unknown": N_("unknown rule '%(rule)s' (known: %(known)s)"),
    "set_rounding_unsupported": N_("only 'half_up' rounding is supported"),
    "set_verdict_not_table": N_("each verdict must be a table"),
    "set_verdict_min_total_outside": N_("min_total %(value)s is outside 0–100"),
    "set_verdict_floors_not_table": N_("'floors' must be a table such as { EIT = 85 }"),
    "set_verdict_floor_unknown_instrument": N_("floor for unknown instrument '%(instrument)s'"),
    "set_verdict_floor_absent_instrument": N_("floor for instrument '%(instrument)s', which "
                                              "this set does not have"),
    "set_verdict_floor_outside": N_("floor %(floor)s for %(instrument)s is outside 0–100"),
    "set_verdict_last_not_catch_all": N_("the last verdict must be the catch-all (min_total 0, "
                                         "no floors)"),
    "set_verdict_unreachable": N_("can never be reached: verdict %(earlier)s before it asks no "
                                  "more (list the tiers from the strictest down)"),
    # -- the console's registry of sets (survey_app.services.instrument_sets, admin.sets)
    "set_stored_altered": N_("the stored definition this assessment was created with (sha256 "
                             "%(sha256)s) is missing or was altered in the database"),
    "set_id_invalid": N_("a set id is 1–32 letters, digits, '-' or '_', starting with a letter "
                         "or digit"),
    "set_id_stored_other": N_("a set with this id is already stored with other content: a "
                              "changed file must get a new set id"),
    "set_id_shipped_other": N_("a shipped set has this id with other content: a changed file "
                               "must get a new set id"),
    "set_confirm_incomplete": N_("the confirmation is incomplete: upload the file again"),
    "set_confirm_text_differs": N_("the text differs from the previewed one (its SHA-256 does "
                                   "not match): upload the file again"),
    "set_stored_meanwhile": N_("a set with this id was stored at the same moment: check the "
                               "list of sets"),
}

#: The places of a definition that are words, not the file's codes (the ``where`` of an error):
#: English → the same, marked for the catalogue.  Any other place (``indicator 3``, ``scale
#: s5 option 2``) names entries by the file's own table names and codes and is shown as is.
PLACES: dict[str, str] = {
    "file": N_("file"),
    "instrument set": N_("instrument set"),
    "methodology": N_("methodology"),
    "methodology weights": N_("methodology weights"),
    "methodology grades": N_("methodology grades"),
    "methodology verdicts": N_("methodology verdicts"),
    "confirm": N_("confirm"),
}


def words(key: str, values: Mapping[str, object]) -> str:
    """The English words of a reason (what the CLI prints)."""
    return REASONS[key] % dict(values)
