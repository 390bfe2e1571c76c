"""The words of every service refusal (:mod:`survey_app.services.refusals`), one msgid per key.

A service raises ``Refusal(key, **values)``; :func:`say` words it in the request's language
(Thai unless the session chose English), and the CLI in English (``say(exc, locale="en")``).
The catalogue sits beside the views and the CLI, which both read it (the CLI may not import a
view module); ``tests/app/test_refusal_words.py`` checks that every key a service raises is
here and that each has its Thai.  A value may be a :class:`~.services.refusals.Reason` itself,
worded first (a row's problem inside "row %(row)s, %(problem)s").

Why ``scoring`` refuses a file (:data:`scoring.reasons.REASONS`: a reader's key and values, its
English words written there once and extracted from there) joins the catalogue under the same
keys: the import page says "cannot be read: row 1, column 'x': %(reason)s" with the reason in
the admin's language too.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from questionnaires.reasons import PLACES
from questionnaires.reasons import REASONS as DEFINITION_REASONS
from scoring.reasons import REASONS

from .services.refusals import Reason, Refusal

#: Refusal key → its words (``%(name)s`` the refusal's values).
REFUSALS = {
    # -- accounts (services.accounts.AccountError)
    "password_too_short": _l("The password must have at least %(n)s characters"),
    "password_too_simple": _l("The password is too simple"),
    "password_current_wrong": _l("The current password is wrong"),
    "password_same": _l("The new password must differ from the current one"),
    "username_invalid": _l("The username must be 1–64 characters without spaces"),
    "username_taken": _l("The username %(username)s is already taken"),
    "role_unknown": _l("Unknown role %(role)s: use one of %(roles)s"),
    "account_not_yours": _l("That account or agency is outside your scope"),
    "account_self": _l("You cannot deactivate your own account or change its role; ask another "
                       "admin."),
    "account_last_system_admin": _l("%(username)s is the last active system admin; the console "
                                    "needs at least one."),
    "account_self_password": _l("Change your own password on the change-password page"),
    "account_role_not_allowed": _l("Only a system admin can make a system admin"),
    "account_needs_agency": _l("This role needs an agency"),
    # -- agencies (services.agencies.AgencyError)
    "agency_code_taken": _l("This agency code is already taken"),
    "agency_type_unknown": _l("Unknown agency type"),
    "agency_parent_cycle": _l("The parent cannot be the agency itself or one of its own child "
                              "agencies"),
    # -- rehearsal imports (services.imports.ImportRefused, PreviewExpired)
    "import_instrument_unknown": _l("The instrument must be IIT or EIT"),
    "import_file_type": _l("The file '%(file)s' must be a .csv or .xlsx file"),
    "import_mapping_unreadable": _l("The mapping file cannot be read: %(problem)s"),
    "import_unreadable": _l("The file '%(file)s' cannot be read: %(reason)s"),
    "import_unreadable_row": _l("The file '%(file)s' cannot be read: row %(row)s: %(reason)s"),
    "import_unreadable_column": _l("The file '%(file)s' cannot be read: column '%(column)s': "
                                   "%(reason)s"),
    "import_unreadable_row_column": _l("The file '%(file)s' cannot be read: row %(row)s, column "
                                       "'%(column)s': %(reason)s"),
    "import_unreadable_other": _l("The file '%(file)s' cannot be read (%(error)s: %(reason)s)"),
    "import_preview_expired": _l("The preview expired or is not valid; upload the file again"),
    # -- published results (services.published.PublishedError)
    "score_not_a_number": _l("not a number"),
    "score_out_of_range": _l("outside 0–100"),
    "published_mismatch": _l("%(code)s: published %(published)s, recomputed %(computed)s "
                             "(difference %(difference)s)"),
    "published_mismatch_items": _l("%(code)s: published %(published)s, from the OIT items "
                                   "%(computed)s (difference %(difference)s)"),
    "oit_item_not_pass_or_fail": _l("not pass or fail"),
    "oit_items_no_set": _l("OIT items: the year has no instrument set to score them with"),
    "oit_item_unknown": _l("OIT item %(item)s: unknown in %(set)s (use %(first)s … %(last)s)"),
    "oit_sub_indicator_incomplete": _l("OIT sub-indicator %(sub)s: no result for item(s) "
                                       "%(items)s (enter every item of it)"),
    "oit_items_none_given": _l("no OIT item results (write O1=pass,O2=fail …)"),
    "oit_items_file_columns": _l("the file needs an item column and a result column "
                                 "(item,result)"),
    "oit_items_file_empty": _l("no OIT item results in the file"),
    "oit_item_row_where": _l("row %(row)s, OIT item %(item)s"),
    "oit_item_where": _l("OIT item %(item)s"),
    "oit_item_entry_malformed": _l("%(entry)s: write CODE=pass or CODE=fail"),
    "oit_item_row_no_code": _l("row %(row)s: no OIT item code"),
    "oit_item_twice": _l("%(where)s: given twice"),
    "oit_item_value_invalid": _l("%(where)s: '%(value)s' is %(reason)s"),
    "published_code_unknown": _l("column %(column)s: unknown in %(set)s (use %(codes)s)"),
    "published_year_invalid": _l("%(year)s is not a B.E. year (%(lo)s–%(hi)s)"),
    "published_score_out_of_range": _l("column %(column)s: %(value)s is outside 0–100"),
    "published_file_not_xlsx": _l("the file is not a readable XLSX workbook"),
    "published_file_not_utf8": _l("the file is not UTF-8 text (save it as CSV UTF-8) or XLSX"),
    "published_file_not_csv": _l("the file is not CSV text (save it as CSV UTF-8) or XLSX"),
    "published_no_header": _l("the file has no header row"),
    "published_column_unknown": _l("column %(n)s '%(column)s': unknown (use agency, "
                                   "fiscal_year, %(codes)s)"),
    "published_column_twice": _l("a column appears twice"),
    "published_row_too_long": _l("row %(row)s: more cells than columns"),
    "published_row_year_invalid": _l("row %(row)s, column fiscal_year: '%(value)s' is not "
                                     "a B.E. year (%(lo)s–%(hi)s)"),
    "published_row_twice": _l("row %(row)s: %(which)s appears twice"),
    "published_row_score_invalid": _l("row %(row)s, column %(column)s: '%(value)s' is "
                                      "%(reason)s"),
    "published_no_rows": _l("the file has no rows"),
    "published_row_agency_unknown": _l("row %(row)s, column agency: no agency with code "
                                       "'%(code)s'"),
    "published_row_agency_missing": _l("row %(row)s, column agency: which agency? (add an agency "
                                       "column)"),
    "published_row_agency_not_allowed": _l("row %(row)s, column agency: you may not set the "
                                           "result of '%(code)s' (outside your agency or area)"),
    "published_row_year_missing": _l("row %(row)s, column fiscal_year: which year? (add a "
                                     "fiscal_year column or choose the year)"),
    "published_row_problem": _l("row %(row)s, %(problem)s"),
    "published_row_column_problem": _l("row %(row)s, column %(problem)s"),
    # -- backup and restore (services.backup.BackupError; the CLI's)
    "backup_backend_unknown": _l("Cannot back up a %(backend)s database: only PostgreSQL and "
                                 "SQLite"),
    "backup_target_exists": _l("%(path)s already exists: choose a new file name"),
    "backup_folder_missing": _l("The folder %(folder)s does not exist"),
    "backup_unreadable": _l("Cannot read %(path)s: %(reason)s"),
    "backup_not_a_backup": _l("%(path)s is not a backup made by `ita backup` (neither a pg_dump "
                              "custom archive nor a SQLite database)"),
    "backup_other_backend": _l("%(path)s is a %(kind)s backup and ITA_DATABASE_URL is a "
                               "%(backend)s database: restore it into a %(kind)s database"),
    "backup_database_not_empty": _l("The database at %(database)s is not empty (%(tables)s "
                                    "tables): restore into a new database, or give --force to "
                                    "drop everything in it first"),
    "backup_in_memory": _l("An in-memory SQLite database cannot be backed up or restored"),
    "backup_no_database": _l("There is no database at %(database)s"),
    "backup_damaged": _l("%(path)s is damaged: %(reason)s"),
    "backup_tool_version_unknown": _l("Cannot tell the version of %(tool)s: %(output)s"),
    "backup_tool_missing": _l("%(tool)s is not installed: install the PostgreSQL client tools "
                              "of the server's version (Debian/Ubuntu: "
                              "postgresql-client-%(server)s)"),
    "backup_tool_too_old": _l("%(path)s is PostgreSQL %(major)s and the server is PostgreSQL "
                              "%(server)s: %(tool)s must be at least the server's version "
                              "(install postgresql-client-%(server)s)"),
    "backup_tool_timeout": _l("%(tool)s took longer than %(seconds)s s"),
    "backup_tool_failed": _l("%(tool)s failed: %(reason)s"),
}
#: -- files scoring cannot read (scoring.inputs.InputFileError, scoring.gforms.MappingError …)
#: and instrument-set definitions refused (questionnaires.DefinitionError): the msgids are the
#: English words of scoring.reasons and questionnaires.reasons, marked there for extraction.
for _table in (REASONS, DEFINITION_REASONS):
    if REFUSALS.keys() & _table.keys():  # one key, one meaning
        raise RuntimeError(f"refusal keys used twice: {sorted(REFUSALS.keys() & _table.keys())}")
    REFUSALS.update({key: _l(english) for key, english in _table.items()})
del _table

#: The places of a refused definition that are words ("file", "instrument set" …), by their
#: English; any other place names the file's own entries and codes.
PLACE_WORDS = {where: _l(english) for where, english in PLACES.items()}


def say(refusal: Refusal | Reason, locale: str | None = None) -> str:
    """Word a refusal (each of its reasons, joined by "; ") or one reason.

    In the request's language; ``locale`` forces one (the CLI's ``"en"``).  Outside an app
    context the words are the English msgids.
    """
    if locale is not None:
        with force_locale(locale):
            return say(refusal)
    if isinstance(refusal, Refusal):
        return "; ".join(say(r) for r in refusal.reasons)
    values = {k: say(v) if isinstance(v, Reason) else v for k, v in refusal.values.items()}
    return str(REFUSALS[refusal.key]) % values


def place(where: str) -> str:
    """Where a definition was refused (``DefinitionError.where``), in the request's language."""
    words = PLACE_WORDS.get(where)
    return where if words is None else str(words)


def each(refusal: Refusal, locale: str | None = None) -> list[str]:
    """Word each reason of a refusal on its own (a page lists them one a line)."""
    return [say(r, locale) for r in refusal.reasons]
