"""The published result: the past scores become NACC's published result per agency and year.

Every ``past_score`` row with a figure becomes a ``published_score`` of a ``published_result``
for its agency and year (source ``migrated``); a past row without a figure (never written by
the console) had nothing to keep.  The stored result gets a schema version.  Downgrade puts
every published figure back into ``past_score`` (who entered it, when and how is not kept
there: that table never had it).

Revision ID: 0013_published_result
Revises: 0012_measure_quarters
Create Date: 2026-12-06
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0013_published_result"
down_revision = "0012_measure_quarters"
branch_labels = None
depends_on = None

PAST = sa.table("past_score", sa.column("id", sa.Integer), sa.column("agency_id", sa.Integer),
                sa.column("fiscal_year_be", sa.Integer), sa.column("code", sa.String),
                sa.column("score", sa.Float))
RESULT = sa.table("published_result", sa.column("id", sa.Integer),
                  sa.column("agency_id", sa.Integer), sa.column("fiscal_year_be", sa.Integer),
                  sa.column("source", sa.String), sa.column("as_given", sa.Boolean),
                  sa.column("entered_by", sa.String), sa.column("entered_at", sa.DateTime))
SCORE = sa.table("published_score", sa.column("result_id", sa.Integer),
                 sa.column("code", sa.String), sa.column("score", sa.Float))


def _past_table() -> None:
    op.create_table(
        "past_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year_be", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name="fk_past_score_agency_id_agency"),
        sa.PrimaryKeyConstraint("id", name="pk_past_score"),
        sa.UniqueConstraint("agency_id", "fiscal_year_be", "code",
                            name="uq_past_score_agency_year_code"),
    )
    op.create_index("ix_past_score_agency_id", "past_score", ["agency_id"])


def upgrade() -> None:
    op.create_table(
        "published_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year_be", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("as_given", sa.Boolean(), nullable=False),
        sa.Column("entered_by", sa.String(120), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('console', 'upload', 'cli', 'demo', 'migrated')",
                           name="ck_published_result_source"),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"],
                                name="fk_published_result_agency_id_agency"),
        sa.PrimaryKeyConstraint("id", name="pk_published_result"),
        sa.UniqueConstraint("agency_id", "fiscal_year_be", name="uq_published_result_agency_year"),
    )
    op.create_index("ix_published_result_agency_id", "published_result", ["agency_id"])
    op.create_table(
        "published_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["result_id"], ["published_result.id"],
                                name="fk_published_score_result_id_published_result",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_published_score"),
        sa.UniqueConstraint("result_id", "code", name="uq_published_score_result_code"),
    )
    op.create_index("ix_published_score_result_id", "published_score", ["result_id"])

    bind = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    rows = bind.execute(sa.select(PAST.c.agency_id, PAST.c.fiscal_year_be, PAST.c.code,
                                  PAST.c.score).where(PAST.c.score.is_not(None))
                        .order_by(PAST.c.agency_id, PAST.c.fiscal_year_be, PAST.c.id)).all()
    headers: dict[tuple[int, int], int] = {}
    for agency_id, year, code, score in rows:
        key = (agency_id, year)
        if key not in headers:
            bind.execute(RESULT.insert().values(agency_id=agency_id, fiscal_year_be=year,
                                                source="migrated", as_given=False,
                                                entered_by="", entered_at=now))
            headers[key] = bind.execute(sa.select(RESULT.c.id).where(
                RESULT.c.agency_id == agency_id, RESULT.c.fiscal_year_be == year)).scalar_one()
        bind.execute(SCORE.insert().values(result_id=headers[key], code=code, score=score))
    op.drop_index("ix_past_score_agency_id", table_name="past_score")
    op.drop_table("past_score")

    with op.batch_alter_table("scored_result") as batch:
        batch.add_column(sa.Column("schema_version", sa.Integer(), nullable=False,
                                   server_default="1"))
    with op.batch_alter_table("scored_result") as batch:
        batch.alter_column("schema_version", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("scored_result") as batch:
        batch.drop_column("schema_version")
    _past_table()
    bind = op.get_bind()
    rows = bind.execute(sa.select(RESULT.c.agency_id, RESULT.c.fiscal_year_be, SCORE.c.code,
                                  SCORE.c.score)
                        .select_from(SCORE.join(RESULT, SCORE.c.result_id == RESULT.c.id))
                        .order_by(RESULT.c.id, SCORE.c.code)).all()
    if rows:
        bind.execute(PAST.insert(), [{"agency_id": a, "fiscal_year_be": y, "code": c,
                                      "score": s} for a, y, c, s in rows])
    op.drop_index("ix_published_score_result_id", table_name="published_score")
    op.drop_table("published_score")
    op.drop_index("ix_published_result_agency_id", table_name="published_result")
    op.drop_table("published_result")
