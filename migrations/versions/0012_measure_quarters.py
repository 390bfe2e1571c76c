"""Improvement measures through the year: the issue, start and end quarters, and per-quarter
progress (status, note, evidence links).

The free-text ``period`` of existing measures is read for quarters (``ไตรมาส 3``, ``ไตรมาส 1-4``,
``ทุกไตรมาส`` …, :func:`survey_app.quarters.parse_period`); the text stays as the period's note
whenever it says more than the quarters or names none, so nothing typed is lost.

Revision ID: 0012_measure_quarters
Revises: 0011_response_tally
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from survey_app.quarters import parse_period

revision = "0012_measure_quarters"
down_revision = "0011_response_tally"
branch_labels = None
depends_on = None

MEASURE = sa.table("improvement_measure", sa.column("id", sa.Integer),
                   sa.column("period", sa.String), sa.column("start_quarter", sa.Integer),
                   sa.column("end_quarter", sa.Integer))


def upgrade() -> None:
    with op.batch_alter_table("improvement_measure") as batch:
        batch.add_column(sa.Column("issue", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("start_quarter", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("end_quarter", sa.Integer(), nullable=True))
    with op.batch_alter_table("improvement_measure") as batch:
        batch.alter_column("issue", server_default=None)
    op.create_table(
        "measure_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("evidence_urls", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="ck_measure_progress_quarter"),
        sa.CheckConstraint("status IN ('not_started', 'in_progress', 'done', 'dropped')",
                           name="ck_measure_progress_status"),
        sa.ForeignKeyConstraint(["measure_id"], ["improvement_measure.id"],
                                name="fk_measure_progress_measure_id_improvement_measure",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_measure_progress"),
        sa.UniqueConstraint("measure_id", "quarter", name="uq_measure_progress_measure_quarter"),
    )
    op.create_index("ix_measure_progress_measure_id", "measure_progress", ["measure_id"])

    bind = op.get_bind()
    for row_id, period in bind.execute(sa.select(MEASURE.c.id, MEASURE.c.period)).all():
        start, end, note = parse_period(period)
        if start is not None:
            bind.execute(MEASURE.update().where(MEASURE.c.id == row_id)
                         .values(start_quarter=start, end_quarter=end, period=note))


def downgrade() -> None:
    # The quarters go back into the free text when the note alone does not hold them.
    bind = op.get_bind()
    rows = bind.execute(sa.select(MEASURE.c.id, MEASURE.c.period, MEASURE.c.start_quarter,
                                  MEASURE.c.end_quarter)
                        .where(MEASURE.c.start_quarter.is_not(None))).all()
    for row_id, period, start, end in rows:
        if not period:
            text = f"ไตรมาส {start}" if start == end else f"ไตรมาส {start}-{end}"
            bind.execute(MEASURE.update().where(MEASURE.c.id == row_id).values(period=text))
    op.drop_index("ix_measure_progress_measure_id", table_name="measure_progress")
    op.drop_table("measure_progress")
    with op.batch_alter_table("improvement_measure") as batch:
        batch.drop_column("end_quarter")
        batch.drop_column("start_quarter")
        batch.drop_column("issue")
