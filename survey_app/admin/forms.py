"""Console forms: validation only; the services do the work."""

from __future__ import annotations

import unicodedata

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateTimeLocalField,
    FloatField,
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

from ..i18n import current_language

try:  # wtforms >= 3.3 deprecates (value, label) tuples
    from wtforms import SelectChoice as Choice
except ImportError:  # pragma: no cover - older wtforms
    def Choice(value, label):
        return (value, label)


#: WTForms' own messages in Thai (it ships no Thai catalogue).
_THAI_MESSAGES = {
    "This field is required.": "กรุณากรอกช่องนี้",
    "Not a valid choice.": "ตัวเลือกไม่ถูกต้อง",
    "Not a valid integer value.": "กรุณากรอกจำนวนเต็ม",
    "Not a valid float value.": "กรุณากรอกตัวเลข",
    "Not a valid datetime value.": "วันและเวลาไม่ถูกต้อง",
    "Invalid input.": "รูปแบบไม่ถูกต้อง",
    "Number must be at least %(min)s.": "ต้องไม่น้อยกว่า %(min)s",
    "Number must be at most %(max)s.": "ต้องไม่เกิน %(max)s",
    "Number must be between %(min)s and %(max)s.": "ต้องอยู่ระหว่าง %(min)s ถึง %(max)s",
    "Field must be at least %(min)d character long.": "ต้องมีอย่างน้อย %(min)d ตัวอักษร",
    "Field must be at least %(min)d characters long.": "ต้องมีอย่างน้อย %(min)d ตัวอักษร",
    "Field cannot be longer than %(max)d character.": "ต้องไม่เกิน %(max)d ตัวอักษร",
    "Field cannot be longer than %(max)d characters.": "ต้องไม่เกิน %(max)d ตัวอักษร",
    "Field must be between %(min)d and %(max)d characters long.":
        "ต้องมี %(min)d ถึง %(max)d ตัวอักษร",
}


class _Translations:
    def gettext(self, text: str) -> str:
        return _THAI_MESSAGES.get(text, text) if current_language() == "th" else text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


_TRANSLATIONS = _Translations()


class ConsoleForm(FlaskForm):
    """The console's forms: validation messages in the admin's language."""

    class Meta:
        def get_translations(self, form):
            return _TRANSLATIONS


class EmptyForm(ConsoleForm):
    """A button-only POST: nothing but the CSRF token."""


#: No control characters (a NUL cannot even be sent to PostgreSQL): such a sign-in is refused
#: before any query, like any other malformed one.
_PRINTABLE = Regexp(r"^[^\x00-\x1f\x7f]*$")


class LoginForm(ConsoleForm):
    username = StringField(validators=[DataRequired(), Length(max=64), _PRINTABLE])
    password = PasswordField(validators=[DataRequired(), Length(max=256), _PRINTABLE])


class AgencyForm(ConsoleForm):
    code = StringField(validators=[DataRequired(), Length(max=32),
                                   Regexp(r"^[A-Za-z0-9_.\-]+$")])
    name_th = StringField(validators=[DataRequired(), Length(max=255)])
    name_en = StringField(validators=[Optional(), Length(max=255)])
    agency_type = SelectField(validators=[DataRequired()])
    eligible_headcount = IntegerField(validators=[Optional(), NumberRange(min=1, max=1_000_000)])
    parent_id = SelectField(coerce=str, validators=[Optional()])


class AssessmentForm(ConsoleForm):
    fiscal_year_be = IntegerField(validators=[DataRequired(), NumberRange(min=2500, max=2700)])
    #: Empty: the set of the fiscal year (:func:`services.instrument_sets.default_set_id`).
    instrument_set = SelectField(validators=[Optional()])
    opens_at = DateTimeLocalField(format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    closes_at = DateTimeLocalField(format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    eit_minimum = IntegerField(validators=[Optional(), NumberRange(min=1, max=100_000)])
    indicator_target = FloatField(validators=[Optional(), NumberRange(min=0, max=100)])


class ScheduleForm(ConsoleForm):
    """Editing an existing assessment: its window, EIT minimum and target."""

    opens_at = DateTimeLocalField(format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    closes_at = DateTimeLocalField(format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    eit_minimum = IntegerField(validators=[Optional(), NumberRange(min=1, max=100_000)])
    indicator_target = FloatField(validators=[Optional(), NumberRange(min=0, max=100)])


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
    count = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=2000)])
    batch = StringField(validators=[Optional(), Length(max=40), batch_name])
    #: One per rendering of the form: a second POST with the same nonce (a reload of the code
    #: sheet) issues nothing.
    nonce = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])


class RevokeBatchForm(ConsoleForm):
    batch = StringField(validators=[DataRequired(), Length(max=64)])


class PastImportForm(ConsoleForm):
    file = FileField(validators=[FileRequired()])


class MeasureForm(ConsoleForm):
    indicator = SelectField(validators=[DataRequired()])
    measure = TextAreaField(validators=[DataRequired(), Length(max=4000)])
    responsible = StringField(validators=[Optional(), Length(max=255)])
    steps = TextAreaField(validators=[Optional(), Length(max=8000)])
    period = StringField(validators=[Optional(), Length(max=255)])


class UserForm(ConsoleForm):
    username = StringField(validators=[DataRequired(), Length(max=64), Regexp(r"^\S+$")])
    display_name = StringField(validators=[Optional(), Length(max=255)])
    role = SelectField(validators=[DataRequired()])
    agency_id = SelectField(coerce=str, validators=[Optional()])
    password = PasswordField(validators=[DataRequired(), Length(min=10, max=256)])


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
