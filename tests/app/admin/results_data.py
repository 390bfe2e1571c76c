"""Stored data for the results, exports and report tests: agencies, responses, OIT, measures.

Responses are inserted as rows (no access codes needed); answers follow a seeded generator so
that every figure is reproducible.  The builders live in tests/factories.py; this module keeps
the names the tests import (its ``PASSWORD`` is the seeded accounts' one).
"""

from __future__ import annotations

from ...factories import (
    SEED_PASSWORD,
    SET,
    Seeded,
    add_agency,
    add_assessment,
    add_user,
    answers_for,
    publish,
    seed_one,
)
from ...factories import login as _login

PASSWORD = SEED_PASSWORD

__all__ = ["PASSWORD", "SET", "Seeded", "add_agency", "add_assessment", "add_user",
           "answers_for", "login", "publish", "seed_one"]


def login(client, username: str = "admin", password: str = PASSWORD):
    """Sign in as one of the seeded accounts (``admin`` unless told)."""
    return _login(client, username, password)
