"""An assessment may be scored with an alternative answer->score map.

``assessment.score_map`` names a map of ``questionnaires/score_maps.toml`` (e.g.
``replica-points``); NULL, every existing row, means the instrument set's own map.

Revision ID: 0015_score_map
Revises: 0012_measure_quarters
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_score_map"
down_revision = "0014_publication"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on every backend: a batch (copy-and-move) of ``assessment`` on SQLite would
# drop a table other tables' foreign keys point at.


def upgrade() -> None:
    op.add_column("assessment", sa.Column("score_map", sa.String(length=32), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE assessment DROP COLUMN score_map")  # SQLite 3.35+
    else:
        op.drop_column("assessment", "score_map")
