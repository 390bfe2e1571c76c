"""Admin console views: accounts, agencies, assessments, codes, posters, OIT, past results."""

from __future__ import annotations

from flask import Blueprint

from . import access  # noqa: F401  (registers the login manager's user loader)

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The results, exports and report views register on the same blueprint.
from . import results_routes  # noqa: E402, F401
