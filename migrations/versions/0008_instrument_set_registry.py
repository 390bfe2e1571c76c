"""The registry of instrument sets: stored definition texts and each assessment's set hash.

Existing assessments are pinned to the shipped file of their set as it is at upgrade time: its
text is copied into ``instrument_set_definition`` and its SHA-256 recorded on the assessment, so
that a later change of the shipped file never rescores them.

Revision ID: 0006_instrument_set_registry
Revises: accounts_retired_tokens
Create Date: 2026-12-02
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib

import sqlalchemy as sa
from alembic import op

from questionnaires import DEFINITIONS_DIR

revision = "0006_instrument_set_registry"
down_revision = "accounts_retired_tokens"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "instrument_set_definition",
        sa.Column("set_id", sa.String(32), nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.Column("fiscal_year_be", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.CheckConstraint("origin IN ('shipped', 'added')",
                           name="ck_instrument_set_definition_origin"),
        sa.PrimaryKeyConstraint("set_id", name="pk_instrument_set_definition"),
    )
    with op.batch_alter_table("assessment") as batch:
        batch.add_column(sa.Column("instrument_set_sha256", sa.String(64), nullable=True))

    bind = op.get_bind()
    used = [row[0] for row in bind.execute(sa.text("SELECT DISTINCT instrument_set FROM assessment"))]
    definitions = sa.table(
        "instrument_set_definition", sa.column("set_id"), sa.column("origin"),
        sa.column("fiscal_year_be"), sa.column("sha256"), sa.column("text"),
        sa.column("filename"), sa.column("added_at"), sa.column("added_by"))
    now = dt.datetime.now(dt.UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    for set_id in used:
        path = DEFINITIONS_DIR / f"{set_id}.toml"
        if not path.is_file():
            continue  # not a shipped set: left unpinned, loaded by id as before
        text = path.read_text(encoding="utf-8")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        year = int(tomllib.loads(text).get("fiscal_year_be", 0))
        bind.execute(definitions.insert().values(
            set_id=set_id, origin="shipped", fiscal_year_be=year, sha256=digest, text=text,
            filename=path.name, added_at=now, added_by="migration"))
        bind.execute(sa.text("UPDATE assessment SET instrument_set_sha256 = :digest "
                             "WHERE instrument_set = :set_id"),
                     {"digest": digest, "set_id": set_id})


def downgrade() -> None:
    with op.batch_alter_table("assessment") as batch:
        batch.drop_column("instrument_set_sha256")
    op.drop_table("instrument_set_definition")
