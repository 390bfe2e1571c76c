"""Account management and link rotation: user_account.must_change_password, retired_public_token.

Revision ID: accounts_retired_tokens
Revises: admin_session_table
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "accounts_retired_tokens"
down_revision = "admin_session_table"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        "retired_public_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"],
            name="fk_retired_public_token_assessment_id_assessment", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_retired_public_token"),
        sa.UniqueConstraint("token", name="uq_retired_public_token_token"),
    )
    op.create_index("ix_retired_public_token_assessment_id", "retired_public_token",
                    ["assessment_id"])


def downgrade() -> None:
    op.drop_index("ix_retired_public_token_assessment_id", table_name="retired_public_token")
    op.drop_table("retired_public_token")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("must_change_password")
