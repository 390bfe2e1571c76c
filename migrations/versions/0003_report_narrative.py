"""Add the report narrative: the office's own words per indicator in the yearly report.

Revision ID: 0003_report_narrative
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_report_narrative"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_narrative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("indicator", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name="fk_report_narrative_assessment_id_assessment",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_report_narrative"),
        sa.UniqueConstraint("assessment_id", "kind", "indicator",
                            name="uq_report_narrative_assessment_kind_indicator"),
    )
    op.create_index("ix_report_narrative_assessment_id", "report_narrative", ["assessment_id"])


def downgrade() -> None:
    op.drop_index("ix_report_narrative_assessment_id", table_name="report_narrative")
    op.drop_table("report_narrative")
