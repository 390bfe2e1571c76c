"""The UI names of the app's fixed vocabularies, one explicit msgid each.

Nothing here builds a msgid at run time, so ``ita translate update`` finds every name, and
``tests/app/test_catalogue.py`` checks that each vocabulary (roles, agency types, assessment
states, score sources, import matches, set origins, item directions) has a name for every
value.  Templates read them through the ``labels`` global: ``{{ labels.state[a.state] }}``.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from .models import Role

#: ``User.role`` → name (``models.Role``).
ROLE_LABELS = {
    Role.SYSTEM_ADMIN: _l("system admin"),
    Role.AGENCY_ADMIN: _l("agency admin"),
    Role.VIEWER: _l("viewer"),
}

#: ``Agency.agency_type`` → name (``services.agencies.AGENCY_TYPES``).
AGENCY_TYPE_LABELS = {
    "area_office": _l("area office"),
    "school": _l("school"),
    "ministry": _l("ministry"),
    "department": _l("department"),
    "local": _l("local government"),
    "other": _l("other"),
}


def agency_type_labels() -> dict[str, str]:
    """Agency type → its name in the reader's language, each translated once (for a page of
    many rows: each ``labels.agency_type`` lookup in a template translates again)."""
    return {code: str(label) for code, label in AGENCY_TYPE_LABELS.items()}


def agency_type_labels_th() -> dict[str, str]:
    """Agency type → its Thai name, whatever the reader's language (for Thai documents)."""
    with force_locale("th"):
        return {code: str(label) for code, label in AGENCY_TYPE_LABELS.items()}


#: ``services.assessments.AssessmentState`` value → name.
STATE_LABELS = {
    "scheduled": _l("scheduled"),
    "open": _l("open"),
    "closed": _l("closed"),
}

#: Where a score came from (``scoring.assess``'s ``source``) → name.
SOURCE_LABELS = {
    "responses": _l("responses"),
    "checklist": _l("OIT checklist"),
    "given": _l("entered"),
}

#: How a Google Forms column was matched (``scoring.gforms.ColumnMatch.how``; "" is shown blank).
IMPORT_HOW_LABELS = {
    "text": _l("question text"),
    "grid": _l("grid row"),
    "code": _l("column code"),
    "mapping": _l("mapping file"),
    "dropped": _l("dropped, never stored"),
    "answers": _l("respondent group (by its answers)"),
}

#: Where an instrument set came from (``services.instrument_sets``: shipped or added).
SET_ORIGIN_LABELS = {
    "shipped": _l("shipped"),
    "added": _l("added"),
}

#: An item's scoring direction (``questionnaires.model.DIRECTIONS``).
DIRECTION_LABELS = {
    "positive": _l("positive"),
    "reverse": _l("reverse"),
    "yes_good": _l("yes is good"),
    "yes_bad": _l("yes is bad"),
}

LABELS = SimpleNamespace(role=ROLE_LABELS, agency_type=AGENCY_TYPE_LABELS, state=STATE_LABELS,
                         source=SOURCE_LABELS, import_how=IMPORT_HOW_LABELS,
                         set_origin=SET_ORIGIN_LABELS, direction=DIRECTION_LABELS)
