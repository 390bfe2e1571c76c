"""The office's report document: foreword, background, standing internal measures, a typed
comparison figure, signature, cover date and logo (one row per assessment).

Revision ID: 0016_report_document
Revises: 0012_measure_quarters
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_report_document"
down_revision = "0015_score_map"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("foreword", sa.Text(), nullable=False),
        sa.Column("background", sa.Text(), nullable=False),
        sa.Column("internal_measures", sa.Text(), nullable=False),
        sa.Column("comparison_scope", sa.String(length=200), nullable=False),
        sa.Column("comparison_units", sa.Integer(), nullable=True),
        sa.Column("comparison_score", sa.Float(), nullable=True),
        sa.Column("director_name", sa.String(length=200), nullable=False),
        sa.Column("director_position", sa.String(length=200), nullable=False),
        sa.Column("cover_date", sa.Date(), nullable=True),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"],
                                name="fk_report_document_assessment_id_assessment"),
        sa.PrimaryKeyConstraint("id", name="pk_report_document"),
        sa.UniqueConstraint("assessment_id", name="uq_report_document_assessment_id"),
    )


def downgrade() -> None:
    op.drop_table("report_document")
