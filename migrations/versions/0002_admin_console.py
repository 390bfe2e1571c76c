"""Add the admin console: accounts, audit log, OIT results, past scores, improvement measures.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessment") as batch:
        batch.add_column(sa.Column("indicator_target", sa.Float(), nullable=True))
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('system_admin', 'agency_admin', 'viewer')", name="ck_user_account_role"
        ),
        sa.CheckConstraint(
            "role = 'system_admin' OR agency_id IS NOT NULL", name="ck_user_account_scope"
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name="fk_user_account_agency_id_agency"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_user_account"),
        sa.UniqueConstraint("username", name="uq_user_account_username"),
    )
    op.create_index("ix_user_account_agency_id", "user_account", ["agency_id"])
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name="fk_audit_event_user_id_user_account"
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name="fk_audit_event_agency_id_agency"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_event"),
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"])
    op.create_table(
        "oit_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(16), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("evidence_urls", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name="fk_oit_result_assessment_id_assessment"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_oit_result"),
        sa.UniqueConstraint("assessment_id", "item", name="uq_oit_result_assessment_item"),
    )
    op.create_index("ix_oit_result_assessment_id", "oit_result", ["assessment_id"])
    op.create_table(
        "past_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year_be", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name="fk_past_score_agency_id_agency"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_past_score"),
        sa.UniqueConstraint(
            "agency_id", "fiscal_year_be", "code", name="uq_past_score_agency_year_code"
        ),
    )
    op.create_index("ix_past_score_agency_id", "past_score", ["agency_id"])
    op.create_table(
        "improvement_measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(8), nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("responsible", sa.String(255), nullable=False),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.Column("period", sa.String(255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name="fk_improvement_measure_assessment_id_assessment",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_improvement_measure"),
    )
    op.create_index(
        "ix_improvement_measure_assessment_id", "improvement_measure", ["assessment_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_improvement_measure_assessment_id", table_name="improvement_measure")
    op.drop_table("improvement_measure")
    op.drop_index("ix_past_score_agency_id", table_name="past_score")
    op.drop_table("past_score")
    op.drop_index("ix_oit_result_assessment_id", table_name="oit_result")
    op.drop_table("oit_result")
    op.drop_index("ix_audit_event_at", table_name="audit_event")
    op.drop_table("audit_event")
    op.drop_index("ix_user_account_agency_id", table_name="user_account")
    op.drop_table("user_account")
    with op.batch_alter_table("assessment") as batch:
        batch.drop_column("indicator_target")
