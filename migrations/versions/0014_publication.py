"""Publication of answers at the close, reopenings, and the mixer's durable state (issue 17).

- ``response.publication_id`` (indexed): the ``publication`` that released a response into
  scores, distributions and exports; None = not yet.  Existing responses of assessments that
  have already closed are published by this migration (one publication per instrument, at
  close, and ``assessment.published_at`` set); those of open assessments wait for the close
  (IIT) or for a batch of K (EIT), as new ones do.
- ``assessment_reopening``: a system admin's reopening of a published assessment, with a reason.
- ``mixer_state``: an erase of mixed ballots still owed, for any worker or timer to retry.

Revision ID: 0014_publication
Revises: 0012_measure_quarters
Create Date: 2026-12-06
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0014_publication"
down_revision = "0013_published_result"
branch_labels = None
depends_on = None


def _now(bind) -> dt.datetime:
    """Now in UTC, as each database stores it (SQLite: naive UTC, as ``UTCDateTime``)."""
    now = dt.datetime.now(dt.UTC)
    return now.replace(tzinfo=None) if bind.dialect.name == "sqlite" else now


def upgrade() -> None:
    op.create_table(
        "publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(3), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("at_close", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"],
                                name="fk_publication_assessment_id_assessment",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_publication"),
    )
    op.create_index("ix_publication_assessment_id", "publication", ["assessment_id"])
    op.create_table(
        "assessment_reopening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"],
                                name="fk_assessment_reopening_assessment_id_assessment",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_assessment_reopening"),
    )
    op.create_index("ix_assessment_reopening_assessment_id", "assessment_reopening",
                    ["assessment_id"])
    op.create_table(
        "mixer_state",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("erase_owed_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_mixer_state"),
    )
    # Plain ADD COLUMN on both databases (no table rebuild: the tally triggers stay).
    op.add_column("response", sa.Column("publication_id", sa.Integer(), nullable=True))
    op.create_index("ix_response_publication_id", "response", ["publication_id"])
    op.add_column("assessment", sa.Column("published_at", sa.DateTime(timezone=True),
                                          nullable=True))

    bind = op.get_bind()
    now = _now(bind)
    closed = bind.execute(sa.text(
        "SELECT id FROM assessment WHERE closes_at <= :now"), {"now": now}).scalars().all()
    publication = sa.table("publication", sa.column("id", sa.Integer),
                           sa.column("assessment_id", sa.Integer),
                           sa.column("instrument", sa.String), sa.column("responses", sa.Integer),
                           sa.column("at_close", sa.Boolean),
                           sa.column("published_at", sa.DateTime))
    for assessment_id in closed:
        released = False
        for instrument in ("IIT", "EIT"):
            n = bind.execute(sa.text(
                "SELECT count(*) FROM response WHERE assessment_id = :a AND instrument = :i"),
                {"a": assessment_id, "i": instrument}).scalar()
            if not n:
                continue
            pid = bind.execute(sa.insert(publication).values(
                assessment_id=assessment_id, instrument=instrument, responses=n,
                at_close=True, published_at=now).returning(publication.c.id)).scalar()
            bind.execute(sa.text(
                "UPDATE response SET publication_id = :p "
                "WHERE assessment_id = :a AND instrument = :i"),
                {"p": pid, "a": assessment_id, "i": instrument})
            released = True
        if released:
            bind.execute(sa.text("UPDATE assessment SET published_at = :now WHERE id = :a"),
                         {"now": now, "a": assessment_id})


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a rebuild of ``assessment`` would trip its foreign keys.
    op.execute("ALTER TABLE assessment DROP COLUMN published_at")
    op.drop_index("ix_response_publication_id", table_name="response")
    op.execute("ALTER TABLE response DROP COLUMN publication_id")
    op.drop_table("mixer_state")
    op.drop_index("ix_assessment_reopening_assessment_id", table_name="assessment_reopening")
    op.drop_table("assessment_reopening")
    op.drop_index("ix_publication_assessment_id", table_name="publication")
    op.drop_table("publication")
