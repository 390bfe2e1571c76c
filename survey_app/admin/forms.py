"""Console forms: validation only; the services do the work."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateTimeLocalField,
    FloatField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

try:  # wtforms >= 3.3 deprecates (value, label) tuples
    from wtforms import SelectChoice as Choice
except ImportError:  # pragma: no cover - older wtforms
    def Choice(value, label):
        return (value, label)


class EmptyForm(FlaskForm):
    """A button-only POST: nothing but the CSRF token."""


class LoginForm(FlaskForm):
    username = StringField(validators=[DataRequired(), Length(max=64)])
    password = PasswordField(validators=[DataRequired(), Length(max=256)])


class AgencyForm(FlaskForm):
    code = StringField(validators=[DataRequired(), Length(max=32),
                                   Regexp(r"^[A-Za-z0-9_.\-]+$")])
    name_th = StringField(validators=[DataRequired(), Length(max=255)])
    name_en = StringField(validators=[Optional(), Length(max=255)])
    agency_type = SelectField(validators=[DataRequired()])
    eligible_headcount = IntegerField(validators=[Optional(), NumberRange(min=1, max=1_000_000)])
    parent_id = SelectField(coerce=str, validators=[Optional()])


class AssessmentForm(FlaskForm):
    fiscal_year_be = IntegerField(validators=[DataRequired(), NumberRange(min=2500, max=2700)])
    instrument_set = SelectField(validators=[DataRequired()])
    opens_at = DateTimeLocalField(format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    closes_at = DateTimeLocalField(format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    eit_minimum = IntegerField(validators=[Optional(), NumberRange(min=1, max=100_000)])
    indicator_target = FloatField(validators=[Optional(), NumberRange(min=0, max=100)])


class ScheduleForm(FlaskForm):
    """Editing an existing assessment: its window, EIT minimum and target."""

    opens_at = DateTimeLocalField(format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    closes_at = DateTimeLocalField(format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    eit_minimum = IntegerField(validators=[Optional(), NumberRange(min=1, max=100_000)])
    indicator_target = FloatField(validators=[Optional(), NumberRange(min=0, max=100)])


class CodeBatchForm(FlaskForm):
    count = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=2000)])
    batch = StringField(validators=[Optional(), Length(max=40), Regexp(r"^[\w.\-]+$")])


class RevokeBatchForm(FlaskForm):
    batch = StringField(validators=[DataRequired(), Length(max=64)])


class PastImportForm(FlaskForm):
    file = FileField(validators=[FileRequired()])


class MeasureForm(FlaskForm):
    indicator = SelectField(validators=[DataRequired()])
    measure = TextAreaField(validators=[DataRequired(), Length(max=4000)])
    responsible = StringField(validators=[Optional(), Length(max=255)])
    steps = TextAreaField(validators=[Optional(), Length(max=8000)])
    period = StringField(validators=[Optional(), Length(max=255)])


class UserForm(FlaskForm):
    username = StringField(validators=[DataRequired(), Length(max=64), Regexp(r"^\S+$")])
    display_name = StringField(validators=[Optional(), Length(max=255)])
    role = SelectField(validators=[DataRequired()])
    agency_id = SelectField(coerce=str, validators=[Optional()])
    password = PasswordField(validators=[DataRequired(), Length(min=10, max=256)])
