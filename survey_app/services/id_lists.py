"""Filtering on a long list of ids (every agency of a ministry, every assessment of a year)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session


def among(session: Session, column, ids: Iterable[int]):
    """``column IN ids`` for a list of any length: one array parameter on PostgreSQL (a
    statement of thousands of placeholders costs more to send and parse than to run), an IN
    list elsewhere (the caller keeps SQLite's lists within its bound-parameter limit)."""
    ids = list(ids)
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY
        return column == sa.any_(sa.bindparam(None, ids, type_=ARRAY(sa.Integer)))
    return column.in_(ids or [-1])
