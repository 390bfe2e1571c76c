"""Compact answers: one byte per question on ``response``, the column order in ``response_layout``.

Upgrade: each (assessment, instrument) that has answers gets a layout of its distinct question
columns (in natural order: i1.2 before i1.10), every response's ``answer`` rows become the
bytes of ``response.answers`` (255 where a question has no row), and ``answer`` is dropped;
the response index gains the id (an assessment is read in id order without a sort).
Downgrade: the ``answer`` rows are written back from the bytes (every byte but 255), then the
column and the layouts are dropped.  Neither direction reads the instrument-set registry.

Revision ID: 0010_compact_answers
Revises: 0009_scored_result_cache
Create Date: 2026-12-02
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0010_compact_answers"
down_revision = "0009_scored_result_cache"
branch_labels = None
depends_on = None

BLANK = 255
CHUNK = 20_000

_response = sa.table("response", sa.column("id", sa.Integer),
                     sa.column("assessment_id", sa.Integer), sa.column("instrument", sa.String),
                     sa.column("answers", sa.LargeBinary))
_answer = sa.table("answer", sa.column("response_id", sa.Integer),
                   sa.column("question", sa.String), sa.column("option", sa.SmallInteger))
_layout = sa.table("response_layout", sa.column("assessment_id", sa.Integer),
                   sa.column("instrument", sa.String), sa.column("questions", sa.Text))


def _natural(column: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", column)]


def upgrade() -> None:
    op.create_table(
        "response_layout",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(3), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.CheckConstraint("instrument IN ('IIT', 'EIT')", name="ck_response_layout_instrument"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"],
                                name="fk_response_layout_assessment_id_assessment",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("assessment_id", "instrument", name="pk_response_layout"),
    )
    with op.batch_alter_table("response") as batch:
        batch.add_column(sa.Column("answers", sa.LargeBinary(), nullable=True))
    conn = op.get_bind()
    found: dict[tuple[int, str], set[str]] = {}
    for assessment_id, instrument, question in conn.execute(
            sa.select(_response.c.assessment_id, _response.c.instrument, _answer.c.question)
            .distinct().join(_answer, _answer.c.response_id == _response.c.id)):
        found.setdefault((assessment_id, instrument), set()).add(question)
    layouts = {key: sorted(questions, key=_natural) for key, questions in found.items()}
    if layouts:
        conn.execute(sa.insert(_layout), [
            {"assessment_id": a, "instrument": i, "questions": " ".join(columns)}
            for (a, i), columns in layouts.items()])
    position = {key: {c: k for k, c in enumerate(columns)} for key, columns in layouts.items()}
    for low, high in _id_ranges(conn):
        codes: dict[int, bytearray] = {}
        for response_id, assessment_id, instrument, question, option in conn.execute(
                sa.select(_response.c.id, _response.c.assessment_id, _response.c.instrument,
                          _answer.c.question, _answer.c.option)
                .join(_answer, _answer.c.response_id == _response.c.id)
                .where(_response.c.id >= low, _response.c.id < high)).all():
            places = position[(assessment_id, instrument)]
            if response_id not in codes:
                codes[response_id] = bytearray([BLANK]) * len(places)
            if not 0 <= option < BLANK:
                raise ValueError(f"response {response_id}, {question}: option {option} does "
                                 "not fit in one byte (0-254)")
            codes[response_id][places[question]] = option
        if codes:
            conn.execute(
                sa.update(_response).where(_response.c.id == sa.bindparam("rid"))
                .values(answers=sa.bindparam("codes")),
                [{"rid": rid, "codes": bytes(c)} for rid, c in codes.items()])
    # A response without any answer row: no byte at all (blank in every column).
    conn.execute(sa.update(_response).where(_response.c.answers.is_(None)).values(answers=b""))
    op.drop_table("answer")
    with op.batch_alter_table("response") as batch:
        batch.alter_column("answers", existing_type=sa.LargeBinary(), nullable=False)
    # The id joins the index, so that reading one assessment in id order needs no sort.
    op.drop_index("ix_response_assessment_instrument", table_name="response")
    op.create_index("ix_response_assessment_instrument", "response",
                    ["assessment_id", "instrument", "id"])


def _id_ranges(conn: sa.Connection):
    """Half-open ranges of response ids covering every response, CHUNK ids each."""
    low, high = conn.execute(sa.select(sa.func.min(_response.c.id),
                                       sa.func.max(_response.c.id))).one()
    if low is None:
        return
    for start in range(low, high + 1, CHUNK):
        yield start, start + CHUNK


def downgrade() -> None:
    op.create_table(
        "answer",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(16), nullable=False),
        sa.Column("option", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"],
                                name="fk_answer_response_id_response", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("response_id", "question", name="pk_answer"),
    )
    conn = op.get_bind()
    layouts = {(a, i): text.split() for a, i, text in conn.execute(sa.select(_layout))}
    for low, high in _id_ranges(conn):
        inserts = [
            {"response_id": response_id, "question": q, "option": o}
            for response_id, assessment_id, instrument, codes in conn.execute(
                sa.select(_response.c.id, _response.c.assessment_id, _response.c.instrument,
                          _response.c.answers)
                .where(_response.c.id >= low, _response.c.id < high)).all()
            for q, o in zip(layouts.get((assessment_id, instrument), []), bytes(codes),
                            strict=False)
            if o != BLANK]
        if inserts:
            conn.execute(sa.insert(_answer), inserts)
    op.drop_index("ix_response_assessment_instrument", table_name="response")
    op.create_index("ix_response_assessment_instrument", "response",
                    ["assessment_id", "instrument"])
    if conn.dialect.name == "sqlite":
        # Not batch mode: recreating ``response`` would drop the old table, and with foreign
        # keys on that deletes every ``answer`` row just written (ON DELETE CASCADE).  SQLite
        # 3.35+ drops a plain column in place.
        op.execute("ALTER TABLE response DROP COLUMN answers")
    else:
        op.drop_column("response", "answers")
    op.drop_table("response_layout")
