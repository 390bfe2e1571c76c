"""Respondent forms; the questionnaire form is built from the instrument definitions."""

from __future__ import annotations

from functools import cache

from wtforms import BooleanField, HiddenField, RadioField, StringField

try:  # wtforms >= 3.3 deprecates (value, label) tuples
    from wtforms import SelectChoice as _Choice
except ImportError:  # pragma: no cover - older wtforms
    def _Choice(value, label):
        return (value, label)
from wtforms.validators import InputRequired

from ..extensions import db
from ..i18n import TranslatedForm
from ..services.instrument_sets import load_set

#: Form fields that are not questions; anything else posted must be a question column.
CONTROL_FIELDS = frozenset({"csrf_token", "ticket", "nonce", "respondent_group", "website"})


class CodeForm(TranslatedForm):
    """The IIT code page: the access code and the eligibility confirmation, one POST (judged
    by ``_csrf_valid``, ``services.responses.check_code`` and the box's one value; the form
    renders the page and keeps what was typed)."""

    code = StringField()
    eligible = BooleanField()


class QuestionnaireBase(TranslatedForm):
    """Base of the generated questionnaire forms: what a questionnaire page renders (a POST is
    judged by ``_csrf_valid`` and ``services.responses.clean_answers``, not by this form)."""

    instrument: str = ""
    columns: tuple[str, ...] = ()


@cache
def questionnaire_form(instrument_set: str, instrument: str) -> type[QuestionnaireBase]:
    """Return a form class with one required radio field per question column.

    Field names are the export column names (``i1.2``), so a posted form maps one-to-one onto
    the stored answers.  Labels are not used: templates render the official wording.
    """
    iset = load_set(instrument_set, db.session)
    attrs: dict[str, object] = {
        "instrument": instrument,
        "columns": iset.columns_for(instrument),
    }
    for item in iset.items_for(instrument):
        # Labels here are unused: the template renders the wording in the current language.
        choices = [_Choice(o.code, o.label_en) for o in item.scale.options]
        for q in item.questions:
            attrs[q.column] = RadioField(
                q.column, choices=choices, coerce=int, validators=[InputRequired()]
            )
    if instrument == "IIT":
        attrs["ticket"] = HiddenField()
    else:
        groups = [_Choice(g.code, g.label_en) for g in iset.respondent_groups]
        attrs["respondent_group"] = RadioField(choices=groups, validators=[InputRequired()])
        attrs["nonce"] = HiddenField()
        # The honeypot: hidden from people (CSS, aria-hidden, no tab stop); bots fill it in.
        attrs["website"] = StringField()
    name = f"{instrument}Form_{instrument_set.replace('-', '_')}"
    return type(name, (QuestionnaireBase,), attrs)
