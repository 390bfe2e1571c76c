"""``ita db``: the database schema (Alembic migrations), backed up before it changes."""

from __future__ import annotations

import click

from .context import app_context, refused, safe_url


@click.group("db")
def db_group() -> None:
    """Manage the database schema (Alembic migrations)."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@click.option("--no-backup", is_flag=True,
              help="Do not back the database up before migrating it.")
@click.option("--backup-dir", type=click.Path(file_okay=False),
              help="Where the backup taken first goes [default: INSTANCE/backups].")
def db_upgrade_command(revision: str, no_backup: bool, backup_dir: str | None) -> None:
    """Migrate the database at ITA_DATABASE_URL (default: the embedded SQLite file).

    A database that has data and is behind is backed up first (as `ita backup` does, without
    mixing: the mixer needs the new schema), unless --no-backup.
    """
    from ..extensions import db
    from ..services.backup import waiting_ballots
    from ..services.schema import current_revision, pending_revisions, upgrade

    with app_context(schema=False) as app:
        before = current_revision(db.engine)
        try:
            steps = pending_revisions(db.engine, revision)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        if not steps:
            click.echo(f"database already at revision {before}, nothing to do: "
                       f"{safe_url(db.engine)}")
            return
        if before is not None and not no_backup:
            from pathlib import Path

            folder = Path(backup_dir) if backup_dir else Path(app.instance_path) / "backups"
            _backup_before_upgrade(db.engine, before, folder)
        upgrade(db.engine, revision)
        click.echo(f"applied {len(steps)} migrations: {', '.join(steps)}")
        click.echo(f"database at revision {current_revision(db.engine)}: {safe_url(db.engine)}")
        waiting = waiting_ballots(db.engine)
        if waiting:
            click.echo(f"{waiting} IIT ballots wait in the box: run `ita mix` (`ita serve` "
                       "also mixes them at start-up)")


def _backup_before_upgrade(engine, before: str, folder) -> None:
    import datetime as dt

    from ..services.backup import BackupError, backup

    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = "dump" if engine.url.get_backend_name() == "postgresql" else "sqlite3"
    try:
        report = backup(engine, folder / f"ita-before-upgrade-{before}-{stamp}.{suffix}")
    except BackupError as exc:
        raise refused(exc, " (nothing was migrated; --no-backup skips the backup)") from None
    click.echo(f"backed up the database (revision {before}, {report.size:,} bytes, "
               f"{report.ballots_waiting} IIT ballots waiting) to {report.path}")

