"""Run the Alembic migrations from code, from any working directory."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import migrations


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    return cfg


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` (default: the newest)."""
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_up_to_date(engine: sa.Engine) -> bool:
    return current_revision(engine) == head_revision()


def pending_revisions(engine: sa.Engine, target: str = "head") -> list[str]:
    """The revisions an upgrade to ``target`` would apply, oldest first.

    Raises ``ValueError`` for a revision that does not exist or is not ahead of the database.
    """
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    try:
        target = script.get_revision(target).revision
        if current == target:
            return []
        steps = list(script.iterate_revisions(target, current))
    except (RevisionError, CommandError) as exc:
        raise ValueError(f"cannot upgrade from revision {current} to {target!r}: {exc}") from None
    return [s.revision for s in reversed(steps)]
