"""Console forms: validation only; the services do the work.

Labels and hints are lazy strings, rendered in the request's language by ``admin/_field.html``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..i18n import TranslatedForm
from ..services import report_document

try:  # wtforms >= 3.3 deprecates (value, label) tuples
    from wtforms import SelectChoice as Choice
except ImportError:  # pragma: no cover - older wtforms

    def Choice(value, label):
        return (value, label)


class ConsoleForm(TranslatedForm):
    """The console's forms: validation messages in the admin's language."""


class EmptyForm(ConsoleForm):
    """A button-only POST: nothing but the CSRF token."""


# -- grids: one sub-form per row, generated from data ------------------------------------------


class GridForm(ConsoleForm):
    """Base of the forms :func:`grid_form` generates: one sub-form per row of a grid.

    A row's fields post as ``{row}-{column}`` (the OIT item ``O1``'s ``O1-passed``, the
    quarter ``q2``'s ``q2-status``).  Subclasses add the grid's other fields (a "keep as
    given" box, the report document's fields).
    """

    row_keys: tuple[str, ...] = ()

    def rows(self) -> list[tuple[str, Form]]:
        """Each row's key and sub-form, in the grid's order."""
        return [(key, self[key].form) for key in self.row_keys]

    def posted(self, key: str) -> bool:
        """Whether the request carried any field of the row (a reader's page posts none, and
        a row added to the grid after the page was shown is not on it)."""
        return any(field.raw_data for field in self[key].form)

    @property
    def csrf_failed(self) -> bool:
        return bool(getattr(self, "csrf_token", None) and self.csrf_token.errors)

    def row_errors(self, label=str) -> dict[str, list[str]]:
        """Each row's problems, each naming the row (``label(key)``) and the field."""
        out: dict[str, list[str]] = {}
        for key, row in self.rows():
            for field in row:
                for message in field.errors:
                    out.setdefault(key, []).append(
                        _("%(row)s, %(field)s: %(problem)s", row=label(key),
                          field=field.label.text, problem=message))
        return out


def grid_form(base: type[GridForm], rows: Iterable[str],
              columns: Mapping[str, object]) -> type[GridForm]:
    """Return a form class with one sub-form per row key, whose fields are ``columns``
    (column name → an unbound WTForms field: ``TextAreaField(_l("Note"))``).

    Like :func:`survey_app.respond.forms.questionnaire_form`, the grid comes from data (the
    OIT items, the quarters, the report's texts, the published years), so a posted form maps
    one-to-one onto what the service stores and WTForms reads every field, CSRF included.
    """
    keys = tuple(rows)
    if len(set(keys)) != len(keys) or any(k.startswith("_") or hasattr(base, k) for k in keys):
        raise ValueError(f"grid rows must be distinct names free in {base.__name__}: {keys}")
    row = type(f"{base.__name__}Row", (Form,), dict(columns))
    attrs: dict[str, object] = {"row_keys": keys}
    attrs.update({key: FormField(row, separator="-") for key in keys})
    return type(f"{base.__name__}Generated", (base,), attrs)


class PublishedGridForm(GridForm):
    """The published results page: a row per year (its columns the year and each figure, see
    ``admin.published``), and whether to keep figures that disagree as given."""

    keep_as_given = BooleanField(_l("Keep the published figures as given where they do not "
                                    "agree with the indicators"))


class PublishedOitItemsForm(GridForm):
    """NACC's OIT result item by item: a row per item of the year's set (its column the
    result, see ``admin.published_oit``), and whether to keep typed figures that disagree."""

    keep_as_given = BooleanField(_l("Keep the published figures as given where they do not "
                                    "agree with the items"))


#: The report texts page: a row per kind of text (its columns the indicators, see
#: ``admin.results``), then the report document's fields (:mod:`..services.report_document`),
#: named as the service names them; ``document`` says the page posted them.
ReportTextsForm = type("ReportTextsForm", (GridForm,), {
    "__doc__": "The report's texts (a grid) and its document's fields.",
    "document": HiddenField(),
    **{name: (TextAreaField() if name in report_document.TEXT_FIELDS else StringField())
       for name in report_document.FIELDS},
    "logo": FileField(),
    "remove_logo": BooleanField(false_values=("", "0", "false")),
})


class ReopenForm(ConsoleForm):
    """A system admin reopens an assessment whose answers were published: why (audited)."""

    reason = TextAreaField(_l("Reason for reopening (shown to every console user)"),
                           validators=[DataRequired(), Length(min=10, max=1000)])


#: No control characters (a NUL cannot even be sent to PostgreSQL): such a sign-in is refused
#: before any query, like any other malformed one.
_PRINTABLE = Regexp(r"^[^\x00-\x1f\x7f]*$")


class LoginForm(ConsoleForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64), _PRINTABLE])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256), _PRINTABLE])


class AgencyForm(ConsoleForm):
    code = StringField(
        _l("Agency code"),
        description=_l("Letters, digits, - _ ."),
        validators=[DataRequired(), Length(max=32), Regexp(r"^[A-Za-z0-9_.\-]+$")],
    )
    name_th = StringField(_l("Name (Thai)"), validators=[DataRequired(), Length(max=255)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=255)])
    agency_type = SelectField(_l("Agency type"), validators=[DataRequired()])
    eligible_headcount = IntegerField(
        _l("Staff eligible for IIT"),
        description=_l("Staff with at least one year of service; sets the IIT minimum"),
        validators=[Optional(), NumberRange(min=1, max=1_000_000)],
    )
    parent_id = SelectField(_l("Parent agency"), coerce=str, validators=[Optional()])


class ScheduleForm(ConsoleForm):
    """Editing an existing assessment: its window, EIT minimum and target."""

    opens_at = DateTimeLocalField(
        _l("Opens (Bangkok time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    closes_at = DateTimeLocalField(
        _l("Closes (Bangkok time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    eit_minimum = IntegerField(
        _l("EIT minimum responses"),
        description=_l("Blank = the instrument set's rule"),
        validators=[Optional(), NumberRange(min=1, max=100_000)],
    )
    indicator_target = FloatField(
        _l("Target per indicator"),
        description=_l("Blank = the methodology's (95)"),
        validators=[Optional(), NumberRange(min=0, max=100)],
    )
    score_map = SelectField(
        _l("Answer→score map"),
        description=_l("NACC publishes no map: an alternative shows what the map changes; "
                       "every figure computed with it says so"),
        coerce=str, validators=[Optional()],
    )


class AssessmentForm(ScheduleForm):
    """A new assessment: its fiscal year and instrument set, then the schedule's fields."""

    fiscal_year_be = IntegerField(
        _l("Fiscal year B.E."), validators=[DataRequired(), NumberRange(min=2500, max=2700)]
    )
    #: Empty: the set of the fiscal year (:func:`services.instrument_sets.default_set_id`).
    instrument_set = SelectField(_l("Instrument set"), validators=[Optional()])


#: Besides letters and digits of any script (Thai included) and their marks.
_BATCH_PUNCTUATION = frozenset(" ._-/()")


def batch_name(_form, field) -> None:
    """A code batch's name: letters (Thai or Latin, with their vowel and tone marks), digits,
    spaces and ``. _ - / ( )``; no control characters."""
    for ch in field.data or "":
        if not (ch.isalnum() or unicodedata.category(ch).startswith("M")
                or ch in _BATCH_PUNCTUATION):
            raise ValidationError("Invalid input.")


class CodeBatchForm(ConsoleForm):
    count = IntegerField(_l("Number of codes"), validators=[DataRequired(), NumberRange(min=1, max=2000)])
    batch = StringField(_l("Batch label (optional)"), validators=[Optional(), Length(max=40), batch_name])
    #: One per rendering of the form: a second POST with the same nonce (a reload of the code
    #: sheet) issues nothing.
    nonce = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])


class RevokeBatchForm(ConsoleForm):
    batch = StringField(validators=[DataRequired(), Length(max=64)])


class PublishedImportForm(ConsoleForm):
    """An upload of published results (CSV or XLSX) for this agency or the agencies below it."""

    file = FileField(validators=[FileRequired()])
    fiscal_year = IntegerField(_l("Fiscal year B.E. (for rows without a fiscal_year column)"),
                               validators=[Optional(), NumberRange(2400, 2700)])
    keep_as_given = BooleanField(_l("Keep the published figures as given where they do not "
                                    "agree with the indicators"))


def _quarter_choices() -> list:
    return [Choice(q, _l("Quarter %(q)s", q=q)) for q in (1, 2, 3, 4)]


class MeasureForm(ConsoleForm):
    indicator = SelectField(_l("Indicator no."), validators=[DataRequired()])
    issue = TextAreaField(_l("Issue addressed"), validators=[Optional(), Length(max=4000)])
    measure = TextAreaField(_l("Measure"), validators=[DataRequired(), Length(max=4000)])
    responsible = StringField(_l("Responsible"), validators=[Optional(), Length(max=255)])
    steps = TextAreaField(_l("Steps"), validators=[Optional(), Length(max=8000)])
    start_quarter = SelectField(_l("Starts in"), coerce=int, choices=_quarter_choices,
                                validators=[DataRequired()])
    end_quarter = SelectField(_l("Ends in"), coerce=int, choices=_quarter_choices,
                              validators=[DataRequired()])
    period = StringField(_l("Period note"), description=_l("Optional: months or dates"),
                         validators=[Optional(), Length(max=255)])

    def validate_end_quarter(self, field) -> None:
        if isinstance(self.start_quarter.data, int) and isinstance(field.data, int) \
                and field.data < self.start_quarter.data:
            raise ValidationError(_l("The end quarter is before the start quarter"))


class UserForm(ConsoleForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64), Regexp(r"^\S+$")])
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=255)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    agency_id = SelectField(_l("Agency"), coerce=str, validators=[Optional()])
    password = PasswordField(
        _l("Temporary password"),
        description=_l("At least 10 characters; the owner must replace it at the first sign-in"),
        validators=[DataRequired(), Length(min=10, max=256)],
    )


class ResponsesImportForm(ConsoleForm):
    """A Google Forms export to preview (and an optional mapping file)."""

    instrument = SelectField(validators=[DataRequired()])
    file = FileField(validators=[FileRequired()])
    mapping = FileField(validators=[Optional()])


class ImportConfirmForm(ConsoleForm):
    token = StringField(validators=[DataRequired()])


class ImportDeleteForm(ConsoleForm):
    import_id = IntegerField(validators=[DataRequired()])


class PasswordChangeForm(ConsoleForm):
    current_password = PasswordField(validators=[DataRequired(), Length(max=256)])
    new_password = PasswordField(validators=[DataRequired(), Length(min=10, max=256)])
    confirm_password = PasswordField(validators=[DataRequired(), Length(max=256)])


class UserRoleForm(ConsoleForm):
    role = SelectField(validators=[DataRequired()])
    agency_id = SelectField(coerce=str, validators=[Optional()])


class SetUploadForm(ConsoleForm):
    """An instrument-set definition file (TOML) to check and preview."""

    file = FileField(validators=[FileRequired()])


class SetConfirmForm(ConsoleForm):
    """Store a previewed definition: its text, file name and the hash shown in the preview."""

    text = TextAreaField(validators=[DataRequired()])
    filename = StringField(validators=[Optional(), Length(max=255)])
    sha256 = StringField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
