"""Migrations: one head, upgrade from empty on both databases, models agree with migrations."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from survey_app.extensions import make_engine
from survey_app.models import Base
from survey_app.services.schema import alembic_config, current_revision, head_revision, upgrade


def test_one_head():
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1


def test_upgrade_from_empty_and_models_match(database_url):
    # ``database_url`` is already migrated from empty by the fixture; upgrading again is a no-op.
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "target_metadata": Base.metadata}
            )
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back_on_sqlite(tmp_path):
    from alembic import command

    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    try:
        upgrade(engine)
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
