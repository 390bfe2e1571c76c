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
down_revision = "0012_measure_quarters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessment") as batch:
        batch.add_column(sa.Column("score_map", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessment") as batch:
        batch.drop_column("score_map")
