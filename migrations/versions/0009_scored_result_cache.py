"""The stored scored result of each assessment, keyed by a fingerprint of its inputs.

A row is derived data: the dashboard, the report, the scores export and the supervisor view
read it while its fingerprint matches what the result depends on, and recompute and replace it
otherwise (``survey_app/services/results.py``).  Dropping the table loses nothing.

Revision ID: 0009_scored_result_cache
Revises: 0006_instrument_set_registry
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_scored_result_cache"
down_revision = "0006_instrument_set_registry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scored_result",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("scores", sa.Text(), nullable=False),
        sa.Column("precise", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"],
                                name="fk_scored_result_assessment_id_assessment",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("assessment_id", "variant", name="pk_scored_result"),
    )


def downgrade() -> None:
    op.drop_table("scored_result")
