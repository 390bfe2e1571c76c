"""Response tally: responses per assessment, instrument and day, kept by triggers on ``response``.

Counting an assessment's responses (the console's counts, the per-day chart, the stored
result's fingerprint) scanned every response: a few milliseconds at a thousand, tens at a
hundred thousand.  ``response_tally`` holds one row per (assessment, instrument, day) and the
database keeps it: triggers add on insert, take away on delete and move a row's count on
update, whoever writes (the EIT form, the mixer, ``ita demo --responses``, a migration).
SQLite: row triggers with an upsert.  PostgreSQL: statement triggers over the transition
tables, so a bulk insert of a mixed batch updates each day's row once.
Upgrade fills the tally from the responses already stored; downgrade drops triggers and table.

Revision ID: 0011_response_tally
Revises: 0010_compact_answers
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_response_tally"
down_revision = "0010_compact_answers"
branch_labels = None
depends_on = None

KEY = "assessment_id, instrument, submitted_on"

_SQLITE_ADD = f"""
        INSERT INTO response_tally ({KEY}, responses)
        VALUES (NEW.assessment_id, NEW.instrument, NEW.submitted_on, 1)
        ON CONFLICT ({KEY}) DO UPDATE SET responses = responses + 1;"""
_SQLITE_OLD = ("assessment_id = OLD.assessment_id AND instrument = OLD.instrument"
               " AND submitted_on = OLD.submitted_on")
_SQLITE_TAKE = f"""
        UPDATE response_tally SET responses = responses - 1 WHERE {_SQLITE_OLD};
        DELETE FROM response_tally WHERE {_SQLITE_OLD} AND responses <= 0;"""
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER response_tally_insert AFTER INSERT ON response BEGIN {_SQLITE_ADD}\n    END",
    f"CREATE TRIGGER response_tally_delete AFTER DELETE ON response BEGIN {_SQLITE_TAKE}\n    END",
    "CREATE TRIGGER response_tally_update AFTER UPDATE OF assessment_id, instrument, submitted_on"
    f" ON response BEGIN {_SQLITE_TAKE}{_SQLITE_ADD}\n    END",
]

_PG_ADD = f"""
    INSERT INTO response_tally ({KEY}, responses)
    SELECT {KEY}, count(*) FROM new_rows GROUP BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE SET responses = response_tally.responses + EXCLUDED.responses;
"""
_PG_TAKE = f"""
    UPDATE response_tally t SET responses = t.responses - o.n
    FROM (SELECT {KEY}, count(*) AS n FROM old_rows GROUP BY {KEY}) o
    WHERE t.assessment_id = o.assessment_id AND t.instrument = o.instrument
      AND t.submitted_on = o.submitted_on;
    DELETE FROM response_tally WHERE responses <= 0;
"""
PG_FUNCTIONS = {
    "response_tally_add": _PG_ADD,
    "response_tally_take": _PG_TAKE,
    "response_tally_move": _PG_TAKE + _PG_ADD,
}
PG_TRIGGERS = [
    "CREATE TRIGGER response_tally_insert AFTER INSERT ON response "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION response_tally_add()",
    "CREATE TRIGGER response_tally_delete AFTER DELETE ON response "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION response_tally_take()",
    "CREATE TRIGGER response_tally_update AFTER UPDATE ON response "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION response_tally_move()",
]
TRIGGERS = ("response_tally_insert", "response_tally_delete", "response_tally_update")


def upgrade() -> None:
    op.create_table(
        "response_tally",
        sa.Column("assessment_id", sa.Integer,
                  sa.ForeignKey("assessment.id", name="fk_response_tally_assessment_id_assessment",
                                ondelete="CASCADE"), nullable=False),
        sa.Column("instrument", sa.String(3), nullable=False),
        sa.Column("submitted_on", sa.Date, nullable=False),
        sa.Column("responses", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("assessment_id", "instrument", "submitted_on",
                                name="pk_response_tally"),
    )
    op.execute(f"INSERT INTO response_tally ({KEY}, responses) "
               f"SELECT {KEY}, count(*) FROM response GROUP BY {KEY}")
    if op.get_bind().dialect.name == "postgresql":
        for name, body in PG_FUNCTIONS.items():
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                       f"{body} RETURN NULL; END $$")
        for statement in PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON response" if postgresql
                   else f"DROP TRIGGER IF EXISTS {name}")
    if postgresql:
        for name in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("response_tally")
