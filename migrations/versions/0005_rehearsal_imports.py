"""Rehearsal imports: Google Forms exports imported into an assessment, kept apart.

``response_import`` records each imported file (name, rows, who, when); its rows live in
``imported_response`` and ``imported_answer``, never in ``response``/``answer``, so that what
is collected here is never mixed with rehearsal data.

Revision ID: 0005_rehearsal_imports
Revises: 0004_ballot_box
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_rehearsal_imports"
down_revision = "0004_ballot_box"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "response_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(3), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("instrument IN ('IIT', 'EIT')", name="ck_response_import_instrument"),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name="fk_response_import_assessment_id_assessment"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name="fk_response_import_user_id_user_account"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_response_import"),
    )
    op.create_index("ix_response_import_assessment_id", "response_import", ["assessment_id"])
    op.create_table(
        "imported_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("respondent_group", sa.String(32), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"], ["response_import.id"],
            name="fk_imported_response_import_id_response_import", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_imported_response"),
    )
    op.create_index("ix_imported_response_import_id", "imported_response", ["import_id"])
    op.create_table(
        "imported_answer",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(16), nullable=False),
        sa.Column("option", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"], ["imported_response.id"],
            name="fk_imported_answer_response_id_imported_response", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("response_id", "question", name="pk_imported_answer"),
    )


def downgrade() -> None:
    op.drop_table("imported_answer")
    op.drop_index("ix_imported_response_import_id", table_name="imported_response")
    op.drop_table("imported_response")
    op.drop_index("ix_response_import_assessment_id", table_name="response_import")
    op.drop_table("response_import")
