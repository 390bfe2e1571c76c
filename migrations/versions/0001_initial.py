"""Create agency, assessment, access_code, response and answer.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name_th", sa.String(255), nullable=False),
        sa.Column("name_en", sa.String(255), nullable=False),
        sa.Column("agency_type", sa.String(32), nullable=False),
        sa.Column("eligible_headcount", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["agency.id"], name="fk_agency_parent_id_agency"),
        sa.PrimaryKeyConstraint("id", name="pk_agency"),
        sa.UniqueConstraint("code", name="uq_agency_code"),
    )
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year_be", sa.Integer(), nullable=False),
        sa.Column("instrument_set", sa.String(32), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("eit_minimum", sa.Integer(), nullable=True),
        sa.Column("public_token", sa.String(64), nullable=False),
        sa.CheckConstraint("closes_at > opens_at", name="ck_assessment_window"),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name="fk_assessment_agency_id_agency"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_assessment"),
        sa.UniqueConstraint(
            "agency_id", "fiscal_year_be", "instrument_set", name="uq_assessment_agency_year_set"
        ),
        sa.UniqueConstraint("public_token", name="uq_assessment_public_token"),
    )
    op.create_index("ix_assessment_agency_id", "assessment", ["agency_id"])
    op.create_table(
        "access_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(64), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.CheckConstraint(
            "status IN ('unused', 'used', 'revoked')", name="ck_access_code_status"
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name="fk_access_code_assessment_id_assessment"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_access_code"),
        sa.UniqueConstraint("code_hash", name="uq_access_code_code_hash"),
    )
    op.create_index("ix_access_code_assessment_id", "access_code", ["assessment_id"])
    op.create_table(
        "response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(3), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("respondent_group", sa.String(32), nullable=True),
        sa.CheckConstraint("instrument IN ('IIT', 'EIT')", name="ck_response_instrument"),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name="fk_response_assessment_id_assessment"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_response"),
    )
    op.create_index(
        "ix_response_assessment_instrument", "response", ["assessment_id", "instrument"]
    )
    op.create_table(
        "answer",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(16), nullable=False),
        sa.Column("option", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name="fk_answer_response_id_response",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "question", name="pk_answer"),
    )


def downgrade() -> None:
    op.drop_table("answer")
    op.drop_index("ix_response_assessment_instrument", table_name="response")
    op.drop_table("response")
    op.drop_index("ix_access_code_assessment_id", table_name="access_code")
    op.drop_table("access_code")
    op.drop_index("ix_assessment_agency_id", table_name="assessment")
    op.drop_table("assessment")
    op.drop_table("agency")
