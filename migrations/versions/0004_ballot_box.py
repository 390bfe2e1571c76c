"""Add the IIT ballot box; put the IIT responses stored before it back into the box.

Before this revision an IIT response was inserted in the transaction that redeemed its code, so
on PostgreSQL it shared that transaction's id (``xmin``) with the ``access_code`` row, and its
sequential id followed the order in which codes were used.  Moving those responses into the
ballot box lets the mixer store them again in shuffled batches, in new transactions, with new
ids (run ``ita mix`` after upgrading; ``ita serve`` does it at start-up).  See SECURITY.md.

Revision ID: 0004_ballot_box
Revises: 0003_report_narrative
Create Date: 2026-12-02
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0004_ballot_box"
down_revision = "0003_report_narrative"
branch_labels = None
depends_on = None

_meta = sa.MetaData()
_response = sa.Table(
    "response", _meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("assessment_id", sa.Integer),
    sa.Column("instrument", sa.String(3)),
    sa.Column("submitted_on", sa.Date),
    sa.Column("respondent_group", sa.String(32)),
)
_answer = sa.Table(
    "answer", _meta,
    sa.Column("response_id", sa.Integer),
    sa.Column("question", sa.String(16)),
    sa.Column("option", sa.SmallInteger),
)
_ballot = sa.Table(
    "ballot", _meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("assessment_id", sa.Integer),
    sa.Column("submitted_on", sa.Date),
    sa.Column("answers", sa.Text),
)


def upgrade() -> None:
    op.create_table(
        "ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"],
                                name="fk_ballot_assessment_id_assessment"),
        sa.PrimaryKeyConstraint("id", name="pk_ballot"),
    )
    op.create_index("ix_ballot_assessment_id", "ballot", ["assessment_id"])

    bind = op.get_bind()
    legacy = bind.execute(
        sa.select(_response.c.id, _response.c.assessment_id, _response.c.submitted_on)
        .where(_response.c.instrument == "IIT")
    ).all()
    for start in range(0, len(legacy), 1000):
        chunk = legacy[start:start + 1000]
        ids = [r.id for r in chunk]
        answers: dict[int, dict[str, int]] = {i: {} for i in ids}
        for response_id, question, option in bind.execute(
            sa.select(_answer.c.response_id, _answer.c.question, _answer.c.option)
            .where(_answer.c.response_id.in_(ids))
        ):
            answers[response_id][question] = option
        bind.execute(_ballot.insert(), [
            {"assessment_id": r.assessment_id, "submitted_on": r.submitted_on,
             "answers": json.dumps(answers[r.id], separators=(",", ":"), sort_keys=True)}
            for r in chunk
        ])
        bind.execute(_answer.delete().where(_answer.c.response_id.in_(ids)))
        bind.execute(_response.delete().where(_response.c.id.in_(ids)))


def downgrade() -> None:
    # Nothing acknowledged is lost: ballots not yet mixed become responses again (as the
    # previous revision stored them), then the box goes.
    bind = op.get_bind()
    for ballot in bind.execute(sa.select(_ballot)).all():
        response_id = bind.execute(
            _response.insert().values(assessment_id=ballot.assessment_id, instrument="IIT",
                                      submitted_on=ballot.submitted_on)
            .returning(_response.c.id)
        ).scalar_one()
        answers = json.loads(ballot.answers)
        if answers:
            bind.execute(_answer.insert(), [
                {"response_id": response_id, "question": q, "option": o}
                for q, o in answers.items()
            ])
    op.drop_index("ix_ballot_assessment_id", table_name="ballot")
    op.drop_table("ballot")
