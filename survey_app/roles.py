"""The console's roles: one definition, standard library only, so the CLI's help can list them
without loading the models (``survey_app.models`` re-exports both names)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """``User.role``: each a plain string in the database, equal to its value in Python."""

    SYSTEM_ADMIN = "system_admin"
    AGENCY_ADMIN = "agency_admin"
    VIEWER = "viewer"


ROLES = tuple(Role)
